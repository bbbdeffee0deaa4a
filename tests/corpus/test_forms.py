"""Bad lead forms at both doors: the starter's JSON file and `POST /leads`.

For every body: no exception but the documented refusal (`InputError` for the client
functions, 400/413/415/422 for the web form), every refusal names the field or the
reason without quoting a personal value, and every accepted lead becomes a start whose
payload survives the data converter, under the id the door answered with.
"""

import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr
from temporalio.contrib.pydantic import pydantic_data_converter

from adapters.mail.mail import build_message
from client.errors import InputError
from client.inputs import parse_lead, parse_outreach, read_json_file
from config.doors import WebSettings
from config.privacy import PrivacySettings, new_key
from config.settings import OutreachSettings, TemporalSettings, TriageSettings
from models.common import OutgoingEmail
from models.lead import LeadIntakeInput, LeadSubmission
from models.outreach import OutreachInput
from tests.corpus.forms import FormCase, form_corpus
from tests.corpus.recording import RecordingClient
from web.app import create_app
from web.state import Doors

CORPUS = form_corpus()
REFUSALS = {400, 413, 415, 422}
BIDI_CONTROLS = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
"""Characters that make a name display as other text than the one stored."""


def assert_named_not_echoed(message: str, case: FormCase) -> None:
    lines = message.splitlines()
    assert lines and lines[0].strip(), f"{case.label}: empty refusal"
    for line in lines[1:]:
        assert line.partition(":")[0].strip(), f"{case.label}: a problem without a field: {line}"
    for secret in case.secrets:
        assert secret.strip() not in message, f"{case.label}: refusal echoes input"


def assert_mailable(lead: LeadSubmission) -> None:
    """The welcome email reaches exactly the address accepted, and names it in one line."""
    welcome = OutgoingEmail(to=lead.normalized_email, subject="s", body="b", idempotency_key="k")
    addresses = build_message(welcome, "hello@flowdesk.example")["To"].addresses
    assert [a.addr_spec for a in addresses] == [lead.normalized_email]
    for text in (lead.name, lead.company):
        assert not [c for c in text if unicodedata.category(c) in ("Cc", "Zl", "Zp")]
        assert not [c for c in text if unicodedata.bidirectional(c) in BIDI_CONTROLS]


def assert_survives_converter(value: LeadIntakeInput | OutreachInput) -> None:
    converter = pydantic_data_converter.payload_converter
    payloads = converter.to_payloads([value])
    assert converter.from_payloads(payloads, [type(value)]) == [value]


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.label)
def test_the_starter_reads_or_refuses_each_json_file(case: FormCase, tmp_path: Path):
    path = tmp_path / "lead.json"
    path.write_bytes(case.body)
    try:
        fields = read_json_file(path)
        lead = parse_lead(dict(fields))
        outreach = parse_outreach(dict(fields), OutreachSettings())
    except InputError as refusal:
        assert_named_not_echoed(str(refusal), case)
        return
    assert isinstance(lead, LeadSubmission) and outreach.lead.email == lead.email
    assert_mailable(lead)
    assert_survives_converter(LeadIntakeInput(lead=lead))
    assert_survives_converter(outreach)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def doors() -> AsyncIterator[dict[str, tuple[httpx.AsyncClient, RecordingClient]]]:
    """One app per workflow setting, rate limits out of the way: the corpus is one sender."""
    apps: dict[str, tuple[httpx.AsyncClient, RecordingClient]] = {}
    for workflow in ("intake", "outreach"):
        client = RecordingClient()
        settings = WebSettings(
            session_secret=SecretStr("corpus"), lead_workflow=workflow,
            leads_per_address_per_minute=100_000, leads_per_email_per_hour=100_000,
        )  # fmt: skip
        state = Doors(
            web=settings, temporal=TemporalSettings(task_queue="corpus"), triage=TriageSettings(),
            outreach=OutreachSettings(), client=client,  # type: ignore[arg-type]
            privacy=PrivacySettings(payload_keys=f"corpus={new_key()}", id_secret="i" * 32),
        )  # fmt: skip
        transport = httpx.ASGITransport(app=create_app(state), client=("203.0.113.9", 4000))
        apps[workflow] = (httpx.AsyncClient(transport=transport, base_url="http://t"), client)
    yield apps
    for http, _ in apps.values():
        await http.aclose()


@pytest.mark.parametrize("workflow", ["intake", "outreach"])
@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c.label)
async def test_the_web_form_starts_or_refuses_each_body(
    case: FormCase, workflow: str, doors: dict[str, tuple[httpx.AsyncClient, RecordingClient]]
):
    http, client = doors[workflow]
    before = len(client.starts)
    answer = await http.post(
        "/leads", content=case.body, headers={"Content-Type": case.content_type}
    )
    if answer.status_code in REFUSALS:
        detail = answer.json()["detail"]
        assert detail and len(client.starts) == before, f"{case.label}: refused, yet started"
        if answer.status_code == 422:
            assert all(p["field"] and p["problem"] for p in detail), case.label
        for secret in case.secrets:
            assert secret.strip() not in answer.text, f"{case.label}: refusal echoes input"
        return
    assert answer.status_code == 202, f"{case.label}: {answer.status_code} {answer.text[:200]}"
    assert len(client.starts) == before + 1, f"{case.label}: accepted, nothing started"
    run_id, arg = client.starts[-1]
    assert answer.json()["run_id"] == run_id
    assert_survives_converter(arg)
