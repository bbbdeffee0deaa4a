"""What every workflow shares: mail and agent activity options, readable failure causes."""

from datetime import timedelta

from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

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
