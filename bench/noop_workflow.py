"""The framework's ceiling: a workflow with as many activities as lead intake, doing nothing."""

from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

ACTIVITY_COUNT = 5  # enrich, upsert, score, send welcome, record outcome
NOOP_RETRY = RetryPolicy(maximum_attempts=1)


@activity.defn
async def noop(step: int) -> int:
    return step


@workflow.defn
class NoopWorkflow:
    @workflow.run
    async def run(self, steps: int) -> int:
        for step in range(steps):
            await workflow.execute_activity(
                noop, step, start_to_close_timeout=timedelta(seconds=10), retry_policy=NOOP_RETRY
            )
        return steps
