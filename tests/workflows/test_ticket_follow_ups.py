"""A customer who writes again while the ticket is open: the ticket is triaged again
with the conversation as context, and the reply answers the new mail."""

from datetime import timedelta

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from models.support import InboundEmail, TriageInput, TriageStatus
from tests.workflows.test_support_triage import OPTIONS, awaiting_human, start, weak_fake, worker
from tests.workflows.triage_fakes import billing_email
from workflows.support_triage import MAX_ROUNDS, SupportTriageWorkflow


def follow_up(number: int) -> InboundEmail:
    return InboundEmail(
        sender="kim@acme.example",
        subject="Re: invoice",
        body=f"Follow-up {number}: I still cannot find the invoice for October.",
        message_id=f"<f{number}@acme.example>",
        references=["<orig@acme.example>"],
    )


async def in_round(env: WorkflowEnvironment, handle: WorkflowHandle, number: int) -> TriageStatus:
    """The status once round `number` waits for a person again."""
    for _ in range(100):
        status = await handle.query(SupportTriageWorkflow.status)
        if status.round == number and status.stage == "awaiting_human":
            return status
        await env.sleep(timedelta(seconds=1))
    raise AssertionError(f"round {number} never reached human review")


async def test_a_follow_up_retriages_with_the_conversation_and_is_answered(
    env: WorkflowEnvironment, task_queue: str
):
    fake = weak_fake()
    original = billing_email()
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, TriageInput(email=original, options=OPTIONS))
        await awaiting_human(env, handle)
        await handle.signal(SupportTriageWorkflow.customer_replied, follow_up(1))
        status = await in_round(env, handle, 2)
        await handle.signal(SupportTriageWorkflow.approve)
        result = await handle.result()

    assert status.round == 2
    assert status.email is not None and status.email.message_id == "<f1@acme.example>"
    assert result.outcome == "sent_after_approval"
    assert len(fake.sent) == 1
    reply = fake.sent[0]
    assert reply.idempotency_key == f"{handle.id}/reply-2"
    assert reply.email.message_id == "<f1@acme.example>"
    second = fake.draft_requests[-1].email
    assert [entry.body for entry in second.thread] == [original.body]
    assert [d.outcome for d in result.decisions if d.step == "review"].count("superseded") == 1


async def test_rounds_stop_at_the_limit(env: WorkflowEnvironment, task_queue: str):
    fake = weak_fake()
    async with worker(env, task_queue, fake):
        handle = await start(env, task_queue, TriageInput(email=billing_email(), options=OPTIONS))
        await awaiting_human(env, handle)
        for number in range(1, MAX_ROUNDS + 2):
            await handle.signal(SupportTriageWorkflow.customer_replied, follow_up(number))
            await in_round(env, handle, min(number + 1, MAX_ROUNDS))
        status = await handle.query(SupportTriageWorkflow.status)
        await handle.signal(SupportTriageWorkflow.reject, "answered by phone")
        result = await handle.result()

    assert status.round == MAX_ROUNDS
    assert result.outcome == "rejected" and fake.sent == []
    assert fake.calls["draft_reply"] == MAX_ROUNDS
    kept = [d for d in result.decisions if d.outcome == "kept for the reviewer"]
    assert len(kept) >= 1
