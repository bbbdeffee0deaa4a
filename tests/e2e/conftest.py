"""The `stack` fixture: a worker process per test, on its own task queue and data dir."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from tests.conftest import LoopbackSite
from tests.e2e.stack import ROOT, SITE, Stack


@pytest_asyncio.fixture(loop_scope="session")
async def stack(
    dev_env: WorkflowEnvironment, site: LoopbackSite, tmp_path: Path
) -> AsyncIterator[Stack]:
    site.html("/", (ROOT / f"examples/sites/{SITE}/index.html").read_text())
    running = Stack(dev_env.client, site, tmp_path)
    await running.start_worker()
    yield running
    await running.stop_worker()
