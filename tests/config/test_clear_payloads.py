"""A client without the payload keys cannot steer a run: its signal arrives in clear and
the worker, whose codec refuses clear payloads, drops it; the run is as it was."""

import uuid
from datetime import timedelta

import pytest
from temporalio import workflow
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from config.temporal import data_converter
from tests.privacy import PRIVACY
from workflows.runtime.plugin import worker_plugin


@workflow.defn(sandboxed=False)
class HeldWorkflow:
    """Waits for a reviewer's text, as a held ticket does."""

    def __init__(self) -> None:
        self.approved_text: str | None = None

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self.approved_text is not None)
        return self.approved_text or ""

    @workflow.signal
    def approve(self, text: str) -> None:
        self.approved_text = text

    @workflow.query
    def text(self) -> str | None:
        return self.approved_text


@pytest.mark.parametrize(("migrating", "seen"), [(False, None), (True, "forged text")])
async def test_a_signal_sent_in_clear_is_dropped(
    dev_env: WorkflowEnvironment, migrating: bool, seen: str | None
):
    """Only the migration switch (`FLOWDESK_ACCEPT_CLEAR_PAYLOADS`) lets it in."""
    privacy = PRIVACY.model_copy(update={"accept_clear_payloads": migrating})
    target = dev_env.client.service_client.config.target_host
    keyed = await Client.connect(target, data_converter=data_converter(privacy))
    keyless = await Client.connect(target, data_converter=pydantic_data_converter)
    queue = f"tq-{uuid.uuid4()}"
    async with Worker(keyed, task_queue=queue, workflows=[HeldWorkflow], plugins=[worker_plugin()]):
        handle = await keyed.start_workflow(
            HeldWorkflow.run, id=f"held-{uuid.uuid4()}", task_queue=queue
        )
        await keyless.get_workflow_handle(handle.id).signal(HeldWorkflow.approve, "forged text")
        assert await handle.query(HeldWorkflow.text) == seen
        if seen is None:
            await handle.signal(HeldWorkflow.approve, "the reviewer's text")
            assert await handle.result(rpc_timeout=timedelta(seconds=30)) == "the reviewer's text"
