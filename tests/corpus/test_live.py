"""Accepted but odd input as real runs on the time-skipping server: none is stuck.

Odd leads (names, messages, and home pages from the page corpus served over HTTP with
odd charsets) go through `LeadIntakeWorkflow` with the real adapters; odd mail from
the mail corpus goes through `SupportTriageWorkflow` with the real activities, the
model behind the endpoint answering from the model-answer corpus. Every run must
complete, or wait for a person, in a known stage, and no workflow task may fail.

The leads run one after another: started together, the 13 intake runs once made the
time-skipping server refuse a reply (gRPC "Header size exceeded max allowed size
(16384)") and a workflow task completion wait 30 s; they completed all the same.
"""

import asyncio
import json
import uuid
import zlib
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.factory import postbox, support_triage_activities
from adapters.crm.crm import SqliteCrm
from adapters.knowledge.knowledge_base import KnowledgeBase
from adapters.mail.inbound_mail import parse_email
from client.options import triage_options
from config.doors import InboundSettings, WebSettings
from config.escalation import load_policy
from config.settings import AppSettings, LlmSettings, TriageSettings
from models.lead import LeadIntakeInput
from models.support import TriageInput
from tests.conftest import LoopbackSite
from tests.corpus.emails import mail_corpus
from tests.corpus.llm import answer_corpus
from tests.corpus.pages import HAND_WRITTEN as PAGES
from tests.scripted_llm import Reply, ScriptedLlm
from tests.workflows.fakes import make_lead
from tests.workflows.test_lead_intake_real_adapters import SITE_HOST, real_activities
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.runtime.plugin import worker_plugin
from workflows.support_triage import SupportTriageWorkflow

ROOT = Path(__file__).parents[2]
SETTLED = ("awaiting_human", "done")
SETTLE_SECONDS = 20.0
ODD_LEADS: list[dict[str, Any]] = [
    {"name": "José Müller-Łukasiewicz", "company": "Ümlaut & Søn GmbH"},
    {"name": "李小龍", "company": "株式会社ノースウィンド"},
    {"name": "O'Brien-Smith Jr.", "company": "Booking.com"},
    {"name": "x" * 200, "company": "y" * 200},
    {"message": "m" * 5000, "source": "other"},
    {"message": "Robo\x00tics\x1b[31m and a NUL", "submission_id": "a.b-c_d"},
    {"name": "👩‍💻 Ada", "message": "<script>alert(1)</script>"},
]
PAGE_CASES = [
    "employees 1e400", "employees of 5000 digits", "JSON-LD nested 100,000 deep",
    "href is a broken IPv6 URL", "industry has control characters", "title never closed",
    "sameAs holds a broken IPv6 URL", "binary served as HTML", "100,000 nested divs",
]  # fmt: skip
CHARSETS = ["unicode_escape", "klingon", "utf-16", "utf-7"]
MAILS = [c for c in mail_corpus() if c.label.startswith(("From", "charset", "multipart", "HTML",
         "Date", "References", "encoded-word", "bare", "a report", "message over"))]  # fmt: skip
ANSWERS = [case.content for case in answer_corpus()]


def lead_pages() -> list[tuple[str, bytes, str]]:
    """(label, body, content type): page-corpus pages, then the example under odd charsets."""
    pages = [(label, PAGES[label].encode("utf-8", "surrogatepass"), "text/html; charset=utf-8")
             for label in PAGE_CASES]  # fmt: skip
    page = b"<title>Northwind \\ud800 Robotics</title>"
    return pages + [(f"charset={c}", page, f"text/html; charset={c}") for c in CHARSETS]


async def no_failed_tasks(handle: WorkflowHandle[Any, Any]) -> bool:
    history = await handle.fetch_history()
    return not [
        e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    ]


async def test_odd_leads_and_odd_pages_complete_intake(
    env: WorkflowEnvironment, task_queue: str, site: LoopbackSite, tmp_path: Path
):
    runs = []
    for number, (label, body, kind) in enumerate(lead_pages()):
        site.routes[f"/p{number}"] = (200, {"Content-Type": kind}, body)
        odd = ODD_LEADS[number % len(ODD_LEADS)]
        lead = make_lead(website=site.url(f"/p{number}", host=SITE_HOST), **odd)
        runs.append((label, lead))
    async with Worker(env.client, task_queue=task_queue, workflows=[LeadIntakeWorkflow],
                      activities=real_activities(site, tmp_path).definitions(),
                      plugins=[worker_plugin()]):  # fmt: skip
        handles, results = [], []
        for _, lead in runs:  # one at a time: see the module's note on concurrency
            handle = await env.client.start_workflow(
                LeadIntakeWorkflow.run, LeadIntakeInput(lead=lead),
                id=f"corpus-lead-{uuid.uuid4()}", task_queue=task_queue,
            )  # fmt: skip
            handles.append(handle)
            results.append(await asyncio.wait_for(handle.result(), SETTLE_SECONDS))
        clean = [await no_failed_tasks(h) for h in handles]
    for (label, _), result, ok in zip(runs, results, clean, strict=True):
        assert ok, f"{label}: a workflow task failed"
        assert result.contact_id and result.score.tier in ("A", "B", "C"), label
        assert result.profile.employee_count is None or result.profile.employee_count < 10**7
    print(f"\ncorpus live: {len(runs)} odd leads completed intake")


def odd_model(request: dict[str, Any]) -> Reply:
    """An answer from the model-answer corpus, chosen by the request's text: stable per
    mail, whatever the order in which concurrent runs ask."""
    text = json.dumps(request["messages"], sort_keys=True)
    return Reply(content=ANSWERS[zlib.crc32(text.encode()) % len(ANSWERS)])


async def settle(handle: WorkflowHandle[Any, Any]) -> str:
    async with asyncio.timeout(SETTLE_SECONDS):
        while (status := await handle.query(SupportTriageWorkflow.status)).stage not in SETTLED:
            await asyncio.sleep(0.05)
    return status.stage


async def test_odd_mail_with_odd_model_answers_settles(
    env: WorkflowEnvironment, task_queue: str, tmp_path: Path
):
    llm = ScriptedLlm(responder=odd_model)
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    kb.reindex(ROOT / "kb" / "articles")
    app = AppSettings(data_dir=tmp_path, mail_transport="maildir")
    settings = LlmSettings(OPENAI_BASE_URL=llm.base_url, FLOWDESK_LLM_MODEL="scripted")
    acts = support_triage_activities(
        settings,
        kb,
        load_policy(),
        postbox(app, WebSettings(), InboundSettings(), SqliteCrm(app.crm_path)),
    )
    options = triage_options(TriageSettings())
    try:
        async with Worker(env.client, task_queue=task_queue, workflows=[SupportTriageWorkflow],
                          activities=acts.definitions(), plugins=[worker_plugin()]):  # fmt: skip
            handles = [
                await env.client.start_workflow(
                    SupportTriageWorkflow.run,
                    TriageInput(email=parse_email(case.raw), options=options),
                    id=f"corpus-ticket-{uuid.uuid4()}",
                    task_queue=task_queue,
                )  # fmt: skip
                for case in MAILS
            ]
            stages = await asyncio.gather(*(settle(h) for h in handles))
            clean = [await no_failed_tasks(h) for h in handles]
            for handle, stage in zip(handles, stages, strict=True):
                if stage == "awaiting_human":  # its SLA timer must not hold up time skipping
                    await handle.terminate("corpus read the state")
    finally:
        llm.close()
    for case, ok in zip(MAILS, clean, strict=True):
        assert ok, f"{case.label}: a workflow task failed"
    assert len(llm.requests) >= len(MAILS), "the model was asked about every mail"
    print(f"\ncorpus live: {len(MAILS)} odd mails settled {sorted(set(stages))}")
