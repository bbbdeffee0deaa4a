"""Throughput of lead intake against the framework's ceiling, on one real dev server.

    .venv/bin/python bench/throughput.py [--count N] [--concurrency C]

Runs N lead intakes with the real adapters (demo website served on loopback, SQLite
CRM, Maildir outbox) and N no-op workflows with the same number of activities, each
batch with at most C runs in flight, on the same freshly started dev server and
in-process worker. Prints workflows/s and p50/p95 start-to-result latency for both,
and the ratio, as JSON. The website is served by a process of its own, as a company's
site is elsewhere: served from a thread of the worker's process it took the worker's
interpreter lock for every page.
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from noop_workflow import ACTIVITY_COUNT, NoopWorkflow, noop
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.lead_intake import LeadIntakeActivities
from activities.postbox import Postbox
from adapters.crm.crm import Crm, SqliteCrm
from adapters.mail.mail import MaildirTransport
from adapters.mail.unsubscribe_links import UnsubscribeLinks
from adapters.web.enrichment import WebsiteEnrichment
from adapters.web.safe_fetch import FetchPolicy, SafeFetcher
from devstack.processes import free_port, wait_for_port
from models import search_attributes
from models.lead import LeadIntakeInput, LeadSubmission
from policy.scoring import ScoringConfig
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.runtime.plugin import worker_plugin

ROOT = Path(__file__).resolve().parents[1]
HOST = "northwind-robotics.example"


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def measure(
    count: int, concurrency: int, run_one: Callable[[int], Awaitable[object]]
) -> dict[str, float]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def timed(index: int) -> None:
        async with gate:
            started = time.perf_counter()
            await run_one(index)
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(timed(i) for i in range(count)))
    wall = time.perf_counter() - began
    return {
        "workflows_per_s": round(count / wall, 2),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "wall_s": round(wall, 2),
    }


def intake_activities(data: Path, crm: Crm) -> LeadIntakeActivities:
    """The real adapters, with the demo site's host pinned to loopback."""
    policy = FetchPolicy(allow_hosts=frozenset({HOST}), static_hosts={HOST: "127.0.0.1"})
    outbox = MaildirTransport(data / "outbox", "Flowdesk <hello@flowdesk.example>")
    # a welcome offers no unsubscribe, so these links are never minted
    links = UnsubscribeLinks(None, "http://bench.invalid", "unsubscribe@bench.invalid")
    return LeadIntakeActivities(
        enrichment=WebsiteEnrichment(SafeFetcher(policy)),
        crm=crm,
        postbox=Postbox(outbox, crm, links),
        scoring=ScoringConfig(("robotics",), 60, 30),
    )


def lead(index: int, site_port: int) -> LeadSubmission:
    return LeadSubmission(
        name=f"Bench Lead {index}",
        email=f"lead{index}@northwind-robotics.example",
        company="Northwind Robotics",
        website=f"http://{HOST}:{site_port}/",
        message="pricing please",
        source="web_form",
        submitted_at=datetime.now(UTC),
        submission_id=f"bench-{uuid.uuid4().hex[:12]}",
    )


def start_sites() -> tuple[subprocess.Popen[bytes], int]:
    """The demo websites in their own process, on a free port."""
    port = free_port()
    argv = [sys.executable, "-m", "devstack.sites", "--root", str(ROOT / "examples" / "sites")]
    server = subprocess.Popen([*argv, "--port", str(port)], cwd=ROOT)
    wait_for_port(server, port, "the demo websites", 5)
    return server, port


async def start_dev_server() -> WorkflowEnvironment:
    """A fresh dev server (the one `make demo` runs) with our search attributes."""
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
        data_converter=pydantic_data_converter,
        search_attributes=search_attributes.ALL,
        dev_server_log_level="error",
    )


async def run(count: int, concurrency: int) -> dict[str, object]:
    sites, site_port = start_sites()
    env = await start_dev_server()
    client: Client = env.client
    task_queue = f"bench-{uuid.uuid4()}"
    with tempfile.TemporaryDirectory() as data:
        acts = intake_activities(Path(data), SqliteCrm(Path(data) / "crm.sqlite3"))
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[LeadIntakeWorkflow, NoopWorkflow],
            activities=[*acts.definitions(), noop],
            plugins=[worker_plugin()],
        ):

            async def one_intake(i: int) -> object:
                return await client.execute_workflow(
                    LeadIntakeWorkflow.run,
                    LeadIntakeInput(lead=lead(i, site_port)),
                    id=f"bench-lead-{uuid.uuid4()}",
                    task_queue=task_queue,
                )

            async def one_noop(i: int) -> object:
                return await client.execute_workflow(
                    NoopWorkflow.run,
                    ACTIVITY_COUNT,
                    id=f"bench-noop-{uuid.uuid4()}",
                    task_queue=task_queue,
                )

            await measure(min(count, 5), concurrency, one_noop)  # warm-up: sandbox, connections
            noop_figures = await measure(count, concurrency, one_noop)
            intake_figures = await measure(count, concurrency, one_intake)
    await env.shutdown()
    sites.terminate()
    sites.wait()
    return {
        "count": count,
        "concurrency": concurrency,
        "activities_per_workflow": ACTIVITY_COUNT,
        "lead_intake": intake_figures,
        "noop_ceiling": noop_figures,
        "throughput_ratio": round(
            intake_figures["workflows_per_s"] / noop_figures["workflows_per_s"], 2
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.count, args.concurrency)), indent=2))


if __name__ == "__main__":
    main()
