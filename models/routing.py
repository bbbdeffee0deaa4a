"""Payloads of the mail router: what the CRM knows about an inbound message and what
the router did with it. Results name runs and counts only, never an address."""

from typing import Literal

from pydantic import Field

from models.common import Strict
from models.support import InboundEmail, TriageOptions, message_digest
from models.threads import RunRef, SuppressionReason, ThreadEntry

RouteKind = Literal[
    "new_ticket", "ticket_follow_up", "ticket_reopened", "outreach_reply", "outreach_auto_reply",
    "unsubscribe", "bounce", "complaint", "ignored",
]  # fmt: skip


class RouteOptions(Strict):
    """Fixed when the door starts the router, so a replay routes alike."""

    triage: TriageOptions = TriageOptions()
    support_address: str = Field(max_length=320)
    unsubscribe_address: str = Field(max_length=320)


class RouteRequest(Strict):
    email: InboundEmail
    options: RouteOptions


class MailFacts(Strict):
    """The CRM's answer for one message: the run its headers reference, the outreach runs
    that mailed its sender (the fallback for leads whose client drops `In-Reply-To`),
    and, for a ticket, the conversation so far."""

    run: RunRef | None = None
    sender_outreach: list[str] = Field(default_factory=list)
    thread: list[ThreadEntry] = Field(default_factory=list)
    unsubscribe_run: str | None = Field(
        default=None,
        description="For mail to the unsubscribe address: the run its token names, or the "
        "run of our message it answers when that message went to its sender",
    )
    reported: list[str] = Field(
        default_factory=list,
        description="For a delivery report: the addresses we sent the messages it cites "
        "to, of those it names (all of them when it names none)",
    )


class SuppressRequest(Strict):
    """Suppress `address` (or, from a one-click link, the address `workflow_id` mailed)."""

    address: str | None = Field(default=None, max_length=320)
    workflow_id: str | None = Field(default=None, max_length=300)
    reason: SuppressionReason
    source: str = Field(max_length=200)
    only_if_mailed: bool = Field(
        default=False,
        description="Mail can name any address: suppress it only if we have mailed it",
    )


class Suppressed(Strict):
    """Whether the address was new on the list, and the outreach runs that mailed it."""

    newly: bool
    outreach_runs: list[str]
    found: bool = Field(default=True, description="False when no address could be resolved")


class RouteResult(Strict):
    kind: RouteKind
    runs: list[str] = Field(default_factory=list, description="Runs signalled or started")
    note: str = ""


class OneClickRequest(Strict):
    """An unsubscribe link was used: the run it was minted for (checked by its HMAC)."""

    workflow_id: str = Field(min_length=1, max_length=300)
    source: str = Field(default="one-click link", max_length=200)


ROUTER_PREFIX = "mail-"


def router_workflow_id(email: InboundEmail, key: bytes) -> str:
    """The router run of one message: a redelivered message finds its run and stops."""
    return ROUTER_PREFIX + message_digest(email, key)


ROUTER_SUMMARY = "Inbound mail"
"""The static summary of a router run: nothing from the mail itself."""
