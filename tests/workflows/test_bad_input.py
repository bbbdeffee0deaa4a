"""A run started around the front doors with input its models refuse fails at once and
says which field, without quoting the value: no workflow task retried forever."""

import uuid

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.workflows.triage_fakes import FakeTriage
from workflows.runtime.plugin import worker_plugin
from workflows.runtime.registry import WORKFLOWS

SECRET = "card 4111 1111 1111 1111 "


@pytest.mark.parametrize(
    ("workflow", "arg", "field"),
    [
        ("SupportTriageWorkflow", {"email": {"sender": "a@b.example", "body": SECRET * 5000}},
         "email.body"),
        ("SupportTriageWorkflow", {"email": {"sender": SECRET}}, "email.sender"),
        ("LeadIntakeWorkflow", {"lead": {"name": SECRET}}, "lead.email"),
        ("LeadOutreachWorkflow", {"lead": {"email": SECRET}}, "lead.email"),
    ],
)  # fmt: skip
async def test_refused_input_fails_the_run_naming_the_field(
    env: WorkflowEnvironment, task_queue: str, workflow: str, arg: dict, field: str
):
    async with Worker(
        env.client, task_queue=task_queue, workflows=WORKFLOWS,
        activities=FakeTriage().activities(), plugins=[worker_plugin()],
    ):  # fmt: skip
        handle = await env.client.start_workflow(
            workflow, arg, id=f"bad-{uuid.uuid4()}", task_queue=task_queue
        )
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()

    message = str(failed.value.cause)
    assert "ValidationError" in message and field in message
    assert "4111" not in message
