"""The Temporal UI shows encrypted payloads in clear to a signed-in reviewer, and to
nobody else: the dev server's UI (as `make demo` starts it, with `--ui-codec-endpoint`)
and the web service in a real browser, on the same host name as in the demo."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
import uvicorn
from playwright.async_api import Browser, Page, async_playwright
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from config.settings import OutreachSettings, TemporalSettings, TriageSettings
from config.temporal import data_converter
from devstack.time_skipping import BIN
from models import search_attributes
from models.lead import LeadIntakeInput
from tests.privacy import PRIVACY
from tests.web.conftest import PASSWORD, REVIEWER, web_settings
from tests.web.test_browser import chromium, free_port
from tests.workflows.fakes import make_lead
from web.app import create_app
from web.state import Doors
from workflows.lead_intake import LeadIntakeWorkflow

pytestmark = pytest.mark.browser
SECRET_NAME = "Ada Lindqvist-Codec"
"""The lead's name in the run's input, which the UI shows (no worker runs the run)."""

CODEC_SETTINGS = """(endpoint) => {
    localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
    localStorage.setItem('endpoint', JSON.stringify(endpoint));
    localStorage.setItem('includeCredentials', 'true');
}"""
"""What a reviewer sets once in the UI's "Configure Codec Server" dialog: this browser's
endpoint, with "Include cross-origin credentials" (the session cookie) on."""


@dataclass
class Ui:
    url: str
    web: str
    workflow_id: str
    browser: Browser


@pytest_asyncio.fixture(loop_scope="session")
async def ui() -> AsyncIterator[Ui]:
    async with serving() as served:
        yield served


@contextlib.asynccontextmanager
async def serving() -> AsyncIterator[Ui]:
    web_port, ui_port = free_port(), free_port()
    web_url = f"http://127.0.0.1:{web_port}"
    ui_url = f"http://127.0.0.1:{ui_port}"
    server = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"),
        ui=True,
        ui_port=ui_port,
        dev_server_extra_args=[
            "--ui-codec-endpoint",
            f"{web_url}/codec",
            "--ui-disable-news-fetch",
        ],  # fmt: skip
        dev_server_log_level="error",
        search_attributes=search_attributes.ALL,
    )
    client = Client(
        server.client.service_client,
        namespace=server.client.namespace,
        data_converter=data_converter(PRIVACY),
    )
    workflow_id = f"lead-{uuid.uuid4().hex[:16]}"
    await client.start_workflow(
        LeadIntakeWorkflow.run,
        LeadIntakeInput(lead=make_lead(name=SECRET_NAME)),
        id=workflow_id,
        task_queue=f"nobody-{workflow_id}",
    )
    doors = Doors(
        web_settings(port=web_port, public_url=web_url),
        TemporalSettings(ui_url=ui_url),
        TriageSettings(),
        OutreachSettings(),
        client,
        PRIVACY,
    )
    web = uvicorn.Server(
        uvicorn.Config(create_app(doors), host="127.0.0.1", port=web_port, log_level="warning")
    )
    serving = asyncio.create_task(web.serve())
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium(), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        while not web.started:
            await asyncio.sleep(0.05)
        yield Ui(ui_url, web_url, workflow_id, browser)
        await browser.close()
    web.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await serving
    await server.shutdown()


async def shown_input(ui: Ui, page: Page) -> tuple[int, str]:
    """The run's page in the UI, configured for the codec endpoint: the status of the
    decode request it makes, and the page's text once that answer is in."""
    await page.goto(ui.url)
    await page.evaluate(CODEC_SETTINGS, f"{ui.web}/codec")
    async with page.expect_response(lambda r: "/codec/decode" in r.url, timeout=30_000) as got:
        await page.goto(f"{ui.url}/namespaces/default/workflows/{ui.workflow_id}")
    decoded = await got.value
    if decoded.ok:
        await page.get_by_text(SECRET_NAME).first.wait_for(timeout=10_000)
    return decoded.status, await page.inner_text("body")


async def test_a_signed_in_reviewer_reads_the_input_in_the_ui_and_a_stranger_does_not(ui: Ui):
    stranger = await (await ui.browser.new_context()).new_page()
    status, seen = await shown_input(ui, stranger)
    assert status == 401 and SECRET_NAME not in seen

    reviewer = await (await ui.browser.new_context()).new_page()
    await reviewer.goto(f"{ui.web}/login")
    await reviewer.fill("input[name=username]", REVIEWER)
    await reviewer.fill("input[name=password]", PASSWORD)
    await reviewer.click("button[type=submit]")
    status, seen = await shown_input(ui, reviewer)
    assert status == 200 and SECRET_NAME in seen
