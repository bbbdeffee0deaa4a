"""What the Temporal server and the logs keep of a run: no personal data in clear.

The worker process and `starter.py` run with the suite's payload key, as the demo's do
with theirs; the test then reads what the server stores with a client that has no key.
"""

import asyncio
import json
import re
import uuid

import pytest

from client.waiting import wait_for_decision
from tests.e2e.stack import ROOT, SITE, Stack, stored_in_clear

pytestmark = pytest.mark.e2e
LEAD = json.loads((ROOT / "examples/leads/1-northwind.json").read_text())
PERSONAL = (
    LEAD["name"], LEAD["name"].split()[0], LEAD["email"], LEAD["company"], " ".join(LEAD["message"].split()[:6]),
)  # fmt: skip


def found(stored: bytes, values: tuple[str, ...]) -> list[str]:
    """Values present as words (a short name inside a run of base64 is chance, not a leak)."""
    text = stored.decode("utf-8", errors="replace")
    return [v for v in values if re.search(rf"(?<![\w+/]){re.escape(v)}(?![\w+/])", text, re.I)]


async def test_a_lead_run_leaves_no_personal_data_on_the_server_or_in_logs(stack: Stack):
    lead = stack.lead_file("lead", SITE, submission_id=f"privacy-{uuid.uuid4()}")
    code, out, err = await stack.starter("lead", "--json", str(lead))
    assert code == 0, err
    workflow_id = out.split("started ", 1)[1].split()[0]
    assert len(stack.outbox()) == 1, "the welcome email went out"

    for _ in range(50):  # visibility lags the close a little
        stored = await stored_in_clear(stack, workflow_id)
        if b"LeadTier" in stored:
            break
        await asyncio.sleep(0.2)
    assert b"LeadTier" in stored, "the visibility row was read"
    assert found(stored, PERSONAL) == []
    assert b"binary/encrypted" in stored

    await stack.stop_worker()
    log = (stack.data / "worker.log").read_bytes()
    assert found(log, PERSONAL) == []


async def test_a_ticket_leaves_no_address_subject_or_body_on_the_server(stack: Stack):
    mail = ("kim.ortega@acme.example", "Invoice copy for Kim", "Please resend invoice 4471.")
    code, out, err = await stack.starter(
        "support", "--from", mail[0], "--subject", mail[1], "--body", mail[2], "--no-wait"
    )
    assert code == 0, err
    ticket = out.split("started ", 1)[1].split()[0]
    handle = stack.client.get_workflow_handle(ticket)
    try:
        status = await asyncio.wait_for(wait_for_decision(handle), 90)
        assert status.stage == "awaiting_human", "no model here: the ticket waits for a person"
        assert found(await stored_in_clear(stack, ticket), mail) == []
    finally:
        await handle.terminate("test finished")
