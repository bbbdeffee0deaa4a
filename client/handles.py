"""Reaching a run by its id alone, as a person holding only that id does, through typed
handles: every signal, update and query is named by the workflow's own method, so a
renamed handler fails here at import, not at a customer.

A reviewer copies a workflow id from a list or the UI; these calls find which process
the run belongs to, refuse a request that process does not take, and turn a workflow
refusing a request into input the person can correct rather than a failure.
"""

from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from client.errors import InputError
from models.lead import LeadIntakeStatus
from models.outreach import OutreachStatus, RescheduleAnswer, RescheduleRequest
from models.support import TriageStatus
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.support_triage import SupportTriageWorkflow

Reviewable = type[SupportTriageWorkflow] | type[LeadOutreachWorkflow]
REVIEWABLE: dict[str, Reviewable] = {
    SupportTriageWorkflow.__name__: SupportTriageWorkflow,
    LeadOutreachWorkflow.__name__: LeadOutreachWorkflow,
}
"""The processes a person approves, rejects or edits; both take the same three requests."""
Status = TriageStatus | OutreachStatus | LeadIntakeStatus


async def workflow_type(client: Client, workflow_id: str) -> str:
    try:
        return (await client.get_workflow_handle(workflow_id).describe()).workflow_type
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise InputError(f"no run {workflow_id}: never started, or expired") from err
        raise


async def _signal(handle: WorkflowHandle[Any, Any], method: Any, *args: Any) -> None:
    """A run that finished in the meantime takes no signal: that is the person's news,
    not a crash."""
    try:
        await handle.signal(method, args=list(args))
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise InputError(f"{handle.id} has already finished: nothing was sent") from err
        raise


async def _reviewable(
    client: Client, workflow_id: str
) -> tuple[WorkflowHandle[Any, Any], Reviewable]:
    kind = await workflow_type(client, workflow_id)
    if kind not in REVIEWABLE:
        raise InputError(f"{workflow_id} is a {kind}: it has nothing to approve or reject")
    return client.get_workflow_handle(workflow_id), REVIEWABLE[kind]


async def _outreach(client: Client, workflow_id: str) -> WorkflowHandle[Any, Any]:
    kind = await workflow_type(client, workflow_id)
    if kind != LeadOutreachWorkflow.__name__:
        raise InputError(f"{workflow_id} is a {kind}, not an outreach run")
    return client.get_workflow_handle_for(LeadOutreachWorkflow.run, workflow_id)


async def approve(client: Client, workflow_id: str, reviewer: str = "") -> None:
    handle, kind = await _reviewable(client, workflow_id)
    await _signal(handle, kind.approve, reviewer)


async def reject(client: Client, workflow_id: str, reason: str, reviewer: str = "") -> None:
    handle, kind = await _reviewable(client, workflow_id)
    await _signal(handle, kind.reject, reason, reviewer)


async def edit_and_approve(client: Client, workflow_id: str, body: str, reviewer: str = "") -> str:
    """The workflow's validator refusing the text is input to correct: `InputError`."""
    handle, kind = await _reviewable(client, workflow_id)
    return await _update(handle, "edit", kind.edit_and_approve, body, reviewer)


async def lead_replied(client: Client, workflow_id: str) -> None:
    await _signal(await _outreach(client, workflow_id), LeadOutreachWorkflow.lead_replied)


async def resume(client: Client, workflow_id: str, reviewer: str = "") -> None:
    await _signal(await _outreach(client, workflow_id), LeadOutreachWorkflow.resume, reviewer)


async def unsubscribe(client: Client, workflow_id: str) -> None:
    await _signal(await _outreach(client, workflow_id), LeadOutreachWorkflow.unsubscribe)


async def reschedule(
    client: Client, workflow_id: str, request: RescheduleRequest
) -> RescheduleAnswer:
    handle = await _outreach(client, workflow_id)
    return await _update(handle, "reschedule", LeadOutreachWorkflow.reschedule, request)


async def _update(handle: WorkflowHandle[Any, Any], what: str, method: Any, *args: Any) -> Any:
    """The validator refusing, or the run having finished, is the person's to correct."""
    try:
        return await handle.execute_update(method, args=list(args))
    except WorkflowUpdateFailedError as err:
        raise InputError(f"{what} refused: {refusal(err)}") from err
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise InputError(f"{handle.id} has already finished: {what} not applied") from err
        raise


def refusal(err: WorkflowUpdateFailedError) -> str:
    """The validator's own words, without the exception type it was raised as."""
    cause = err.cause
    return cause.message if isinstance(cause, ApplicationError) else str(cause)


STATUS_QUERIES: dict[str, tuple[Any, type[Status]]] = {
    SupportTriageWorkflow.__name__: (SupportTriageWorkflow.status, TriageStatus),
    LeadOutreachWorkflow.__name__: (LeadOutreachWorkflow.status, OutreachStatus),
    LeadIntakeWorkflow.__name__: (LeadIntakeWorkflow.status, LeadIntakeStatus),
}
"""Each process's status query and the model it answers with, by workflow type."""


async def query_status(
    handle: WorkflowHandle[Any, Any], kind: str, timeout: timedelta | None = None
) -> Status:
    """The status query of a run of workflow type `kind`; `timeout` bounds the wait for a
    worker to answer (a web request must not hang on a worker that is down)."""
    query, model = STATUS_QUERIES[kind]
    return await handle.query(query, result_type=model, rpc_timeout=timeout)


async def read_status(client: Client, workflow_id: str, timeout: timedelta | None = None) -> Status:
    """Any run's status query, as its process's model."""
    kind = await workflow_type(client, workflow_id)
    if kind not in STATUS_QUERIES:
        raise InputError(f"{workflow_id} is a {kind}, which this project does not run")
    return await query_status(client.get_workflow_handle(workflow_id), kind, timeout)
