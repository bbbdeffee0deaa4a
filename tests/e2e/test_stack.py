"""End to end on the real dev server: the real worker process and `starter.py` as a user runs them."""

import asyncio
import json
import mailbox
import os
import signal
import sqlite3
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from models import search_attributes as sa
from models.lead import LeadIntakeResult
from tests.conftest import LoopbackSite
from tests.scripted_llm import Reply, ScriptedLlm
from workflows.lead_intake import LeadIntakeWorkflow

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).parents[2]
SITE = "northwind-robotics.example"
SLOW_SITE = "slow-robotics.example"


class Stack:
    """One worker process at a time, configured like the demo's, against `dev_env`."""

    def __init__(self, client: Client, site: LoopbackSite, data: Path) -> None:
        self.client = client
        self.site = site
        self.data = data
        self.task_queue = f"e2e-{uuid.uuid4()}"
        self.worker: asyncio.subprocess.Process | None = None
        hosts = f"{SITE},{SLOW_SITE}"
        self.env = os.environ | {
            "TEMPORAL_ADDRESS": client.service_client.config.target_host,
            "TEMPORAL_TASK_QUEUE": self.task_queue,
            "FLOWDESK_DATA_DIR": str(data),
            "FLOWDESK_FETCH_ALLOW_HOSTS": hosts,
            "FLOWDESK_FETCH_STATIC_HOSTS": f"{SITE}=127.0.0.1,{SLOW_SITE}=127.0.0.1",
        }

    async def start_worker(self) -> None:
        log = open(self.data / "worker.log", "ab")  # noqa: SIM115 (owned by the process)
        self.worker = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "worker.py"), env=self.env, stdout=log, stderr=log
        )
        for _ in range(150):
            if await self._polled_by(self.worker.pid):
                return
            await asyncio.sleep(0.2)
        raise AssertionError("worker did not start polling; see worker.log")

    async def _polled_by(self, pid: int) -> bool:
        response = await self.client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=self.client.namespace,
                task_queue=TaskQueue(name=self.task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
            )
        )
        return any(p.identity.startswith(f"{pid}@") for p in response.pollers)

    async def kill_worker(self) -> None:
        assert self.worker is not None
        self.worker.send_signal(signal.SIGKILL)
        await self.worker.wait()

    async def stop_worker(self) -> None:
        if self.worker and self.worker.returncode is None:
            self.worker.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.worker.wait(), 30)

    async def starter(self, *args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "starter.py"),
            *args,
            env=self.env,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
        return process.returncode or 0, out.decode(), err.decode()

    async def starter_until(self, *args: str, done: Callable[[str], bool]) -> str:
        """Rerun a read-only command until its output satisfies `done` (visibility lags)."""
        out = ""
        for _ in range(50):
            _, out, _ = await self.starter(*args)
            if done(out):
                break
            await asyncio.sleep(0.2)
        return out

    def lead_file(self, name: str, host: str, **fields: str) -> Path:
        lead = json.loads((ROOT / "examples/leads/1-northwind.json").read_text())
        lead |= {"website": self.site.url("/", host=host), **fields}
        path = self.data / f"{name}.json"
        path.write_text(json.dumps(lead))
        return path

    def outbox(self) -> list[mailbox.MaildirMessage]:
        return list(mailbox.Maildir(self.data / "outbox", create=False))


@pytest_asyncio.fixture(loop_scope="session")
async def stack(
    dev_env: WorkflowEnvironment, site: LoopbackSite, tmp_path: Path
) -> AsyncIterator[Stack]:
    site.html("/", (ROOT / f"examples/sites/{SITE}/index.html").read_text())
    running = Stack(dev_env.client, site, tmp_path)
    await running.start_worker()
    yield running
    await running.stop_worker()


async def test_starter_runs_a_lead_end_to_end(stack: Stack):
    lead = stack.lead_file("lead", SITE)
    code, out, err = await stack.starter("lead", "--json", str(lead))

    assert code == 0, err
    workflow_id = out.split("started ", 1)[1].split()[0]
    assert f"/workflows/{workflow_id}" in out, "the UI link is printed"
    assert "tier A" in out
    with sqlite3.connect(stack.data / "crm.sqlite3") as db:
        rows = db.execute("SELECT email, company, tier FROM contacts").fetchall()
    assert rows == [("ada.lindqvist@northwind-robotics.example", "Northwind Robotics", "A")]
    messages = stack.outbox()
    assert [m["To"] for m in messages] == ["ada.lindqvist@northwind-robotics.example"]

    code, again, _ = await stack.starter("lead", "--json", str(lead))
    assert code == 0 and f"already submitted: run {workflow_id}" in again
    assert len(stack.outbox()) == 1, "a double submission sends nothing more"

    code, status, _ = await stack.starter("status", workflow_id)
    assert code == 0 and json.loads(status)["stage"] == "done"

    query = f'LeadTier = "A" AND CompanyDomain = "{SITE}" AND TaskQueue = "{stack.task_queue}"'
    found: list[str] = []
    for _ in range(50):
        found = [w.id async for w in stack.client.list_workflows(query)]
        if found:
            break
        await asyncio.sleep(0.2)
    assert found == [workflow_id]


async def test_worker_killed_mid_run_finishes_with_one_email(stack: Stack):
    stack.site.html("/", (ROOT / f"examples/sites/{SITE}/index.html").read_text())
    stack.site.delay_s["/"] = 2.0
    lead = stack.lead_file("slow", SLOW_SITE, submission_id="form-crash")
    code, out, err = await stack.starter("lead", "--json", str(lead), "--no-wait")
    assert code == 0, err
    workflow_id = out.split("started ", 1)[1].split()[0]

    for _ in range(100):
        if stack.site.requests:
            break
        await asyncio.sleep(0.05)
    assert stack.site.requests, "enrichment reached the website"
    await stack.kill_worker()
    await stack.start_worker()

    handle = stack.client.get_workflow_handle_for(LeadIntakeWorkflow.run, workflow_id)
    result: LeadIntakeResult = await asyncio.wait_for(handle.result(), 90)
    assert result.profile.source == "website", "the interrupted enrichment was retried"
    assert len(stack.outbox()) == 1


async def test_support_ticket_waits_then_is_approved_from_the_command_line(
    stack: Stack, tmp_path: Path
):
    """`support`, `pending` and `approve` as a person runs them, with a scripted model."""

    def model(request: dict) -> Reply:
        if "response_format" not in request:
            return Reply(content="billing", top_logprobs=[("billing", -0.1), ("account", -3.0)])
        return Reply(
            content=json.dumps(
                {"topic": "billing", "urgency": "normal", "language": "en", "is_spam": False,
                 "injection_suspected": False, "signals": [], "confidence": 0.9}
                if request["response_format"]["json_schema"]["name"] == "Classification"
                else {"body": "Invoices are under Settings → Billing.", "cited_article_ids": [],
                      "confidence": 0.9}
            )
        )  # fmt: skip

    llm = ScriptedLlm(responder=model)
    await stack.stop_worker()
    stack.env |= {
        "OPENAI_BASE_URL": llm.base_url,
        "FLOWDESK_TRIAGE_KB_DIR": str(ROOT / "kb/articles"),
    }
    await stack.start_worker()
    try:
        code, out, err = await stack.starter(
            "support",
            "--from",
            "kim@acme.example",
            "--subject",
            "Invoice",
            "--body",
            "Where are my invoices?",
        )
        assert code == 0, err
        ticket = out.split("started ", 1)[1].split()[0]
        assert "reply cites no article" in out and f"approve {ticket}" in out

        assert ticket in await stack.starter_until("pending", done=lambda out: ticket in out)

        code, _, err = await stack.starter("approve", ticket)
        assert code == 0, err
        handle = stack.client.get_workflow_handle(ticket)
        result = await asyncio.wait_for(handle.result(), 60)
        assert result["outcome"] == "sent_after_approval"
        [reply] = stack.outbox()
        assert reply["To"] == "kim@acme.example" and reply["Subject"] == "Re: Invoice"
    finally:
        llm.close()


def outreach_model(request: dict) -> Reply:
    """A scripted model: a brief grounded on the Northwind page, then a sourced draft."""
    schema = request["response_format"]["json_schema"]
    if schema["name"] == "BriefDraft":
        [home] = schema["schema"]["$defs"]["BriefPoint"]["properties"]["source_url"]["enum"]
        point = {"text": "Arms run in 40 warehouses across Europe", "source_url": home}
        return Reply(
            content=json.dumps(
                {
                    "summary": "Picking arms.",
                    "industry": "Robotics",
                    "likely_needs": [],
                    "talking_points": [point],
                }  # fmt: skip
            )
        )
    body = (
        "Hi Ada,\n\nyour arms already run in 40 warehouses across Europe, and every new site "
        "brings more leads and support mail to handle. Flowdesk takes that busywork off your "
        "team. Would a short call next week help?\n\nThe Flowdesk team"
    )
    return Reply(
        content=json.dumps(
            {
                "subject": "Your 40 warehouses",
                "body": body,
                "confidence": 0.9,
                "facts": [{"fact_id": "P1", "claim": "arms already run in 40 warehouses"}],
            }
        )  # fmt: skip
    )


async def test_outreach_from_the_command_line_until_the_lead_replies(stack: Stack):
    """`outreach`, `pending`, `approve`, `upcoming`, `reschedule` and `replied` on the real
    server; the first touch is at least an hour away, so nothing is sent."""
    llm = ScriptedLlm(responder=outreach_model)
    await stack.stop_worker()
    stack.env |= {"OPENAI_BASE_URL": llm.base_url, "FLOWDESK_OUTREACH_MIN_LEAD_MINUTES": "60"}
    await stack.start_worker()
    try:
        lead = stack.lead_file("outreach", SITE, submission_id="form-outreach")
        data = json.loads(lead.read_text()) | {"timezone": "Europe/Stockholm"}
        lead.write_text(json.dumps(data))
        code, out, err = await stack.starter("outreach", "--json", str(lead))
        assert code == 0, err
        run = out.split("started ", 1)[1].split()[0]
        assert "awaiting_approval" in out and "tier A first touches always go to a person" in out

        pending = await stack.starter_until("pending", done=lambda out: run in out)
        assert f"{run}  outreach   tier A" in pending

        assert (await stack.starter("approve", run))[0] == 0
        raw = await stack.starter_until("status", run, done=lambda out: '"scheduled"' in out)
        status = json.loads(raw)
        assert status["stage"] == "scheduled" and status["timezone"] == "Europe/Stockholm"
        assert [p["number"] for p in status["plan"]] == [1, 2, 3]

        upcoming = await stack.starter_until("upcoming", "--hours", "200", done=lambda o: run in o)
        assert run in upcoming

        code, out, err = await stack.starter("reschedule", run, "--at", "2099-01-01T10:00:00Z")
        assert code == 2 and "reschedule refused" in err and "more than 90 days" in err
        code, out, err = await stack.starter("reschedule", run, "--at", status["plan"][1]["due_at"])
        assert code == 0 and "touch 1 now due" in out, err

        assert (await stack.starter("replied", run))[0] == 0
        result = await asyncio.wait_for(stack.client.get_workflow_handle(run).result(), 60)
        assert result["outcome"] == "replied" and result["sent"] == []
        assert stack.outbox() == [], "intake sent no welcome; outreach never reached its slot"
        described = await stack.client.get_workflow_handle(run).describe()
        assert described.typed_search_attributes.get(sa.OUTREACH_STAGE) == "replied"
        assert described.typed_search_attributes.get(sa.NEXT_TOUCH_AT) is None
        with sqlite3.connect(stack.data / "crm.sqlite3") as db:
            kinds = [k for (k,) in db.execute("SELECT kind FROM timeline ORDER BY id")]
        assert kinds[0] == "lead_submitted" and kinds[-1] == "outreach_replied"
    finally:
        llm.close()
