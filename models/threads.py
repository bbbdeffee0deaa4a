"""Mail that belongs to a run: the CRM's message log, delivery reports, suppressions,
and what a reply tells the run it reaches.

Every message we send and every inbound message routed to a run is kept in the CRM
under its Message-ID with the run's workflow id, so an answer's `In-Reply-To` or
`References` finds its run by lookup, never by guessing; a ticket that was closed when
the customer answered is reopened as a new ticket carrying that log as its thread.
"""

from datetime import datetime
from typing import Literal, Protocol

from pydantic import AwareDatetime, Field

from models.common import MAX_ADDRESS_CHARS, Strict

Process = Literal["outreach", "support", "intake", "notice"]
"""Which kind of run a message belongs to; only outreach mail carries List-Unsubscribe."""
Direction = Literal["in", "out"]
SuppressionReason = Literal["unsubscribed", "bounced", "complained"]
MAX_THREAD_BODY = 4000
"""Characters of each message kept in the log and shown to the agent as context."""
MAX_THREAD_ENTRIES = 10
"""Earlier messages a ticket carries: the newest ones, enough for any real conversation."""
MAX_REFERENCES = 50
MAX_SUBJECT = 998
MAX_REPLY_EXCERPT = 500


class DeliveryReport(Strict):
    """A bounce (RFC 3464 delivery status, `Action: failed`) or a complaint (RFC 5965
    feedback report): the addresses it names and the message it reports on."""

    kind: Literal["bounce", "complaint"]
    recipients: list[str] = Field(default_factory=list, max_length=20)
    original_message_id: str | None = Field(default=None, max_length=998)


class ThreadEntry(Strict):
    """One earlier message of a conversation, as context for the agent and the reviewer."""

    direction: Direction
    subject: str = Field(default="", max_length=MAX_SUBJECT)
    body: str = Field(default="", max_length=MAX_THREAD_BODY)
    at: datetime


class MessageRecord(Strict):
    """One row of the CRM's message log: the Message-ID, the run and the process it
    belongs to, and the text, cut to `MAX_THREAD_BODY`."""

    message_id: str = Field(min_length=1, max_length=998)
    workflow_id: str = Field(min_length=1, max_length=300)
    process: Process
    direction: Direction
    address: str = Field(max_length=MAX_ADDRESS_CHARS)
    subject: str = Field(default="", max_length=MAX_SUBJECT)
    body: str = Field(default="", max_length=MAX_THREAD_BODY)


class RunRef(Strict):
    workflow_id: str
    process: Process


class Suppression(Strict):
    """An address no run may email again; `source` says what recorded it."""

    address: str = Field(max_length=MAX_ADDRESS_CHARS)
    reason: SuppressionReason
    source: str = Field(max_length=200)


class SuppressionEntry(Suppression):
    """A listed address as a person reviews it: why, what recorded it, and when."""

    at: datetime


MAX_REMOVAL_REASON = 500


class SuppressionChange(Strict):
    """One line of the suppression list's audit log: an address put on the list (`reason`
    is why, `actor` what recorded it) or taken off by a person (their reason and name)."""

    address: str
    change: Literal["added", "removed"]
    reason: str
    actor: str
    at: datetime


class LeadReply(Strict):
    """What `lead_replied` carries when the router matched an answer to an outreach run.
    `automatic` (an out-of-office, an auto-responder) means the cadence goes on;
    `unproven` that it pauses for a person."""

    message_id: str | None = Field(default=None, max_length=998)
    subject: str = Field(default="", max_length=MAX_SUBJECT)
    excerpt: str = Field(default="", max_length=MAX_REPLY_EXCERPT)
    received_at: AwareDatetime | None = None
    automatic: str | None = Field(default=None, max_length=300)
    unproven: str | None = Field(default=None, max_length=300)
    """Why it may not be the lead's answer (it names none of our messages, only its sender
    matched: anyone can write a From line): the cadence pauses until a person decides."""

    def timeline(self) -> dict[str, str | int | None]:
        """What the CRM timeline keeps of the answer that ended a cadence: its own words."""
        at = self.received_at.isoformat() if self.received_at else None
        return {"reply_subject": self.subject, "reply_excerpt": self.excerpt,
                "reply_message_id": self.message_id, "reply_received_at": at}  # fmt: skip


class HasText(Protocol):
    subject: str
    body: str


def entry(direction: Direction, email: HasText, at: datetime) -> ThreadEntry:
    """A message as the conversation keeps it: subject and body, the body cut to fit."""
    return ThreadEntry(
        direction=direction,
        subject=email.subject[:MAX_SUBJECT],
        body=email.body[:MAX_THREAD_BODY],
        at=at,
    )
