"""Command line for people: start runs, read their status, decide on agent work.

    python starter.py lead --json examples/leads/1-northwind.json
    python starter.py support --eml examples/support/2-refund-request.eml
    python starter.py pending                      # tickets waiting for a person
    python starter.py approve ticket-0123456789abcdef
    python starter.py reject ticket-0123456789abcdef --reason "answered by phone"
    python starter.py status ticket-0123456789abcdef
    python starter.py outreach --json examples/outreach/bluefin.json
    python starter.py edit outreach-0123456789abcdef --body-file examples/outreach/bluefin-reviewed.txt
    python starter.py upcoming --hours 24          # touches due in the next day
    python starter.py replied outreach-0123456789abcdef
    python starter.py resume outreach-0123456789abcdef
    python starter.py unsubscribe outreach-0123456789abcdef
    python starter.py reschedule outreach-0123456789abcdef --at 2026-12-01T10:00:00+01:00
    python starter.py suppression list             # who no run may email, and why
    python starter.py suppression show ADDRESS     # one address and its audit log
    python starter.py suppression remove ADDRESS --reason "mailbox was full"

Input is validated before anything is started: bad input exits with status 2 and
one line per problem naming the field.
"""

import argparse
import asyncio
import getpass
import sys
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client

from client import handles, suppressions
from client.errors import InputError, validated
from client.inputs import (
    MAX_INPUT_BYTES,
    parse_lead,
    parse_outreach,
    parse_ticket,
    read_file,
    read_json_file,
)
from client.options import triage_options
from client.submit import Submitted, submit_lead, submit_outreach, submit_ticket
from client.summaries import summarize_lead, summarize_outreach, summarize_status, summarize_ticket
from client.views import pending_runs, upcoming_touches
from client.waiting import wait_for_decision, wait_for_outreach
from config.crm import CrmSettings
from config.loading import load_or_exit
from config.privacy import PrivacySettings
from config.settings import AppSettings, OutreachSettings, TemporalSettings, TriageSettings
from config.temporal import connect, exit_without_teardown
from models.lead import company_domain_key
from models.outreach import RescheduleRequest

LEAD_FLAGS = (
    "name", "email", "company", "website", "message", "source", "submitted_at", "submission_id",
)  # fmt: skip


@dataclass(frozen=True)
class Door:
    """What every command needs: where Temporal is, and the keys of this deployment."""

    temporal: TemporalSettings
    privacy: PrivacySettings

    async def connect(self) -> Client:
        return await connect(self.temporal, self.privacy)


def announce(submitted: Submitted, door: Door) -> None:
    workflow_id = submitted.handle.id
    if submitted.existing:
        state = submitted.status.name.lower() if submitted.status else "unknown"
        print(f"already submitted: run {workflow_id} exists ({state}); not starting another")
    else:
        print(f"started {workflow_id}")
    print(f"UI: {door.temporal.run_url(workflow_id)}")


async def cmd_lead(args: argparse.Namespace, door: Door) -> int:
    fields = read_json_file(args.json) if args.json else {}
    fields |= {k: getattr(args, k) for k in LEAD_FLAGS if getattr(args, k) is not None}
    lead = parse_lead(fields)
    client = await door.connect()
    submitted = await submit_lead(client, door.temporal.task_queue, lead, door.privacy.id_key)
    announce(submitted, door)
    if not args.no_wait:
        print(summarize_lead(await submitted.handle.result()))
    return 0


async def cmd_support(args: argparse.Namespace, door: Door) -> int:
    email = parse_ticket(args.eml, args.sender, args.subject, args.body)
    options = triage_options(TriageSettings())
    client = await door.connect()
    submitted = await submit_ticket(
        client, door.temporal.task_queue, email, options, door.privacy.id_key
    )
    announce(submitted, door)
    if not args.no_wait:
        print(summarize_ticket(submitted.handle.id, await wait_for_decision(submitted.handle)))
    return 0


async def cmd_outreach(args: argparse.Namespace, door: Door) -> int:
    fields = read_json_file(args.json)
    if args.timezone:
        fields["timezone"] = args.timezone
    request = parse_outreach(fields, OutreachSettings())
    client = await door.connect()
    submitted = await submit_outreach(
        client, door.temporal.task_queue, request, door.privacy.id_key
    )
    announce(submitted, door)
    if not args.no_wait:
        print(summarize_outreach(submitted.handle.id, await wait_for_outreach(submitted.handle)))
    return 0


def sent(name: str, workflow_id: str) -> int:
    print(f"{name} sent to {workflow_id}; `status` shows the result")
    return 0


async def cmd_approve(args: argparse.Namespace, door: Door) -> int:
    await handles.approve(await door.connect(), args.workflow_id, args.reviewer)
    return sent("approve", args.workflow_id)


async def cmd_reject(args: argparse.Namespace, door: Door) -> int:
    await handles.reject(await door.connect(), args.workflow_id, args.reason, args.reviewer)
    return sent("reject", args.workflow_id)


async def cmd_replied(args: argparse.Namespace, door: Door) -> int:
    await handles.lead_replied(await door.connect(), args.workflow_id)
    return sent("lead_replied", args.workflow_id)


async def cmd_resume(args: argparse.Namespace, door: Door) -> int:
    await handles.resume(await door.connect(), args.workflow_id, args.reviewer)
    return sent("resume", args.workflow_id)


async def cmd_unsubscribe(args: argparse.Namespace, door: Door) -> int:
    await handles.unsubscribe(await door.connect(), args.workflow_id)
    return sent("unsubscribe", args.workflow_id)


async def cmd_reschedule(args: argparse.Namespace, door: Door) -> int:
    request = validated(RescheduleRequest, {"at": args.at}, "--at")
    answer = await handles.reschedule(await door.connect(), args.workflow_id, request)
    print(f"{args.workflow_id}: touch {answer.number} now due {answer.due_at.isoformat()}")
    return 0


async def cmd_edit(args: argparse.Namespace, door: Door) -> int:
    body = read_file(args.body_file, MAX_INPUT_BYTES).decode("utf-8", errors="replace")
    client = await door.connect()
    answer = await handles.edit_and_approve(client, args.workflow_id, body, args.reviewer)
    print(f"{args.workflow_id}: {answer}")
    return 0


async def cmd_upcoming(args: argparse.Namespace, door: Door) -> int:
    found = 0
    async for workflow_id, due in upcoming_touches(await door.connect(), args.hours):
        print(f"{workflow_id}  due {due:%Y-%m-%d %H:%M} UTC  {door.temporal.run_url(workflow_id)}")
        found += 1
    print(f"{found} outreach touch(es) due in the next {args.hours} hour(s)")
    return 0


async def cmd_pending(args: argparse.Namespace, door: Door) -> int:
    found = 0
    async for workflow_id, what in pending_runs(await door.connect()):
        print(f"{workflow_id}  {what}  {door.temporal.run_url(workflow_id)}")
        found += 1
    print(f"{found} run(s) waiting for a person")
    return 0


async def cmd_status(args: argparse.Namespace, door: Door) -> int:
    """Any run reads as a person would check it (a ticket's holds, checks and the email
    as it would be sent; an outreach's email, plan and decisions; a lead's score);
    `--json` gives the raw status query."""
    status = await handles.read_status(await door.connect(), args.workflow_id)
    print(
        status.model_dump_json(indent=2)
        if args.json
        else summarize_status(args.workflow_id, status)
    )
    return 0


async def cmd_domain_key(args: argparse.Namespace, door: Door) -> int:
    """What `CompanyDomain` holds for a domain in this deployment (keyed: no index names
    a company), for a query such as `CompanyDomain = "<this value>"`."""
    print(company_domain_key(door.privacy.id_key, args.domain))
    return 0


async def cmd_suppression(args: argparse.Namespace, door: Door) -> int:
    """The CRM the workers write, not Temporal: list, show ADDRESS, remove ADDRESS."""
    async with suppressions.opened(*load_or_exit(AppSettings, CrmSettings)) as store:
        if args.action == "remove":
            by = args.by or getpass.getuser()
            taken = await suppressions.take_off(store, args.address, args.reason, by)
            print(f"{args.address}: {'taken off the list' if taken else 'was not on it'}")
            return 0 if taken else 1
        print(await suppressions.report(store, args.address if args.action == "show" else None))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    lead = commands.add_parser("lead", help="start a lead intake run")
    lead.add_argument("--json", type=Path, help="lead as a JSON object (flags override keys)")
    for flag in LEAD_FLAGS:
        lead.add_argument(f"--{flag.replace('_', '-')}", dest=flag)
    lead.add_argument("--no-wait", action="store_true", help="return once the run is started")
    lead.set_defaults(handler=cmd_lead)

    support = commands.add_parser("support", help="start support triage for an email")
    support.add_argument("--eml", type=Path, help="an RFC 822 message file")
    support.add_argument("--from", dest="sender")
    support.add_argument("--subject")
    support.add_argument("--body")
    support.add_argument("--no-wait", action="store_true", help="return once the run is started")
    support.set_defaults(handler=cmd_support)

    outreach = commands.add_parser("outreach", help="start lead outreach (research + cadence)")
    outreach.add_argument("--json", type=Path, required=True, help="lead JSON, may add timezone")
    outreach.add_argument("--timezone", help="IANA zone of the lead, e.g. Europe/Berlin")
    outreach.add_argument("--no-wait", action="store_true", help="return once the run is started")
    outreach.set_defaults(handler=cmd_outreach)

    for name, handler, help_text in (
        ("approve", cmd_approve, "send the agent's draft of a waiting ticket or outreach"),
        ("reject", cmd_reject, "close a waiting ticket or outreach without sending"),
        ("edit", cmd_edit, "send your own text instead of the draft"),
        ("status", cmd_status, "show a run's status: why a ticket waits, its checks, its reply"),
        ("replied", cmd_replied, "the lead answered: stop the outreach cadence"),
        ("resume", cmd_resume, "a paused cadence goes on: the mail was not the lead's answer"),
        ("unsubscribe", cmd_unsubscribe, "the lead unsubscribed: stop the outreach cadence"),
        ("reschedule", cmd_reschedule, "move the next outreach touch"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("workflow_id")
        command.set_defaults(handler=handler)
        if name in ("approve", "reject", "edit", "resume"):
            command.add_argument(
                "--reviewer", default=getpass.getuser(), help="who decides (default: you)"
            )
        if name == "reject":
            command.add_argument("--reason", required=True)
        if name == "edit":
            command.add_argument("--body-file", type=Path, required=True)
        if name == "reschedule":
            command.add_argument("--at", required=True, help="ISO 8601 with offset")
        if name == "status":
            command.add_argument("--json", action="store_true", help="the raw status query")

    pending = commands.add_parser("pending", help="list runs waiting for a person")
    pending.set_defaults(handler=cmd_pending)
    upcoming = commands.add_parser("upcoming", help="list outreach touches due soon")
    upcoming.add_argument("--hours", type=int, default=24)
    upcoming.set_defaults(handler=cmd_upcoming)
    domain = commands.add_parser("domain-key", help="the CompanyDomain value of a domain")
    domain.add_argument("domain")
    domain.set_defaults(handler=cmd_domain_key)
    suppression = commands.add_parser("suppression", help="addresses no run may email")
    suppression.set_defaults(handler=cmd_suppression)
    actions = suppression.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help=f"the newest {suppressions.MOST_SHOWN}, and why")
    actions.add_parser("show", help="one address and its audit log").add_argument("address")
    remove = actions.add_parser("remove", help="take an address off, with a reason")
    remove.add_argument("address")
    remove.add_argument("--reason", required=True, help="why it may be mailed again")
    remove.add_argument("--by", help="who takes it off (default: your login name)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    door = Door(*load_or_exit(TemporalSettings, PrivacySettings))
    try:
        return asyncio.run(args.handler(args, door))
    except InputError as err:
        print(err, file=sys.stderr)
        return 2


if __name__ == "__main__":
    exit_without_teardown(main())
