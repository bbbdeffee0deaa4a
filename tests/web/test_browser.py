"""The web service in a real browser (Debian's chromium through Playwright), served by
uvicorn on loopback as `make demo` serves it: a reviewer signs in, edits a held
ticket's reply and approves it, and exactly one email lands in the Maildir outbox; a
visitor submits the example lead form and sees the run."""

import asyncio
import contextlib
import mailbox
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
import uvicorn
from playwright.async_api import Browser, async_playwright
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.factory import postbox, support_triage_activities
from adapters.crm.crm import SqliteCrm
from adapters.wiring import knowledge_base
from config.doors import InboundSettings
from config.escalation import load_policy
from config.settings import (
    AppSettings,
    LlmSettings,
    OutreachSettings,
    TemporalSettings,
    TriageSettings,
)
from devstack.processes import free_port
from models.support import TriageInput
from tests.privacy import PRIVACY
from tests.web.conftest import PASSWORD, REVIEWER, activity_name, web_settings
from tests.workflows.fakes import FakeIntake
from tests.workflows.outreach_fakes import FakeOutreach
from tests.workflows.test_support_triage import weak_fake
from tests.workflows.triage_fakes import billing_email
from web.app import create_app
from web.state import Doors
from workflows.runtime.plugin import worker_plugin
from workflows.runtime.registry import WORKFLOWS
from workflows.support_triage import SupportTriageWorkflow

pytestmark = pytest.mark.browser
EDITED = "Hi Kim,\n\nevery invoice is under Settings → Billing → Invoices.\n\nFlowdesk Support"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "the browser tests need Debian's chromium: apt-get install chromium"
    return found


@dataclass
class Served:
    url: str
    client: Client
    task_queue: str
    outbox: Path
    browser: Browser


@pytest_asyncio.fixture(loop_scope="session")
async def served(
    dev_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> AsyncIterator[Served]:
    """Fake agents hold every ticket for a person; the reply goes out through the real
    send activity into a real Maildir."""
    app_settings = AppSettings(data_dir=tmp_path)
    triage = TriageSettings(kb_dir=Path(__file__).parents[2] / "kb" / "articles")
    kb, _ = knowledge_base(app_settings, triage)
    port = free_port()
    settings = web_settings(port=port, public_url=f"http://127.0.0.1:{port}")
    mail = postbox(app_settings, settings, InboundSettings(), SqliteCrm(app_settings.crm_path))
    real = support_triage_activities(LlmSettings(), kb, load_policy(), mail)
    fakes = [*FakeIntake().activities(), *FakeOutreach().activities(), *weak_fake().activities()]
    activities = {activity_name(a): a for a in fakes} | {"send_reply": real.send_reply}
    doors = Doors(
        settings, TemporalSettings(task_queue=task_queue), triage, OutreachSettings(),
        dev_env.client,
        PRIVACY,
    )  # fmt: skip
    server = uvicorn.Server(
        uvicorn.Config(create_app(doors), host="127.0.0.1", port=port, log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    async with (
        Worker(
            dev_env.client, task_queue=task_queue, workflows=WORKFLOWS,
            activities=list(activities.values()), plugins=[worker_plugin()],
        ),
        async_playwright() as playwright,
    ):  # fmt: skip
        browser = await playwright.chromium.launch(
            executable_path=chromium(), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        while not server.started:
            await asyncio.sleep(0.05)
        yield Served(settings.public_url, dev_env.client, task_queue, tmp_path / "outbox", browser)
        await browser.close()
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await serving


async def held_ticket(served: Served, body: str) -> str:
    email = billing_email(body).model_copy(update={"message_id": f"<{served.task_queue}@x>"})
    handle = await served.client.start_workflow(
        SupportTriageWorkflow.run, TriageInput(email=email), id=f"ticket-{uuid.uuid4().hex[:16]}",
        task_queue=served.task_queue,
    )  # fmt: skip
    for _ in range(200):
        if (await handle.query(SupportTriageWorkflow.status)).needs_human:
            return handle.id
        await asyncio.sleep(0.1)
    raise AssertionError("the ticket was never held for a person")


async def test_reviewer_edits_and_approves_a_held_ticket_and_one_email_goes_out(served: Served):
    workflow_id = await held_ticket(served, "Where is my invoice? <script>alert(1)</script>")
    page = await served.browser.new_page()
    await page.goto(f"{served.url}/review")
    await page.fill("input[name=username]", REVIEWER)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.click(f"a[href='/review/{workflow_id}']")
    assert "<script>alert(1)</script>" in await page.inner_text("main")
    await page.fill("textarea[name=body]", EDITED)
    await page.get_by_role("button", name="Edit and approve").click()
    await page.wait_for_load_state()

    handle = served.client.get_workflow_handle_for(SupportTriageWorkflow.run, workflow_id)
    result = await asyncio.wait_for(handle.result(), 30)
    assert result.outcome == "sent_after_edit"
    sent = list(mailbox.Maildir(served.outbox, create=False))
    assert len(sent) == 1
    assert "Settings → Billing → Invoices" in sent[0].get_payload(decode=True).decode()
    assert any(REVIEWER in d.reason for d in result.decisions if d.step == "review")


async def test_visitor_submits_the_example_lead_form_and_sees_the_run(served: Served):
    page = await served.browser.new_page()
    await page.goto(f"{served.url}/form")
    await page.fill("input[name=name]", "Ada Lindqvist")
    await page.fill("input[name=email]", "ada@northwind-robotics.example")
    await page.fill("input[name=company]", "Northwind Robotics")
    await page.fill("input[name=website]", "https://northwind-robotics.example")
    await page.click("button[type=submit]")
    await page.wait_for_load_state()
    text = await page.inner_text("body")
    assert "lead-" in text
    run_id = next(word for word in text.split() if word.startswith("lead-"))
    handle = served.client.get_workflow_handle(run_id.strip(".,"))
    assert (await asyncio.wait_for(handle.result(), 30)) is not None
