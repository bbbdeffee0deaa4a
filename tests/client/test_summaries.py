"""`starter.py status` reads every kind of run as a person would, at any stage: never the
raw status payload unless asked (`--json`)."""

from datetime import UTC, datetime

from client.summaries import summarize_status
from models.common import Decision
from models.lead import LeadIntakeStatus
from models.outreach import OutreachStatus

AT = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def test_an_outreach_that_ended_reads_as_its_outcome_and_decisions():
    status = OutreachStatus(
        stage="replied",
        contact_id=7,
        tier="B",
        outcome="replied",
        timezone="Europe/Stockholm",
        needs_human=False,
        plan=[],
        decisions=[Decision(step="reply", outcome="the lead answered", reason="", at=AT)],
    )
    text = summarize_status("outreach-1", status)
    assert "stage      replied (contact #7, tier B)" in text
    assert "outcome    replied" in text
    assert "  reply: the lead answered" in text
    assert "{" not in text, "no JSON"


def test_a_lead_intake_mid_run_says_what_it_knows_so_far():
    status = LeadIntakeStatus(
        stage="enriching",
        domain="",
        decisions=[Decision(step="enrich", outcome="skipped", reason="no website", at=AT)],
    )
    text = summarize_status("lead-1", status)
    assert "stage      enriching" in text
    assert "contact    not yet saved (no company domain)" in text
    assert "score      not yet" in text
    assert "  enrich: skipped - no website" in text
