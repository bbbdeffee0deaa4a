"""Workflow ids make submission idempotent and must not carry the sender's address."""

from datetime import UTC, datetime

from client.submit import outreach_workflow_id
from models.lead import lead_workflow_id
from models.support import InboundEmail, ticket_workflow_id
from tests.workflows.fakes import make_lead


def test_workflow_id_is_one_per_submission_and_holds_no_address():
    same = lead_workflow_id(make_lead(email=" Ada@Northwind-Robotics.example"))
    assert same == lead_workflow_id(make_lead())
    assert lead_workflow_id(make_lead(submission_id="form-2")) != same
    day = datetime(2026, 11, 20, 9, tzinfo=UTC)
    later_that_day = day.replace(hour=17)
    next_day = day.replace(day=21)
    assert lead_workflow_id(make_lead(submission_id=None, submitted_at=day)) == lead_workflow_id(
        make_lead(submission_id=None, submitted_at=later_that_day)
    )
    assert lead_workflow_id(make_lead(submission_id=None, submitted_at=day)) != lead_workflow_id(
        make_lead(submission_id=None, submitted_at=next_day)
    )
    assert "ada" not in same and "northwind" not in same


def test_outreach_for_a_submission_shares_the_lead_intake_id():
    lead = make_lead()
    assert outreach_workflow_id(lead) == "outreach-" + lead_workflow_id(lead).removeprefix("lead-")


def test_ticket_id_follows_the_message_id_and_holds_no_address():
    first = InboundEmail(sender="ada@northwind.example", subject="Hi", message_id="<m1@x>")
    resent = first.model_copy(update={"subject": "Hi again"})
    assert ticket_workflow_id(first) == ticket_workflow_id(resent)
    without_id = first.model_copy(update={"message_id": None})
    assert ticket_workflow_id(without_id) != ticket_workflow_id(first)
    assert "ada" not in ticket_workflow_id(without_id)
