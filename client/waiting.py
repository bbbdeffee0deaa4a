"""A door that started a run shows where it got to, without blocking on runs that last days.

Triage and outreach wait for people and calendars, so their result may be days away;
what a person at the door wants is the first stage worth reporting: sent, closed, or
waiting for someone.
"""

import asyncio
from collections.abc import Callable
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.service import RPCError

from client.errors import InputError
from models.outreach import OutreachStatus
from models.support import TriageStatus
from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.support_triage import SupportTriageWorkflow

OUTREACH_SETTLED = {"awaiting_approval", "scheduled", "following_up"}


async def wait_for_stage(
    handle: WorkflowHandle[Any, Any],
    query: Callable[..., Any],
    status_type: type[Any],
    settled: Callable[[Any], bool],
    timeout_s: float = 600,
) -> Any:
    """Poll the `query` (a workflow's `status` method) until `settled(status)`: sent,
    closed or waiting for someone."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    stage = "not answering queries"
    while asyncio.get_running_loop().time() < deadline:
        try:
            status = await handle.query(query, result_type=status_type)
        except RPCError:  # a workflow task is failing or no worker is up yet: keep polling
            status = None
        if status is not None and settled(status):
            return status
        stage = status.stage if status is not None else stage
        await asyncio.sleep(0.5)
    raise InputError(f"{handle.id} still {stage} after {timeout_s:.0f}s; see the UI")


async def wait_for_decision(handle: WorkflowHandle[Any, Any]) -> TriageStatus:
    return await wait_for_stage(
        handle,
        SupportTriageWorkflow.status,
        TriageStatus,
        lambda s: s.stage in ("awaiting_human", "done"),
    )


async def wait_for_outreach(
    handle: WorkflowHandle[Any, Any], after_approval: bool = False
) -> OutreachStatus:
    """Until the first touch is scheduled, waits for approval, or the run has ended."""
    settled = OUTREACH_SETTLED - ({"awaiting_approval"} if after_approval else set())
    return await wait_for_stage(
        handle,
        LeadOutreachWorkflow.status,
        OutreachStatus,
        lambda s: s.stage in settled or s.outcome is not None,
    )


async def wait_for_sent_touch(handle: WorkflowHandle[Any, Any]) -> OutreachStatus:
    """Until a touch went out and the next one is planned, or the run has ended."""
    return await wait_for_stage(
        handle,
        LeadOutreachWorkflow.status,
        OutreachStatus,
        lambda s: bool(s.sent) and s.next_touch is not None or s.outcome is not None,
    )
