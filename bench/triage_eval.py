"""Evaluates support triage on labelled cases with the same activities and decision code.

    .venv/bin/python bench/triage_eval.py --kb kb/articles --cases bench/cases/dev.jsonl \
        [--serve-local] [--limit N]

Each case goes through the workflow's agent activities (run in Temporal's
ActivityEnvironment) and `workflows.triage_policy.evaluate`, in the workflow's order.
Prints JSON: topic accuracy, automation rate, unsafe auto-sends (auto-sent although the
case must escalate or is not answerable), p50/p95 latency per agent call, tokens per
ticket. `--serve-local` starts the embedded model on a free port for the run;
otherwise OPENAI_BASE_URL / OPENAI_API_KEY / FLOWDESK_LLM_MODEL say where to go.
"""

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field
from temporalio.testing import ActivityEnvironment

from activities.factory import llm_client
from activities.knowledge_base import KnowledgeBase
from activities.mail import MaildirTransport
from activities.support_triage import SupportTriageActivities
from config.settings import LlmSettings, TriageSettings
from models.agent_output import Topic
from models.support import DraftRequest, InboundEmail
from workflows.triage_policy import TriagePolicy, evaluate


class CaseEmail(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    sender: str = Field(alias="from")
    subject: str = ""
    body: str = ""


class Case(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    email: CaseEmail
    expected_topic: Topic
    answerable: bool
    must_escalate: bool


def load_cases(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip():
            try:
                cases.append(Case.model_validate_json(line))
            except ValueError as err:
                raise SystemExit(f"{path}:{number}: {err}") from None
    return cases


async def run_case(
    acts: SupportTriageActivities, case: Case, policy: TriagePolicy
) -> dict[str, Any]:
    """The workflow's path for one email, returning what the metrics need."""
    env = ActivityEnvironment()
    email = InboundEmail(sender=case.email.sender, subject=case.email.subject, body=case.email.body)
    row: dict[str, Any] = {"id": case.id, "calls": [], "errors": []}
    if not email.body.strip():
        return row | {"topic": None, "auto_sent": False, "outcome": "closed_no_reply"}
    classification = None
    try:
        classified = await env.run(acts.classify_email, email)
        classification = classified.classification
        row["calls"].append(classified.call)
    except Exception as err:  # noqa: BLE001 (the workflow falls back on any failure too)
        row["errors"].append(f"classify: {err}")
    hits = await env.run(acts.search_knowledge_base, email)
    draft = None
    if classification is None or not classification.is_spam:
        try:
            drafted = await env.run(
                acts.draft_reply,
                DraftRequest(email=email, classification=classification, hits=hits),
            )
            draft = drafted.draft
            row["calls"].append(drafted.call)
        except Exception as err:  # noqa: BLE001
            row["errors"].append(f"draft: {err}")
    evaluation = evaluate(email, classification, hits, draft, policy)
    return row | {
        "topic": classification.topic if classification else None,
        "auto_sent": evaluation.auto_send,
        "holds": evaluation.policy_hold,
        "score": evaluation.score,
    }


def percentiles(values: list[int]) -> dict[str, float]:
    if not values:
        return {"p50_ms": 0.0, "p95_ms": 0.0}
    if len(values) == 1:
        return {"p50_ms": float(values[0]), "p95_ms": float(values[0])}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1)}


def summarize(cases: list[Case], rows: list[dict[str, Any]], model: str) -> dict[str, Any]:
    by_id = {case.id: case for case in cases}
    auto = [r for r in rows if r["auto_sent"]]
    unsafe = [
        r["id"] for r in auto if by_id[r["id"]].must_escalate or not by_id[r["id"]].answerable
    ]
    classified = [r for r in rows if r["topic"] is not None]
    correct = [r for r in classified if r["topic"] == by_id[r["id"]].expected_topic]
    calls = [c for r in rows for c in r["calls"]]
    latency = {
        role: percentiles([c.latency_ms for c in calls if c.role == role])
        for role in ("classify", "draft")
    }
    return {
        "model": model,
        "cases": len(rows),
        "topic_accuracy": round(len(correct) / max(1, len(classified)), 3),
        "automation_rate": round(len(auto) / max(1, len(rows)), 3),
        "unsafe_auto_sends": len(unsafe),
        "unsafe_case_ids": unsafe,
        "auto_sent_case_ids": [r["id"] for r in auto],
        "latency_per_agent_call": latency,
        "tokens_per_ticket": round(sum(c.usage.total_tokens for c in calls) / max(1, len(rows)), 1),
        "agent_failures": sum(len(r["errors"]) for r in rows),
        "misclassified": {
            r["id"]: {"expected": by_id[r["id"]].expected_topic, "got": r["topic"]}
            for r in classified
            if r not in correct
        },
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=Path, required=True)
    parser.add_argument("--cases", type=Path, required=True)
    parser.add_argument("--serve-local", action="store_true")
    parser.add_argument("--limit", type=int)
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
            kb.reindex(args.kb)
            acts = SupportTriageActivities(
                llm=llm_client(llm_settings),
                kb=kb,
                mail=MaildirTransport(Path(scratch) / "outbox", "eval@flowdesk.example"),
            )
            policy = TriagePolicy(triage.threshold, triage.strong_retrieval)
            rows = []
            for number, case in enumerate(cases, 1):
                rows.append(await run_case(acts, case, policy))
                print(f"{number}/{len(cases)} {case.id}", file=sys.stderr)
        print(json.dumps(summarize(cases, rows, llm_settings.model), indent=2))
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    asyncio.run(main())
