"""How an outreach run takes what the mail router tells it: a reply stops the cadence and
lands on the CRM timeline, an auto-reply does not, a bounce or the suppression list ends
it, all on the time-skipping server."""

from contextlib import asynccontextmanager
from datetime import timedelta

from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from client import handles
from models.outreach import OutreachOptions
from models.threads import LeadReply
from tests.workflows.fakes import make_lead
from tests.workflows.outreach_fakes import FakeOutreach
from tests.workflows.outreach_runs import AUTO, start, worker
from workflows.lead_outreach import LeadOutreachWorkflow

CADENCE = OutreachOptions(**(AUTO.model_dump() | {"touches_per_run": 5}))


async def until(env: WorkflowEnvironment, handle, done, step: timedelta, what: str) -> None:
    """Skip time in `step`s until the run's status satisfies `done`."""
    for _ in range(400):
        if done(await handle.query(LeadOutreachWorkflow.status)):
            return
        await env.sleep(step)
    raise AssertionError(what)


async def first_touch_sent(env: WorkflowEnvironment, handle) -> None:
    await until(
        env, handle, lambda s: len(s.sent) == 1 and s.stage == "scheduled",
        timedelta(minutes=30), "the first touch was never sent",
    )  # fmt: skip


async def test_a_reply_stops_the_cadence_and_reaches_the_crm(
    env: WorkflowEnvironment, task_queue: str
):
    fake = FakeOutreach()
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, CADENCE)
        await first_touch_sent(env, handle)
        reply = LeadReply(
            message_id="<r1@northwind.example>", subject="Re: rollouts", excerpt="Call Tuesday?"
        )
        await handle.signal(LeadOutreachWorkflow.lead_replied, reply)
        result = await handle.result()
        await env.sleep(timedelta(days=30))
        status = await handle.query(LeadOutreachWorkflow.status)

    assert result.outcome == "replied"
    assert len(fake.sent) == 1
    assert status.reply == reply and status.next_touch is None
    ended = [e for e in fake.events if e.kind == "outreach_replied"]
    assert ended and ended[0].detail["reply_excerpt"] == "Call Tuesday?"
    assert ended[0].detail["reply_message_id"] == "<r1@northwind.example>"


async def test_an_auto_reply_is_logged_and_the_cadence_goes_on(
    env: WorkflowEnvironment, task_queue: str
):
    fake = FakeOutreach()
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, CADENCE)
        await first_touch_sent(env, handle)
        away = LeadReply(subject="Out of office", automatic="auto-submitted: auto-replied")
        await handle.signal(LeadOutreachWorkflow.lead_replied, away)
        result = await handle.result()

    assert result.outcome == "completed"
    assert len(fake.sent) == 1 + len(CADENCE.follow_up_business_days)
    logged = [d for d in result.decisions if d.step == "reply"]
    assert logged and logged[0].outcome == "automatic, cadence goes on"
    assert "auto-submitted" in logged[0].reason


async def test_a_bounce_ends_the_cadence(env: WorkflowEnvironment, task_queue: str):
    fake = FakeOutreach()
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, CADENCE)
        await first_touch_sent(env, handle)
        await handle.signal(LeadOutreachWorkflow.bounced)
        result = await handle.result()

    assert result.outcome == "bounced"
    assert len(fake.sent) == 1


async def test_a_suppressed_lead_ends_at_once_without_intake_or_mail(
    env: WorkflowEnvironment, task_queue: str
):
    fake = FakeOutreach(suppressed={make_lead().normalized_email: "unsubscribed"})
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, CADENCE)
        result = await handle.result()

    assert result.outcome == "suppressed" and result.contact_id is None
    assert fake.sent == [] and fake.draft_requests == []
    reasons = [d.reason for d in result.decisions if d.step == "suppression"]
    assert reasons == ["address unsubscribed; nothing will be sent"]


async def test_a_send_the_list_refuses_ends_as_suppressed_not_failed(
    env: WorkflowEnvironment, task_queue: str
):
    refused = ApplicationError("on the list (bounced)", type="Suppressed", non_retryable=True)
    fake = FakeOutreach(send_error=refused)
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, CADENCE)
        result = await handle.result()

    assert result.outcome == "suppressed"
    assert fake.sent == []


UNPROVEN = LeadReply(
    subject="Re: rollouts", excerpt="Stop emailing me.", unproven="from the lead's address only"
)


@asynccontextmanager
async def paused_run(env: WorkflowEnvironment, task_queue: str):
    """A run past its first touch that got an answer matched by its sender alone."""
    fake = FakeOutreach()
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, CADENCE)
        await first_touch_sent(env, handle)
        await handle.signal(LeadOutreachWorkflow.lead_replied, UNPROVEN)
        await until(
            env, handle, lambda s: s.stage == "paused", timedelta(minutes=1), "never paused"
        )
        yield fake, handle


async def test_an_answer_matched_by_its_sender_alone_pauses_until_a_person_resumes(
    env: WorkflowEnvironment, task_queue: str
):
    """Anyone can write the lead's From line: it may not end the cadence, only hold it."""
    async with paused_run(env, task_queue) as (fake, handle):
        await env.sleep(timedelta(days=30))
        held = await handle.query(LeadOutreachWorkflow.status)
        await handles.resume(env.client, handle.id, "sam")
        result = await handle.result()

    assert held.stage == "paused" and held.needs_human and held.paused == UNPROVEN
    assert len(held.sent) == 1, "nothing is sent while paused, past every slot"
    assert result.outcome == "completed"
    assert len(fake.sent) == 1 + len(CADENCE.follow_up_business_days)
    resumed = [d for d in result.decisions if d.step == "resume"]
    assert resumed and "sam" in resumed[0].reason


async def test_a_person_who_confirms_a_paused_answer_ends_the_cadence_as_replied(
    env: WorkflowEnvironment, task_queue: str
):
    async with paused_run(env, task_queue) as (fake, handle):
        await handle.signal(LeadOutreachWorkflow.lead_replied)
        result = await handle.result()
        status = await handle.query(LeadOutreachWorkflow.status)

    assert result.outcome == "replied" and len(fake.sent) == 1
    assert status.reply == UNPROVEN and status.paused is None
