"""Payloads of the IMAP poll: what one poll read from the mailbox and what it marks seen.

A message is named by its IMAP UID, which is only meaningful together with the folder's
UIDVALIDITY; both travel together so a mailbox rebuilt between fetch and mark is noticed
instead of marking other messages seen.
"""

from pydantic import Field

from models.common import Strict
from models.routing import RouteOptions
from models.support import InboundEmail, TriageOptions


class FetchedMail(Strict):
    uid: int = Field(ge=1)
    email: InboundEmail
    digest: str | None = Field(
        default=None, description="`message_digest` under the id secret (absent in old polls)"
    )


class MailBatch(Strict):
    uidvalidity: int
    messages: list[FetchedMail]


class MarkSeen(Strict):
    uidvalidity: int
    uids: list[int]


class MailboxPollInput(Strict):
    """Fixed when the schedule is written (`client.schedules`), like any run's options."""

    options: TriageOptions
    batch: int = Field(ge=1, description="At most this many unseen messages per poll")
    routing: RouteOptions | None = Field(
        default=None, description="Route each message (schedules written before: tickets only)"
    )


class MailboxPollResult(Strict):
    """Run ids only (router runs; tickets for polls from before the router): a poll's
    result holds no mail."""

    started: list[str]
    existing: list[str]
    marked: int
