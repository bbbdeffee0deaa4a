"""The production mailbox: unseen support mail read over IMAP, marked seen once ticketed.

Reading and marking are two activities so the poll workflow can mark a message seen
only after its ticket run has started: a crash in between leaves it unseen, the next
poll reads it again, and the ticket id (from its Message-ID) makes the second start a
no-op. Fetching uses `BODY.PEEK[]` on a read-only `EXAMINE`, so reading never sets
`\\Seen` by itself. Parsing happens here, so the workflow gets `InboundEmail`s and no
raw mail enters its history. `imaplib` blocks, so each activity runs it in a thread.
"""

import asyncio
import imaplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from temporalio import activity

from activities.wrapping import adapter_errors, heartbeating
from adapters.errors import Permanent, Transient
from adapters.mail.inbound_mail import MAX_RAW_BYTES, parse_email
from models.mailbox import FetchedMail, MailBatch, MarkSeen
from models.support import message_digest

BATCH_PAYLOAD_BYTES = 200_000
"""A batch stops growing here (but holds at least one message), under Temporal's 256 KB
payload warning; the rest waits for the next poll."""
READ_BYTES = MAX_RAW_BYTES + 1
"""A longer message arrives cut at this size, which `parse_email` flags as oversized."""


@dataclass(frozen=True)
class MailboxAccount:
    """`tls=False` (plain IMAP4) exists for loopback test servers only."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    tls: bool = True
    timeout_s: float = 30.0


@dataclass
class MailboxActivities:
    account: MailboxAccount
    id_key: bytes = field(repr=False)
    """Names each message's router run; the poll workflow never sees the secret."""

    @activity.defn(name="fetch_unseen_mail")
    async def fetch_unseen(self, limit: int) -> MailBatch:
        with imap_errors():
            return await heartbeating(asyncio.to_thread(self._fetch, limit))

    @activity.defn(name="mark_mail_seen")
    async def mark_seen(self, request: MarkSeen) -> int:
        """How many were marked; none when the folder's UIDVALIDITY changed since the
        fetch (those messages are read again by the next poll)."""
        with imap_errors():
            return await heartbeating(asyncio.to_thread(self._mark, request))

    def definitions(self) -> list:
        return [self.fetch_unseen, self.mark_seen]

    def _fetch(self, limit: int) -> MailBatch:
        with self._session(readonly=True) as (imap, uidvalidity):
            found = _ok(imap.uid("SEARCH", "UNSEEN"))
            messages: list[FetchedMail] = []
            size = 0
            for uid in (found[0] or b"").split()[:limit]:
                raw = _body(_ok(imap.uid("FETCH", uid, f"(BODY.PEEK[]<0.{READ_BYTES}>)")))
                if raw is None:
                    continue
                email = parse_email(raw)
                digest = message_digest(email, self.id_key)
                mail = FetchedMail(uid=int(uid), email=email, digest=digest)
                weight = len(mail.model_dump_json().encode())
                if messages and size + weight > BATCH_PAYLOAD_BYTES:
                    break
                messages.append(mail)
                size += weight
            return MailBatch(uidvalidity=uidvalidity, messages=messages)

    def _mark(self, request: MarkSeen) -> int:
        with self._session(readonly=False) as (imap, uidvalidity):
            if not request.uids or uidvalidity != request.uidvalidity:
                return 0
            _ok(imap.uid("STORE", ",".join(map(str, request.uids)), "+FLAGS", "(\\Seen)"))
            return len(request.uids)

    @contextmanager
    def _session(self, readonly: bool) -> Iterator[tuple[imaplib.IMAP4, int]]:
        """A logged-in connection with the folder open, and the folder's UIDVALIDITY."""
        account = self.account
        with _connect(account) as imap:
            imap.login(account.username, account.password)
            _ok(imap.select(_quoted(account.folder), readonly=readonly))
            _, codes = imap.response("UIDVALIDITY")
            if not codes or codes[0] is None:
                raise Transient("the server did not report the folder's UIDVALIDITY")
            yield imap, int(codes[0])


def _connect(account: MailboxAccount) -> imaplib.IMAP4:
    if account.tls:  # with no context of ours, imaplib would verify no certificate
        context = ssl.create_default_context()
        return imaplib.IMAP4_SSL(
            account.host, account.port, ssl_context=context, timeout=account.timeout_s
        )
    return imaplib.IMAP4(account.host, account.port, timeout=account.timeout_s)


def _ok(answer: tuple[str, list]) -> list:
    """The data of an answer; a `NO` (which imaplib returns, not raises) raises here."""
    status, data = answer
    if status != "OK":
        raise imaplib.IMAP4.error(f"{status} {data[-1]!r}")
    return data


def _body(fetched: list) -> bytes | None:
    """The literal of a `UID FETCH` answer; None when the message is already gone."""
    for part in fetched:
        if isinstance(part, tuple) and len(part) == 2:
            return part[1]
    return None


def _quoted(folder: str) -> str:
    escaped = folder.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@contextmanager
def imap_errors() -> Iterator[None]:
    """A refused command (bad credentials, unknown folder) or an untrusted certificate is
    not worth retrying; lost connections and timeouts are retried by Temporal."""
    with adapter_errors():
        try:
            yield
        except imaplib.IMAP4.abort as err:
            raise Transient(f"IMAP connection lost: {err}") from err
        except imaplib.IMAP4.error as err:
            raise Permanent("ImapRefused", f"IMAP server refused: {err}") from err
        except ssl.SSLCertVerificationError as err:
            raise Permanent("ImapCertificate", f"IMAP server not trusted: {err}") from err
        except OSError as err:
            raise Transient(f"IMAP server unreachable: {type(err).__name__}") from err
