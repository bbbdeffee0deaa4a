"""Running LeadOutreachWorkflow in tests: a worker on fakes, a start, a wait for a stage."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.lead import LeadSubmission
from models.outreach import BusinessHours, OutreachInput, OutreachOptions, OutreachResult
from tests.workflows.fakes import make_lead
from tests.workflows.outreach_fakes import FakeOutreach
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.runtime.plugin import worker_plugin

NEW_YORK = BusinessHours(timezone="America/New_York")
AUTO = OutreachOptions(hours=NEW_YORK, human_tiers=[], touches_per_run=1)
Handle = WorkflowHandle[LeadOutreachWorkflow, OutreachResult]


def worker(env: WorkflowEnvironment, task_queue: str, fake: FakeOutreach) -> Worker:
    return Worker(
        env.client,
        task_queue=task_queue,
        workflows=[LeadOutreachWorkflow, LeadIntakeWorkflow],
        activities=fake.activities(),
        plugins=[worker_plugin()],
        max_cached_workflows=0,
    )


async def start(
    env: WorkflowEnvironment,
    task_queue: str,
    options: OutreachOptions,
    lead: LeadSubmission | None = None,
) -> Handle:
    return await env.client.start_workflow(
        LeadOutreachWorkflow.run,
        OutreachInput(lead=lead or make_lead(), options=options),
        id=f"outreach-{uuid.uuid4()}",
        task_queue=task_queue,
    )


async def reach(env: WorkflowEnvironment, handle: Handle, *stages: str) -> None:
    """Poll the status query, letting a little workflow time pass, until a stage is reached."""
    for _ in range(200):
        if (await handle.query(LeadOutreachWorkflow.status)).stage in stages:
            return
        await env.sleep(timedelta(seconds=1))
    raise AssertionError(f"outreach never reached {stages}")


def in_business_hours(moment: datetime, hours: BusinessHours) -> bool:
    local = moment.astimezone(ZoneInfo(hours.timezone))
    return local.weekday() < 5 and hours.start_hour <= local.hour < hours.end_hour
