"""LeadOutreachWorkflow on the time-skipping server: the whole cadence over simulated days."""

from datetime import timedelta

import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from models import search_attributes as sa
from models.agent_output import FactUse, OutreachDraft
from models.outreach import (
    RescheduleRequest,
)
from policy.business_hours import add_business_days
from policy.outreach_templates import UNSUBSCRIBE_LINE
from tests.workflows.fakes import make_lead
from tests.workflows.outreach_fakes import FakeOutreach
from tests.workflows.outreach_runs import AUTO, NEW_YORK, in_business_hours, reach, start, worker
from workflows.lead_outreach import LeadOutreachWorkflow


async def test_whole_cadence_runs_over_simulated_days(env: WorkflowEnvironment, task_queue: str):
    fake = FakeOutreach()
    async with worker(env, task_queue, fake):
        began = await env.get_current_time()
        handle = await start(env, task_queue, AUTO)
        result = await handle.result()
        raw = await env.client.workflow_service.describe_workflow_execution(
            DescribeWorkflowExecutionRequest(
                namespace=env.client.namespace, execution=WorkflowExecution(workflow_id=handle.id)
            )
        )
    assert result.outcome == "completed"
    assert [t.number for t in result.sent] == [1, 2, 3]
    assert [e.touch.source for e in fake.sent] == ["agent", "agent", "agent"]
    assert all(e.touch.body.endswith(UNSUBSCRIBE_LINE) for e in fake.sent)
    assert [e.idempotency_key for e in fake.sent] == [f"{handle.id}/touch-{n}" for n in (1, 2, 3)]
    first, second, third = (t.sent_at for t in result.sent)
    assert first >= began + AUTO.min_lead_time
    assert all(in_business_hours(t.sent_at, NEW_YORK) for t in result.sent)
    assert second >= add_business_days(first, 3, NEW_YORK) - timedelta(seconds=1)
    assert third >= add_business_days(first, 7, NEW_YORK) - timedelta(seconds=1)
    assert (third - first).days >= 9, "seven business days span a weekend"
    # follow-ups are drafted with the thread so far as context
    assert [len(r.previous) for r in fake.draft_requests] == [0, 1, 2]
    # every touch on the CRM timeline, keyed by workflow id so retries cannot double it
    assert [e.detail["touch"] for e in fake.events] == [1, 2, 3]
    assert {e.contact_id for e in fake.events} == {7}
    # touches_per_run=1: the follow-ups ran in later runs of the same workflow id
    info = raw.workflow_execution_info
    assert info.execution.run_id != handle.first_execution_run_id
    assert info.search_attributes.indexed_fields["OutreachStage"].data == b'"completed"'
    assert info.search_attributes.indexed_fields["LeadTier"].data == b'"A"', "kept across runs"
    next_touch = info.search_attributes.indexed_fields.get("NextTouchAt")
    assert next_touch is None or not next_touch.data, "nothing is due once the cadence ends"


async def test_first_touch_waits_for_its_slot_and_follow_ups_show_as_planned(
    env: WorkflowEnvironment, task_queue: str
):
    fake = FakeOutreach()
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, AUTO)
        await reach(env, handle, "scheduled")
        status = await handle.query(LeadOutreachWorkflow.status)
        described = await handle.describe()
        metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        await handle.signal(LeadOutreachWorkflow.unsubscribe)
        result = await handle.result()

    assert status.next_touch is not None and status.next_touch.number == 1
    assert in_business_hours(status.next_touch.due_at, NEW_YORK)
    assert [(p.number, p.kind) for p in status.plan] == [
        (1, "first"),
        (2, "follow_up"),
        (3, "follow_up"),
    ]
    assert described.typed_search_attributes.get(sa.NEXT_TOUCH_AT) == status.next_touch.due_at
    assert described.typed_search_attributes.get(sa.OUTREACH_STAGE) == "scheduled"
    # what the UI shows as the run's current details: the log, then the plan
    assert "**next**: touch 2 (follow-up)" in metadata.current_details
    assert "**schedule**: touch 1 at" in metadata.current_details
    assert result.outcome == "unsubscribed" and not fake.sent
    assert fake.events[-1].kind == "outreach_unsubscribed"


async def test_unsubscribe_while_waiting_for_approval_sends_nothing(
    env: WorkflowEnvironment, task_queue: str
):
    fake = FakeOutreach()
    options = AUTO.model_copy(update={"human_tiers": ["A", "B", "C"]})
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, options)
        await reach(env, handle, "awaiting_approval")
        await handle.signal(LeadOutreachWorkflow.unsubscribe)
        result = await handle.result()

    assert result.outcome == "unsubscribed" and not fake.sent and not fake.notices
    assert fake.events[-1].kind == "outreach_unsubscribed"


@pytest.mark.parametrize("after_touches", [1, 2])
async def test_reply_stops_the_cadence_at_once(
    env: WorkflowEnvironment, task_queue: str, after_touches: int
):
    fake = FakeOutreach()
    options = AUTO.model_copy(update={"touches_per_run": 5})
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, options)
        while len(fake.sent) < after_touches:
            await env.sleep(timedelta(hours=6))
        await handle.signal(LeadOutreachWorkflow.lead_replied)
        result = await handle.result()

    assert result.outcome == "replied"
    assert len(fake.sent) == after_touches
    assert fake.events[-1].kind == "outreach_replied"


async def test_top_tier_waits_for_approval_then_sends_edited_email(
    env: WorkflowEnvironment, task_queue: str
):
    fake = FakeOutreach()
    options = AUTO.model_copy(
        update={"human_tiers": ["A", "B", "C"], "follow_up_business_days": []}
    )
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, options)
        await reach(env, handle, "awaiting_approval")
        status = await handle.query(LeadOutreachWorkflow.status)
        assert (await handle.describe()).typed_search_attributes.get(sa.NEEDS_HUMAN) is True
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(LeadOutreachWorkflow.edit_and_approve, "Hi [First Name]!")
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(
                LeadOutreachWorkflow.edit_and_approve, "Subject: \n\nHi Ada, a subject is missing"
            )
        await handle.execute_update(
            LeadOutreachWorkflow.edit_and_approve,
            "Subject: Your rollout\n\nHi Ada,\n\nwritten by a person.\n\nSam",
        )
        result = await handle.result()

    assert status.needs_human and status.pending is not None and status.pending.source == "agent"
    assert any("always go to a person" in r for r in status.check.reasons)
    assert result.outcome == "completed"
    assert fake.sent[0].touch.source == "edited"
    assert fake.sent[0].touch.subject == "Your rollout"
    assert fake.sent[0].touch.body.startswith("Hi Ada,\n\nwritten by a person.")
    assert fake.sent[0].touch.body.endswith(UNSUBSCRIBE_LINE)


async def test_fabricated_fact_is_held_for_a_person(env: WorkflowEnvironment, task_queue: str):
    fake = FakeOutreach()
    fake.drafts[1] = OutreachDraft(
        subject="Congrats on the funding",
        body=(
            "Hi Ada,\n\ncongratulations on closing your 40 million Series B with Sequoia last "
            "week! Teams growing that fast love Flowdesk. Would a call next week help?\n\n"
            "The Flowdesk team"
        ),
        facts=[FactUse(fact_id="P1", claim="closing your 40 million Series B with Sequoia")],
        confidence=0.95,
    )
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, AUTO)
        await reach(env, handle, "awaiting_approval")
        status = await handle.query(LeadOutreachWorkflow.status)
        await handle.signal(LeadOutreachWorkflow.reject, "made-up facts")
        result = await handle.result()

    assert status.check is not None and not status.check.passed
    holds = " | ".join(status.check.holds)
    assert "says more than P1 does" in holds
    assert "mentions number '40', which no page it cites says" in holds
    assert "Sequoia" in holds
    assert result.outcome == "rejected" and not fake.sent
    assert fake.events[-1].kind == "outreach_rejected"


async def test_research_failure_sends_template_only_after_approval(
    env: WorkflowEnvironment, task_queue: str
):
    fake = FakeOutreach()
    fake.research_error = ApplicationError("site refused", type="UrlRefused", non_retryable=True)
    options = AUTO.model_copy(update={"follow_up_business_days": [3]})
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, options)
        await reach(env, handle, "awaiting_approval")
        status = await handle.query(LeadOutreachWorkflow.status)
        await handle.signal(LeadOutreachWorkflow.approve)
        result = await handle.result()

    assert status.pending is not None and status.pending.source == "template"
    assert "Northwind Robotics" in status.pending.body
    # without a brief the follow-up draft cites a research point that does not exist
    assert [e.touch.source for e in fake.sent] == ["template", "template"]
    assert any("cites P1, which research never found" in d.reason for d in result.decisions)
    assert result.outcome == "completed"


async def test_a_free_mail_lead_without_a_website_gets_a_template_a_person_approves(
    env: WorkflowEnvironment, task_queue: str
):
    """No site to read: research is skipped (nothing fetched, no model asked) and the
    template waits for a person, as when research fails."""
    fake = FakeOutreach()
    fake.research_error = ApplicationError("research must not run", non_retryable=True)
    lead = make_lead(email="ada.lindqvist@gmail.com", website=None)
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, AUTO, lead)
        await reach(env, handle, "awaiting_approval")
        status = await handle.query(LeadOutreachWorkflow.status)
        await handle.terminate("the test has seen what it needs")

    assert status.pending is not None and status.pending.source == "template"
    research = [d for d in status.decisions if d.step == "research"]
    assert [d.outcome for d in research] == ["skipped"]
    assert not fake.sent


async def test_failing_follow_up_draft_falls_back_to_template(
    env: WorkflowEnvironment, task_queue: str
):
    fake = FakeOutreach()
    fake.drafts[2] = OutreachDraft(
        subject="Re: hi", body="Hi {first_name}, 50% off if you ACT NOW!!", facts=[], confidence=1
    )
    options = AUTO.model_copy(update={"follow_up_business_days": [3]})
    async with worker(env, task_queue, fake):
        result = await (await start(env, task_queue, options)).result()

    assert [e.touch.source for e in fake.sent] == ["agent", "template"]
    assert result.outcome == "completed"


async def test_reschedule_moves_the_next_touch(env: WorkflowEnvironment, task_queue: str):
    fake = FakeOutreach()
    options = AUTO.model_copy(update={"follow_up_business_days": []})
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, options)
        await reach(env, handle, "scheduled")
        now = await env.get_current_time()
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(
                LeadOutreachWorkflow.reschedule, RescheduleRequest(at=now - timedelta(hours=1))
            )
        target = (now + timedelta(days=10)).replace(microsecond=0)
        answer = await handle.execute_update(
            LeadOutreachWorkflow.reschedule, RescheduleRequest(at=target)
        )
        status = await handle.query(LeadOutreachWorkflow.status)
        result = await handle.result()

    assert answer.number == 1 and answer.due_at == target
    assert status.next_touch is not None and status.next_touch.due_at == target
    assert result.sent[0].sent_at >= target
    assert result.sent[0].sent_at - target < timedelta(minutes=1)


async def test_unanswered_approval_escalates_then_closes(env: WorkflowEnvironment, task_queue: str):
    fake = FakeOutreach()
    fake.draft_error = ApplicationError("endpoint down", type="LlmUnavailable")
    async with worker(env, task_queue, fake):
        result = await (await start(env, task_queue, AUTO)).result()

    assert result.outcome == "escalated_unanswered" and not fake.sent
    assert [n.to for n in fake.notices] == [AUTO.on_call]


async def test_intake_failure_fails_clearly_and_sends_nothing(
    env: WorkflowEnvironment, task_queue: str
):
    fake = FakeOutreach()
    fake.intake.crm_error = ApplicationError("database locked", type="CrmDown", non_retryable=True)
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, AUTO)
        with pytest.raises(Exception) as failure:
            await handle.result()

    assert "lead intake failed" in str(failure.value.cause)
    assert not fake.sent
