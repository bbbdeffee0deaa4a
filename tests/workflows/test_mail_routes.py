"""Where the router sends a message, decided from the message and the CRM's answer only."""

import pytest

from models.routing import MailFacts, RouteOptions
from models.support import InboundEmail
from models.threads import DeliveryReport, RunRef
from workflows.mail_routes import choose_route

OPTIONS = RouteOptions(
    support_address="support@flowdesk.example", unsubscribe_address="unsubscribe@flowdesk.example"
)
OUTREACH = RunRef(workflow_id="outreach-1", process="outreach")
TICKET = RunRef(workflow_id="ticket-1", process="support")


def mail(body: str = "Sounds good, can we talk on Tuesday?", **fields: object) -> InboundEmail:
    return InboundEmail(sender="ada@northwind.example", subject="Re: hello", body=body, **fields)


@pytest.mark.parametrize(
    ("email", "facts", "kind", "target"),
    [
        (mail(), MailFacts(run=OUTREACH), "outreach_reply", "outreach-1"),
        (mail("Please remove me from your list."), MailFacts(run=OUTREACH), "unsubscribe", "outreach-1"),
        (mail(automatic="auto-submitted: auto-replied"), MailFacts(run=OUTREACH), "outreach_auto_reply", "outreach-1"),
        (mail(), MailFacts(sender_outreach=["outreach-2", "outreach-1"]), "outreach_reply", "outreach-2"),
        (mail(), MailFacts(run=TICKET, sender_outreach=["outreach-2"]), "ticket_follow_up", "ticket-1"),
        (mail(automatic="precedence: bulk"), MailFacts(run=TICKET), "ignored", "ticket-1"),
        (mail(), MailFacts(), "new_ticket", None),
        (mail(recipient="unsubscribe@flowdesk.example"), MailFacts(), "unsubscribe", None),
        (mail(report=DeliveryReport(kind="bounce", recipients=["ada@northwind.example"])), MailFacts(run=OUTREACH), "bounce", "outreach-1"),
        (mail(report=DeliveryReport(kind="complaint")), MailFacts(), "complaint", None),
        (mail(), MailFacts(run=RunRef(workflow_id="lead-1", process="intake")), "new_ticket", None),
    ],
    ids=[
        "answer", "unsubscribe wording", "auto-reply", "sender fallback, newest run",
        "headers beat the sender", "automatic answer to a ticket", "nothing known",
        "unsubscribe address", "bounce", "complaint", "answer to a welcome email",
    ],
)  # fmt: skip
def test_routes(email: InboundEmail, facts: MailFacts, kind: str, target: str | None):
    route = choose_route(email, facts, OPTIONS)
    assert (route.kind, route.target) == (kind, target)
    assert route.why
