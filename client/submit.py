"""Submitting twice must not run twice: a resent form or a redelivered mail is one run.

The workflow id is a keyed hash of the input (`FLOWDESK_ID_SECRET`): no personal data
in clear, and no way to find someone's run from their address without the key; and
Temporal refuses a second start with the same id; the caller learns about the run that
already exists instead of starting another.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from models.lead import LeadIntakeInput, LeadSubmission, lead_workflow_id
from models.outreach import OutreachInput
from models.routing import (
    ROUTER_SUMMARY,
    OneClickRequest,
    RouteOptions,
    RouteRequest,
    router_workflow_id,
)
from models.support import (
    TICKET_SUMMARY,
    InboundEmail,
    TriageInput,
    TriageOptions,
    ticket_workflow_id,
)
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.mail_router import MailRouterWorkflow
from workflows.support_triage import SupportTriageWorkflow
from workflows.suppressing import UNSUBSCRIBE_SUMMARY, UnsubscribeWorkflow


@dataclass
class Submitted:
    """A person resubmitting must hear that their run already exists, and in what state,
    rather than a silent success or an error."""

    handle: WorkflowHandle[Any, Any]
    existing: bool
    status: WorkflowExecutionStatus | None


def outreach_workflow_id(lead: LeadSubmission, key: bytes) -> str:
    """Same submission, same outreach run: the lead-intake id with its own prefix."""
    return "outreach-" + lead_workflow_id(lead, key).removeprefix("lead-")


async def start_once(
    client: Client, run: Callable[..., Awaitable[Any]], arg: Any, workflow_id: str, **kwargs: Any
) -> Submitted:
    """Start a run, or report the one this same input already started (same id)."""
    try:
        handle = await client.start_workflow(
            run,
            arg,
            id=workflow_id,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            **kwargs,
        )
        return Submitted(handle, existing=False, status=None)
    except WorkflowAlreadyStartedError:
        handle = client.get_workflow_handle_for(run, workflow_id)  # type: ignore[arg-type]
        return Submitted(handle, existing=True, status=(await handle.describe()).status)


async def submit_lead(
    client: Client, task_queue: str, lead: LeadSubmission, key: bytes
) -> Submitted:
    return await start_once(
        client,
        LeadIntakeWorkflow.run,
        LeadIntakeInput(lead=lead),
        lead_workflow_id(lead, key),
        task_queue=task_queue,
        static_summary=f"Lead intake via {lead.source}",
    )


async def submit_ticket(
    client: Client, task_queue: str, email: InboundEmail, options: TriageOptions, key: bytes
) -> Submitted:
    return await start_once(
        client,
        SupportTriageWorkflow.run,
        TriageInput(email=email, options=options),
        ticket_workflow_id(email, key),
        task_queue=task_queue,
        static_summary=TICKET_SUMMARY,
    )


async def submit_mail(
    client: Client, task_queue: str, email: InboundEmail, options: RouteOptions, key: bytes
) -> Submitted:
    """Inbound mail goes to the router, which finds the run it belongs to (or starts a
    ticket); a redelivered message finds its router run and starts nothing."""
    return await start_once(
        client,
        MailRouterWorkflow.run,
        RouteRequest(email=email, options=options),
        router_workflow_id(email, key),
        task_queue=task_queue,
        static_summary=ROUTER_SUMMARY,
    )


async def submit_outreach(
    client: Client, task_queue: str, request: OutreachInput, key: bytes
) -> Submitted:
    return await start_once(
        client,
        LeadOutreachWorkflow.run,
        request,
        outreach_workflow_id(request.lead, key),
        task_queue=task_queue,
        static_summary=f"Outreach via {request.lead.source}",
    )


async def submit_unsubscribe(
    client: Client, task_queue: str, workflow_id: str
) -> WorkflowHandle[Any, Any]:
    """A one-click unsubscribe for the run whose signed link was used. A click while that
    run is under way (a mail client that posts twice) joins it; a click after it ended
    runs it again, so an address a person took off the list is listed again when its
    owner unsubscribes again. Suppressing a listed address changes nothing."""
    return await client.start_workflow(
        UnsubscribeWorkflow.run,
        OneClickRequest(workflow_id=workflow_id),
        id=f"unsubscribe-{workflow_id}",
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary=UNSUBSCRIBE_SUMMARY,
    )
