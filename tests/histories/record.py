"""Records the workflow histories the replay tests check; rerun only on purpose.

    .venv/bin/python -m tests.histories.record

A replay failure after a code change means in-flight runs would break: either keep
the old behaviour behind `workflow.patched(...)` or, when the change is intended and
no old runs exist, re-record and say so in the commit.
"""

import asyncio
import uuid
from pathlib import Path

from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from models.lead import LeadIntakeInput
from tests.conftest import start_test_server
from tests.workflows.fakes import FakeIntake, make_lead
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.sandbox import workflow_runner

HERE = Path(__file__).parent


async def _record(client: Client, name: str, fake: FakeIntake, request: LeadIntakeInput) -> None:
    task_queue = f"record-{uuid.uuid4()}"
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[LeadIntakeWorkflow],
        activities=fake.activities(),
        workflow_runner=workflow_runner(),
    ):
        handle = await client.start_workflow(
            LeadIntakeWorkflow.run, request, id=f"lead-{name}", task_queue=task_queue
        )
        await handle.result()
    history = await handle.fetch_history()
    (HERE / f"{name}.json").write_text(history.to_json())
    print(f"recorded {name}.json")


async def main() -> None:
    env = await start_test_server()
    try:
        await _record(
            env.client, "lead_intake_happy", FakeIntake(), LeadIntakeInput(lead=make_lead())
        )
        fallback = FakeIntake()
        fallback.enrich_error = ApplicationError("site down", type="Transient")
        fallback.mail_error = ApplicationError(
            "relay refused", type="MailRejected", non_retryable=True
        )
        await _record(
            env.client, "lead_intake_fallbacks", fallback, LeadIntakeInput(lead=make_lead())
        )
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
