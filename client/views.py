"""Lists a person works from, answered by Temporal's visibility store, not by each run.

Asking every run for its status does not scale and wakes workers; the workflows put
what these lists need (waiting for a person, next touch, tier, topic, score) into
search attributes, so a list is one visibility query.
"""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from temporalio.client import Client

from models import search_attributes as sa
from workflows.lead_outreach import LeadOutreachWorkflow

PENDING_QUERY = f'ExecutionStatus = "Running" AND {sa.NEEDS_HUMAN.name} = true'


async def pending_runs(client: Client) -> AsyncIterator[tuple[str, str]]:
    """A reviewer chooses what to open first by tier, topic and score, so each id comes
    with them."""
    async for run in client.list_workflows(PENDING_QUERY):
        found = run.typed_search_attributes
        if run.workflow_type == LeadOutreachWorkflow.__name__:
            what = f"outreach   tier {found.get(sa.LEAD_TIER) or '-'}"
        else:
            topic = found.get(sa.TICKET_TOPIC) or "-"
            what = f"ticket     {topic:<10} score {found.get(sa.TICKET_CONFIDENCE) or 0.0:.2f}"
        yield run.id, what


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
