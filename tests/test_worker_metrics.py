"""The worker's `/metrics` endpoint, scraped over HTTP after real runs.

The worker is built as `worker.py` builds it (settings from the environment, every real
activity, the encrypting client with the metrics runtime) against the time-skipping
server; only the model is scripted (the evaluation's `oracle`, answering from the article
it is shown). Two support tickets (one answered automatically, one held past its SLA)
and one lead intake run, then the scrape must show the project's metrics with their
labels and values, the SDK's own next to them, and no address or name of anyone.
"""

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

import worker
from adapters.mail.inbound_mail import parse_email
from bench.triage_cases import load_cases, to_rfc822
from client.submit import submit_lead
from config.temporal import connect
from models.support import TriageInput, TriageOptions
from tests.bench.personas import oracle
from tests.conftest import LoopbackSite
from tests.metrics_scrape import free_port, series, value
from tests.privacy import ID_KEY
from tests.scripted_llm import ScriptedLlm
from tests.workflows.fakes import make_lead
from workflows.support_triage import SupportTriageWorkflow

ROOT = Path(__file__).parents[1]
SITE_HOST = "northwind-robotics.example"
CASES = {case.id: case for case in load_cases(ROOT / "bench" / "cases" / "dev.jsonl")}
ANSWERED, HELD = CASES["account-reset-password"], CASES["inject-fake-system"]
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


async def ticket(client: Client, task_queue: str, case_id: str, options: TriageOptions) -> str:
    email = parse_email(to_rfc822(CASES[case_id]))
    result = await client.execute_workflow(
        SupportTriageWorkflow.run,
        TriageInput(email=email, options=options),
        id=f"metrics-{case_id}-{task_queue}",
        task_queue=task_queue,
    )
    return result.outcome


@pytest.fixture
def llm():
    server = ScriptedLlm(responder=oracle([ANSWERED, HELD]))
    yield server
    server.close()


async def test_a_scrape_shows_the_projects_metrics_and_no_personal_data(
    env: WorkflowEnvironment,
    task_queue: str,
    site: LoopbackSite,
    llm: ScriptedLlm,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    site.html("/", (ROOT / "examples/sites/northwind-robotics.example/index.html").read_text())
    port = free_port()
    for name, setting in {
        "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "TEMPORAL_TASK_QUEUE": task_queue,
        "FLOWDESK_DATA_DIR": str(tmp_path),
        "OPENAI_BASE_URL": llm.base_url,
        "FLOWDESK_LLM_MODEL": "scripted-oracle",
        "FLOWDESK_FETCH_ALLOW_HOSTS": SITE_HOST,
        "FLOWDESK_FETCH_STATIC_HOSTS": f"{SITE_HOST}=127.0.0.1",
        "FLOWDESK_METRICS_PORT": str(port),
    }.items():
        monkeypatch.setenv(name, setting)
    settings = worker.load_settings()
    policy = worker.load_escalation_policy(settings.triage)
    kb, _ = worker.knowledge_base(settings.app, settings.triage)
    crm = await worker.open_crm(settings.app, settings.crm)
    runtime = worker.metrics_runtime(settings.telemetry)
    client = await connect(settings.temporal, settings.privacy, runtime)
    quick = TriageOptions(sla=timedelta(seconds=1), final_deadline=timedelta(seconds=2))
    lead = make_lead(website=site.url("/", host=SITE_HOST), submission_id=f"form-{task_queue}")

    async with worker.build_worker(client, settings, kb, policy, crm):
        assert await ticket(client, task_queue, ANSWERED.id, quick) == "auto_sent"
        assert await ticket(client, task_queue, HELD.id, quick) == "escalated_unanswered"
        intake = await submit_lead(client, task_queue, lead, ID_KEY)
        assert not intake.existing
        assert (await intake.handle.result()).welcome is not None
        assert settings.telemetry.metrics_url == f"http://127.0.0.1:{port}/metrics"
        scrape = httpx.get(settings.telemetry.metrics_url, timeout=10).text
    await crm.close()

    (tmp_path / "scrape.txt").write_text(scrape)
    triage = {"workflow_type": "SupportTriageWorkflow"}
    calls = series(scrape, "flowdesk_agent_call_duration_seconds_count")
    model = {"model": "scripted-oracle"}
    assert {frozenset(dict(key).items() - model.items()) for key in calls} == {
        frozenset({("role", "classify"), ("activity_type", "classify_email")}),
        frozenset({("role", "draft"), ("activity_type", "draft_reply")}),
    }
    per_role = {dict(key)["role"]: count for key, count in calls.items()}
    assert per_role == {"classify": 4, "draft": 2}, "topic and classify calls, then a draft"
    assert value(scrape, "flowdesk_agent_tokens_total", kind="prompt") == 6 * 50
    assert value(scrape, "flowdesk_agent_tokens_total", kind="completion") == 6 * 20
    assert value(scrape, "flowdesk_auto_sends_total", source="agent", **triage) == 1
    assert value(scrape, "flowdesk_holds_total", reason="classifier:instruction_like_text") == 0
    held = {dict(key)["reason"] for key in series(scrape, "flowdesk_holds_total")}
    assert "policy:instructions_to_the_system" in held, held
    assert value(scrape, "flowdesk_sla_escalations_total", **triage) == 1
    for process in ("support", "notice", "intake"):
        sent = value(scrape, "flowdesk_emails_sent_total", process=process, outcome="delivered")
        assert sent == 1, process
    assert value(scrape, "flowdesk_emails_sent_total", transport="maildir") == 3
    assert value(scrape, "flowdesk_fallbacks_total") == 0
    assert value(scrape, "temporal_workflow_completed_total") >= 3, "the SDK's own metrics"

    assert not ADDRESS.search(scrape), "no email address in any label"
    words = {*lead.name.split(), lead.company, ANSWERED.email.subject, HELD.email.subject}
    assert not [w for w in words if w in scrape]
