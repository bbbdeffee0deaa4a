"""A small IMAP4rev1 server on loopback, for tests only: one folder held in memory.

It speaks just what `activities.imap` sends through imaplib (CAPABILITY, LOGIN,
SELECT/EXAMINE, UID SEARCH UNSEEN, UID FETCH of BODY.PEEK[] or BODY[] with a partial
range, UID STORE +FLAGS, LOGOUT), in plain text or as IMAPS, and keeps the one rule
under test: a non-peek fetch on a writable folder sets \\Seen, as a real server does.
"""

import re
import socket
import socketserver
import ssl
import threading
import uuid
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

from activities.imap import MailboxAccount

FETCH = re.compile(r"\((BODY(?:\.PEEK)?)\[\](?:<0\.(\d+)>)?\)", re.I)


def mail(subject: str, body: str = "Where is my invoice?") -> bytes:
    """A customer's message as a mailbox stores it: CRLF line ends, its own Message-ID."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "kim@acme.example", "support@x", subject
    message["Message-ID"] = f"<{uuid.uuid4()}@acme.example>"
    message.set_content(body)
    return message.as_bytes(policy=policy.SMTP)


@dataclass
class Stored:
    uid: int
    raw: bytes
    seen: bool = False


@dataclass
class Mailbox:
    username: str = "support"
    password: str = "secret"
    folder: str = "INBOX"
    uidvalidity: int = 7
    messages: list[Stored] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)

    def add(self, raw: bytes, seen: bool = False) -> int:
        uid = max((m.uid for m in self.messages), default=0) + 1
        self.messages.append(Stored(uid, raw, seen))
        return uid

    def unseen(self) -> list[int]:
        return [m.uid for m in self.messages if not m.seen]


class Handler(socketserver.StreamRequestHandler):
    mailbox: Mailbox
    readonly = True
    logged_in = False

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        self.send("* OK loopback IMAP ready")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, args = rest.partition(" ")
            self.mailbox.commands.append(command.upper())
            answer = getattr(self, f"do_{command.lower()}", None)
            if answer is None:
                self.send(f"{tag} BAD unknown command")
            elif not self.logged_in and command.upper() not in ("CAPABILITY", "LOGIN"):
                self.send(f"{tag} NO log in first")
            else:
                self.send(f"{tag} {answer(args) or 'OK done'}")
                if command.upper() == "LOGOUT":
                    return

    def do_capability(self, args: str) -> None:
        self.send("* CAPABILITY IMAP4rev1")

    def do_login(self, args: str) -> str | None:
        user, _, password = args.partition(" ")
        if (user.strip('"'), password.strip('"')) != (self.mailbox.username, self.mailbox.password):
            return "NO [AUTHENTICATIONFAILED] invalid credentials"
        self.logged_in = True
        return None

    def do_select(self, args: str, readonly: bool = False) -> str | None:
        if args.strip('"') != self.mailbox.folder:
            return "NO no such folder"
        self.readonly = readonly
        self.send(f"* {len(self.mailbox.messages)} EXISTS")
        self.send(f"* OK [UIDVALIDITY {self.mailbox.uidvalidity}] UIDs valid")
        return f"OK [{'READ-ONLY' if readonly else 'READ-WRITE'}] opened"

    def do_examine(self, args: str) -> str | None:
        return self.do_select(args, readonly=True)

    def do_logout(self, args: str) -> None:
        self.send("* BYE logging out")

    def do_uid(self, args: str) -> str | None:
        command, _, rest = args.partition(" ")
        command = command.upper()
        if command == "SEARCH" and rest.upper() == "UNSEEN":
            self.send("* SEARCH " + " ".join(map(str, self.mailbox.unseen())))
            return None
        uids, _, item = rest.partition(" ")
        wanted = {int(u) for u in uids.split(",")}
        chosen = [m for m in self.mailbox.messages if m.uid in wanted]
        if command == "FETCH" and (match := FETCH.fullmatch(item)):
            for n, message in enumerate(chosen, 1):
                self._fetch(n, message, peek=match[1].upper() == "BODY.PEEK", limit=match[2])
            return None
        if command == "STORE" and item == "+FLAGS (\\Seen)" and not self.readonly:
            for n, message in enumerate(chosen, 1):
                message.seen = True
                self.send(f"* {n} FETCH (UID {message.uid} FLAGS (\\Seen))")
            return None
        return "BAD not supported here"

    def _fetch(self, n: int, message: Stored, peek: bool, limit: str | None) -> None:
        body = message.raw[: int(limit)] if limit else message.raw
        section = "BODY[]<0>" if limit else "BODY[]"
        self.wfile.write(f"* {n} FETCH (UID {message.uid} {section} {{{len(body)}}}\r\n".encode())
        self.send(body + b")")
        if not peek and not self.readonly:
            message.seen = True


class _Listener(socketserver.ThreadingTCPServer):
    tls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        connection, address = super().get_request()
        if self.tls is not None:
            connection = self.tls.wrap_socket(connection, server_side=True)
        return connection, address


class ImapServer:
    """Serves `mailbox` on 127.0.0.1 (a free port) in a thread until `close()`; with `tls`,
    as IMAPS."""

    def __init__(self, mailbox: Mailbox, tls: ssl.SSLContext | None = None) -> None:
        self.mailbox = mailbox
        handler = type("BoundHandler", (Handler,), {"mailbox": mailbox})
        self.server = _Listener(("127.0.0.1", 0), handler)
        self.server.tls = tls
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def account(self, password: str | None = None, port: int | None = None) -> MailboxAccount:
        """How the activities reach this server (plain IMAP4 unless it serves IMAPS)."""
        return MailboxAccount(
            host="127.0.0.1",
            port=port or self.port,
            username=self.mailbox.username,
            password=password or self.mailbox.password,
            tls=self.server.tls is not None,
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
