"""Workflow ids make submission idempotent and must not carry or reveal the sender's address."""

import hashlib
from datetime import UTC, datetime

from client.submit import outreach_workflow_id
from models.lead import lead_workflow_id
from models.support import InboundEmail, ticket_workflow_id, unkeyed_message_digest
from tests.privacy import ID_KEY
from tests.workflows.fakes import make_lead


def test_workflow_id_is_one_per_submission_and_holds_no_address():
    same = lead_workflow_id(make_lead(email=" Ada@Northwind-Robotics.example"), ID_KEY)
    assert same == lead_workflow_id(make_lead(), ID_KEY)
    assert lead_workflow_id(make_lead(submission_id="form-2"), ID_KEY) != same
    day = datetime(2026, 11, 20, 9, tzinfo=UTC)
    later_that_day = day.replace(hour=17)
    next_day = day.replace(day=21)
    assert lead_workflow_id(
        make_lead(submission_id=None, submitted_at=day), ID_KEY
    ) == lead_workflow_id(make_lead(submission_id=None, submitted_at=later_that_day), ID_KEY)
    assert lead_workflow_id(
        make_lead(submission_id=None, submitted_at=day), ID_KEY
    ) != lead_workflow_id(make_lead(submission_id=None, submitted_at=next_day), ID_KEY)
    assert "ada" not in same and "northwind" not in same


def test_outreach_for_a_submission_shares_the_lead_intake_id():
    lead = make_lead()
    assert outreach_workflow_id(lead, ID_KEY) == "outreach-" + lead_workflow_id(
        lead, ID_KEY
    ).removeprefix("lead-")


def test_ticket_id_follows_the_message_and_holds_no_address():
    first = InboundEmail(sender="ada@northwind.example", subject="Hi", message_id="<m1@x>")
    redelivered = first.model_copy()
    assert ticket_workflow_id(first, ID_KEY) == ticket_workflow_id(redelivered, ID_KEY)
    forged = first.model_copy(update={"sender": "eve@evil.example", "body": "Cancel it"})
    assert ticket_workflow_id(forged, ID_KEY) != ticket_workflow_id(first, ID_KEY), (
        "another mail reusing the Message-ID is not taken for a redelivery"
    )
    without_id = first.model_copy(update={"message_id": None})
    assert ticket_workflow_id(without_id, ID_KEY) != ticket_workflow_id(first, ID_KEY)
    assert "ada" not in ticket_workflow_id(without_id, ID_KEY)


def test_ids_cannot_be_found_from_an_address_without_the_deployments_secret():
    """Whoever knows a lead's address and day cannot compute its run id: the hash is keyed."""
    lead = make_lead(submission_id=None)
    guessed = hashlib.sha256(
        f"{lead.normalized_email}|{lead.submitted_at.date().isoformat()}".encode()
    ).hexdigest()[:16]
    ours = lead_workflow_id(lead, ID_KEY)
    assert ours != f"lead-{guessed}"
    assert lead_workflow_id(lead, b"another deployment's secret, 32+ chars") != ours
    email = InboundEmail(sender="ada@northwind.example", subject="Hi", message_id="<m1@x>")
    assert ticket_workflow_id(email, ID_KEY) != "ticket-" + unkeyed_message_digest(email)
