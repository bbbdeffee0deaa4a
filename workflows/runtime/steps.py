"""How every workflow calls an activity (named option bundles, one way to fall back, one
token budget) and starts a child run that outlives it.

Each kind of work (an agent call, a mail send, a CRM write...) has one bundle of
timeout, retry policy and heartbeat, so the same work is retried the same way in
every workflow and a change to it is made once. `attempt` is the one place where an
activity's failure turns into a logged decision and a fallback (`None`) instead of a
failed run; `run_step` is for the few steps whose failure must fail the run or is
left to the retry policy alone.
"""

from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    WorkflowAlreadyStartedError,
)
from temporalio.exceptions import (
    TimeoutError as StepTimeout,
)
from temporalio.workflow import ActivityConfig

from workflows.runtime.decision_log import DecisionLog

with workflow.unsafe.imports_passed_through():
    from models.agent_output import CallRecord

BAD_INPUT: list[type[BaseException]] = [ValidationError]
"""Every workflow fails its run, clearly, on input its models refuse (a run started
around the front doors, e.g. with a 100,000-character body), instead of retrying a
workflow task that can never succeed. The message names the field, never its value
(`Strict` hides input in errors)."""


def _bundle(
    timeout: timedelta, retry: RetryPolicy, heartbeat: timedelta | None = None
) -> ActivityConfig:
    """`heartbeat` only for activities that heartbeat (`activities.wrapping.heartbeating`):
    a dead worker is then noticed within it instead of after the whole timeout."""
    return ActivityConfig(
        start_to_close_timeout=timeout, retry_policy=retry, heartbeat_timeout=heartbeat
    )


AGENT = _bundle(
    timeout=timedelta(seconds=90),
    heartbeat=timedelta(seconds=30),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=timedelta(seconds=20),
        maximum_attempts=3,
    ),
)
"""An LLM call: an endpoint that is down gets three tries, then the fallback branch runs."""
RESEARCH = AGENT | ActivityConfig(start_to_close_timeout=timedelta(minutes=3))
"""Reading a few web pages, then an LLM call on them."""
MAIL = _bundle(
    timeout=timedelta(seconds=30),
    heartbeat=timedelta(seconds=10),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=timedelta(seconds=60),
        maximum_attempts=5,
    ),
)
"""A send, or a mailbox read: it heartbeats, so a send stuck past a dead worker is
noticed in seconds and retried under its idempotency key, not sent twice after a
timeout."""
CRM = _bundle(
    timeout=timedelta(seconds=15),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(seconds=20),
        maximum_attempts=5,
    ),
)
"""The record of truth: worth more patience than a lookup."""
ROUTING = _bundle(
    timeout=CRM["start_to_close_timeout"],
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(minutes=5),
        maximum_attempts=0,
    ),
)
"""The mail router's CRM reads and suppressions: the sender was told 250, so the message
exists only in the router's history; it waits for the CRM as long as it takes rather
than fail and lose it."""
ENRICH = _bundle(
    timeout=timedelta(seconds=30),
    heartbeat=timedelta(seconds=5),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(seconds=5),
        maximum_attempts=3,
    ),
)
ON_WORKER = _bundle(timeout=timedelta(seconds=15), retry=RetryPolicy(maximum_attempts=3))
"""Work on the worker itself (scoring, policy screening, the knowledge-base index): a
local activity where a workflow can run one (`run_step(local=True)`), a regular one in runs
started before that."""
TOKEN_BUDGET = "token-budget"
"""Runs started before the budget never skipped an agent step for it."""


StepFailed = (ActivityError, ApplicationError, StepTimeout)
"""How a step's final failure reaches the workflow: an `ActivityError` for an activity,
the failure itself (an application error or a timeout) for a local activity."""


def failure_cause(err: ActivityError | ApplicationError | StepTimeout) -> str:
    """`Type: message` of the failure behind an activity error, for the decision log."""
    cause = err.cause if isinstance(err, ActivityError) else err
    if isinstance(cause, ApplicationError):
        return f"{cause.type}: {cause.message}" if cause.type else cause.message
    return str(cause) or type(cause).__name__


async def start_child_once(run: Any, arg: Any, *, workflow_id: str, summary: str) -> bool:
    """Start a child run that outlives its parent (abandoned on close), at most once per
    id: True when this call started it, False when a run with the id already existed
    (even closed), so a retried or redelivered message starts nothing twice."""
    try:
        await workflow.start_child_workflow(
            run,
            arg,
            id=workflow_id,
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            static_summary=summary,
        )
    except WorkflowAlreadyStartedError:
        return False
    return True


async def run_step(
    activity: Any, arg: Any, *, config: ActivityConfig, summary: str, local: bool = False
) -> Any:
    """The activity's result under `config`; its final failure propagates. `local` runs
    it as a local activity: by the worker that runs the workflow task, without a round
    trip through the server's task queue. For short work on the worker itself (a SQLite
    write, rule scoring) whose retries fit inside the workflow task; such a bundle has
    no heartbeat (a local activity cannot heartbeat, so one that needs it is refused)."""
    if local:
        if config.get("heartbeat_timeout") is not None:
            raise ValueError(f"{summary}: a local step cannot heartbeat")
        return await workflow.execute_local_activity(
            activity,
            arg,
            start_to_close_timeout=config["start_to_close_timeout"],
            retry_policy=config["retry_policy"],
            summary=summary,
        )
    return await workflow.execute_activity(activity, arg, **config, summary=summary)


async def attempt(
    activity: Any,
    arg: Any,
    *,
    config: ActivityConfig,
    summary: str,
    log: DecisionLog,
    step: str,
    on_failure: str,
    local: bool = False,
) -> Any:
    """The activity's result, or None once its retries are spent: the failure is logged
    under `step` as `on_failure` with its cause, and the caller takes its fallback."""
    try:
        return await run_step(activity, arg, config=config, summary=summary, local=local)
    except StepFailed as err:
        log.add(step, on_failure, failure_cause(err))
        return None


def budget_spent(log: DecisionLog, step: str, calls: list[CallRecord], budget: int) -> bool:
    """True when the run's agent calls (as their activities reported them) have used its
    token budget: the step is skipped, logged with the budget and the tokens used, and
    the caller takes the same fallback as for a failed agent step. Checked before each
    step, so the step that crosses the budget completes and no later one starts."""
    used = sum(call.usage.total_tokens for call in calls)
    if used < budget or not workflow.patched(TOKEN_BUDGET):
        return False
    log.add(step, "skipped: token budget spent", f"{used} tokens used, budget {budget}")
    return True
