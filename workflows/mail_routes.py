"""Where an inbound message goes: a pure rule over the message and what the CRM knows.

In order: a delivery report (bounce, complaint) suppresses addresses and never becomes
a ticket; mail to the unsubscribe address unsubscribes its sender; an answer to an
outreach email (by its headers, else by its sender when it was not sent to support)
is a reply, an auto-reply or an unsubscribe by its wording (`reply_intent`); an answer
to a support reply goes to that ticket (an automatic one is dropped: answering it
could loop); anything else is a new ticket.
"""

from dataclasses import dataclass

from models.routing import MailFacts, RouteKind, RouteOptions
from models.support import InboundEmail
from workflows.reply_intent import classify_reply

INTENT_ROUTE: dict[str, RouteKind] = {
    "reply": "outreach_reply",
    "auto_reply": "outreach_auto_reply",
    "unsubscribe": "unsubscribe",
}


@dataclass(frozen=True)
class Route:
    kind: RouteKind
    target: str | None
    """The run the message belongs to, when one is known."""
    why: str


def choose_route(email: InboundEmail, facts: MailFacts, options: RouteOptions) -> Route:
    run = facts.run
    if email.report is not None:
        return Route(email.report.kind, run.workflow_id if run else None, "delivery report")
    recipient = (email.recipient or "").casefold()
    if recipient and recipient == options.unsubscribe_address.casefold():
        return Route("unsubscribe", None, "mail to the unsubscribe address")
    outreach = _outreach_run(facts)
    if outreach is not None:
        intent = classify_reply(email)
        return Route(INTENT_ROUTE[intent.kind], outreach, intent.why)
    if run is not None and run.process == "support":
        intent = classify_reply(email)
        if intent.kind == "auto_reply":
            return Route("ignored", run.workflow_id, f"automatic answer to a ticket: {intent.why}")
        return Route("ticket_follow_up", run.workflow_id, "answers the ticket's reply")
    return Route("new_ticket", None, "no earlier conversation")


def _outreach_run(facts: MailFacts) -> str | None:
    """The referenced outreach run; else, only when the headers named no run at all, the
    newest outreach run that mailed the sender."""
    if facts.run is not None:
        return facts.run.workflow_id if facts.run.process == "outreach" else None
    return facts.sender_outreach[0] if facts.sender_outreach else None
