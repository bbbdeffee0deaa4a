"""Evaluates lead outreach on a folder of company websites by running the product itself.

    .venv/bin/python -m bench.outreach_eval --sites bench/outreach/sites \
        --leads bench/outreach/leads.jsonl [--facts bench/outreach/facts.jsonl] \
        [--serve-local] [--limit N] [--out bench/results] [--name outreach]

`--sites` holds one folder per host name (`<host>/index.html`, `<host>/about/index.html`,
…), served on loopback by Host header; those hosts, and only for this run, may be
fetched on a private address. `--leads` holds web-form leads as JSON lines (the form's
fields; the website's port is replaced by the server's). Each lead runs through the
real `LeadOutreachWorkflow` (intake child, research and draft activities against the
model, the checks, a scratch CRM and Maildir) on the time-skipping server up to the
first touch's decision, read from the `status` query: `auto` (would go out without a
person), `held` (an agent draft waits for a person) or `skipped` (no agent draft: the
site was unreachable, research found nothing, or the run ended). The JSON (summary
and one row per lead; format in docs/outreach.md) is printed and written to
`--out/<name>_<date>.json`. `--facts` adds labelled-fact recall and the labelled
false claims and traps that reached a draft.
"""

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import uuid
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from temporalio.client import WorkflowHandle
from temporalio.worker import Worker

from activities.factory import lead_intake_activities, outreach_activities, postbox
from activities.mail_routing import MailRoutingActivities
from adapters.crm.crm import SqliteCrm
from adapters.wiring import unsubscribe_links
from bench.outreach_metrics import SiteFacts, summarize
from bench.triage_eval import start_local_llm
from client.options import outreach_options
from config.doors import InboundSettings, WebSettings
from config.settings import AppSettings, LlmSettings, OutreachSettings
from devstack.processes import free_port
from devstack.sites import serve
from devstack.time_skipping import start_time_skipping
from models.lead import LeadSubmission
from models.outreach import OutreachInput, OutreachOptions, OutreachStatus
from policy.touch_copy import COPY
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.runtime.plugin import worker_plugin

DECIDED = ("awaiting_approval", "scheduled", "following_up")
QUOTES = [c.quote.split("{")[0] for c in COPY.values()]
"""How the fixed copy opens a quoted page sentence: the model's own sentence did not hold."""


def load_leads(path: Path, port: int) -> list[LeadSubmission]:
    """The leads, each website pointed at the loopback server's port; a bad line stops
    the run with its number and what is wrong."""
    leads = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            lead = LeadSubmission.model_validate_json(line)
        except ValidationError as err:
            raise SystemExit(f"{path}:{number}: not a lead: {err}") from err
        site = urlsplit(str(lead.website))
        moved = site._replace(netloc=f"{site.hostname}:{port}").geturl()
        leads.append(lead.model_copy(update={"website": moved}))
    return leads


def load_facts(path: Path) -> dict[str, SiteFacts]:
    try:
        lines = [
            SiteFacts.model_validate_json(x) for x in path.read_text().splitlines() if x.strip()
        ]
    except ValidationError as err:
        raise SystemExit(f"{path}: not a facts file: {err}") from err
    return {site.host: site for site in lines}


def pages_read(status: OutreachStatus) -> list[str]:
    """The URLs research read, as its decision-log entry lists them ("read A, B; skipped…")."""
    for entry in status.decisions:
        if entry.step == "research" and entry.reason.startswith("read "):
            return entry.reason[len("read ") :].split("; skipped")[0].split(", ")
    return []


def to_row(number: int, lead: LeadSubmission, status: OutreachStatus) -> dict[str, Any]:
    brief, touch, check = status.brief, status.pending, status.check
    agent = touch is not None and touch.source == "agent"
    if not agent or status.stage not in DECIDED:
        decision = "skipped"
    else:
        decision = "held" if status.needs_human else "auto"
    points = (
        [(p, True) for p in brief.points] + [(p, False) for p in brief.considered] if brief else []
    )
    draft_calls = [c for c in status.agent_calls if c.role == "outreach"]
    holds = list(check.holds) if check else []
    if check and agent and status.needs_human and not holds:
        holds = [r for r in check.reasons if "tier" in r or "score" in r]
    return {
        "id": lead.submission_id or f"lead-{number}",
        "host": urlsplit(str(lead.website)).hostname,
        "tier": status.tier,
        "stage": status.stage,
        "pages_read": pages_read(status),
        "research_points": [
            {"text": p.text, "source_url": p.source_url, "kept": kept, "label": p.label}
            for p, kept in points
        ],
        "draft": {"subject": touch.subject, "body": touch.body} if touch else None,
        "source": touch.source if touch else None,
        "sentence_source": None if not (agent and touch) else (
            "page" if any(q in touch.body for q in QUOTES) else "model"),
        "facts_cited": touch.facts if touch else [],
        "sentence_problems": [h for h in holds if h.startswith("the model's sentence")],
        "checks_failed": list(check.holds) if check else [],
        "holds": holds,
        "score": check.score if check else None,
        "decision": decision,
        "calls": [
            {"role": c.role, "tokens": c.usage.total_tokens, "latency_ms": c.latency_ms,
             "prompt_version": c.prompt_version}
            for c in status.agent_calls
        ],
        "draft_calls": len(draft_calls),
        "lead_words": [*lead.name.split(), *lead.company.split()],
    }  # fmt: skip


async def _decided(handle: WorkflowHandle[Any, Any]) -> OutreachStatus:
    while True:
        status = await handle.query(LeadOutreachWorkflow.status)
        if status.stage in DECIDED or status.outcome is not None:
            return status
        await asyncio.sleep(0.05)


async def run_leads(
    leads: list[LeadSubmission], activities: list[Any], options: OutreachOptions
) -> list[dict[str, Any]]:
    """Every lead through the workflow, one at a time (the model serves one request);
    a run is read at its first touch's decision, then terminated."""
    env = await start_time_skipping()
    queue = f"outreach-eval-{uuid.uuid4()}"
    rows = []
    try:
        async with Worker(
            env.client,
            task_queue=queue,
            workflows=[LeadOutreachWorkflow, LeadIntakeWorkflow],
            activities=activities,
            plugins=[worker_plugin()],
        ):
            for number, lead in enumerate(leads, 1):
                handle = await env.client.start_workflow(
                    LeadOutreachWorkflow.run,
                    OutreachInput(lead=lead, options=options),
                    id=f"outreach-eval-{number}-{uuid.uuid4().hex[:6]}",
                    task_queue=queue,
                )
                status = await _decided(handle)
                rows.append(to_row(number, lead, status))
                if status.outcome is None:
                    await handle.terminate("evaluation read the decision")
                print(f"[{number}/{len(leads)}] {rows[-1]['host']}: {rows[-1]['decision']}",
                      file=sys.stderr)  # fmt: skip
    finally:
        await env.shutdown()
    return rows


async def evaluate(
    sites: Path, leads_file: Path, llm: LlmSettings, limit: int | None = None
) -> list[dict[str, Any]]:
    """Every lead of `leads_file` (up to `limit`) against the sites served on loopback,
    with a scratch CRM and Maildir; the rows `to_row` reads."""
    port = free_port()
    server = serve(sites, "127.0.0.1", port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    leads = load_leads(leads_file, port)[:limit]
    hosts = sorted({p.name.lower() for p in sites.iterdir() if p.is_dir()}
                   | {urlsplit(str(lead.website)).hostname or "" for lead in leads})  # fmt: skip
    outreach = OutreachSettings()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            app = AppSettings(
                data_dir=Path(scratch), mail_transport="maildir", fetch_allow_hosts=hosts,
                fetch_static_hosts={h: "127.0.0.1" for h in hosts},
            )  # fmt: skip
            crm = SqliteCrm(app.crm_path)
            web, inbound = WebSettings(), InboundSettings()
            mail = postbox(app, web, inbound, crm)
            acts = [
                *MailRoutingActivities(crm, unsubscribe_links(app, web, inbound)).definitions(),
                *lead_intake_activities(app, mail, crm).definitions(),
                *outreach_activities(app, llm, outreach, mail, crm).definitions(),
            ]
            return await run_leads(leads, acts, outreach_options(outreach, None))
    finally:
        server.shutdown()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=Path, required=True, help="one folder per host name")
    parser.add_argument("--leads", type=Path, required=True, help="JSON lines of leads")
    parser.add_argument("--facts", type=Path, help="JSON lines of labelled facts per host")
    parser.add_argument("--serve-local", action="store_true")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--name", default="outreach", help="file name in --out: <name>_<date>.json")
    args = parser.parse_args()
    if not args.sites.is_dir():
        raise SystemExit(f"--sites {args.sites}: not a folder")
    labels = load_facts(args.facts) if args.facts else None
    llm = LlmSettings()
    model = None
    if args.serve_local:
        model, base_url = start_local_llm(llm)
        llm = llm.model_copy(update={"base_url": base_url})
    try:
        rows = await evaluate(args.sites, args.leads, llm, args.limit)
    finally:
        if model is not None:
            model.terminate()
    result = {
        "model": llm.model, "date": date.today().isoformat(),
        "summary": summarize(rows, args.sites, labels), "leads": rows,
    }  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}_{date.today().isoformat()}.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False)
    )
    print(json.dumps(result["summary"], indent=2, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
