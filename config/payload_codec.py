"""AES-256-GCM for every payload a process hands to Temporal.

The server stores histories; with this codec on every client and worker it stores
ciphertext only. Each encrypted payload names its key id in its metadata, so keys
rotate by putting a new key first in `FLOWDESK_PAYLOAD_KEYS`: new payloads use it, old
histories still decrypt with the keys after it. The payload's own metadata (encoding,
message type) is encrypted with its data, and the key id is bound to the ciphertext as
associated data, so a payload cannot be moved to another key id unnoticed.

A payload that arrives unencrypted was written by a process without the keys: a client
that reached the server some other way, sending a signal or an update in clear. It is
never read: it decodes to a payload no converter accepts, so the workflow drops such a
signal, rejects such an update and starts no run on such an input (the SDK's handling
of arguments it cannot convert). `accept_clear` reads them, for histories written
before encryption was on (`FLOWDESK_ACCEPT_CLEAR_PAYLOADS`, a migration switch).
"""

import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
REFUSED = b"binary/refused-unencrypted"
"""The encoding an unencrypted payload decodes to: no converter knows it."""
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12


class UnknownKey(ValueError):
    """A payload names a key this process was not given (a rotated-out key, or another
    deployment's history)."""


class AesGcmCodec(PayloadCodec):
    def __init__(self, keys: dict[str, bytes], accept_clear: bool = False) -> None:
        if not keys:
            raise ValueError("at least one payload key is needed")
        self._keys = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = next(iter(keys))
        self._accept_clear = accept_clear

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decrypt(p) if _encrypted(p) else self._clear(p) for p in payloads]

    def _clear(self, payload: Payload) -> Payload:
        if self._accept_clear:
            return payload
        return Payload(metadata={"encoding": REFUSED})

    def _encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self._current].encrypt(
            nonce, payload.SerializeToString(), self._current.encode()
        )
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID: self._current.encode()}, data=nonce + sealed
        )

    def _decrypt(self, payload: Payload) -> Payload:
        key_id = payload.metadata[KEY_ID].decode()
        key = self._keys.get(key_id)
        if key is None:
            raise UnknownKey(f"payload encrypted with key {key_id!r}, which is not configured")
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plain = key.decrypt(nonce, sealed, key_id.encode())
        except InvalidTag:
            raise ValueError(f"payload under key {key_id!r} failed authentication") from None
        return Payload.FromString(plain)


def _encrypted(payload: Payload) -> bool:
    return payload.metadata.get("encoding") == ENCODING and KEY_ID in payload.metadata
