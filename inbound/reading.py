"""Mail is read in child processes, each message with a time budget, never on the loop.

The listener's event loop serves every SMTP client at once; a message that takes the
parser seconds would make all of them wait. `parse_email` bounds its work by the
message's size, but anyone can send one, so the loop does not trust that bound either:
each message is handed to a child process, and a child that overruns `READ_BUDGET_S`
is killed and replaced, and the message becomes a raw-text ticket for a person.

Small messages, which is nearly all real mail, have a lane of their own, so ordinary
mail never queues behind a burst of large ones. Children are started with `spawn`, as
forking a process that runs an event loop and the Temporal client's threads is unsafe.
"""

import asyncio
import contextlib
import multiprocessing
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from adapters.mail.inbound_mail import boundary_lines, parse_email, raw_text_ticket
from models.support import InboundEmail

READ_BUDGET_S = 10.0
"""Per message: an ordinary one is read in milliseconds, the slowest crafted 2 MB one
(`bench.smtp_stall`) in two to four seconds."""
SMALL_MAIL_BYTES = 64_000
SMALL_MAIL_PARTS = 50
"""Up to this size and this many MIME boundary lines a message takes the small lane:
ordinary mail, reports and replies. Parts cost the parser most, so many small ones go
to the large lane."""
CONTEXT = multiprocessing.get_context("spawn")
START_BUDGET_S = 60.0
"""For a child to import the parser and say it is ready: a loaded machine takes seconds,
and that time must not count against the first message's budget."""
READY = b"ready"


def _serve(conn: Connection) -> None:
    """The child: says it is ready, then reads raw messages and answers each with its
    `InboundEmail` as JSON, until the parent closes the pipe."""
    conn.send_bytes(READY)
    while True:
        try:
            raw = conn.recv_bytes()
        except (EOFError, OSError):
            return
        conn.send_bytes(parse_email(raw).model_dump_json().encode())


class _Child:
    """One child process and the parent's end of its pipe."""

    def __init__(self) -> None:
        self.conn, theirs = CONTEXT.Pipe()
        self.process: BaseProcess = CONTEXT.Process(
            target=_serve, args=(theirs,), name="flowdesk-mail-reader", daemon=True
        )
        self.process.start()
        theirs.close()
        with contextlib.suppress(EOFError, OSError):  # a child that died fails its read
            if self.conn.poll(START_BUDGET_S):
                self.conn.recv_bytes()  # READY: the parser is imported

    def read(self, raw: bytes, budget: float) -> bytes | str:
        """Blocking: the answer, or why there is none."""
        try:
            self.conn.send_bytes(raw)
            if self.conn.poll(budget):
                return self.conn.recv_bytes()
        except (EOFError, OSError):
            return "the reading process failed"
        return f"reading took over {budget:g} s"

    def stop(self) -> None:
        self.conn.close()
        self.process.kill()
        self.process.join(timeout=5)


@dataclass
class _Lane:
    """Children waiting for a message; one is taken per message and put back after."""

    size: int
    idle: asyncio.Queue[_Child | None] = field(default_factory=asyncio.Queue)

    def __post_init__(self) -> None:
        for _ in range(self.size):
            self.idle.put_nowait(None)


class MailReader:
    """Reads raw messages into `InboundEmail`s in child processes, one lane for small
    messages and one for large ones; a message that overruns the budget, or whose child
    dies, becomes a raw-text ticket, never a stall or a crash."""

    def __init__(
        self, budget: float = READ_BUDGET_S, small_children: int = 1, large_children: int = 1
    ) -> None:
        self.budget = budget
        self.small = _Lane(small_children)
        self.large = _Lane(large_children)
        self.children: set[_Child] = set()

    async def read(self, raw: bytes) -> InboundEmail:
        small = len(raw) <= SMALL_MAIL_BYTES and boundary_lines(raw) <= SMALL_MAIL_PARTS
        lane = self.small if small else self.large
        child = await lane.idle.get()
        try:
            if child is None or child not in self.children:
                child = await asyncio.to_thread(self._start)
            answer = await asyncio.to_thread(child.read, raw, self.budget)
        except BaseException:  # cancelled mid-read: the child may still be busy
            self._retire(child)
            lane.idle.put_nowait(None)
            raise
        if isinstance(answer, bytes):
            lane.idle.put_nowait(child)
            return InboundEmail.model_validate_json(answer)
        self._retire(child)
        lane.idle.put_nowait(None)
        return raw_text_ticket(raw, answer)

    def _start(self) -> _Child:
        child = _Child()
        self.children.add(child)
        return child

    def _retire(self, child: _Child | None) -> None:
        if child is not None:
            self.children.discard(child)
            child.stop()

    def close(self) -> None:
        """Stops every child; a later `read` starts new ones."""
        for child in list(self.children):
            self._retire(child)
