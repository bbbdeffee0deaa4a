"""Evaluates support triage on labelled cases by running the product itself.

    .venv/bin/python -m bench.triage_eval --kb kb/articles --cases bench/cases/dev.jsonl \
        [--serve-local] [--limit N] [--out bench/results] [--name triage]

Each case becomes a real RFC 822 message, is read by the product's parser and runs
through `SupportTriageWorkflow` with the real activities (LLM endpoint, knowledge
base, escalation policy, a scratch Maildir) on the time-skipping test server; the
row is read from the workflow's `status` query once it is sent, closed or waiting
for a person. So the evaluation measures the product, not a copy of its steps.

Prints JSON (topic accuracy, automation, unsafe and wrong-answer auto-sends, latency,
tokens, one row per case, the threshold table) and writes it with a reliability
diagram PNG into `--out`. `--serve-local` starts the embedded model on a free port;
otherwise OPENAI_BASE_URL / OPENAI_API_KEY / FLOWDESK_LLM_MODEL say where to go.
"""

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import WorkflowHandle
from temporalio.worker import Worker

from activities.factory import postbox, support_triage_activities
from adapters.crm.crm import SqliteCrm
from adapters.knowledge.knowledge_base import KnowledgeBase
from adapters.mail.inbound_mail import parse_email
from bench.triage_cases import Case, load_cases, to_rfc822
from bench.triage_metrics import Row, choose_threshold, reliability, summarize, threshold_table
from client.options import triage_options
from config.doors import InboundSettings, WebSettings
from config.escalation import load_policy
from config.settings import AppSettings, LlmSettings, TriageSettings
from devstack.processes import free_port
from devstack.time_skipping import start_time_skipping
from models.support import TriageInput, TriageOptions, TriageStatus
from policy.checks.grounding import plain_text
from workflows.runtime.plugin import worker_plugin
from workflows.support_triage import SupportTriageWorkflow

SETTLED = ("awaiting_human", "done")


def to_row(case_id: str, status: TriageStatus) -> Row:
    evaluation, draft = status.evaluation, status.draft
    check = evaluation.check if evaluation else None
    probabilities = status.topic_probabilities
    return Row(
        id=case_id,
        outcome=status.outcome,
        auto_sent=status.outcome == "auto_sent",
        topic=status.topic,
        classifier_topic=max(probabilities, key=probabilities.__getitem__)
        if probabilities
        else (status.classification.topic if status.classification else None),
        topic_probability=evaluation.topic_probability if evaluation else None,
        score=evaluation.score if evaluation else None,
        held=bool(evaluation.policy_hold) if evaluation else True,
        holds=evaluation.policy_hold if evaluation else [],
        checks_failed=[c.name for c in check.failed] if check else [],
        cited=draft.cited_article_ids if draft else [],
        grounding=check.grounding if check else None,
        reply=plain_text(draft.body) if draft else None,
        calls=[
            {"role": c.role, "latency_ms": c.latency_ms, "tokens": c.usage.total_tokens}
            for c in status.agent_calls
        ],
        errors=[
            f"{d.step}: {d.reason}" for d in status.decisions if d.outcome.startswith("failed")
        ],
    )


async def _settle(handle: WorkflowHandle[Any, Any]) -> TriageStatus:
    while True:
        status = await handle.query(SupportTriageWorkflow.status)
        if status.stage in SETTLED:
            return status
        await asyncio.sleep(0.05)


async def run_cases(
    cases: list[Case],
    activities: list[Callable[..., Any]],
    options: TriageOptions,
    parallel: int = 1,
    progress: Callable[[int, Case], None] | None = None,
) -> list[Row]:
    """Every case through the workflow; a ticket waiting for a person is read, then
    terminated (its SLA timers are not the evaluation's business)."""
    env = await start_time_skipping()
    queue = f"eval-{uuid.uuid4()}"
    gate = asyncio.Semaphore(parallel)
    rows: dict[str, Row] = {}

    async def one(number: int, case: Case) -> None:
        async with gate:
            email = parse_email(to_rfc822(case))
            handle = await env.client.start_workflow(
                SupportTriageWorkflow.run,
                TriageInput(email=email, options=options),
                id=f"eval-{case.id}-{uuid.uuid4().hex[:6]}",
                task_queue=queue,
            )
            rows[case.id] = to_row(case.id, await _settle(handle))
            if rows[case.id].outcome is None:
                await handle.terminate("evaluation read the decision")
            if progress:
                progress(number, case)

    try:
        async with Worker(
            env.client,
            task_queue=queue,
            workflows=[SupportTriageWorkflow],
            activities=activities,
            plugins=[worker_plugin()],
        ):
            await asyncio.gather(*(one(n, c) for n, c in enumerate(cases, 1)))
    finally:
        await env.shutdown()
    return [rows[case.id] for case in cases]


def start_local_llm(settings: LlmSettings) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.llm", "--port", str(port),
         "--threads", str(settings.local_threads), "--context", str(settings.local_context)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(900):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process, f"http://127.0.0.1:{port}/v1"
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit("the local model failed to start (python -m devstack.llm shows why)")
        time.sleep(0.2)
    process.terminate()
    raise SystemExit("the local model did not become ready")


def report(
    cases: list[Case], rows: list[Row], model: str, options: TriageOptions, out: Path,
    name: str = "triage",
) -> dict[str, Any]:  # fmt: skip
    """The summary, the threshold table and the reliability diagram, written to `out` as
    `<name>_<date>.json` and `.png`."""
    stem = f"{name}_{date.today().isoformat()}"
    out.mkdir(parents=True, exist_ok=True)
    result = summarize(cases, rows, model, options.threshold)
    table = threshold_table(cases, rows)
    result |= {
        "thresholds": table,
        "clean_threshold": choose_threshold(table),
        "reliability": reliability(cases, rows, out / f"{stem}.png"),
    }
    (out / f"{stem}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=Path, required=True, help="folder of Markdown articles")
    parser.add_argument("--cases", type=Path, required=True, help="JSON lines of labelled cases")
    parser.add_argument("--serve-local", action="store_true")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument(
        "--name", default="triage", help="file names in --out: <name>_<date>.json and .png"
    )
    args = parser.parse_args()
    cases = load_cases(args.cases)[: args.limit]
    llm_settings, triage = LlmSettings(), TriageSettings()
    server = None
    if args.serve_local:
        server, base_url = start_local_llm(llm_settings)
        llm_settings = llm_settings.model_copy(update={"base_url": base_url})
    try:
        with tempfile.TemporaryDirectory() as scratch:
            kb = KnowledgeBase(Path(scratch) / "kb.sqlite3")
            indexed = kb.reindex(args.kb)
            for skipped in indexed.skipped:
                print(f"skipped {skipped}", file=sys.stderr)
            app = AppSettings(data_dir=Path(scratch), mail_transport="maildir")
            mail = postbox(app, WebSettings(), InboundSettings(), SqliteCrm(app.crm_path))
            acts = support_triage_activities(
                llm_settings, kb, load_policy(triage.policy_file), mail
            )
            options = triage_options(triage)
            rows = await run_cases(
                cases, acts.definitions(), options,
                progress=lambda n, c: print(f"{n}/{len(cases)} {c.id}", file=sys.stderr),
            )  # fmt: skip
        print(
            json.dumps(
                report(cases, rows, llm_settings.model, options, args.out, args.name), indent=2
            )
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    asyncio.run(main())
