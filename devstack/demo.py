"""Runs the example leads and support emails through the stack; one line per run."""

import json
from pathlib import Path

from activities.inbound_mail import parse_email
from config.settings import TemporalSettings, TriageSettings
from config.temporal import connect
from starter import parse_lead, submit_lead, submit_ticket, triage_options, wait_for_decision

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


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
    print(f'\nTemporal UI: {settings.ui_url} — filter with LeadTier = "A" or NeedsHuman = true')
    if waiting:
        print("Tickets waiting for a person (see why: python starter.py status <id>):")
        for workflow_id in waiting:
            print(f"  python starter.py approve {workflow_id}")
            print(f"  python starter.py reject {workflow_id} --reason 'handled by phone'")
    print("The stack keeps running; `make down` stops it.")
