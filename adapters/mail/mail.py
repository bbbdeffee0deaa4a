"""Mail transports: a Maildir outbox (default) and SMTP with STARTTLS.

Both deliver an idempotency key at most once. The Maildir file name is derived from
the key and placed with an atomic `link`, so the file system itself is the ledger.
SMTP cannot be asked what it already received, so a small SQLite ledger records each
delivered key; the Message-ID is derived from the key too, so even the narrow window
between a successful send and the ledger write yields a duplicate receivers can drop.
"""

import asyncio
import hashlib
import os
import re
import smtplib
import socket
import sqlite3
import ssl
from contextlib import closing
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import Policy
from email.policy import default as default_policy
from email.utils import formatdate, getaddresses, parseaddr
from pathlib import Path
from typing import Protocol

from adapters.errors import Permanent
from models.common import (
    ADDRESS_PATTERN,
    MAX_ADDRESS_CHARS,
    ListUnsubscribe,
    OutgoingEmail,
    SendResult,
)

ADDRESS = re.compile(ADDRESS_PATTERN)
MAX_SINGLE_ADDRESS_FIELD = 1000
"""Longer than one address with any display name: such a value names several or none,
and is not handed to the address parser, whose time grows with the square of it."""


class VerbatimHeader(UnstructuredHeader):
    """Written as given: the default folder turns a word longer than a line (any
    unsubscribe URL) into an RFC 2047 encoded word, which no mail client follows."""

    def fold(self, *, policy: Policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


HEADERS = HeaderRegistry()
HEADERS.map_to_type("list-unsubscribe", VerbatimHeader)
MAIL_POLICY = default_policy.clone(header_factory=HEADERS)


class MailTransport(Protocol):
    name: str
    sender: str
    """The From address; its domain ends every Message-ID, so `message_id` can name a
    message before it is sent."""

    async def send(self, message: OutgoingEmail) -> SendResult: ...


def key_digest(idempotency_key: str) -> str:
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


def single_address(value: str) -> str | None:
    """The one address `value` names, or None when it names none or several: a header
    like `=?utf-8?q?a=2Cb=40x=2Eorg?=` decodes to a list, and one reply must never
    reach strangers."""
    if len(value) > MAX_SINGLE_ADDRESS_FIELD:
        return None
    found = getaddresses([value])
    if len(found) != 1 or len(found[0][1]) > MAX_ADDRESS_CHARS:
        return None
    return found[0][1] if ADDRESS.match(found[0][1]) else None


def envelope_sender(value: str) -> str | None:
    """The SMTP envelope sender (`MAIL FROM`, or `Return-Path` once delivered): `""` for
    the null sender `<>` that delivery reports come from, None when unusable."""
    bare = value.strip()
    if bare in ("", "<>"):
        return "" if bare else None
    return single_address(bare)


def recipient(message: OutgoingEmail) -> str:
    """The one address the message goes to; anything else is refused for good (retrying
    cannot fix it)."""
    address = single_address(message.to)
    if address is None:
        raise Permanent("InvalidRecipient", "the recipient must be exactly one address")
    return address


def message_id(idempotency_key: str, sender: str) -> str:
    """A function of the key, so a retried send carries the same Message-ID and the CRM
    can log it before the message leaves."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{key_digest(idempotency_key)}@{domain}>"


def list_unsubscribe(offer: ListUnsubscribe) -> dict[str, str]:
    """RFC 2369 `List-Unsubscribe`, plus RFC 8058's one-click POST only when there is an
    https link to POST to: a mailto alone cannot take it. The mailto's subject carries the
    signed token: a mail to the unsubscribe address acts only with it (or as an answer
    to our message), since anyone can write one naming any sender."""
    subject = f"unsubscribe%20{offer.token}" if offer.token else "unsubscribe"
    mailto = f"<mailto:{offer.mailto}?subject={subject}>"
    if offer.url is None:
        return {"List-Unsubscribe": mailto}
    return {
        "List-Unsubscribe": f"<{offer.url}>, {mailto}",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _codes(err: smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused) -> str:
    """The server's reply codes only: its text names the addresses it refused."""
    if isinstance(err, smtplib.SMTPSenderRefused):
        return f"sender refused, {err.smtp_code}"
    codes = sorted({str(code) for code, _ in err.recipients.values()})
    return f"recipient refused, {', '.join(codes)}"


def build_message(message: OutgoingEmail, sender: str) -> EmailMessage:
    """Every transport builds here, so each one refuses the same recipients and names a
    message alike."""
    recipient(message)
    mail = EmailMessage(policy=MAIL_POLICY)
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message_id(message.idempotency_key, sender)
    if message.in_reply_to:
        mail["In-Reply-To"] = message.in_reply_to
        mail["References"] = message.in_reply_to
    if message.list_unsubscribe is not None:
        for name, value in list_unsubscribe(message.list_unsubscribe).items():
            mail[name] = value
    if message.automatic:
        mail["Auto-Submitted"] = "auto-replied"
        mail["X-Auto-Response-Suppress"] = "All"
    mail.set_content(message.body)
    return mail


class MaildirTransport:
    """Delivers into `root/new` as any Maildir reader (mutt, Thunderbird, mailbox) expects."""

    name = "maildir"

    def __init__(self, root: Path, sender: str) -> None:
        self.root = root
        self.sender = sender
        for sub in ("tmp", "new", "cur"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    async def send(self, message: OutgoingEmail) -> SendResult:
        return await asyncio.to_thread(self._deliver, message)

    def _deliver(self, message: OutgoingEmail) -> SendResult:
        mail = build_message(message, self.sender)
        digest = key_digest(message.idempotency_key)
        name = f"{digest}.flowdesk"
        if self._already_delivered(digest):
            return SendResult(message_id=mail["Message-ID"], transport=self.name, duplicate=True)
        staging = self.root / "tmp" / f"{name}.{os.getpid()}"
        staging.write_bytes(bytes(mail))
        try:
            os.link(staging, self.root / "new" / name)
            duplicate = False
        except FileExistsError:
            duplicate = True
        finally:
            staging.unlink(missing_ok=True)
        return SendResult(message_id=mail["Message-ID"], transport=self.name, duplicate=duplicate)

    def _already_delivered(self, digest: str) -> bool:
        """Readers move messages to cur/ and append flags (`:2,S`), so match the prefix."""
        return any(
            entry.name.startswith(digest)
            for sub in ("new", "cur")
            for entry in os.scandir(self.root / sub)
        )


class SentLedger:
    """Keys already handed to a transport that cannot be asked itself (SMTP)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(path)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS sent (key TEXT PRIMARY KEY, message_id TEXT)")

    def lookup(self, key: str) -> str | None:
        with closing(sqlite3.connect(self._path, timeout=10)) as db:
            row = db.execute("SELECT message_id FROM sent WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def record(self, key: str, message_id: str) -> None:
        with closing(sqlite3.connect(self._path, timeout=10)) as db, db:
            db.execute("INSERT OR IGNORE INTO sent VALUES (?, ?)", (key, message_id))


class SmtpTransport:
    """SMTP submission with STARTTLS and optional auth; smtplib blocks, so it runs in a thread."""

    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        ledger: SentLedger,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout_s: float = 20.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._host, self._port = host, port
        self.sender = sender
        self._ledger = ledger
        self._username, self._password = username, password
        self._starttls = starttls
        self._timeout = timeout_s
        self._tls_context = tls_context or ssl.create_default_context()

    async def send(self, message: OutgoingEmail) -> SendResult:
        return await asyncio.to_thread(self._deliver, message)

    def _deliver(self, message: OutgoingEmail) -> SendResult:
        known = self._ledger.lookup(message.idempotency_key)
        if known is not None:
            return SendResult(message_id=known, transport=self.name, duplicate=True)
        mail = build_message(message, self.sender)
        try:
            self._submit(mail)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as err:
            raise Permanent(
                "MailRejected", f"SMTP server refused the message ({_codes(err)})"
            ) from None
        self._ledger.record(message.idempotency_key, mail["Message-ID"])
        return SendResult(message_id=mail["Message-ID"], transport=self.name, duplicate=False)

    def _submit(self, mail: EmailMessage) -> None:
        with smtplib.SMTP(
            self._host, self._port, timeout=self._timeout, local_hostname=socket.getfqdn()
        ) as smtp:
            if self._starttls:
                smtp.starttls(context=self._tls_context)
            if self._username and self._password:
                smtp.login(self._username, self._password)
            smtp.send_message(mail)
