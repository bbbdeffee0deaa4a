"""Which touch goes out (the agent's or the template) and what a person's edit may be."""

from models.lead import CompanyProfile
from models.outreach import OutreachOptions
from policy.outreach_edits import edit_problems, edited_touch
from policy.outreach_policy import (
    MAX_SUBJECT,
    VERSION,
    check_touch,
    choose_touch,
    known_facts,
)
from policy.outreach_templates import UNSUBSCRIBE_LINE, template_touch
from tests.workflows.fakes import make_lead
from tests.workflows.outreach_fakes import BRIEF, good_draft

LEAD = make_lead()
PROFILE = CompanyProfile(domain="northwind-robotics.example", industry="Robotics", source="website")
FACTS = known_facts(LEAD, PROFILE, BRIEF)
OPTIONS = OutreachOptions(human_tiers=["A"])


def test_a_passing_draft_goes_out_as_written_with_the_unsubscribe_line():
    draft = good_draft()
    verdict = check_touch(draft, FACTS, LEAD, "B", "first", OPTIONS)
    choice = choose_touch("first", 1, template_touch(LEAD, PROFILE, 1, "first"), draft, verdict)
    assert verdict.policy_version == VERSION
    assert choice.touch.source == "agent" and not choice.needs_human and choice.note is None
    assert choice.touch.subject == draft.subject
    assert choice.touch.body.endswith(UNSUBSCRIBE_LINE)
    assert choice.touch.facts == [f.fact_id for f in draft.facts]


def test_without_a_draft_the_template_goes_to_a_person_only_for_a_first_touch():
    first = choose_touch("first", 1, template_touch(LEAD, PROFILE, 1, "first"), None, None)
    later = choose_touch("follow_up", 2, template_touch(LEAD, PROFILE, 2, "follow_up"), None, None)
    assert first.touch.source == "template" and first.needs_human
    assert later.touch.source == "template" and not later.needs_human


def test_a_failing_follow_up_is_replaced_by_the_template_but_a_first_touch_is_held():
    bad = good_draft(2).model_copy(update={"body": "Hi Ada, ACT NOW!!! Flowdesk"})
    verdict = check_touch(bad, FACTS, LEAD, "B", "follow_up", OPTIONS)
    fallback = template_touch(LEAD, PROFILE, 2, "follow_up")
    choice = choose_touch("follow_up", 2, fallback, bad, verdict)
    assert not verdict.passed
    assert choice.touch == fallback and not choice.needs_human and choice.note
    first = choose_touch("first", 1, template_touch(LEAD, PROFILE, 1, "first"), bad, verdict)
    assert first.touch.source == "agent" and first.needs_human


def test_an_edit_may_replace_the_subject_and_keeps_one_unsubscribe_line():
    pending = template_touch(LEAD, PROFILE, 1, "first")
    edited = edited_touch(pending, "Subject: A better subject\n\nHi Ada,\n\nShort note.\n")
    assert edited.subject == "A better subject" and edited.source == "edited"
    assert edited.body.startswith("Hi Ada") and edited.body.count(UNSUBSCRIBE_LINE) == 1
    kept = edited_touch(pending, "Hi Ada, plain body")
    assert kept.subject == pending.subject


def test_edit_problems_name_the_subject_and_placeholders():
    assert edit_problems("Hi Ada, fine.") == []
    too_long = edit_problems("Subject: " + "long " * 19 + "\nHi Ada")
    assert too_long == [f"subject must be 1 to {MAX_SUBJECT} characters"]
    assert edit_problems("Hi [NAME], about {{company}}") == [
        "placeholder text '[NAME]'",
        "placeholder text '{{company}}'",
    ]
