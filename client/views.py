"""Lists a person works from, answered by Temporal's visibility store, not by each run.

Asking every run for its status does not scale and wakes workers; the workflows put
what these lists need (waiting for a person, next touch, tier, topic, score) into
search attributes, so a list is one visibility query.
"""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.client import Client, WorkflowExecution

PENDING_QUERY = 'ExecutionStatus = "Running" AND NeedsHuman = true'


def attribute(run: WorkflowExecution, name: str, default: Any) -> Any:
    return next((p.value for p in run.typed_search_attributes if p.key.name == name), default)


async def pending_runs(client: Client) -> AsyncIterator[tuple[str, str]]:
    """A reviewer chooses what to open first by tier, topic and score, so each id comes
    with them."""
    async for run in client.list_workflows(PENDING_QUERY):
        if run.workflow_type == "LeadOutreachWorkflow":
            what = f"outreach   tier {attribute(run, 'LeadTier', '-')}"
        else:
            topic = attribute(run, "TicketTopic", "-")
            what = f"ticket     {topic:<10} score {attribute(run, 'TicketConfidence', 0.0):.2f}"
        yield run.id, what


async def upcoming_touches(client: Client, hours: int) -> AsyncIterator[tuple[str, datetime]]:
    """Touches are due at durable timers inside each run; `NextTouchAt` mirrors the
    next one so the people behind a send can see it coming."""
    until = datetime.now(UTC) + timedelta(hours=hours)
    query = (
        'WorkflowType = "LeadOutreachWorkflow" AND ExecutionStatus = "Running" '
        f'AND NextTouchAt <= "{until.isoformat().replace("+00:00", "Z")}"'
    )
    async for run in client.list_workflows(query):
        yield run.id, attribute(run, "NextTouchAt", None)
