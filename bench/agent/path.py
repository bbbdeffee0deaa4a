"""Agent path: the triage agents' calls made directly to llama.cpp, then through the
classify/draft activities in a Temporal worker; and triage throughput against the
server's own at 1, 2 and 4 tickets in flight.

    .venv/bin/python -m bench.agent.path [--tickets 8] [--in-flight 1 2 4] [--out bench/results]

The embedded model is served as the evaluation serves it (llama.cpp through
`xllamacpp`, Qwen2.5-Coder-0.5B Q4_K_M, 2 threads, 4k context per slot), with as many
server slots as tickets in flight (`bench.agent.llm_slots`). The direct path sends the
activities' own requests (`bench.agent.direct`); the activity path runs the same
tickets through `AgentPathWorkflow` (`bench.agent.flow`: the triage workflow's agent
steps) on a Temporal dev server, with the worker's real converter (pydantic and the
AES-GCM payload codec) and sandbox.

Each path runs the ticket set in blocks, each on a freshly started server (see
`Bench.block`), in the order direct, activity, activity, direct per level. One ticket
at a time, llama.cpp's counters are read around every ticket to separate the server's
compute from the path's own time. The direct path's tickets per minute at a level are
the server's own throughput at that parallelism.
"""

import argparse
import asyncio
import base64
import json
import os
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from openai import DefaultAsyncHttpxClient
from pydantic import SecretStr
from temporalio.client import Client, WorkflowFailureError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.factory import llm_client, postbox, support_triage_activities
from activities.postbox import Postbox
from adapters.crm.crm import SqliteCrm
from adapters.knowledge.knowledge_base import KnowledgeBase
from agents.client import LlmConfig, LlmError
from bench.agent.direct import TimedLlmClient, direct_ticket, sample_tickets
from bench.agent.flow import AgentPathWorkflow
from bench.agent.llm_slots import counters, running, slot_contexts
from bench.agent.probes import cpu_snapshot, history_spans, record_row, since
from bench.agent.report import print_table, summarize
from config.doors import InboundSettings, WebSettings
from config.escalation import EscalationPolicy, load_policy
from config.privacy import PrivacySettings
from config.settings import AppSettings, LlmSettings, TriageSettings
from config.temporal import data_converter
from devstack.time_skipping import BIN
from models import search_attributes
from models.support import InboundEmail
from workflows.runtime.plugin import worker_plugin

Ticket = tuple[str, InboundEmail]
Row = dict[str, Any]
SERVER_SECONDS = ("prompt_seconds_total", "tokens_predicted_seconds_total")
SERVER_COUNTERS = (*SERVER_SECONDS, "prompt_tokens_total", "prompt_tokens_cached_total")
"""A block's prompt tokens computed and reused from cache tell how well slots and
llama.cpp's prompt cache serve the ticket mix at that parallelism."""


@dataclass
class Paths:
    """Both ways of running one ticket against one model server."""

    config: LlmConfig
    kb: KnowledgeBase
    http: httpx.AsyncClient
    client: Client
    queue: str

    async def direct(self, email: InboundEmail) -> Row:
        llm = TimedLlmClient(self.config, self.http)
        started = time.perf_counter()
        await direct_ticket(llm, self.kb, email)
        return {"wall_ms": since(started), "calls": [call.row() for call in llm.calls]}

    async def activity(self, email: InboundEmail) -> Row:
        started = time.perf_counter()
        handle = await self.client.start_workflow(
            AgentPathWorkflow.run, email, id=f"agent-path-{uuid.uuid4()}", task_queue=self.queue
        )
        records = await handle.result()
        wall_ms = since(started)
        spans = history_spans(await handle.fetch_history())
        return {"wall_ms": wall_ms, "calls": [record_row(r) for r in records], "spans": spans}


async def guarded(run: Awaitable[Row]) -> Row:
    """A ticket either path could not finish is kept, with its error, out of the figures."""
    try:
        return await run
    except (LlmError, WorkflowFailureError) as err:
        cause = getattr(err, "cause", None)
        return {"error": f"{type(err).__name__}: {cause or err}"}


async def measure(
    run: Callable[[InboundEmail], Awaitable[Row]], tickets: list[Ticket], in_flight: int, url: str
) -> Row:
    """The ticket set with at most `in_flight` tickets at once. One at a time, llama.cpp's
    counters are read around each ticket: its compute, and the prompt tokens it reused."""
    gate = asyncio.Semaphore(in_flight)

    async def one(case_id: str, email: InboundEmail) -> Row:
        async with gate:
            before = counters(url) if in_flight == 1 else None
            row = await guarded(run(email))
            if before is not None:
                after = counters(url)
                seconds = sum(after[k] - before[k] for k in SERVER_SECONDS)
                row["server_ms"] = round(seconds * 1000, 1)
                row["cached_prompt_tokens"] = int(
                    after["prompt_tokens_cached_total"] - before["prompt_tokens_cached_total"]
                )
            return {"id": case_id, **row}

    started = time.perf_counter()
    rows = await asyncio.gather(*(one(case_id, email) for case_id, email in tickets))
    wall_ms = since(started)
    calls = [call for row in rows for call in row.get("calls", [])]
    return {
        "wall_ms": wall_ms,
        "tickets": sum("error" not in row for row in rows),
        "errors": [f"{row['id']}: {row['error']}" for row in rows if "error" in row],
        "tokens": sum(c["prompt_tokens"] + c["completion_tokens"] for c in calls),
        "rows": rows,
    }


@dataclass
class Bench:
    """What every block shares: the dev server, the knowledge base, the escalation
    policy, the outbox and the direct path's connection pool."""

    env: WorkflowEnvironment
    kb: KnowledgeBase
    policy: EscalationPolicy
    mail: Postbox
    http: httpx.AsyncClient
    llm: LlmSettings
    threads: int
    scratch: Path

    async def block(self, path: str, in_flight: int, tickets: list[Ticket], warm: Ticket) -> Row:
        """One path over the ticket set on a freshly started server with `in_flight` slots.
        Every block starts from an empty prompt cache (llama.cpp keeps whole prompts in
        RAM, 8 GiB by default), so neither path reuses the prompts the other one's run of
        the same tickets left behind; a warm-up ticket outside the set, the same on both
        paths, loads the model, the worker's sandbox and the connections first."""
        log = self.scratch / f"llm-{path}-{in_flight}-{uuid.uuid4().hex[:6]}.log"
        with running(in_flight, self.threads, self.llm.local_context, log) as url:
            llm = self.llm.model_copy(update={"base_url": url})
            acts = support_triage_activities(llm, self.kb, self.policy, self.mail)
            queue = f"agent-path-{uuid.uuid4()}"
            paths = Paths(llm_client(llm).config, self.kb, self.http, self.env.client, queue)
            async with Worker(
                self.env.client, task_queue=queue, workflows=[AgentPathWorkflow],
                activities=acts.definitions(), plugins=[worker_plugin()],
            ):  # fmt: skip
                run_one = getattr(paths, path)
                await guarded(run_one(warm[1]))
                cpu_before, server_before = cpu_snapshot(), counters(url)
                result = await measure(run_one, tickets, in_flight, url)
                cpu_after, server_after = cpu_snapshot(), counters(url)
            result["cpu_s"] = {k: round(cpu_after[k] - cpu_before[k], 2) for k in cpu_after}
            result["server"] = {k: server_after[k] - server_before[k] for k in SERVER_COUNTERS}
            contexts = slot_contexts(url)
        print(f"  {in_flight} in flight, {path}: {result['wall_ms']:.0f} ms", file=sys.stderr)
        return {"path": path, "in_flight": in_flight, "slot_contexts": contexts, **result}


def bench_privacy() -> PrivacySettings:
    """A fresh payload key: the worker's converter encrypts as in production."""
    key = base64.b64encode(os.urandom(32)).decode()
    return PrivacySettings(
        payload_keys=f"bench={key}",  # type: ignore[arg-type]  # parsed by the settings
        id_secret=SecretStr(secrets.token_urlsafe(32)),
        _env_file=None,  # type: ignore[call-arg]
    )


async def run(
    tickets: list[Ticket], warm: Ticket, levels: list[int], threads: int, scratch: Path
) -> list[Row]:
    """Per level, the blocks in the order direct, activity, activity, direct: a drift in
    the machine's load over the run falls on both paths alike."""
    triage = TriageSettings()
    kb = KnowledgeBase(scratch / "kb.sqlite3")
    kb.reindex(triage.kb_dir)
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"),
        data_converter=data_converter(bench_privacy()),
        search_attributes=search_attributes.ALL,
        dev_server_log_level="error",
    )
    http = DefaultAsyncHttpxClient()
    app = AppSettings(data_dir=scratch)
    bench = Bench(
        env, kb, load_policy(triage.policy_file),
        postbox(app, WebSettings(), InboundSettings(), SqliteCrm(app.crm_path)),
        http, LlmSettings(), threads, scratch,
    )  # fmt: skip
    try:
        return [
            {
                "in_flight": in_flight,
                "blocks": [
                    await bench.block(path, in_flight, tickets, warm)
                    for path in ("direct", "activity", "activity", "direct")
                ],
            }
            for in_flight in levels
        ]
    finally:
        await http.aclose()
        await env.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=Path, default=Path("bench/cases/dev.jsonl"))
    parser.add_argument("--tickets", type=int, default=8)
    parser.add_argument("--in-flight", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--threads", type=int, default=LlmSettings().local_threads)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    if 1 not in args.in_flight:
        parser.error("--in-flight needs 1: the overhead is measured one ticket at a time")
    tickets, warm = sample_tickets(args.cases, args.tickets)
    load_before = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        measured = asyncio.run(
            run(tickets, warm, sorted(args.in_flight), args.threads, Path(scratch))
        )
    result = summarize(measured, LlmSettings().model, args.threads)
    result["machine"] = {
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "run_s": round(time.perf_counter() - started),
    }
    result["tickets"] = [case_id for case_id, _ in tickets]
    result["warm_up_ticket"] = warm[0]
    result["raw"] = measured
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"agent_path_{date.today().isoformat()}.json"
    path.write_text(json.dumps(result, indent=2))
    print_table(result)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
