"""Payloads every process uses: the decision log and outgoing mail, and run-id digests."""

import hashlib
import hmac
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

MAX_SUBJECT_CHARS = 300
"""Outgoing subjects stay short enough for any client; replies cut the customer's subject."""
MAX_ADDRESS_CHARS = 320
"""RFC 3696's longest address (64 + @ + 255); anything longer is not an address."""
ADDRESS_PATTERN = r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$"
"""One bare address: no whitespace, commas or semicolons, so it can never be a list."""


def keyed_digest(key: bytes, text: str) -> str:
    """What a workflow id is made of: stable under one deployment's `FLOWDESK_ID_SECRET`,
    so a resubmission finds its run, yet useless to whoever guesses the input (an email
    address) without the secret."""
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:16]


class Strict(BaseModel):
    """Base for payloads: unknown keys are an error, not silently dropped; an error names
    the field but never quotes its value (it may be personal data)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class Decision(Strict):
    """One entry of a workflow's decision log, shown by the `status` query."""

    step: str
    outcome: str
    reason: str
    at: datetime


class ListUnsubscribe(Strict):
    """What `List-Unsubscribe` offers (RFC 2369, one-click per RFC 8058): the signed https
    URL, absent when no link secret is configured, and the mailto the listener takes."""

    url: str | None = Field(default=None, max_length=2000)
    mailto: str = Field(max_length=MAX_ADDRESS_CHARS)
    token: str | None = Field(
        default=None, max_length=1024,
        description="The signed token, also in the mailto's subject: what proves a mailed unsubscribe",
    )  # fmt: skip


class OutgoingEmail(Strict):
    """A message handed to a mail transport.

    `idempotency_key` is derived from workflow id + step; a transport delivers a key
    at most once, so an activity retried after a successful send is harmless.
    """

    to: str = Field(max_length=MAX_ADDRESS_CHARS)
    subject: str = Field(max_length=MAX_SUBJECT_CHARS)
    body: str = Field(max_length=50_000)
    idempotency_key: str = Field(min_length=1, max_length=300)
    in_reply_to: str | None = None
    list_unsubscribe: ListUnsubscribe | None = None
    automatic: bool = Field(
        default=False,
        description="Sent without a person: marked Auto-Submitted (RFC 3834) so that "
        "auto-responders do not answer it",
    )


class SendResult(Strict):
    """What a transport did with an `OutgoingEmail`."""

    message_id: str
    transport: str
    duplicate: bool = Field(description="True when the key had already been delivered")
