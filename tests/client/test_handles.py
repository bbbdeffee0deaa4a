"""Deciding on a run that has finished, or that never existed, is news for the person,
not a traceback: the typed handles answer with `InputError` (the CLI's exit 2)."""

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from client import handles
from client.errors import InputError
from models.support import TriageInput
from tests.workflows.triage_fakes import FakeTriage, billing_email
from workflows.runtime.plugin import worker_plugin
from workflows.runtime.registry import WORKFLOWS
from workflows.support_triage import SupportTriageWorkflow


async def test_a_finished_ticket_takes_no_decision(env: WorkflowEnvironment, task_queue: str):
    async with Worker(
        env.client, task_queue=task_queue, workflows=WORKFLOWS,
        activities=FakeTriage().activities(), plugins=[worker_plugin()],
    ):  # fmt: skip
        handle = await env.client.start_workflow(
            SupportTriageWorkflow.run, TriageInput(email=billing_email()),
            id="ticket-00000000000000aa", task_queue=task_queue,
        )  # fmt: skip
        assert (await handle.result()).outcome == "auto_sent"

    with pytest.raises(InputError, match="already finished"):
        await handles.approve(env.client, handle.id, "rita")
    with pytest.raises(InputError, match="already finished"):
        await handles.reject(env.client, handle.id, "late", "rita")
    with pytest.raises(InputError, match="already finished"):
        await handles.edit_and_approve(env.client, handle.id, "Hi Kim", "rita")


async def test_an_unknown_run_is_named(env: WorkflowEnvironment):
    with pytest.raises(InputError, match="no run ticket-ffffffffffffffff"):
        await handles.approve(env.client, "ticket-ffffffffffffffff")
