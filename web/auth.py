"""Who is reviewing: password hashes, a signed session cookie and a CSRF token per session.

A reviewer's decision sends email as the company, so every page of the inbox needs a
login and every form a CSRF token. Hashes are scrypt (stdlib, memory-hard); the
session is a signed cookie (HMAC-SHA256 over its JSON, under a key bound to the
reviewer's password hash) that names the reviewer, when it expires and its CSRF token;
the server keeps only the sessions that were signed out.
"""

import base64
import hashlib
import hmac
import json
import secrets
import sqlite3
import time
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from config.doors import PASSWORD_SCHEME

COOKIE = "flowdesk_session"
ENDED_SCHEMA = "CREATE TABLE IF NOT EXISTS ended (token TEXT PRIMARY KEY, until INTEGER NOT NULL)"
"""Sessions signed out before they expired: their CSRF token, random and naming no one."""
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
"""OWASP's minimum for scrypt; about 50 ms per check on this project's 2-core machines."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    parts = [PASSWORD_SCHEME, str(SCRYPT["n"]), str(SCRYPT["r"]), str(SCRYPT["p"])]
    return "$".join([*parts, _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = _unb64(digest)
        actual = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p))
    except ValueError:
        return False
    return scheme == PASSWORD_SCHEME and hmac.compare_digest(actual, expected)


@dataclass(frozen=True)
class Session:
    user: str
    csrf: str
    expires: int


class SessionSigner:
    """Signs and reads session cookies; a cookie that was altered or expired reads as None,
    and so does one whose reviewer is gone or has changed password: each cookie is
    signed under a key derived from the reviewer's password hash, so a new hash (or no
    hash) makes every cookie issued before it unreadable. Sessions ended by signing out
    are kept in `ended` (a SQLite file the service keeps in its data directory), so a
    copied cookie stays dead across restarts; without one, in this process only."""

    def __init__(self, secret: bytes, hours: int, ended: Path | None = None) -> None:
        self._secret = secret
        self._seconds = hours * 3600
        self._ended = ended
        self._ended_here: dict[str, int] = {}
        if ended is not None:
            ended.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db:
                db.execute(ENDED_SCHEMA)

    def issue(self, user: str, password_hash: str) -> tuple[str, Session]:
        session = Session(user, secrets.token_urlsafe(24), int(time.time()) + self._seconds)
        body = _b64(json.dumps(session.__dict__, separators=(",", ":")).encode())
        return f"{body}.{self._sign(body, password_hash)}", session

    def read(self, cookie: str | None, users: Mapping[str, str]) -> Session | None:
        """`users` are today's reviewers and their hashes (`FLOWDESK_WEB_USERS`)."""
        if not cookie or "." not in cookie or not cookie.isascii():
            return None
        body, signature = cookie.rsplit(".", 1)
        try:
            session = Session(**json.loads(_unb64(body)))
        except (ValueError, TypeError):
            return None
        stored = users.get(session.user) if isinstance(session.user, str) else None
        if stored is None or not hmac.compare_digest(signature, self._sign(body, stored)):
            return None
        if session.expires <= time.time() or self._is_ended(session.csrf):
            return None
        return session

    def end(self, session: Session) -> None:
        """Signing out ends this session on the server too, so a copied cookie stops
        working; remembered until it would have expired anyway."""
        now = int(time.time())
        if self._ended is None:
            self._ended_here = {t: until for t, until in self._ended_here.items() if until > now}
            self._ended_here[session.csrf] = session.expires
            return
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM ended WHERE until <= ?", (now,))
            db.execute(
                "INSERT OR IGNORE INTO ended (token, until) VALUES (?, ?)",
                (session.csrf, session.expires),
            )

    @property
    def max_age(self) -> int:
        return self._seconds

    def _is_ended(self, token: str) -> bool:
        if self._ended is None:
            return token in self._ended_here
        with closing(self._connect()) as db:
            return (
                db.execute("SELECT 1 FROM ended WHERE token = ?", (token,)).fetchone() is not None
            )

    def _connect(self) -> sqlite3.Connection:
        assert self._ended is not None
        return sqlite3.connect(self._ended, timeout=10)

    def _sign(self, body: str, password_hash: str) -> str:
        key = hmac.new(self._secret, password_hash.encode(), hashlib.sha256).digest()
        return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def csrf_ok(session: Session | None, token: str | None) -> bool:
    if session is None or token is None or not token.isascii():
        return False
    return hmac.compare_digest(session.csrf, token)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
