"""Lead intake with one worker process, then two on one task queue, against the Postgres CRM.

    .venv/bin/python bench/two_workers.py [--count N] [--concurrency C]

The horizontal-scaling figure: the same N lead intakes (real adapters as in
`bench/throughput.py`: the demo website served by a process of its own, Maildir outbox
per worker, the CRM on a PostgreSQL this script starts in a temporary directory with
durable commits) with at most C runs in flight, first served by one worker process,
then by two polling one task queue on one dev server. Prints workflows/s and p50/p95
start-to-result latency for both, and the ratio, as JSON. Every process shares this
machine's cores, so the ratio says what a second worker adds here, not on a second host.
"""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker
from throughput import ROOT, intake_activities, lead, measure, start_dev_server, start_sites

from adapters.crm.crm_postgres import PostgresCrm
from devstack.postgres import PostgresCluster
from models.lead import LeadIntakeInput
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.runtime.plugin import worker_plugin

POOL_SIZE = 10
READY = "worker ready"


async def serve(address: str, task_queue: str, crm_url: str, data: Path) -> None:
    """One worker process: its own Temporal client, CRM pool and outbox, until SIGTERM."""
    client = await Client.connect(address, data_converter=pydantic_data_converter)
    crm = await PostgresCrm.connect(crm_url, POOL_SIZE)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[LeadIntakeWorkflow],
        activities=intake_activities(data, crm).definitions(),
        plugins=[worker_plugin()],
    ):
        print(READY, flush=True)
        await stop.wait()
    await crm.close()


async def start_worker(args: list[str]) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", *args, cwd=ROOT, stdout=subprocess.PIPE
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
    if line.decode().strip() != READY:
        proc.kill()
        raise RuntimeError("a worker process did not start")
    return proc


async def phase(
    workers: int, client: Client, crm_url: str, site_port: int, count: int, concurrency: int
) -> dict[str, float]:
    """`workers` processes on a fresh task queue; a warm-up batch, then the measured one."""
    address = client.service_client.config.target_host
    task_queue = f"bench-{uuid.uuid4()}"
    offset = workers * 1_000_000  # each phase upserts new contacts, as the other did
    with tempfile.TemporaryDirectory() as scratch:
        procs = [
            await start_worker([address, task_queue, crm_url, str(Path(scratch) / f"w{n}")])
            for n in range(workers)
        ]

        async def one_intake(i: int) -> object:
            return await client.execute_workflow(
                LeadIntakeWorkflow.run,
                LeadIntakeInput(lead=lead(offset + i, site_port)),
                id=f"bench-lead-{uuid.uuid4()}",
                task_queue=task_queue,
            )

        try:
            await measure(min(count, 20), concurrency, lambda i: one_intake(count + i))  # warm-up
            return await measure(count, concurrency, one_intake)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                await proc.wait()


async def run(count: int, concurrency: int) -> dict[str, object]:
    cluster = PostgresCluster()
    cluster.start()
    sites, site_port = start_sites()
    env = await start_dev_server()
    try:
        crm_url = await cluster.create_database("flowdesk_bench")
        one = await phase(1, env.client, crm_url, site_port, count, concurrency)
        two = await phase(2, env.client, crm_url, site_port, count, concurrency)
    finally:
        await env.shutdown()
        sites.terminate()
        cluster.stop()
    return {
        "count": count,
        "concurrency": concurrency,
        "cpus": os.cpu_count(),
        "one_worker": one,
        "two_workers": two,
        "throughput_ratio": round(two["workflows_per_s"] / one["workflows_per_s"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument("--serve", nargs=4, metavar=("ADDRESS", "QUEUE", "CRM", "DATA"))
    args = parser.parse_args()
    if args.serve:
        address, task_queue, crm_url, data = args.serve
        asyncio.run(serve(address, task_queue, crm_url, Path(data)))
        return
    print(json.dumps(asyncio.run(run(args.count, args.concurrency)), indent=2))


if __name__ == "__main__":
    main()
