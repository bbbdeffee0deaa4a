"""Signed one-click unsubscribe links (RFC 8058): the worker mints them into outreach
mail, the web service checks them when a mailbox provider or a person uses one.

A token is the run's workflow id (base64url, so it survives any URL) and an HMAC over
it, so a link names exactly one run and cannot be altered to name another; the
workflow id carries no personal data, so the link leaks none. The domain prefix keeps
this MAC from ever matching one the same secret makes for another purpose.
"""

import base64
import binascii
import hashlib
import hmac
import re

from models.common import ListUnsubscribe

DOMAIN = b"unsubscribe\0"
MAC_HEX_CHARS = 32
"""128 bits of HMAC-SHA256: forging one is out of reach, and the link stays short."""
MAX_TOKEN_CHARS = 1024
"""Far beyond the token of any real workflow id; longer input is refused before decoding."""
TOKEN = re.compile(rf"([A-Za-z0-9_-]+)\.([0-9a-f]{{{MAC_HEX_CHARS}}})")
TOKEN_IN_TEXT = re.compile(rf"(?<![\w.-]){TOKEN.pattern}(?!\w)")
"""A token among other words; starting only where a word starts keeps the search linear."""
MAX_SEARCH_CHARS = 20_000
"""Of a mail's subject and body searched for a token: where a mail client puts it."""


class UnsubscribeLinks:
    def __init__(self, secret: bytes | None, base_url: str, mailto: str) -> None:
        self._secret = secret
        self._base_url = base_url.rstrip("/")
        self._mailto = mailto

    def token(self, workflow_id: str) -> str:
        return f"{_encode(workflow_id)}.{self._mac(workflow_id)}"

    def verify(self, token: str) -> str | None:
        """The run the token was minted for, or None for anything else: a forged, altered,
        truncated or oversized token, or any token at all when no secret is set."""
        if self._secret is None or len(token) > MAX_TOKEN_CHARS:
            return None
        match = TOKEN.fullmatch(token)
        if match is None:
            return None
        encoded, mac = match.groups()
        try:
            workflow_id = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        if not workflow_id or _encode(workflow_id) != encoded:
            return None
        if not hmac.compare_digest(mac, self._mac(workflow_id)):
            return None
        return workflow_id

    def url(self, workflow_id: str) -> str:
        return f"{self._base_url}/unsubscribe/{self.token(workflow_id)}"

    def offer(self, workflow_id: str) -> ListUnsubscribe:
        """Without a secret there is no link to offer, only the mailto the listener takes."""
        if self._secret is None:
            return ListUnsubscribe(mailto=self._mailto)
        return ListUnsubscribe(
            url=self.url(workflow_id), mailto=self._mailto, token=self.token(workflow_id)
        )

    def find(self, text: str) -> str | None:
        """The run of the first valid token in `text` (a mailto's subject, a forwarded
        link), or None."""
        for match in TOKEN_IN_TEXT.finditer(text[:MAX_SEARCH_CHARS]):
            if run := self.verify(match.group(0)):
                return run
        return None

    def _mac(self, workflow_id: str) -> str:
        if self._secret is None:
            raise RuntimeError("no link secret is set (FLOWDESK_LINK_SECRET): links are off")
        digest = hmac.new(self._secret, DOMAIN + workflow_id.encode(), hashlib.sha256)
        return digest.hexdigest()[:MAC_HEX_CHARS]


def _encode(workflow_id: str) -> str:
    """Unpadded base64url; `verify` accepts only this spelling, so one run has one token."""
    return base64.urlsafe_b64encode(workflow_id.encode()).rstrip(b"=").decode()
