"""Runs the example leads through the stack and prints one line per run with its UI link."""

import json
from pathlib import Path

from config.settings import TemporalSettings
from config.temporal import connect
from starter import parse_lead, submit_lead

LEADS_DIR = Path(__file__).resolve().parent.parent / "examples" / "leads"


async def run_demo(settings: TemporalSettings) -> None:
    client = await connect(settings)
    leads = [parse_lead(json.loads(p.read_text())) for p in sorted(LEADS_DIR.glob("*.json"))]
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
    print(
        f'\nTemporal UI: {settings.ui_url} — filter with LeadTier = "A" or CompanyDomain = ...'
        "\nDetails of a run: python starter.py status <workflow id>"
        "\nThe stack keeps running; `make down` stops it."
    )
