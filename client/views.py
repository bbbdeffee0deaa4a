"""What a person works from: lists answered by Temporal's visibility store, and one run
read in full.

Asking every run for its status does not scale and wakes workers; the workflows put
what a list filters on (waiting for a person, next touch, tier, topic, score) into
search attributes, so a list is one visibility query. Why a run is held and when its
SLA falls due live in the run itself (its status query and its start input), so a
reviewer's page of at most `PAGE` runs reads each one; a run whose worker does not
answer still lists, marked as such, rather than stalling the page.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from temporalio.client import Client, WorkflowExecution, WorkflowHandle, WorkflowQueryFailedError
from temporalio.service import RPCError

from client import handles
from client.errors import InputError
from models import search_attributes as sa
from models.common import Decision
from models.outreach import OutreachInput, OutreachStatus
from models.support import TriageInput, TriageStatus
from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.runtime.review import OPENED
from workflows.support_triage import SupportTriageWorkflow

PENDING_QUERY = f'ExecutionStatus = "Running" AND {sa.NEEDS_HUMAN.name} = true'
PAGE = 50
UNREADABLE = (RuntimeError, KeyError, ValueError)
"""What decoding a run's input raises when its payloads are sealed under a key this
process does not have (or no longer fit the model)."""
QUERY_TIMEOUT = timedelta(seconds=3)
"""A run whose worker is down must not hold a whole page for the server's long deadline."""
Kind = Literal["ticket", "outreach"]
KINDS: dict[str, Kind] = {
    SupportTriageWorkflow.__name__: "ticket",
    LeadOutreachWorkflow.__name__: "outreach",
}
WORKFLOW_TYPES: dict[Kind, str] = {kind: name for name, kind in KINDS.items()}


@dataclass(frozen=True)
class WaitingRun:
    """A row of the reviewer's list, from the run's search attributes alone."""

    workflow_id: str
    kind: Kind
    started: datetime
    topic: str | None
    tier: str | None
    score: float | None


@dataclass(frozen=True)
class RunView:
    """One run as a reviewer reads it: its start input and, when a worker answered, its
    status (None otherwise)."""

    workflow_id: str
    kind: Kind
    request: TriageInput | OutreachInput
    status: TriageStatus | OutreachStatus | None

    @property
    def waiting(self) -> bool:
        if isinstance(self.status, TriageStatus):
            return self.status.stage == "awaiting_human"
        return self.status is not None and self.status.needs_human

    @property
    def holds(self) -> list[str]:
        status = self.status
        if isinstance(status, TriageStatus):
            return status.evaluation.policy_hold if status.evaluation else []
        return status.check.holds if status is not None and status.check else []

    @property
    def reasons(self) -> list[str]:
        status = self.status
        if isinstance(status, TriageStatus):
            return status.evaluation.reasons if status.evaluation else []
        return status.check.reasons if status is not None and status.check else []

    @property
    def why_held(self) -> str:
        """The first hold; else the last reason (the score against the threshold, or the
        tier rule); else what the log said when the review opened."""
        opened = self._opened()
        fallback = opened.reason if opened else "-"
        return next(iter(self.holds), self.reasons[-1] if self.reasons else fallback)

    @property
    def review_opened(self) -> datetime | None:
        opened = self._opened()
        return opened.at if opened else None

    @property
    def sla_due(self) -> datetime | None:
        """Deterministic: the workflow time the review opened (its decision-log entry, the
        same instant its SLA timer starts) plus the run's own `options.sla`."""
        opened = self.review_opened
        return opened + self.request.options.sla if opened else None

    @property
    def final_due(self) -> datetime | None:
        opened = self.review_opened
        return opened + self.request.options.final_deadline if opened else None

    def _opened(self) -> Decision | None:
        decisions = self.status.decisions if self.status is not None else []
        entries = [d for d in decisions if (d.step, d.outcome) == ("review", OPENED)]
        return entries[-1] if entries else None


def _waiting(run: WorkflowExecution) -> WaitingRun | None:
    kind = KINDS.get(run.workflow_type)
    if kind is None:
        return None
    found = run.typed_search_attributes
    return WaitingRun(
        workflow_id=run.id, kind=kind, started=run.start_time, topic=found.get(sa.TICKET_TOPIC),
        tier=found.get(sa.LEAD_TIER), score=found.get(sa.TICKET_CONFIDENCE),
    )  # fmt: skip


async def waiting_runs(client: Client, limit: int = PAGE) -> list[WaitingRun]:
    """Runs waiting for a person, newest first: one visibility query."""
    found = [_waiting(run) async for run in client.list_workflows(PENDING_QUERY, limit=limit)]
    return sorted((w for w in found if w), key=lambda w: w.started, reverse=True)


async def pending_runs(client: Client) -> AsyncIterator[tuple[str, str]]:
    """A reviewer chooses what to open first by tier, topic and score, so each id comes
    with them."""
    async for run in client.list_workflows(PENDING_QUERY):
        waiting = _waiting(run)
        if waiting is None:
            continue
        if waiting.kind == "outreach":
            what = f"outreach   tier {waiting.tier or '-'}"
        else:
            what = f"ticket     {waiting.topic or '-':<10} score {waiting.score or 0.0:.2f}"
        yield run.id, what


async def read_run(client: Client, workflow_id: str) -> RunView | None:
    """The run with this id, or None when there is none a person reviews (or none this
    process can decode)."""
    try:
        kind = KINDS.get(await handles.workflow_type(client, workflow_id))
    except InputError:
        return None
    handle = client.get_workflow_handle(workflow_id)
    return None if kind is None else await _readable(client, handle, kind)


async def read_waiting(client: Client, runs: list[WaitingRun]) -> list[RunView | None]:
    """Each listed run read in full, all at once: a page waits for its slowest run (at
    most `QUERY_TIMEOUT` when a worker is down), not for the sum of them. None for a run
    this process cannot decode (sealed under a payload key it was not given): the run
    still lists, so held work never disappears from the inbox."""
    return list(
        await asyncio.gather(
            *(_readable(client, client.get_workflow_handle(r.workflow_id), r.kind) for r in runs)
        )
    )


async def _readable(client: Client, handle: WorkflowHandle[Any, Any], kind: Kind) -> RunView | None:
    try:
        return await _view(client, handle, kind)
    except UNREADABLE:
        return None


async def _view(client: Client, handle: WorkflowHandle[Any, Any], kind: Kind) -> RunView:
    request = await start_input(client, handle, TriageInput if kind == "ticket" else OutreachInput)
    return RunView(handle.id, kind, request, await query_status(handle, kind))


async def start_input(client: Client, handle: WorkflowHandle[Any, Any], as_type: type) -> Any:
    """The run's start input from the first event of its history: what the run was
    given (the inbound email, the lead), read without a worker or a workflow change."""
    async for event in handle.fetch_history_events(page_size=1):
        payloads = event.workflow_execution_started_event_attributes.input
        return (await client.data_converter.decode_wrapper(payloads, [as_type]))[0]
    raise LookupError(f"{handle.id} has no history")


async def query_status(handle: WorkflowHandle[Any, Any], kind: Kind) -> Any:
    """The run's status query, or None when no worker answers in `QUERY_TIMEOUT`."""
    try:
        return await handles.query_status(handle, WORKFLOW_TYPES[kind], QUERY_TIMEOUT)
    except (RPCError, WorkflowQueryFailedError):
        return None


async def upcoming_touches(client: Client, hours: int) -> AsyncIterator[tuple[str, datetime]]:
    """Touches are due at durable timers inside each run; `NextTouchAt` mirrors the
    next one so the people behind a send can see it coming."""
    until = datetime.now(UTC) + timedelta(hours=hours)
    query = (
        f'WorkflowType = "{LeadOutreachWorkflow.__name__}" AND ExecutionStatus = "Running" '
        f'AND {sa.NEXT_TOUCH_AT.name} <= "{until.isoformat().replace("+00:00", "Z")}"'
    )
    async for run in client.list_workflows(query):
        due = run.typed_search_attributes.get(sa.NEXT_TOUCH_AT)
        if due is not None:
            yield run.id, due
