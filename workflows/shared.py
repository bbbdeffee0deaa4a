"""What every workflow shares: mail and agent activity options, readable failure causes,
and one way to run an activity whose failure leads to a fallback rather than a failed run."""

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.decision_log import DecisionLog

MAIL_TIMEOUT = timedelta(seconds=30)
MAIL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(seconds=60),
    maximum_attempts=5,
)
AGENT_TIMEOUT = timedelta(seconds=90)
AGENT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(seconds=20),
    maximum_attempts=3,
)
"""Agent calls: an endpoint that is down gets three tries, then the fallback branch runs."""


def failure_cause(err: ActivityError) -> str:
    """`Type: message` of the failure behind an activity error, for the decision log."""
    cause = err.cause
    if isinstance(cause, ApplicationError):
        return f"{cause.type}: {cause.message}" if cause.type else cause.message
    return str(cause) or type(cause).__name__


async def attempt(
    log: DecisionLog,
    step: str,
    on_failure: str,
    activity: Any,
    arg: Any,
    *,
    timeout: timedelta,
    retry: RetryPolicy,
    summary: str,
) -> Any:
    """The activity's result, or None once its retries are spent: the failure is logged
    under `step` as `on_failure` with its cause, and the caller takes its fallback."""
    try:
        return await workflow.execute_activity_method(
            activity, arg, start_to_close_timeout=timeout, retry_policy=retry, summary=summary
        )
    except ActivityError as err:
        log.add(step, on_failure, failure_cause(err))
        return None
