"""Support triage with the real embedded model (opt-in: `make test-llm`, ~1 min on 2 cores)."""

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.inbound_mail import parse_email
from activities.knowledge_base import KnowledgeBase
from activities.mail import MaildirTransport
from activities.support_triage import SupportTriageActivities
from agents.client import LlmClient, LlmConfig
from models.support import TriageInput
from workflows.sandbox import workflow_runner
from workflows.support_triage import SupportTriageWorkflow

pytestmark = pytest.mark.local_llm
ROOT = Path(__file__).parents[2]
PORT = 8099


@pytest.fixture(scope="module")
def local_llm() -> Iterator[str]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devstack.llm",
            "--port",
            str(PORT),
            "--models-dir",
            str(ROOT / "var/models"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            try:
                if httpx.get(f"http://127.0.0.1:{PORT}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("local model did not start")
        yield f"http://127.0.0.1:{PORT}/v1"
    finally:
        server.terminate()
        server.wait(30)


async def triage(
    env: WorkflowEnvironment, task_queue: str, base_url: str, tmp_path: Path, eml: str
):
    kb = KnowledgeBase(tmp_path / "kb.sqlite3")
    kb.reindex(ROOT / "kb" / "articles")
    acts = SupportTriageActivities(
        llm=LlmClient(LlmConfig(base_url=base_url, api_key="local", models={"default": "local"})),
        kb=kb,
        mail=MaildirTransport(tmp_path / "outbox", "support@flowdesk.example"),
    )
    email = parse_email((ROOT / "examples" / "support" / eml).read_bytes())
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[SupportTriageWorkflow],
        activities=acts.all(),
        workflow_runner=workflow_runner(),
    ):
        handle = await env.client.start_workflow(
            SupportTriageWorkflow.run,
            TriageInput(email=email),
            id=f"llm-{eml}",
            task_queue=task_queue,
        )
        for _ in range(600):
            status = await handle.query(SupportTriageWorkflow.status)
            if status.stage in ("awaiting_human", "done"):
                break
            await asyncio.sleep(0.2)
        if status.stage != "done":
            await handle.terminate("test over")
    return status


async def test_real_model_classifies_and_records_its_calls(
    env: WorkflowEnvironment, task_queue: str, local_llm: str, tmp_path: Path
):
    status = await triage(env, task_queue, local_llm, tmp_path, "1-password-reset.eml")
    assert status.classification is not None and status.classification.topic == "account"
    assert status.hits and status.draft is not None
    assert {call.role for call in status.agent_calls} == {"classify", "draft"}
    assert all(call.usage.total_tokens > 0 for call in status.agent_calls)


async def test_real_model_never_auto_sends_an_injection(
    env: WorkflowEnvironment, task_queue: str, local_llm: str, tmp_path: Path
):
    status = await triage(env, task_queue, local_llm, tmp_path, "3-injection.eml")
    assert status.evaluation is not None and not status.evaluation.auto_send
    assert "instruction-like text" in status.evaluation.policy_hold
    assert not list((tmp_path / "outbox" / "new").iterdir())
