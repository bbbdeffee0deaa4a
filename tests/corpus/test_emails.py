"""Bad mail at the SMTP door: `parse_email` and the listener, over a real SMTP session.

For every message: the parser returns a valid `InboundEmail` (never raises), the sender
and recipient are one address or none (an encoded-word list never becomes several),
a problem is named without quoting the mail, the payload fits a workflow, and a body
the damage did not touch survives. Over the wire, each message is either routed (250,
and the start carries it) or refused with a reason (552 too big, 5xx line too long).
"""

import asyncio
import smtplib
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.contrib.pydantic import pydantic_data_converter

from adapters.mail.inbound_mail import UNKNOWN_SENDER, parse_email
from inbound.smtp import Inbox, listen
from models.routing import RouteOptions, RouteRequest
from models.support import InboundEmail
from tests.corpus.emails import BODY, SENDER, MailCase, mail_corpus
from tests.corpus.recording import RecordingClient

CORPUS = mail_corpus()
SUPPORT = "support@flowdesk.example"
OPTIONS = RouteOptions(support_address=SUPPORT, unsubscribe_address="unsub@flowdesk.example")
MAX_PAYLOAD_BYTES = 512_000
"""Well under Temporal's 2 MB payload limit, with room for the rest of a run's input."""
PARSE_SECONDS = 3.0
"""A crafted header must not make the parser hang the listener."""


def one_address(value: str | None) -> bool:
    return value is None or (value.count("@") == 1 and not set(value) & set(', ;<>"\r\n'))


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.label)
def test_every_message_becomes_a_valid_ticket(case: MailCase):
    started = time.perf_counter()
    email = parse_email(case.raw)
    assert time.perf_counter() - started < PARSE_SECONDS, f"{case.label}: parser too slow"
    assert InboundEmail.model_validate(email.model_dump()) == email
    assert one_address(email.sender) and one_address(email.recipient), case.label
    payload = pydantic_data_converter.payload_converter.to_payloads([email])[0]
    assert len(payload.data) < MAX_PAYLOAD_BYTES, f"{case.label}: {len(payload.data)} bytes"
    for note in (email.parse_problem, email.automatic):
        if note:
            assert len(note) <= 300 and BODY not in note and SENDER not in note, case.label
    if email.sender == UNKNOWN_SENDER and not email.parse_problem:
        pytest.fail(f"{case.label}: sender dropped without saying why")
    if case.body_intact:
        assert BODY in email.body, f"{case.label}: the body was lost"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def listener() -> AsyncIterator[tuple[int, RecordingClient]]:
    client = RecordingClient()
    inbox = Inbox(
        client=client, task_queue="corpus", options=OPTIONS,  # type: ignore[arg-type]
        reply_address="hello@flowdesk.example", id_key=b"i" * 32,
    )  # fmt: skip
    server = await listen(inbox, "127.0.0.1", 0, "mx.flowdesk.example")
    yield server.sockets[0].getsockname()[1], client
    server.close()
    await server.wait_closed()
    inbox.close()


def deliver(port: int, raw: bytes) -> tuple[int, str]:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.ehlo()
        code, reply = smtp.mail(SENDER, [f"SIZE={len(raw)}"])
        if code == 250:
            code, reply = smtp.rcpt(SUPPORT)
        if code == 250:
            try:
                code, reply = smtp.data(raw)
            except smtplib.SMTPDataError as refused:
                code, reply = refused.smtp_code, refused.smtp_error
        return code, reply.decode(errors="replace")


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.label)
async def test_the_listener_routes_or_refuses_each_message(
    case: MailCase, listener: tuple[int, RecordingClient]
):
    port, client = listener
    before = len(client.starts)
    code, reply = await asyncio.to_thread(deliver, port, case.raw)
    if code != 250:
        assert 500 <= code < 600 and reply.strip(), f"{case.label}: {code} {reply}"
        assert len(client.starts) == before, f"{case.label}: refused, yet routed"
        return
    assert len(client.starts) == before + 1, f"{case.label}: 250 without a run"
    run_id, request = client.starts[-1]
    assert isinstance(request, RouteRequest) and run_id in reply
    assert request.email.recipient == SUPPORT
    converter = pydantic_data_converter.payload_converter
    assert converter.from_payloads(converter.to_payloads([request]), [RouteRequest]) == [request]
