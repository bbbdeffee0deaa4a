"""The two secrets that keep personal data off the Temporal server.

`FLOWDESK_PAYLOAD_KEYS` encrypts every payload (inputs, results, signals, summaries,
failure messages) before it leaves a process; `FLOWDESK_ID_SECRET` keys the hashes that
workflow ids are made of, so knowing someone's address does not find their run. Both
are required by every process that talks to Temporal: a process without them stops at
start-up rather than writing personal data in clear. They are separate so payload keys
can rotate without changing any run's id. Besides the environment they are read from
`var/secrets.env` (relative to the working directory) when that file exists: `make demo`
writes one, so commands run from the checkout find the demo's keys.
"""

import base64
import binascii
import re
import secrets
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

KEY_BYTES = 32
"""AES-256."""
MIN_ID_SECRET_CHARS = 32
KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
MAKE_KEY = "python -m devstack new-key"
SECRETS_FILE = Path("var/secrets.env")


def new_key() -> str:
    """A fresh AES-256 key in the form `FLOWDESK_PAYLOAD_KEYS` takes (without its id)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def _decode(encoded: str) -> bytes:
    """Standard or URL-safe base64, padding optional."""
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_", validate=True)


def _parse_keys(value: Any) -> Any:
    """`id=base64key,id=base64key`: the first encrypts, all of them decrypt."""
    if not isinstance(value, str):
        return value
    keys: dict[str, SecretStr] = {}
    for item in (part.strip() for part in value.split(",") if part.strip()):
        key_id, sep, encoded = item.partition("=")
        if not sep or not KEY_ID.match(key_id):
            raise ValueError(f"expected key-id=base64-key pairs (make one with: {MAKE_KEY})")
        try:
            raw = _decode(encoded.strip())
        except (binascii.Error, ValueError):
            raise ValueError(f"key {key_id!r} is not base64") from None
        if len(raw) != KEY_BYTES:
            raise ValueError(f"key {key_id!r} must decode to {KEY_BYTES} bytes, not {len(raw)}")
        if key_id in keys:
            raise ValueError(f"key id {key_id!r} appears twice")
        keys[key_id] = SecretStr(encoded.strip())
    return keys


class PrivacySettings(BaseSettings):
    """Payload keys and the id secret; `describe` shows neither."""

    model_config = SettingsConfigDict(
        env_prefix="FLOWDESK_", extra="ignore", env_file=SECRETS_FILE, hide_input_in_errors=True
    )

    payload_keys: Annotated[dict[str, SecretStr], NoDecode] = Field(
        description="key-id=base64 AES-256 keys; the first encrypts, every one decrypts"
    )
    id_secret: SecretStr = Field(description="Keys the hashes in workflow ids")
    accept_clear_payloads: bool = Field(
        default=False,
        description="Read unencrypted payloads: only to finish runs started before encryption",
    )

    _keys = field_validator("payload_keys", mode="before")(_parse_keys)

    @field_validator("payload_keys")
    @classmethod
    def _at_least_one(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        if not value:
            raise ValueError(f"needs at least one key (make one with: {MAKE_KEY})")
        return value

    @field_validator("id_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < MIN_ID_SECRET_CHARS:
            raise ValueError(f"must be at least {MIN_ID_SECRET_CHARS} characters ({MAKE_KEY})")
        return value

    def key_material(self) -> dict[str, bytes]:
        """Key id -> raw key, in configured order (the first one encrypts)."""
        return {
            key_id: _decode(key.get_secret_value()) for key_id, key in self.payload_keys.items()
        }

    @property
    def id_key(self) -> bytes:
        return self.id_secret.get_secret_value().encode()
