"""Where the router sends a message, decided from the message and the CRM's answer only."""

import pytest

from models.routing import MailFacts, RouteOptions
from models.support import InboundEmail
from models.threads import DeliveryReport, RunRef
from policy.mail_routes import choose_route

OPTIONS = RouteOptions(
    support_address="support@flowdesk.example", unsubscribe_address="unsubscribe@flowdesk.example"
)
OUTREACH = RunRef(workflow_id="outreach-1", process="outreach")
TICKET = RunRef(workflow_id="ticket-1", process="support")
BOUNCE = DeliveryReport(kind="bounce", recipients=["ada@northwind.example"])
PROVEN = MailFacts(run=OUTREACH, reported=["ada@northwind.example"])


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
        (mail(recipient="unsubscribe@flowdesk.example"), MailFacts(unsubscribe_run="outreach-3"), "unsubscribe", "outreach-3"),
        (mail(recipient="unsubscribe@flowdesk.example"), MailFacts(), "new_ticket", None),
        (mail(report=BOUNCE, envelope_sender=""), PROVEN, "bounce", "outreach-1"),
        (mail(report=BOUNCE, envelope_sender="MAILER-DAEMON@mx.northwind.example"), PROVEN, "bounce", "outreach-1"),
        (mail(report=DeliveryReport(kind="complaint"), envelope_sender="fbl@isp.example"), MailFacts(reported=["ada@northwind.example"]), "complaint", None),
        (mail(), MailFacts(run=RunRef(workflow_id="lead-1", process="intake")), "new_ticket", None),
    ],
    ids=[
        "answer", "unsubscribe wording", "auto-reply", "sender fallback, newest run",
        "headers beat the sender", "automatic answer to a ticket", "nothing known",
        "unsubscribe address, proven", "unsubscribe address, unproven", "bounce", "bounce from mailer-daemon", "complaint",
        "answer to a welcome email",
    ],
)  # fmt: skip
def test_routes(email: InboundEmail, facts: MailFacts, kind: str, target: str | None):
    route = choose_route(email, facts, OPTIONS)
    assert (route.kind, route.target) == (kind, target)
    assert route.why


SENDER_ONLY = MailFacts(sender_outreach=["outreach-2"])


@pytest.mark.parametrize(
    ("email", "kind", "proven"),
    [
        (mail(), "outreach_reply", False),
        (mail("Please remove me from your list."), "outreach_reply", False),
        (mail(automatic="auto-submitted: auto-replied"), "outreach_auto_reply", True),
    ],
    ids=["answer", "unsubscribe wording", "auto-reply"],
)
def test_an_answer_matched_by_its_sender_alone_proves_nothing(
    email: InboundEmail, kind: str, proven: bool
):
    """Anyone can write a From line: such mail pauses the cadence for a person instead of
    ending it or unsubscribing (an auto-reply changes nothing either way)."""
    route = choose_route(email, SENDER_ONLY, OPTIONS)
    assert (route.kind, route.target, route.proven) == (kind, "outreach-2", proven)
    if not proven:
        assert "naming none of our messages" in route.why


def test_runs_started_before_the_pause_keep_believing_the_sender():
    route = choose_route(
        mail("Please remove me from your list."), SENDER_ONLY, OPTIONS, True, False
    )
    assert (route.kind, route.proven) == ("unsubscribe", True)


@pytest.mark.parametrize(
    ("email", "facts", "doubt"),
    [
        (mail(report=BOUNCE, envelope_sender="eve@stranger.example"), PROVEN, "envelope sender is not a mail system"),
        (mail(report=BOUNCE), PROVEN, "envelope sender is not a mail system"),
        (mail(report=BOUNCE, envelope_sender=""), MailFacts(run=OUTREACH), "cites no message we sent"),
        (mail(report=DeliveryReport(kind="complaint"), envelope_sender=""), MailFacts(), "cites no message we sent"),
    ],
    ids=["stranger's envelope", "envelope unknown", "cites nothing of ours", "complaint citing nothing"],
)  # fmt: skip
def test_a_report_that_proves_nothing_is_read_as_mail(
    email: InboundEmail, facts: MailFacts, doubt: str
):
    """Only the words of the report name the address: it suppresses no one and goes where
    its sender's mail would go (here, an answer to the outreach run it references)."""
    route = choose_route(email, facts, OPTIONS)
    assert route.kind not in ("bounce", "complaint")
    assert doubt in route.why


def test_runs_started_before_reports_needed_proof_believe_them():
    route = choose_route(mail(report=BOUNCE), MailFacts(run=OUTREACH), OPTIONS, proof=False)
    assert (route.kind, route.target) == ("bounce", "outreach-1")
