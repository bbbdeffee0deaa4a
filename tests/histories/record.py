"""Records the workflow histories the replay tests check; rerun only on purpose.

    .venv/bin/python -m tests.histories.record          # every history
    .venv/bin/python -m tests.histories.record replies  # only those of replies and follow-ups
    .venv/bin/python -m tests.histories.record limits   # only those of the abuse and cost limits
    .venv/bin/python -m tests.histories.record intake   # only lead intake (local steps)
    .venv/bin/python -m tests.histories.record answer   # only triage with the answer check
    .venv/bin/python -m tests.histories.record pause    # only an outreach paused by a sender match
    .venv/bin/python -m tests.histories.record quoted   # only an outreach whose page was quoted

A replay failure after a code change means in-flight runs would break: either keep
the old behaviour behind `workflow.patched(...)` or, when the change is intended and
no old runs exist, re-record and say so in the commit. Files named `*_v1_*` were
recorded before verified auto-send (2026.11-4) and are never re-recorded: they prove
that runs started before it still replay through their patched branches.
"""

import asyncio
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from devstack.time_skipping import start_time_skipping as start_test_server
from models.agent_output import Usage
from models.lead import LeadIntakeInput
from models.outreach import BusinessHours, OutreachInput, OutreachOptions
from models.support import AskedTerm, TriageInput, TriageOptions
from models.threads import LeadReply
from tests.workflows.fakes import FakeIntake, make_lead
from tests.workflows.outreach_fakes import FakeOutreach
from tests.workflows.triage_fakes import CALL, FakeTriage, billing_email
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.runtime.plugin import worker_plugin
from workflows.runtime.registry import WORKFLOWS
from workflows.support_triage import SupportTriageWorkflow

HERE = Path(__file__).parent
Steer = Callable[[WorkflowEnvironment, WorkflowHandle[Any, Any]], Awaitable[None]]


async def _record(
    env: WorkflowEnvironment,
    name: str,
    activities: list,
    run: Any,
    arg: Any,
    steer: Steer | None = None,
) -> None:
    task_queue = f"record-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=activities,
        plugins=[worker_plugin()],
    ):
        handle = await env.client.start_workflow(run, arg, id=name, task_queue=task_queue)
        if steer is not None:
            await steer(env, handle)
        await handle.result()
    (HERE / f"{name}.json").write_text((await handle.fetch_history()).to_json())
    print(f"recorded {name}.json")


async def _approve_when_waiting(env: WorkflowEnvironment, handle: WorkflowHandle[Any, Any]) -> None:
    while (await handle.query(SupportTriageWorkflow.status)).stage != "awaiting_human":
        await env.sleep(timedelta(seconds=1))
    await handle.signal(SupportTriageWorkflow.approve)


async def _approve_then_reply(env: WorkflowEnvironment, handle: WorkflowHandle[Any, Any]) -> None:
    while (await handle.query(LeadOutreachWorkflow.status)).stage != "awaiting_approval":
        await env.sleep(timedelta(seconds=1))
    await handle.signal(LeadOutreachWorkflow.approve)
    while not (await handle.query(LeadOutreachWorkflow.status)).sent:
        await env.sleep(timedelta(hours=1))
    await handle.signal(LeadOutreachWorkflow.lead_replied)


async def _pause_then_resume(env: WorkflowEnvironment, handle: WorkflowHandle[Any, Any]) -> None:
    while not (await handle.query(LeadOutreachWorkflow.status)).sent:
        await env.sleep(timedelta(hours=1))
    unproven = LeadReply(subject="Re: hello", unproven="from the lead's address only")
    await handle.signal(LeadOutreachWorkflow.lead_replied, unproven)
    await env.sleep(timedelta(days=10))
    await handle.signal(LeadOutreachWorkflow.resume, "sam")


async def record_pause(env: WorkflowEnvironment) -> None:
    """An answer matched by its sender alone pauses the cadence past its slots; a person
    resumes it."""
    auto = OutreachOptions(
        hours=BusinessHours(timezone="Europe/Berlin"), human_tiers=[], touches_per_run=5
    )
    await _record(
        env, "outreach_paused_then_resumed", FakeOutreach().activities(),
        LeadOutreachWorkflow.run, OutreachInput(lead=make_lead(), options=auto), _pause_then_resume,
    )  # fmt: skip


async def record_quoted(env: WorkflowEnvironment) -> None:
    """The model's sentence failed twice: the page is quoted and a person approves it."""
    quoted = FakeOutreach(replaced=["P1: mentions '85', which no page it cites says"])
    auto = OutreachOptions(hours=BusinessHours(timezone="Europe/Berlin"), human_tiers=[])
    await _record(
        env, "outreach_quoted_approved", quoted.activities(), LeadOutreachWorkflow.run,
        OutreachInput(lead=make_lead(), options=auto), _approve_then_reply,
    )  # fmt: skip


async def record_outreach(env: WorkflowEnvironment) -> None:
    hours = BusinessHours(timezone="Europe/Berlin")
    auto = OutreachOptions(hours=hours, human_tiers=[], touches_per_run=5)
    await _record(
        env, "outreach_cadence", FakeOutreach().activities(), LeadOutreachWorkflow.run,
        OutreachInput(lead=make_lead(), options=auto),
    )  # fmt: skip
    await _record(
        env, "outreach_continued_as_new", FakeOutreach().activities(), LeadOutreachWorkflow.run,
        OutreachInput(lead=make_lead(), options=auto.model_copy(update={"touches_per_run": 1})),
    )  # fmt: skip
    await _record(
        env, "outreach_approved_then_replied", FakeOutreach().activities(),
        LeadOutreachWorkflow.run,
        OutreachInput(lead=make_lead(), options=OutreachOptions(hours=hours)),
        _approve_then_reply,
    )  # fmt: skip


async def _reply_after_an_auto_reply(
    env: WorkflowEnvironment, handle: WorkflowHandle[Any, Any]
) -> None:
    while not (await handle.query(LeadOutreachWorkflow.status)).sent:
        await env.sleep(timedelta(hours=1))
    away = LeadReply(subject="Out of office", automatic="auto-submitted: auto-replied")
    await handle.signal(LeadOutreachWorkflow.lead_replied, away)
    await handle.signal(
        LeadOutreachWorkflow.lead_replied, LeadReply(subject="Re: hi", excerpt="Yes")
    )


async def _follow_up_then_approve(
    env: WorkflowEnvironment, handle: WorkflowHandle[Any, Any]
) -> None:
    await _approve_when_waiting_round(env, handle, 1, approve=False)
    again = billing_email("Sorry, I meant the invoice for September.")
    await handle.signal(SupportTriageWorkflow.customer_replied, again)
    await _approve_when_waiting_round(env, handle, 2, approve=True)


async def _approve_when_waiting_round(
    env: WorkflowEnvironment, handle: WorkflowHandle[Any, Any], number: int, approve: bool
) -> None:
    while True:
        status = await handle.query(SupportTriageWorkflow.status)
        if status.round == number and status.stage == "awaiting_human":
            break
        await env.sleep(timedelta(seconds=1))
    if approve:
        await handle.signal(SupportTriageWorkflow.approve)


async def record_replies(env: WorkflowEnvironment) -> None:
    """Replies the mail router delivers: to an outreach run, and to an open ticket."""
    auto = OutreachOptions(hours=BusinessHours(timezone="Europe/Berlin"), human_tiers=[])
    await _record(
        env, "outreach_auto_reply_then_reply", FakeOutreach().activities(),
        LeadOutreachWorkflow.run, OutreachInput(lead=make_lead(), options=auto),
        _reply_after_an_auto_reply,
    )  # fmt: skip
    weak = FakeTriage()
    cited, other = weak.hits
    weak.hits = [other.model_copy(update={"score": 9.0}), cited]
    await _record(
        env, "support_follow_up_round", weak.activities(), SupportTriageWorkflow.run,
        TriageInput(email=billing_email(), options=TriageOptions()), _follow_up_then_approve,
    )  # fmt: skip


async def record_limits(env: WorkflowEnvironment) -> None:
    """The paths the abuse and cost limits added: a ticket past an auto-reply limit that a
    person approves, a ticket and an outreach run whose token budget is spent."""
    limited = FakeTriage(refuse_auto="auto-reply limit: 3 per address in 24 h reached")
    ticket = TriageInput(email=billing_email(), options=TriageOptions())
    await _record(
        env, "support_auto_reply_limited", limited.activities(), SupportTriageWorkflow.run,
        ticket, _approve_when_waiting,
    )  # fmt: skip
    costly = CALL.model_copy(update={"usage": Usage(prompt_tokens=600)})
    await _record(
        env, "support_budget_spent", FakeTriage(call=costly).activities(),
        SupportTriageWorkflow.run,
        TriageInput(email=billing_email(), options=TriageOptions(token_budget=1000)),
    )  # fmt: skip
    hours = BusinessHours(timezone="Europe/Berlin")
    await _record(
        env, "outreach_budget_spent", FakeOutreach(call=costly).activities(),
        LeadOutreachWorkflow.run,
        OutreachInput(lead=make_lead(), options=OutreachOptions(hours=hours, token_budget=500)),
        _approve_then_reply,
    )  # fmt: skip


async def record_intake(env: WorkflowEnvironment) -> None:
    """Lead intake with its CRM writes and scoring as local activities: the happy path,
    and enrichment and the welcome email failing into their fallbacks."""
    lead = LeadIntakeInput(lead=make_lead())
    await _record(env, "lead_intake_happy", FakeIntake().activities(), LeadIntakeWorkflow.run, lead)
    fallback = FakeIntake()
    fallback.enrich_error = ApplicationError("site down", type="Transient")
    fallback.mail_error = ApplicationError("relay refused", type="MailRejected", non_retryable=True)
    await _record(env, "lead_intake_fallbacks", fallback.activities(), LeadIntakeWorkflow.run, lead)


async def record_answer(env: WorkflowEnvironment) -> None:
    """Support triage with the question survey (`answer-check`): a question the knowledge
    base does not cover, held and approved by a person; and one it covers, auto-sent."""
    ticket = TriageInput(email=billing_email(), options=TriageOptions())
    uncovered = FakeTriage(
        unknown=[AskedTerm(term="scim", weight=4.1), AskedTerm(term="provisioning", weight=2.8)]
    )
    await _record(
        env, "support_uncovered_approved", uncovered.activities(), SupportTriageWorkflow.run,
        ticket, _approve_when_waiting,
    )  # fmt: skip
    await _record(
        env, "support_answered_auto_sent", FakeTriage().activities(), SupportTriageWorkflow.run,
        ticket,
    )  # fmt: skip


async def main(only: str | None) -> None:
    env = await start_test_server()
    try:
        if only == "limits":
            return await record_limits(env)
        if only == "intake":
            return await record_intake(env)
        if only == "answer":
            return await record_answer(env)
        if only == "pause":
            return await record_pause(env)
        if only == "quoted":
            return await record_quoted(env)
        await record_replies(env)
        if only == "replies":
            return
        await record_limits(env)
        await record_intake(env)
        await record_answer(env)
        await record_pause(env)
        await record_quoted(env)

        ticket = TriageInput(email=billing_email(), options=TriageOptions())
        await _record(
            env, "support_auto_sent", FakeTriage().activities(), SupportTriageWorkflow.run, ticket
        )
        weak = FakeTriage()
        cited, other = weak.hits
        weak.hits = [other.model_copy(update={"score": 9.0}), cited]
        await _record(
            env, "support_approved", weak.activities(), SupportTriageWorkflow.run, ticket,
            _approve_when_waiting,
        )  # fmt: skip
        await _record(
            env, "support_sla_escalated", weak.activities(), SupportTriageWorkflow.run, ticket
        )
        down = FakeTriage()
        down.classify_error = ApplicationError("endpoint down", type="LlmUnavailable")
        await _record(
            env, "support_classifier_down", down.activities(), SupportTriageWorkflow.run, ticket,
            _approve_when_waiting,
        )  # fmt: skip
        automatic = billing_email("I am out of the office until Monday.")
        await _record(
            env, "support_closed_automatic", FakeTriage().activities(), SupportTriageWorkflow.run,
            TriageInput(email=automatic, options=TriageOptions()),
        )  # fmt: skip
        await record_outreach(env)
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if sys.argv[1:] else None))
