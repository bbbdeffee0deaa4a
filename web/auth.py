"""Who is reviewing: password hashes, a signed session cookie and a CSRF token per session.

A reviewer's decision sends email as the company, so every page of the inbox needs a
login and every form a CSRF token. Hashes are scrypt (stdlib, memory-hard); the
session is a signed cookie (HMAC-SHA256 over its JSON) that names the reviewer, when
it expires and its CSRF token, so no server-side session store is needed.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from config.doors import PASSWORD_SCHEME

COOKIE = "flowdesk_session"
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
    """Signs and reads session cookies; a cookie that was altered or expired reads as None."""

    def __init__(self, secret: bytes, hours: int) -> None:
        self._secret = secret
        self._seconds = hours * 3600
        self._ended: dict[str, int] = {}

    def issue(self, user: str) -> tuple[str, Session]:
        session = Session(user, secrets.token_urlsafe(24), int(time.time()) + self._seconds)
        body = _b64(json.dumps(session.__dict__, separators=(",", ":")).encode())
        return f"{body}.{self._sign(body)}", session

    def read(self, cookie: str | None) -> Session | None:
        if not cookie or "." not in cookie:
            return None
        body, signature = cookie.rsplit(".", 1)
        if not cookie.isascii() or not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            session = Session(**json.loads(_unb64(body)))
        except (ValueError, TypeError):
            return None
        if session.expires <= time.time() or session.csrf in self._ended:
            return None
        return session

    def end(self, session: Session) -> None:
        """Signing out ends this session on the server too, so a copied cookie stops
        working; remembered until it would have expired anyway."""
        now = time.time()
        self._ended = {token: until for token, until in self._ended.items() if until > now}
        self._ended[session.csrf] = session.expires

    @property
    def max_age(self) -> int:
        return self._seconds

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())


def csrf_ok(session: Session | None, token: str | None) -> bool:
    if session is None or token is None or not token.isascii():
        return False
    return hmac.compare_digest(session.csrf, token)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
