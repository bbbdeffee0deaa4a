"""Abuse and cost limits as a user sees them: in the outcome and the decision log.

The auto-reply limits and the endpoint's rate run in the worker's interceptor over a
real CRM database file; the token budget is the workflow's own arithmetic over what
the (fake) agent activities report.
"""

import sqlite3
from datetime import timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.limits import AutoReplyLedger, LimitsInterceptor
from activities.support_triage import AGENT_STEPS
from adapters.crm.crm import SqliteCrm
from adapters.crm.token_rate import TokenRate
from models import search_attributes as sa
from models.agent_output import Usage
from models.limits import AutoReplyLimits, LlmRate
from models.outreach import OutreachOptions
from models.support import TriageInput, TriageOptions
from tests.workflows.outreach_fakes import FakeOutreach
from tests.workflows.outreach_runs import AUTO, reach
from tests.workflows.outreach_runs import start as start_outreach
from tests.workflows.outreach_runs import worker as outreach_worker
from tests.workflows.test_support_triage import awaiting_human, start, worker
from tests.workflows.triage_fakes import CALL, FakeTriage, billing_email
from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.support_triage import SupportTriageWorkflow


def limited_worker(
    env: WorkflowEnvironment, task_queue: str, fake: FakeTriage, limits: LimitsInterceptor
) -> Worker:
    return worker(env, task_queue, fake, limits)


def ticket(n: int, sender: str = "kim@acme.example") -> TriageInput:
    email = billing_email().model_copy(update={"message_id": f"<m{n}@x.example>", "sender": sender})
    return TriageInput(email=email, options=TriageOptions())


def interceptor(tmp_path: Path, rate: LlmRate | None = None) -> LimitsInterceptor:
    db = SqliteCrm(tmp_path / "crm.sqlite3")
    tokens = TokenRate(db, "http://llm.example/v1", rate) if rate else None
    return LimitsInterceptor(AutoReplyLedger(db, AutoReplyLimits()), tokens, AGENT_STEPS)


async def test_fourth_auto_reply_to_one_address_waits_for_a_person(
    env: WorkflowEnvironment, task_queue: str, tmp_path: Path
):
    fake = FakeTriage()
    async with limited_worker(env, task_queue, fake, interceptor(tmp_path)):
        outcomes = [
            (await (await start(env, task_queue, ticket(n))).result()).outcome for n in range(3)
        ]
        held = await start(env, task_queue, ticket(3))
        await awaiting_human(env, held)
        attributes = (await held.describe()).typed_search_attributes
        await held.signal(SupportTriageWorkflow.approve)
        result = await held.result()

    assert outcomes == ["auto_sent"] * 3
    assert attributes.get(sa.NEEDS_HUMAN) is True
    assert result.outcome == "sent_after_approval"  # a person's approval is never limited
    hold = [d for d in result.decisions if d.step == "evaluate"][-1]
    assert (hold.outcome, hold.reason) == (
        "human review",
        "auto-reply limit: 3 per address in 24 h reached; held for a person",
    )
    assert "kim@" not in str([d.model_dump() for d in result.decisions])
    assert [r.auto for r in fake.sent] == [True, True, True, False]


async def test_domain_limit_counts_company_domains_not_gmail(
    env: WorkflowEnvironment, task_queue: str, tmp_path: Path
):
    limits = interceptor(tmp_path)
    limits.replies.limits = AutoReplyLimits(per_domain=2)
    async with limited_worker(env, task_queue, FakeTriage(), limits):
        gmail = [
            (await (await start(env, task_queue, ticket(n, f"p{n}@gmail.com"))).result()).outcome
            for n in range(3)
        ]
        company = [
            (await (await start(env, task_queue, ticket(10 + n, f"p{n}@acme.example"))).result())
            for n in range(2)
        ]
        third = await start(env, task_queue, ticket(12, "p2@acme.example"))
        await awaiting_human(env, third)
        status = await third.query(SupportTriageWorkflow.status)
        await third.terminate("test done")

    assert gmail == ["auto_sent"] * 3
    assert [r.outcome for r in company] == ["auto_sent"] * 2
    hold = [d for d in status.decisions if d.step == "evaluate"][-1]
    assert hold.reason == "auto-reply limit: 2 per domain in 1 h reached; held for a person"


async def test_automatic_mail_is_never_answered_nor_counted(
    env: WorkflowEnvironment, task_queue: str, tmp_path: Path
):
    fake, limits = FakeTriage(), interceptor(tmp_path)
    away = ticket(1)
    away.email.automatic = "Auto-Submitted: auto-replied"
    async with limited_worker(env, task_queue, fake, limits):
        result = await (await start(env, task_queue, away)).result()

    assert result.outcome == "closed_no_reply" and not fake.sent
    with sqlite3.connect(tmp_path / "crm.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM auto_replies").fetchone() == (0,)


async def test_spent_token_budget_stops_the_model_and_holds_the_ticket(
    env: WorkflowEnvironment, task_queue: str, tmp_path: Path
):
    fake = FakeTriage(call=CALL.model_copy(update={"usage": Usage(prompt_tokens=500)}))
    request = ticket(1)
    request.options.token_budget = 1000
    async with limited_worker(env, task_queue, fake, interceptor(tmp_path, LlmRate())):
        handle = await start(env, task_queue, request)
        await awaiting_human(env, handle)
        status = await handle.query(SupportTriageWorkflow.status)
        await handle.terminate("test done")

    assert fake.calls.get("draft_reply") is None and status.draft is None
    assert [(d.step, d.outcome, d.reason) for d in status.decisions if d.step == "draft"] == [
        ("draft", "skipped: token budget spent", "1000 tokens used, budget 1000")
    ]
    with sqlite3.connect(tmp_path / "crm.sqlite3") as db:  # the classify step, settled
        assert db.execute("SELECT tokens FROM llm_tokens").fetchall() == [(1000,)]


async def test_full_endpoint_minute_sends_the_ticket_to_a_person(
    env: WorkflowEnvironment, task_queue: str, tmp_path: Path
):
    limits = interceptor(tmp_path, LlmRate(tokens_per_minute=5000, reserve_tokens=4000))
    assert limits.tokens is not None and (await limits.tokens.try_reserve())[0] is not None
    fake = FakeTriage()
    async with limited_worker(env, task_queue, fake, limits):
        handle = await start(env, task_queue, ticket(1))
        await env.sleep(timedelta(minutes=3))  # two retries, each after the minute it was told
        await awaiting_human(env, handle)
        status = await handle.query(SupportTriageWorkflow.status)
        await handle.terminate("test done")

    assert fake.calls.get("classify_email") is None and not fake.sent
    classify = next(d for d in status.decisions if d.step == "classify")
    assert classify.reason.startswith(
        "LlmRateLimited: the LLM endpoint's limit of 5000 tokens per minute is reached"
    )


async def test_outreach_budget_sends_the_template_to_a_person(
    env: WorkflowEnvironment, task_queue: str
):
    fake = FakeOutreach(call=CALL.model_copy(update={"usage": Usage(completion_tokens=900)}))
    options: OutreachOptions = AUTO.model_copy(update={"token_budget": 800})
    async with outreach_worker(env, task_queue, fake):
        handle = await start_outreach(env, task_queue, options)
        await reach(env, handle, "awaiting_approval")
        status = await handle.query(LeadOutreachWorkflow.status)
        await handle.terminate("test done")

    assert not fake.draft_requests and status.pending is not None
    assert status.pending.source == "template"
    skipped = [(d.step, d.reason) for d in status.decisions if "budget" in d.outcome]
    assert skipped == [("draft", "900 tokens used, budget 800")]
