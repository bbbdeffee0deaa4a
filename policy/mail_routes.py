"""Where an inbound message goes: a pure rule over the message and what the CRM knows.

In order: a delivery report (bounce, complaint) suppresses addresses and never becomes
a ticket, provided it proves itself (`report_doubt`), else it is read as ordinary mail;
mail to the unsubscribe address unsubscribes the run it proves (our token, or an answer
to our message to its sender), and without proof goes to a person as a ticket; an answer to an
outreach email (by its headers) is a reply, an auto-reply or an unsubscribe by its
wording (`reply_intent`); matched by its sender alone (a client that drops
`In-Reply-To`, or a forged From line), it only pauses the cadence for a person, unless
it is an auto-reply; an answer
to a support reply goes to that ticket (an automatic one is dropped: answering it
could loop); anything else is a new ticket.
"""

from dataclasses import dataclass, replace

from models.routing import MailFacts, RouteKind, RouteOptions
from models.support import InboundEmail
from policy.reply_intent import classify_reply

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
    proven: bool = True
    """False for an outreach answer matched by its sender alone: a person decides."""


MAIL_SYSTEMS = frozenset({"mailer-daemon", "postmaster"})
"""Local parts a bounce may come from when its envelope sender is not the null `<>`."""


def choose_route(
    email: InboundEmail,
    facts: MailFacts,
    options: RouteOptions,
    proof: bool = True,
    sender_pauses: bool = True,
) -> Route:
    """`proof` False is the rule of runs started before inbound mail had to prove itself:
    any report and any mail to the unsubscribe address was believed. `sender_pauses` False
    is the rule before an answer matched by its sender alone paused the cadence: it
    stopped it, or unsubscribed, like a proven one."""
    run = facts.run
    if email.report is not None:
        doubt = report_doubt(email, facts) if proof else None
        if doubt is None:
            return Route(email.report.kind, run.workflow_id if run else None, "delivery report")
        ordinary = _ordinary_route(email, facts, options, proof, sender_pauses)
        return replace(ordinary, why=f"{doubt}, so read as mail: {ordinary.why}")
    return _ordinary_route(email, facts, options, proof, sender_pauses)


def report_doubt(email: InboundEmail, facts: MailFacts) -> str | None:
    """Why a delivery report may not suppress anyone, or None. Its text is anyone's to
    write; what a stranger cannot forge is a Message-ID we sent to the address it names,
    and a bounce must also come from a mail system (the null envelope sender `<>`, or
    mailer-daemon). Complaint loops send from their own addresses, so only the cited
    message counts for them."""
    assert email.report is not None
    if email.report.kind == "bounce" and not _from_mail_system(email.envelope_sender):
        return "a bounce whose envelope sender is not a mail system"
    if not facts.reported:
        return f"a {email.report.kind} that cites no message we sent to an address it names"
    return None


def _from_mail_system(sender: str | None) -> bool:
    if sender is None:
        return False
    return sender == "" or sender.partition("@")[0].casefold() in MAIL_SYSTEMS


def _ordinary_route(
    email: InboundEmail, facts: MailFacts, options: RouteOptions, proof: bool, sender_pauses: bool
) -> Route:
    run = facts.run
    recipient = (email.recipient or "").casefold()
    if recipient and recipient == options.unsubscribe_address.casefold():
        if not proof:
            return Route("unsubscribe", None, "mail to the unsubscribe address")
        if facts.unsubscribe_run is not None:
            why = "mail to the unsubscribe address with our token or answering our message"
            return Route("unsubscribe", facts.unsubscribe_run, why)
        why = "mail to the unsubscribe address that proves nothing: a person decides"
        return Route("new_ticket", None, why)
    outreach = _outreach_run(facts)
    if outreach is not None:
        intent = classify_reply(email)
        if facts.run is None and sender_pauses and intent.kind != "auto_reply":
            why = f"{intent.why}, from the lead's address but naming none of our messages"
            return Route("outreach_reply", outreach, why, proven=False)
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
