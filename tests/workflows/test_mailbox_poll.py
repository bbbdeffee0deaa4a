"""MailboxPollWorkflow on the time-skipping server, with fake mailbox activities: each
message is one ticket, marked seen only once its ticket run exists."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import pytest_asyncio
from temporalio import activity
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.imap import MailboxActivities
from adapters.mail.inbound_mail import parse_email
from devstack.time_skipping import start_time_skipping
from models.mailbox import FetchedMail, MailBatch, MailboxPollInput, MailboxPollResult, MarkSeen
from models.support import (
    TriageOptions,
    message_digest,
    ticket_workflow_id,
    unkeyed_message_digest,
)
from tests.inbound.imap_server import ImapServer, Mailbox, mail
from tests.privacy import ID_KEY
from tests.workflows.triage_fakes import FakeTriage, billing_email
from workflows.mailbox_poll import MailboxPollWorkflow
from workflows.runtime.plugin import worker_plugin
from workflows.support_triage import SupportTriageWorkflow

UIDVALIDITY = 42
BILLING_QUESTION = billing_email().body
"""A question the fake triage activities answer well enough to auto-send."""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def poll_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of its own. Once a ticket outlives the poll that abandoned
    it, the test server may stop skipping time (seen here; cf. temporalio/sdk-typescript
    issue 1101), which would stall every later test on the shared `env` fixture."""
    environment = await start_time_skipping()
    yield environment
    await environment.shutdown()


def fetched(uid: int, message_id: str | None = None) -> FetchedMail:
    email = billing_email().model_copy(
        update={"message_id": message_id or f"<{uuid.uuid4()}@acme.example>"}
    )
    return FetchedMail(uid=uid, email=email, digest=message_digest(email, ID_KEY))


@dataclass
class FakeMailbox:
    """Records, at the moment each mark arrives, which of its tickets already exist."""

    client: Client
    messages: list[FetchedMail]
    fetch_error: ApplicationError | None = None
    mark_error: ApplicationError | None = None
    marks: list[tuple[MarkSeen, dict[str, bool]]] = field(default_factory=list)

    def activities(self) -> list:
        @activity.defn(name="fetch_unseen_mail")
        async def fetch(limit: int) -> MailBatch:
            if self.fetch_error:
                raise self.fetch_error
            return MailBatch(uidvalidity=UIDVALIDITY, messages=self.messages[:limit])

        @activity.defn(name="mark_mail_seen")
        async def mark(request: MarkSeen) -> int:
            exists = {ticket: await self.exists(ticket) for ticket in self.tickets()}
            self.marks.append((request, exists))
            if self.mark_error:
                raise self.mark_error
            return len(request.uids)

        return [fetch, mark]

    def tickets(self) -> list[str]:
        return [ticket_workflow_id(m.email, ID_KEY) for m in self.messages]

    async def exists(self, ticket: str) -> bool:
        try:
            await self.client.get_workflow_handle(ticket).describe()
            return True
        except RPCError:
            return False


def worker(env: WorkflowEnvironment, task_queue: str, box: FakeMailbox, triage: FakeTriage):
    return Worker(
        env.client,
        task_queue=task_queue,
        workflows=[MailboxPollWorkflow, SupportTriageWorkflow],
        activities=[*box.activities(), *triage.activities()],
        plugins=[worker_plugin()],
        max_cached_workflows=0,
    )


async def poll(env: WorkflowEnvironment, task_queue: str) -> MailboxPollResult:
    return await env.client.execute_workflow(
        MailboxPollWorkflow.run,
        MailboxPollInput(options=TriageOptions(), batch=10),
        id=f"mailbox-poll-{uuid.uuid4()}",
        task_queue=task_queue,
    )


async def outcome(env: WorkflowEnvironment, ticket: str) -> str | None:
    return (
        await env.client.get_workflow_handle_for(SupportTriageWorkflow.run, ticket).result()
    ).outcome


async def test_each_message_starts_one_ticket_before_it_is_marked_seen(
    poll_env: WorkflowEnvironment, task_queue: str
):
    box = FakeMailbox(poll_env.client, [fetched(3), fetched(5)])
    async with worker(poll_env, task_queue, box, FakeTriage()):
        result = await poll(poll_env, task_queue)
        outcomes = [await outcome(poll_env, ticket) for ticket in box.tickets()]

    assert result.started == box.tickets() and result.existing == []
    assert result.marked == 2
    [(request, existed)] = box.marks
    assert request == MarkSeen(uidvalidity=UIDVALIDITY, uids=[3, 5])
    assert all(existed.values())
    assert outcomes == ["auto_sent", "auto_sent"]


async def test_a_fetch_from_before_keyed_ids_names_tickets_as_it_did_then(
    poll_env: WorkflowEnvironment, task_queue: str
):
    """A poll in flight across the upgrade replays a fetch result without digests: it
    must start the same ticket ids it started before (an unkeyed hash)."""
    old = fetched(9).model_copy(update={"digest": None})
    box = FakeMailbox(poll_env.client, [old])
    async with worker(poll_env, task_queue, box, FakeTriage()):
        result = await poll(poll_env, task_queue)

    assert result.started == ["ticket-" + unkeyed_message_digest(old.email)]


async def test_mail_left_unseen_by_a_failed_mark_is_not_ticketed_twice(
    poll_env: WorkflowEnvironment, task_queue: str
):
    refused = ApplicationError("mailbox gone", type="ImapRefused", non_retryable=True)
    box = FakeMailbox(poll_env.client, [fetched(7)], mark_error=refused)
    triage = FakeTriage()
    [ticket] = box.tickets()
    async with worker(poll_env, task_queue, box, triage):
        with pytest.raises(WorkflowFailureError):
            await poll(poll_env, task_queue)
        assert await outcome(poll_env, ticket) == "auto_sent"
        box.mark_error = None
        again = await poll(poll_env, task_queue)

    assert (again.started, again.existing, again.marked) == ([], [ticket], 1)
    assert triage.calls["send_reply"] == 1


async def test_a_message_delivered_twice_in_one_batch_is_one_ticket(
    poll_env: WorkflowEnvironment, task_queue: str
):
    message_id = f"<{uuid.uuid4()}@acme.example>"
    box = FakeMailbox(poll_env.client, [fetched(1, message_id), fetched(2, message_id)])
    async with worker(poll_env, task_queue, box, FakeTriage()):
        result = await poll(poll_env, task_queue)
        assert await outcome(poll_env, result.started[0]) == "auto_sent"

    assert len(result.started) == 1 and result.existing == result.started
    assert box.marks[0][0].uids == [1, 2]


async def test_a_fetch_failure_starts_nothing_and_marks_nothing(
    poll_env: WorkflowEnvironment, task_queue: str
):
    refused = ApplicationError("refused", type="ImapRefused", non_retryable=True)
    box = FakeMailbox(poll_env.client, [fetched(1)], fetch_error=refused)
    triage = FakeTriage()
    async with worker(poll_env, task_queue, box, triage):
        with pytest.raises(WorkflowFailureError):
            await poll(poll_env, task_queue)

    assert box.marks == [] and triage.calls == {}
    assert not await box.exists(box.tickets()[0])


async def test_an_empty_mailbox_marks_nothing(poll_env: WorkflowEnvironment, task_queue: str):
    box = FakeMailbox(poll_env.client, [])
    async with worker(poll_env, task_queue, box, FakeTriage()):
        result = await poll(poll_env, task_queue)
    assert (result.started, result.existing, result.marked, box.marks) == ([], [], 0, [])


async def test_a_poll_through_a_real_imap_server_tickets_unseen_mail_and_marks_it(
    poll_env: WorkflowEnvironment, task_queue: str
):
    imap = ImapServer(Mailbox())
    box = imap.mailbox
    box.add(mail("read long ago", BILLING_QUESTION), seen=True)
    raws = [mail("first", BILLING_QUESTION), mail("second", BILLING_QUESTION)]
    tickets = [ticket_workflow_id(parse_email(raw), ID_KEY) for raw in raws]
    for raw in raws:
        box.add(raw)
    try:
        async with Worker(
            poll_env.client,
            task_queue=task_queue,
            workflows=[MailboxPollWorkflow, SupportTriageWorkflow],
            activities=[
                *MailboxActivities(imap.account(), ID_KEY).definitions(),
                *FakeTriage().activities(),
            ],
            plugins=[worker_plugin()],
        ):
            result = await poll(poll_env, task_queue)
            outcomes = [await outcome(poll_env, ticket) for ticket in tickets]
    finally:
        imap.close()

    assert (result.started, result.existing, result.marked) == (tickets, [], 2)
    assert outcomes == ["auto_sent", "auto_sent"] and box.unseen() == []
