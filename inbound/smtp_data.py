"""SMTP `DATA` read in blocks, so one sender's two megabytes cannot hold the loop.

aiosmtpd reads a message line by line in Python, and while lines are buffered it never
gives the event loop back: twenty senders of two megabytes of short lines kept every
other client waiting seconds between its commands. `BlockDataSMTP` reads whatever is
buffered at once, finds the end (`<CRLF>.<CRLF>`) with one bytes search per block,
removes the transparency dots with one substitution, and yields the loop between
blocks. Answers stay aiosmtpd's: `552` over the size limit, the handler's answer
otherwise. Long lines are accepted, as Postfix accepts them: the parser reads them.
"""

import asyncio
import re

from aiosmtpd.smtp import MISSING, SMTP

END = b"\r\n.\r\n"
STUFFED = re.compile(rb"\r\n\.")
"""RFC 5321 4.5.2: the sender doubles a line's leading dot; the receiver drops one."""
EVERYTHING_BUFFERED = 1 << 30
LINE_START = b"\r\n"
"""Put before the first block, as if the `DATA` line's end: the end of an empty message,
`.<CRLF>` at once, is then found like any other."""


class BlockDataSMTP(SMTP):
    """aiosmtpd's SMTP session with `DATA` read in blocks."""

    async def smtp_DATA(self, arg: str) -> None:  # noqa: N802
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        content = await self._read_message()
        if content is None:
            self._set_post_data_state()
            await self.push("552 Error: Too much mail data")
            return
        self.envelope.content = self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)

    async def _read_message(self) -> bytes | None:
        """The message without its end line and transparency dots; None when it is over
        the size limit (read to its end all the same, as RFC 5321 4.2.5 implies). Bytes
        the client sent after the end (pipelined commands) go back to the reader."""
        pending, discarded, limit = bytearray(LINE_START), 0, self.data_size_limit
        while True:
            block = await self._reader.read(EVERYTHING_BUFFERED)
            if not block:
                raise ConnectionResetError("connection closed during DATA")
            searched_to = max(0, len(pending) - len(END) + 1)
            pending += block
            end = pending.find(END, searched_to)
            if end >= 0:
                if rest := bytes(pending[end + len(END) :]):
                    self._reader.feed_data(rest)
                break
            if limit and discarded + len(pending) > limit + len(LINE_START):
                keep = len(END) - 1  # what the search for the end still needs
                discarded += len(pending) - keep
                del pending[:-keep]
            await asyncio.sleep(0)
        size = discarded + end + 2 - len(LINE_START)
        if discarded or (limit and size > limit):
            return None
        return STUFFED.sub(LINE_START, bytes(pending[: end + 2]))[len(LINE_START) :]
