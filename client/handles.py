"""Reaching a run by its id alone, as a person holding only that id does.

A reviewer copies a workflow id from a list or the UI; these calls reach the run by
that id and by message name, and turn a workflow refusing a request into input the
person can correct rather than a failure.
"""

from typing import Any

from temporalio.client import Client, WorkflowUpdateFailedError

from client.errors import InputError
from models.support import TriageStatus
from workflows.support_triage import SupportTriageWorkflow


async def signal(client: Client, workflow_id: str, name: str, *arg: Any) -> None:
    """Signals go by name: `approve` and `reject` mean the same to tickets and outreach."""
    await client.get_workflow_handle(workflow_id).signal(name, *arg)


async def update(
    client: Client, workflow_id: str, name: str, arg: Any, result_type: type[Any], what: str
) -> Any:
    """An update by name; the workflow's validator refusing it is input error, exit 2."""
    try:
        return await client.get_workflow_handle(workflow_id).execute_update(
            name, arg, result_type=result_type
        )
    except WorkflowUpdateFailedError as err:
        raise InputError(f"{what} refused: {err.cause}") from err


async def read_status(client: Client, workflow_id: str, typed: bool = True) -> Any:
    """A ticket's status as its model, so it can be summarized for a person; with
    `typed=False`, and for any other run, the raw status query."""
    handle = client.get_workflow_handle(workflow_id)
    kind = (await handle.describe()).workflow_type
    if kind == SupportTriageWorkflow.__name__ and typed:
        return await handle.query(SupportTriageWorkflow.status, result_type=TriageStatus)
    return await handle.query("status")
