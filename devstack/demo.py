"""Runs the example leads, support emails and outreach through the stack; one line per run."""

import json
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle

from activities.inbound_mail import parse_email
from client.inputs import parse_lead, parse_outreach
from client.options import triage_options
from client.submit import submit_lead, submit_outreach, submit_ticket
from client.summaries import summarize_outreach
from client.waiting import wait_for_decision, wait_for_outreach
from config.settings import OutreachSettings, TemporalSettings, TriageSettings
from config.temporal import connect
from models.outreach import OutreachStatus

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


async def run_demo(settings: TemporalSettings) -> None:
    client = await connect(settings)
    leads = [parse_lead(json.loads(p.read_text())) for p in sorted(EXAMPLES.glob("leads/*.json"))]
    submitted = [await submit_lead(client, settings.task_queue, lead) for lead in leads]
    print(f"\n{'company':<22} {'run':<9} {'profile':<13} {'score':>5} tier  welcome  UI")
    for lead, run in zip(leads, submitted, strict=True):
        result = await run.handle.result()
        welcome = "sent" if result.welcome else "-"
        print(
            f"{lead.company[:22]:<22} {'existing' if run.existing else 'new':<9} "
            f"{result.profile.source:<13} {result.score.points:>5} {result.score.tier:<5} "
            f"{welcome:<8} {settings.run_url(run.handle.id)}"
        )

    options = triage_options(TriageSettings())
    print(f"\n{'support email':<24} {'topic':<10} {'score':>5}  {'result':<22} UI")
    waiting: list[str] = []
    for path in sorted(EXAMPLES.glob("support/*.eml")):
        email = parse_email(path.read_bytes())
        run = await submit_ticket(client, settings.task_queue, email, options)
        status = await wait_for_decision(run.handle)
        score = f"{status.evaluation.score:.2f}" if status.evaluation else "-"
        result = status.outcome or "waiting for a person"
        if status.outcome is None:
            waiting.append(run.handle.id)
        fell_back = [d for d in status.decisions if d.outcome.startswith("failed")]
        if fell_back:
            result += " (agent fallback)"
        print(
            f"{path.stem[:24]:<24} {status.topic or '-':<10} {score:>5}  {result:<22} "
            f"{settings.run_url(run.handle.id)}"
        )
        if status.outcome is None and status.evaluation:
            for hold in status.evaluation.policy_hold[:3]:
                print(f"{'':<24} held: {hold[:100]}")
    await run_outreach(client, settings)
    print(f'\nTemporal UI: {settings.ui_url} — filter with LeadTier = "A" or NeedsHuman = true')
    if waiting:
        print("Tickets waiting for a person (see why: python starter.py status <id>):")
        for workflow_id in waiting:
            print(f"  python starter.py approve {workflow_id}")
            print(f"  python starter.py reject {workflow_id} --reason 'handled by phone'")
    print("The stack keeps running; `make down` stops it.")


async def review_as_a_person(
    handle: WorkflowHandle[Any, Any], status: OutreachStatus, reviewed: Path
) -> None:
    """The demo plays the reviewer: a draft that passed its checks is approved as is; one
    that was held is replaced by the reviewer's own text, as `starter.py edit` does."""
    if status.check is not None and not status.check.holds:
        print(f"demo approves it: python starter.py approve {handle.id}")
        await handle.signal("approve")
        return
    print(
        f"demo edits it: python starter.py edit {handle.id} --body-file {reviewed.relative_to(ROOT)}"
    )
    await handle.execute_update("edit_and_approve", reviewed.read_text(), result_type=str)


async def run_outreach(client: Client, settings: TemporalSettings) -> None:
    """The combined example: its first email ends up scheduled, follow-ups planned."""
    for path in sorted(EXAMPLES.glob("outreach/*.json")):
        request = parse_outreach(json.loads(path.read_text()), OutreachSettings())
        run = await submit_outreach(client, settings.task_queue, request)
        status = await wait_for_outreach(run.handle)
        print()
        if status.needs_human:
            print(summarize_outreach(run.handle.id, status))
            await review_as_a_person(
                run.handle, status, path.with_name(f"{path.stem}-reviewed.txt")
            )
            status = await wait_for_outreach(run.handle, after_approval=True)
        print(summarize_outreach(run.handle.id, status))
        print(f"UI: {settings.run_url(run.handle.id)}")
    print(
        "Outreach due soon: python starter.py upcoming --hours 48, or in the UI: "
        'WorkflowType = "LeadOutreachWorkflow" AND NextTouchAt < "<ISO time>"'
    )
