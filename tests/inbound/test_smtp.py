"""The SMTP door against the real dev server: what a sending mail server is told, and
that every accepted message is routed exactly once (here: a new ticket each)."""

import asyncio
import logging
import smtplib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email import policy
from email.message import EmailMessage

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.mail_routing import MailRoutingActivities
from adapters.crm.crm import SqliteCrm
from adapters.mail.inbound_mail import MAX_RAW_BYTES, parse_email
from bench.smtp_stall import crafted
from inbound.smtp import Inbox, listen
from models.routing import RouteOptions, RouteResult, router_workflow_id
from models.support import ticket_workflow_id
from tests.privacy import ID_KEY
from tests.workflows.triage_fakes import FakeTriage
from workflows.mail_router import MailRouterWorkflow
from workflows.runtime.plugin import worker_plugin
from workflows.support_triage import SupportTriageWorkflow

SUPPORT = "support@flowdesk.example"
OPTIONS = RouteOptions(support_address=SUPPORT, unsubscribe_address="unsubscribe@flowdesk.example")
SENDER = "kim@acme.example"
SUBJECT = "Invoice for October"


def message(
    message_id: str | None, body: str = "Where can I download last month's invoice?"
) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = SENDER, SUPPORT, SUBJECT
    if message_id:
        mail["Message-ID"] = message_id
    mail.set_content(body)
    return mail.as_bytes(policy=policy.SMTP)  # CRLF line ends, as SMTP requires


def new_message_id() -> str:
    return f"<{uuid.uuid4()}@acme.example>"


def deliver(port: int, raw: bytes, to: str = SUPPORT, declare_size: bool = True):
    """One SMTP transaction as a sending server runs it; the reply that ended it."""
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
        smtp.ehlo()
        code, reply = smtp.mail(SENDER, [f"SIZE={len(raw)}"] if declare_size else [])
        if code == 250:
            code, reply = smtp.rcpt(to)
        if code == 250:
            code, reply = smtp.data(raw)
        return code, reply.decode()


async def send(port: int, raw: bytes, **kwargs) -> tuple[int, str]:
    """smtplib blocks; the listener runs on this test's loop, so the client gets a thread."""
    return await asyncio.to_thread(deliver, port, raw, **kwargs)


@asynccontextmanager
async def serving(client: Client, task_queue: str) -> AsyncIterator[asyncio.Server]:
    inbox = Inbox(client, task_queue, OPTIONS, "hello@flowdesk.example", ID_KEY)
    server = await listen(inbox, "127.0.0.1", 0, hostname="flowdesk.example")
    try:
        yield server
    finally:
        server.close()
        inbox.close()


def port_of(server: asyncio.Server) -> int:
    return server.sockets[0].getsockname()[1]


@pytest_asyncio.fixture(loop_scope="session")
async def door(
    dev_env: WorkflowEnvironment, task_queue: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[int]:
    """The listener's port, with a worker routing mail (real CRM) and running tickets on
    fake triage activities."""
    crm = SqliteCrm(tmp_path_factory.mktemp("crm") / "crm.sqlite3")
    async with Worker(
        dev_env.client,
        task_queue=task_queue,
        workflows=[SupportTriageWorkflow, MailRouterWorkflow],
        activities=[*FakeTriage().activities(), *MailRoutingActivities(crm).definitions()],
        plugins=[worker_plugin()],
    ):
        async with serving(dev_env.client, task_queue) as server:
            yield port_of(server)


async def test_ordinary_mail_is_answered_while_a_crafted_one_is_read(door: int):
    """A message built to keep the parser busy for seconds (hundreds of parts with long
    parameters) is read off the loop, in its own lane: mail sent after it is answered
    first."""
    await send(door, message(new_message_id()))  # the small lane's reader is up
    answered: list[str] = []

    async def deliver_as(name: str, raw: bytes) -> int:
        code, _ = await send(door, raw)
        answered.append(name)
        return code

    slow = asyncio.create_task(deliver_as("crafted", crafted("params_per_part", 0)))
    await asyncio.sleep(0.5)
    assert await deliver_as("ordinary", message(new_message_id())) == 250
    assert await slow == 250
    assert answered == ["ordinary", "crafted"]


async def runs_with_id(client: Client, workflow_id: str) -> int:
    return len([run async for run in client.list_workflows(f'WorkflowId = "{workflow_id}"')])


async def test_a_message_starts_one_ticket_under_its_message_id(
    door: int, dev_env: WorkflowEnvironment, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    raw = message(new_message_id())
    ticket = ticket_workflow_id(parse_email(raw), ID_KEY)

    refused = await asyncio.to_thread(_sendmail, door, raw)

    assert refused == {}
    await routed(dev_env, raw)
    handle = dev_env.client.get_workflow_handle_for(SupportTriageWorkflow.run, ticket)
    assert (await handle.result()).outcome == "auto_sent"
    assert f"mail {router_workflow_id(parse_email(raw), ID_KEY)} routing" in caplog.text
    assert SENDER not in caplog.text and SUBJECT not in caplog.text


async def routed(env: WorkflowEnvironment, raw: bytes) -> RouteResult:
    """What the router run of a delivered message did."""
    run = router_workflow_id(parse_email(raw), ID_KEY)
    return await env.client.get_workflow_handle_for(MailRouterWorkflow.run, run).result()


def _sendmail(port: int, raw: bytes) -> dict:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
        return smtp.sendmail(SENDER, [SUPPORT], raw)


async def test_the_same_message_again_is_accepted_without_a_second_run(
    door: int, dev_env: WorkflowEnvironment, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger="flowdesk.inbound")
    raw = message(new_message_id())
    ticket = ticket_workflow_id(parse_email(raw), ID_KEY)

    first = await send(door, raw)
    await routed(dev_env, raw)
    await dev_env.client.get_workflow_handle(ticket).result()
    again = await send(door, raw)

    run = router_workflow_id(parse_email(raw), ID_KEY)
    assert first == again == (250, f"2.0.0 Message accepted as {run}")
    assert f"mail {run} already routed" in caplog.text
    for _ in range(50):  # visibility lags the start a little on the dev server
        if await runs_with_id(dev_env.client, ticket):
            break
        await asyncio.sleep(0.1)
    assert await runs_with_id(dev_env.client, ticket) == 1


async def test_another_mail_reusing_a_message_id_gets_its_own_run(
    door: int, dev_env: WorkflowEnvironment
):
    """Anyone can write a Message-ID: a second, different mail under one already seen is
    routed, not answered 250 and dropped as if it were a redelivery."""
    message_id = new_message_id()
    first = message(message_id, body=f"Where is my invoice? Ref {uuid.uuid4()}")
    other = message(message_id, body=f"Please cancel my plan. Ref {uuid.uuid4()}")

    assert (await send(door, first))[0] == (await send(door, other))[0] == 250
    routes = [await routed(dev_env, raw) for raw in (first, other)]
    tickets = [ticket_workflow_id(parse_email(raw), ID_KEY) for raw in (first, other)]
    assert tickets[0] != tickets[1] and [r.runs for r in routes] == [[t] for t in tickets]


async def test_a_message_without_message_id_gets_the_fallback_ticket_id(
    door: int, dev_env: WorkflowEnvironment
):
    raw = message(None, body=f"Where is my invoice? Ref {uuid.uuid4()}")
    ticket = ticket_workflow_id(parse_email(raw), ID_KEY)

    run = router_workflow_id(parse_email(raw), ID_KEY)
    assert await send(door, raw) == (250, f"2.0.0 Message accepted as {run}")
    assert (await routed(dev_env, raw)).runs == [ticket]


async def test_another_recipient_is_refused_with_550(door: int):
    code, _ = await send(door, message(new_message_id()), to="sales@flowdesk.example")
    assert code == 550


async def test_an_oversized_message_is_refused_with_552(door: int):
    raw = message(new_message_id(), body=("y" * 76 + "\n") * (MAX_RAW_BYTES // 76))
    assert len(raw) > MAX_RAW_BYTES
    declared = await send(door, raw)
    undeclared = await send(door, raw, declare_size=False)
    assert declared[0] == undeclared[0] == 552


async def test_temporal_unreachable_is_answered_451(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger="flowdesk.inbound")
    dead = await Client.connect("127.0.0.1:1", lazy=True, data_converter=pydantic_data_converter)
    async with serving(dead, "tq-unused") as server:
        code, _ = await send(port_of(server), message(new_message_id()))
    assert code == 451
    assert "answered 451" in caplog.text and SENDER not in caplog.text


async def test_a_start_refused_by_temporal_is_answered_451(
    dev_env: WorkflowEnvironment, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger="flowdesk.inbound")
    target = dev_env.client.service_client.config.target_host
    lost = await Client.connect(
        target, namespace="no-such-namespace", data_converter=pydantic_data_converter
    )
    async with serving(lost, "tq-unused") as server:
        code, _ = await send(port_of(server), message(new_message_id()))
    assert code == 451
    assert "Temporal NOT_FOUND" in caplog.text


async def test_a_message_the_parser_chokes_on_is_still_a_ticket(
    door: int, dev_env: WorkflowEnvironment
):
    raw = (
        f"From: {SENDER}\r\nTo: {SUPPORT}\r\nSubject: {SUBJECT}\r\nMessage-ID: <\r\n"
        "Content-Type: text/plain; charset=unicode_escape\r\n\r\n"
        f"card 4111 \\ud800 {uuid.uuid4()}\r\n"
    ).encode()
    ticket = ticket_workflow_id(parse_email(raw), ID_KEY)

    run = router_workflow_id(parse_email(raw), ID_KEY)
    assert await send(door, raw) == (250, f"2.0.0 Message accepted as {run}")
    assert (await routed(dev_env, raw)).runs == [ticket]
