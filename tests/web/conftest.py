"""The web service in-process against the real dev server, with a worker on fakes.

The inbox reads Temporal's visibility store, which the time-skipping server does not
serve, so these tests use `dev_env`. Requests go through httpx's ASGI transport: the
same app, routes and middleware uvicorn serves.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest_asyncio
from pydantic import SecretStr
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from config.doors import WebSettings
from config.settings import OutreachSettings, TemporalSettings, TriageSettings
from tests.privacy import PRIVACY
from tests.workflows.fakes import FakeIntake
from tests.workflows.outreach_fakes import FakeOutreach
from tests.workflows.triage_fakes import FakeTriage
from web.app import create_app
from web.auth import hash_password
from web.state import Doors
from workflows.runtime.plugin import worker_plugin
from workflows.runtime.registry import WORKFLOWS

REVIEWER, PASSWORD = "rita", "correct horse battery staple"
USERS = {REVIEWER: hash_password(PASSWORD)}


@dataclass
class WebStack:
    http: httpx.AsyncClient
    doors: Doors
    env: WorkflowEnvironment
    intake: FakeIntake
    triage: FakeTriage
    outreach: FakeOutreach

    async def login(self, user: str = REVIEWER, password: str = PASSWORD) -> httpx.Response:
        return await self.http.post(
            "/login", data={"username": user, "password": password, "next": "/review"}
        )


def activity_name(fn: object) -> str:
    """Both fakes define `notify_on_call`; one registration per name is allowed."""
    return activity._Definition.must_from_callable(fn).name  # type: ignore[arg-type]


def web_settings(**changes: object) -> WebSettings:
    return WebSettings(users=USERS, session_secret=SecretStr("test-secret"), **changes)  # type: ignore[arg-type]


@pytest_asyncio.fixture(loop_scope="session")
async def web(dev_env: WorkflowEnvironment, task_queue: str) -> AsyncIterator[WebStack]:
    intake, triage, outreach = FakeIntake(), FakeTriage(), FakeOutreach()
    activities = {
        activity_name(a): a
        for a in [*intake.activities(), *outreach.activities(), *triage.activities()]
    }
    doors = Doors(
        web_settings(),
        TemporalSettings(task_queue=task_queue),
        TriageSettings(),
        OutreachSettings(),
        dev_env.client,
        PRIVACY,
    )
    app = create_app(doors)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5555))
    async with (
        Worker(
            dev_env.client, task_queue=task_queue, workflows=WORKFLOWS,
            activities=list(activities.values()), plugins=[worker_plugin()],
        ),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
    ):  # fmt: skip
        yield WebStack(http, doors, dev_env, intake, triage, outreach)


@pytest_asyncio.fixture(loop_scope="session")
async def runs(web: WebStack) -> AsyncIterator[list[str]]:
    """Ids this test started; ended afterwards so later lists hold no stale runs."""
    started: list[str] = []
    yield started
    for workflow_id in started:
        handle = web.doors.client.get_workflow_handle(workflow_id)
        if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
            await handle.terminate("test finished")
