"""Runs the example leads, support emails and outreach through the stack; one line per run.

Support emails go in through the SMTP listener, as a customer's mail would; what waits
for a person is left in the reviewer inbox, where the demo's last line points.
"""

import email
import json
import smtplib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle

from client.handles import edit_and_approve, reschedule
from client.inputs import parse_lead, parse_message, parse_outreach
from client.submit import submit_lead, submit_outreach
from client.summaries import summarize_outreach
from client.waiting import wait_for_decision, wait_for_outreach, wait_for_sent_touch
from config.doors import InboundSettings, WebSettings
from config.privacy import PrivacySettings
from config.settings import OutreachSettings, TemporalSettings
from config.telemetry import TelemetrySettings
from config.temporal import connect
from devstack.stack import DEMO_REVIEWER, METRICS_PORT
from models.outreach import RescheduleRequest
from models.support import ticket_workflow_id

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


async def run_demo(settings: TemporalSettings, privacy: PrivacySettings) -> None:
    client = await connect(settings, privacy)
    key = privacy.id_key
    leads = [parse_lead(json.loads(p.read_text())) for p in sorted(EXAMPLES.glob("leads/*.json"))]
    submitted = [await submit_lead(client, settings.task_queue, lead, key) for lead in leads]
    print(f"\n{'company':<22} {'run':<9} {'profile':<13} {'score':>5} tier  welcome  UI")
    for lead, run in zip(leads, submitted, strict=True):
        result = await run.handle.result()
        welcome = "sent" if result.welcome else "-"
        print(
            f"{lead.company[:22]:<22} {'existing' if run.existing else 'new':<9} "
            f"{result.profile.source:<13} {result.score.points:>5} {result.score.tier:<5} "
            f"{welcome:<8} {settings.run_url(run.handle.id)}"
        )

    print(f"\n{'support email':<24} {'topic':<10} {'score':>5}  {'result':<22} UI")
    waiting: list[str] = []
    for path in sorted(EXAMPLES.glob("support/*.eml")):
        handle = await mail_to_support(client, path.read_bytes(), key)
        status = await wait_for_decision(handle)
        score = f"{status.evaluation.score:.2f}" if status.evaluation else "-"
        result = status.outcome or "waiting for a person"
        if status.outcome is None:
            waiting.append(handle.id)
        fell_back = [d for d in status.decisions if d.outcome.startswith("failed")]
        if fell_back:
            result += " (agent fallback)"
        print(
            f"{path.stem[:24]:<24} {status.topic or '-':<10} {score:>5}  {result:<22} "
            f"{settings.run_url(handle.id)}"
        )
        if status.outcome is None and status.evaluation:
            for hold in status.evaluation.policy_hold[:3]:
                print(f"{'':<24} held: {hold[:100]}")
    held_outreach = await run_outreach(client, settings, key)
    await run_answerable(client, settings, key)
    print_doors(settings, len(waiting), held_outreach)
    print("The stack keeps running; `make down` stops it.")


def print_doors(settings: TemporalSettings, waiting: int, held_outreach: int) -> None:
    """Every way into the running stack, each with one line to try it."""
    web, inbound = WebSettings().public_url, InboundSettings()
    user, password = DEMO_REVIEWER
    smtp = f"{inbound.smtp_host}:{inbound.smtp_port}"
    print(
        "\nThe doors, each with a way to try it:\n"
        f"  lead form      {web}/form  (or POST JSON or a form to {web}/leads)\n"
        f"                 curl -si -d 'name=Ada&email=ada@example.com&company=Acme' {web}/leads\n"
        f"  support mail   SMTP on {smtp}, to {inbound.support_address}\n"
        f"                 curl smtp://{smtp} --mail-from you@example.com "
        f"--mail-rcpt {inbound.support_address} --upload-file examples/support/1-password-reset.eml\n"
        f"  reviewer inbox {web}/review (demo login {user} / {password}): {waiting} ticket(s) "
        f"and {held_outreach} outreach draft(s) wait for a person\n"
        f"  command line   .venv/bin/python starter.py status RUN_ID  (or lead, support, approve)\n"
        f'  Temporal UI    {settings.ui_url}  (filter: LeadTier = "A" or NeedsHuman = true)\n'
        f"  metrics        curl {TelemetrySettings(port=METRICS_PORT).metrics_url}  "
        "(flowdesk_* the project's, temporal_* the SDK's)"
    )
    print(
        "Payloads are encrypted on the server. To read them in the UI, sign in to the inbox,\n"
        "then in the UI's Codec Server settings use your browser's setting with endpoint\n"
        f"{web}/codec and tick 'Include cross-origin credentials'."
    )


async def mail_to_support(client: Client, raw: bytes, key: bytes) -> WorkflowHandle[Any, Any]:
    """Mails a support email to the SMTP listener, as a customer's mail server would, and
    returns the run it started (its id comes from the Message-ID)."""
    inbound = InboundSettings()
    with smtplib.SMTP(inbound.smtp_host, inbound.smtp_port, timeout=30) as smtp:
        smtp.send_message(email.message_from_bytes(raw), to_addrs=[inbound.support_address])
    return client.get_workflow_handle(ticket_workflow_id(parse_message(raw), key))


async def run_outreach(client: Client, settings: TemporalSettings, key: bytes) -> int:
    """The combined example: a first email the checks or the tier hold waits in the inbox
    for a person; once approved there, it is scheduled and its follow-ups planned.
    Returns how many wait."""
    held = 0
    for path in sorted(EXAMPLES.glob("outreach/*.json")):
        request = parse_outreach(json.loads(path.read_text()), OutreachSettings())
        run = await submit_outreach(client, settings.task_queue, request, key)
        status = await wait_for_outreach(run.handle)
        print()
        held += status.needs_human
        print(summarize_outreach(run.handle.id, status))
        print(f"UI: {settings.run_url(run.handle.id)}")
    print(
        "Outreach due soon: python starter.py upcoming --hours 48, or in the UI: "
        'WorkflowType = "LeadOutreachWorkflow" AND NextTouchAt < "<ISO time>"'
    )
    return held


async def run_answerable(client: Client, settings: TemporalSettings, key: bytes) -> None:
    """An outreach run whose first email goes out now, so the lead can answer it: the demo
    approves it as a reviewer would (with reviewed text) and moves the touch to now; its
    follow-up stays scheduled until the lead's answer, or the one-click link, stops it."""
    for path in sorted(EXAMPLES.glob("outreach-answered/*.json")):
        request = parse_outreach(json.loads(path.read_text()), OutreachSettings())
        run = await submit_outreach(client, settings.task_queue, request, key)
        status = await wait_for_outreach(run.handle)
        if status.stage == "awaiting_approval":
            body = path.with_name(f"{path.stem}-reviewed.txt").read_text()
            await edit_and_approve(client, run.handle.id, body, DEMO_REVIEWER[0])
            status = await wait_for_outreach(run.handle, after_approval=True)
        if status.stage == "scheduled" and not status.sent:
            soon = datetime.now(UTC) + timedelta(seconds=2)
            await reschedule(client, run.handle.id, RescheduleRequest(at=soon))
        status = await wait_for_sent_touch(run.handle)
        print()
        print(summarize_outreach(run.handle.id, status))
        print(
            f"Answer it as the lead would:  .venv/bin/python -m devstack reply {run.handle.id}\n"
            f"or use its one-click link:    curl -X POST -d List-Unsubscribe=One-Click "
            f'"$(.venv/bin/python -m devstack unsubscribe-link {run.handle.id})"\n'
            f"then: .venv/bin/python starter.py status {run.handle.id}"
        )
