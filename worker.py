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
from temporalio.client import Client
from temporalio.worker import Worker

from activities.factory import lead_intake_activities
from config.errors import problems
from config.settings import AppSettings, TemporalSettings, describe
from config.temporal import connect
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.sandbox import workflow_runner

log = logging.getLogger("flowdesk.worker")
WORKFLOWS = [LeadIntakeWorkflow]
SHUTDOWN_GRACE = timedelta(seconds=10)


def load_settings() -> tuple[TemporalSettings, AppSettings]:
    """Both settings groups, or exit 2 naming each bad variable (values are never echoed)."""
    loaded: list[TemporalSettings | AppSettings] = []
    bad: list[str] = []
    for group in (TemporalSettings, AppSettings):
        try:
            loaded.append(group())
        except ValidationError as err:
            bad += problems(err, field_prefix=str(group.model_config["env_prefix"]), upper=True)
    if bad:
        print("invalid configuration:\n  " + "\n  ".join(bad), file=sys.stderr)
        raise SystemExit(2)
    temporal, app = loaded
    assert isinstance(temporal, TemporalSettings) and isinstance(app, AppSettings)
    return temporal, app


def build_worker(client: Client, temporal: TemporalSettings, app: AppSettings) -> Worker:
    activities = lead_intake_activities(app)
    return Worker(
        client,
        task_queue=temporal.task_queue,
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(),
        activities=activities.all(),
        graceful_shutdown_timeout=SHUTDOWN_GRACE,
    )


async def main() -> None:
    temporal, app = load_settings()
    log.info("temporal settings: %s", describe(temporal))
    log.info("app settings: %s", describe(app))
    client = await connect(temporal)
    worker = build_worker(client, temporal, app)
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
