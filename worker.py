"""The worker: hosts every workflow and activity of this project on one task queue.

Configuration comes from the environment (see README); invalid settings stop start-up
with a message naming the variable. SIGTERM/SIGINT drain in-flight activities, then exit.
"""

import asyncio
import logging
import signal
import sys
from datetime import timedelta

from pydantic import ValidationError
from pydantic_settings import BaseSettings
from temporalio.client import Client
from temporalio.worker import Worker

from activities.factory import knowledge_base, lead_intake_activities, support_triage_activities
from activities.knowledge_base import KnowledgeBase
from config.errors import problems
from config.settings import AppSettings, LlmSettings, TemporalSettings, TriageSettings, describe
from config.temporal import connect
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.sandbox import workflow_runner
from workflows.support_triage import SupportTriageWorkflow

log = logging.getLogger("flowdesk.worker")
WORKFLOWS = [LeadIntakeWorkflow, SupportTriageWorkflow]
SHUTDOWN_GRACE = timedelta(seconds=10)


def load_settings() -> tuple[TemporalSettings, AppSettings, LlmSettings, TriageSettings]:
    """Every settings group, or exit 2 naming each bad variable (values are never echoed)."""
    loaded: list[BaseSettings] = []
    bad: list[str] = []
    for group in (TemporalSettings, AppSettings, LlmSettings, TriageSettings):
        try:
            loaded.append(group())
        except ValidationError as err:
            bad += problems(
                err, field_prefix=str(group.model_config.get("env_prefix", "")), upper=True
            )
    if bad:
        print("invalid configuration:\n  " + "\n  ".join(bad), file=sys.stderr)
        raise SystemExit(2)
    temporal, app, llm, triage = loaded
    assert isinstance(temporal, TemporalSettings) and isinstance(app, AppSettings)
    assert isinstance(llm, LlmSettings) and isinstance(triage, TriageSettings)
    return temporal, app, llm, triage


def build_worker(
    client: Client,
    temporal: TemporalSettings,
    app: AppSettings,
    llm: LlmSettings,
    kb: KnowledgeBase,
) -> Worker:
    return Worker(
        client,
        task_queue=temporal.task_queue,
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(),
        activities=[
            *lead_intake_activities(app).all(),
            *support_triage_activities(app, llm, kb).all(),
        ],
        graceful_shutdown_timeout=SHUTDOWN_GRACE,
    )


async def main() -> None:
    temporal, app, llm, triage = load_settings()
    for group in (temporal, app, llm, triage):
        log.info("%s: %s", type(group).__name__, describe(group))
    kb, report = knowledge_base(app, triage)
    log.info(report)
    client = await connect(temporal)
    worker = build_worker(client, temporal, app, llm, kb)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        log.info("worker polling task queue %r on %s", temporal.task_queue, temporal.address)
        await stop.wait()
        log.info("shutting down: finishing in-flight tasks")
    log.info("worker stopped")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(main())
