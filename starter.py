"""Command line for people: start runs, read their status, decide on agent work.

    python starter.py lead --json examples/leads/1-northwind.json
    python starter.py support --eml examples/support/invoice.eml
    python starter.py pending                      # tickets waiting for a person
    python starter.py approve ticket-0123456789abcdef
    python starter.py reject ticket-0123456789abcdef --reason "answered by phone"
    python starter.py edit ticket-0123456789abcdef --body-file reply.txt
    python starter.py status ticket-0123456789abcdef
    python starter.py outreach --json examples/outreach/bluefin.json
    python starter.py upcoming --hours 24          # touches due in the next day
    python starter.py replied outreach-0123456789abcdef
    python starter.py unsubscribe outreach-0123456789abcdef
    python starter.py reschedule outreach-0123456789abcdef --at 2026-12-01T10:00:00+01:00

Input is validated before anything is started: bad input exits with status 2 and
one line per problem naming the field.
"""

import argparse
import asyncio
import hashlib
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from activities.inbound_mail import MAX_RAW_BYTES, parse_email
from config.errors import problems
from config.settings import OutreachSettings, TemporalSettings, TriageSettings
from config.temporal import connect, exit_without_teardown
from models.lead import LeadIntakeInput, LeadIntakeResult, LeadSubmission, lead_workflow_id
from models.outreach import (
    BusinessHours,
    OutreachInput,
    OutreachOptions,
    OutreachStatus,
    RescheduleAnswer,
    RescheduleRequest,
    check_timezone,
)
from models.support import InboundEmail, TriageInput, TriageOptions, TriageStatus
from workflows.business_hours import local_label
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.support_triage import SupportTriageWorkflow

MAX_INPUT_BYTES = 64_000
LEAD_FLAGS = (
    "name", "email", "company", "website", "message", "source", "submitted_at", "submission_id",
)  # fmt: skip
PENDING_QUERY = 'ExecutionStatus = "Running" AND NeedsHuman = true'
OUTREACH_SETTLED = {"awaiting_approval", "scheduled", "following_up"}


class InputError(Exception):
    """Input refused before any workflow starts; the message says what is wrong."""


@dataclass
class Submitted:
    handle: WorkflowHandle[Any, Any]
    existing: bool
    status: WorkflowExecutionStatus | None


def read_file(path: Path, limit: int) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror}") from err
    if len(raw) > limit:
        raise InputError(f"{path} is {len(raw)} bytes; the limit is {limit}")
    return raw


def read_json_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_file(path, MAX_INPUT_BYTES))
    except ValueError as err:
        raise InputError(f"{path} is not valid JSON: {err}") from err
    if not isinstance(data, dict):
        raise InputError(f"{path} must hold one JSON object")
    return data


def validated(model: type, fields: dict[str, Any], what: str) -> Any:
    try:
        return model.model_validate(fields)
    except ValidationError as err:
        raise InputError(f"invalid {what}:\n  " + "\n  ".join(problems(err))) from err


def parse_lead(fields: dict[str, Any]) -> LeadSubmission:
    """Validate a lead; `submitted_at` defaults to now so plain flags are enough."""
    return validated(
        LeadSubmission, {"submitted_at": datetime.now(UTC).isoformat(), **fields}, "lead"
    )


def ticket_workflow_id(email: InboundEmail) -> str:
    """One run per message: the Message-ID when present, else sender + subject + body."""
    key = email.message_id or f"{email.sender}|{email.subject}|{email.body}"
    return f"ticket-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


async def start_once(
    client: Client, run: Callable[..., Awaitable[Any]], arg: Any, workflow_id: str, **kwargs: Any
) -> Submitted:
    """Start a run, or report the one this same input already started (same id)."""
    try:
        handle = await client.start_workflow(
            run,
            arg,
            id=workflow_id,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            **kwargs,
        )
        return Submitted(handle, existing=False, status=None)
    except WorkflowAlreadyStartedError:
        handle = client.get_workflow_handle_for(run, workflow_id)  # type: ignore[arg-type]
        return Submitted(handle, existing=True, status=(await handle.describe()).status)


async def submit_lead(client: Client, task_queue: str, lead: LeadSubmission) -> Submitted:
    return await start_once(
        client,
        LeadIntakeWorkflow.run,
        LeadIntakeInput(lead=lead),
        lead_workflow_id(lead),
        task_queue=task_queue,
        static_summary=f"Lead intake: {lead.website_domain} via {lead.source}",
    )


def triage_options(settings: TriageSettings) -> TriageOptions:
    return TriageOptions(
        threshold=settings.threshold,
        sla=timedelta(minutes=settings.sla_minutes),
        final_deadline=timedelta(minutes=settings.final_deadline_minutes),
        on_call=settings.on_call,
        allow=settings.reply_allowlist,
        signature=settings.signature,
    )


async def submit_ticket(
    client: Client, task_queue: str, email: InboundEmail, options: TriageOptions
) -> Submitted:
    return await start_once(
        client,
        SupportTriageWorkflow.run,
        TriageInput(email=email, options=options),
        ticket_workflow_id(email),
        task_queue=task_queue,
        static_summary="Support ticket",
    )


def outreach_options(settings: OutreachSettings, timezone: str | None) -> OutreachOptions:
    """Options for one run; the lead's own time zone wins over the configured default."""
    return validated(
        OutreachOptions,
        {
            "hours": BusinessHours(
                timezone=settings.default_timezone,
                start_hour=settings.business_start_hour,
                end_hour=settings.business_end_hour,
            ).model_dump()
            | ({"timezone": timezone} if timezone else {}),
            "min_lead_time": timedelta(minutes=settings.min_lead_minutes),
            "follow_up_business_days": settings.follow_up_days,
            "human_tiers": settings.human_tiers,
            "threshold": settings.threshold,
            "send_welcome": settings.send_welcome,
            "sla": timedelta(minutes=settings.sla_minutes),
            "final_deadline": timedelta(minutes=settings.final_deadline_minutes),
            "on_call": settings.on_call,
            "touches_per_run": settings.touches_per_run,
        },
        "outreach settings",
    )


def parse_outreach(fields: dict[str, Any], settings: OutreachSettings) -> OutreachInput:
    """A lead plus an optional `timezone` key (IANA name) for its business hours."""
    timezone = fields.pop("timezone", None)
    if timezone is not None:
        try:
            check_timezone(str(timezone))
        except ValueError as err:
            raise InputError(f"invalid outreach:\n  timezone: {err}") from err
    return OutreachInput(lead=parse_lead(fields), options=outreach_options(settings, timezone))


def outreach_workflow_id(lead: LeadSubmission) -> str:
    """Same submission, same outreach run: the lead-intake id with its own prefix."""
    return "outreach-" + lead_workflow_id(lead).removeprefix("lead-")


async def submit_outreach(client: Client, task_queue: str, request: OutreachInput) -> Submitted:
    lead = request.lead
    return await start_once(
        client,
        LeadOutreachWorkflow.run,
        request,
        outreach_workflow_id(lead),
        task_queue=task_queue,
        static_summary=f"Outreach: {lead.company} ({lead.website_domain})",
    )


def announce(submitted: Submitted, settings: TemporalSettings) -> None:
    workflow_id = submitted.handle.id
    if submitted.existing:
        state = submitted.status.name.lower() if submitted.status else "unknown"
        print(f"already submitted: run {workflow_id} exists ({state}); not starting another")
    else:
        print(f"started {workflow_id}")
    print(f"UI: {settings.run_url(workflow_id)}")


def summarize_lead(result: LeadIntakeResult) -> str:
    score = result.score
    lines = [
        f"workflow   {result.workflow_id}",
        f"contact    #{result.contact_id} ({result.domain}, profile from {result.profile.source})",
        f"score      {score.points} -> tier {score.tier} (rules {score.rules_version})",
    ]
    lines += [f"  {hit.points:+4d}  {hit.rule}: {hit.reason}" for hit in score.hits]
    welcome = result.welcome
    sent = "not sent" if welcome is None else f"{welcome.transport} {welcome.message_id}"
    lines.append(f"welcome    {sent}")
    return "\n".join(lines)


async def wait_for_stage(
    handle: WorkflowHandle[Any, Any],
    status_type: type[Any],
    settled: Callable[[Any], bool],
    timeout_s: float = 600,
) -> Any:
    """Poll the status query until `settled(status)`: sent, closed or waiting for someone."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    stage = "not answering queries"
    while asyncio.get_running_loop().time() < deadline:
        try:
            status = await handle.query("status", result_type=status_type)
        except RPCError:  # a workflow task is failing or no worker is up yet: keep polling
            status = None
        if status is not None and settled(status):
            return status
        stage = status.stage if status is not None else stage
        await asyncio.sleep(0.5)
    raise InputError(f"{handle.id} still {stage} after {timeout_s:.0f}s; see the UI")


async def wait_for_decision(handle: WorkflowHandle[Any, Any]) -> TriageStatus:
    return await wait_for_stage(
        handle, TriageStatus, lambda s: s.stage in ("awaiting_human", "done")
    )


async def wait_for_outreach(
    handle: WorkflowHandle[Any, Any], after_approval: bool = False
) -> OutreachStatus:
    """Until the first touch is scheduled, waits for approval, or the run has ended."""
    settled = OUTREACH_SETTLED - ({"awaiting_approval"} if after_approval else set())
    return await wait_for_stage(
        handle, OutreachStatus, lambda s: s.stage in settled or s.outcome is not None
    )


def summarize_ticket(workflow_id: str, status: TriageStatus) -> str:
    evaluation = status.evaluation
    lines = [
        f"ticket     {workflow_id}",
        f"topic      {status.topic or 'unclassified'}",
        f"score      {evaluation.score:.2f}" if evaluation else "score      -",
    ]
    if evaluation:
        lines += [f"  hold: {hold}" for hold in evaluation.policy_hold]
        lines += [f"  {reason}" for reason in evaluation.reasons]
        if evaluation.check is not None:
            check = evaluation.check
            lines.append(f"checks     {check.version}, grounding {check.grounding:.2f}")
            lines += [f"  {'ok  ' if c.passed else 'FAIL'} {c.name}{': ' + c.detail if c.detail else ''}"
                      for c in check.checks]  # fmt: skip
    reply = evaluation.reply_body if evaluation and evaluation.reply_body else None
    if reply:
        lines.append("reply      (as it would be sent)")
        lines += [f"  | {line}" for line in reply.splitlines()]
    if status.outcome:
        lines.append(f"outcome    {status.outcome}")
    else:
        lines += [
            "waiting    for a person; decide with",
            f"  python starter.py approve {workflow_id}",
            f"  python starter.py reject {workflow_id} --reason TEXT",
            f"  python starter.py edit {workflow_id} --body-file FILE",
        ]
    return "\n".join(lines)


def summarize_outreach(workflow_id: str, status: OutreachStatus) -> str:
    lines = [
        f"outreach   {workflow_id}",
        f"stage      {status.stage} (contact #{status.contact_id}, tier {status.tier})",
    ]
    if status.check:
        lines.append(f"check      score {status.check.score:.2f} (the agent's draft)")
        lines += [f"  hold: {hold}" for hold in status.check.holds]
        lines += [f"  {reason}" for reason in status.check.reasons]
    if status.pending:
        lines.append(f"email      {status.pending.subject!r} ({status.pending.source})")
        if status.needs_human:
            lines += [f"  | {line}" for line in status.pending.body.splitlines()]
    lines += [
        f"{'next' if i == 0 else 'then':<10} touch {p.number} ({p.kind.replace('_', '-')}) "
        f"{local_label(p.due_at, status.timezone)}"
        for i, p in enumerate(status.plan)
    ]
    lines += [
        f"sent       touch {t.number} {local_label(t.sent_at, status.timezone)}"
        for t in status.sent
    ]
    if status.needs_human:
        lines += [
            "waiting    for approval; decide with",
            f"  python starter.py approve {workflow_id}",
            f"  python starter.py reject {workflow_id} --reason TEXT",
            f"  python starter.py edit {workflow_id} --body-file FILE",
        ]
    if status.outcome:
        lines.append(f"outcome    {status.outcome}")
    return "\n".join(lines)


async def cmd_lead(args: argparse.Namespace, settings: TemporalSettings) -> int:
    fields = read_json_file(args.json) if args.json else {}
    fields |= {k: getattr(args, k) for k in LEAD_FLAGS if getattr(args, k) is not None}
    lead = parse_lead(fields)
    client = await connect(settings)
    submitted = await submit_lead(client, settings.task_queue, lead)
    announce(submitted, settings)
    if not args.no_wait:
        print(summarize_lead(await submitted.handle.result()))
    return 0


def parse_ticket(args: argparse.Namespace) -> InboundEmail:
    if args.eml:
        if args.sender or args.subject or args.body:
            raise InputError("give either --eml or --from/--subject/--body, not both")
        return parse_email(read_file(args.eml, MAX_RAW_BYTES))
    if not args.sender:
        raise InputError("--from (or --eml) is required")
    fields = {"sender": args.sender, "subject": args.subject or "", "body": args.body or ""}
    return validated(InboundEmail, fields, "email")


async def cmd_support(args: argparse.Namespace, settings: TemporalSettings) -> int:
    email = parse_ticket(args)
    options = triage_options(TriageSettings())
    client = await connect(settings)
    submitted = await submit_ticket(client, settings.task_queue, email, options)
    announce(submitted, settings)
    if not args.no_wait:
        print(summarize_ticket(submitted.handle.id, await wait_for_decision(submitted.handle)))
    return 0


async def cmd_outreach(args: argparse.Namespace, settings: TemporalSettings) -> int:
    fields = read_json_file(args.json)
    if args.timezone:
        fields["timezone"] = args.timezone
    request = parse_outreach(fields, OutreachSettings())
    client = await connect(settings)
    submitted = await submit_outreach(client, settings.task_queue, request)
    announce(submitted, settings)
    if not args.no_wait:
        print(summarize_outreach(submitted.handle.id, await wait_for_outreach(submitted.handle)))
    return 0


async def signal(args: argparse.Namespace, settings: TemporalSettings, name: str, *arg: Any) -> int:
    """Signals go by name: `approve` and `reject` mean the same to tickets and outreach."""
    client = await connect(settings)
    await client.get_workflow_handle(args.workflow_id).signal(name, *arg)
    print(f"{name} sent to {args.workflow_id}; `status` shows the result")
    return 0


async def update(
    args: argparse.Namespace,
    settings: TemporalSettings,
    name: str,
    arg: Any,
    result_type: type[Any],
    what: str,
) -> Any:
    """An update by name; the workflow's validator refusing it is input error, exit 2."""
    client = await connect(settings)
    try:
        return await client.get_workflow_handle(args.workflow_id).execute_update(
            name, arg, result_type=result_type
        )
    except WorkflowUpdateFailedError as err:
        raise InputError(f"{what} refused: {err.cause}") from err


async def cmd_approve(args: argparse.Namespace, settings: TemporalSettings) -> int:
    return await signal(args, settings, "approve")


async def cmd_reject(args: argparse.Namespace, settings: TemporalSettings) -> int:
    return await signal(args, settings, "reject", args.reason)


async def cmd_replied(args: argparse.Namespace, settings: TemporalSettings) -> int:
    return await signal(args, settings, "lead_replied")


async def cmd_unsubscribe(args: argparse.Namespace, settings: TemporalSettings) -> int:
    return await signal(args, settings, "unsubscribe")


async def cmd_reschedule(args: argparse.Namespace, settings: TemporalSettings) -> int:
    request = validated(RescheduleRequest, {"at": args.at}, "--at")
    answer = await update(args, settings, "reschedule", request, RescheduleAnswer, "reschedule")
    print(f"{args.workflow_id}: touch {answer.number} now due {answer.due_at.isoformat()}")
    return 0


async def cmd_upcoming(args: argparse.Namespace, settings: TemporalSettings) -> int:
    until = datetime.now(UTC) + timedelta(hours=args.hours)
    query = (
        'WorkflowType = "LeadOutreachWorkflow" AND ExecutionStatus = "Running" '
        f'AND NextTouchAt <= "{until.isoformat().replace("+00:00", "Z")}"'
    )
    found = 0
    async for run in (await connect(settings)).list_workflows(query):
        due = attribute(run, "NextTouchAt", None)
        print(f"{run.id}  due {due:%Y-%m-%d %H:%M} UTC  {settings.run_url(run.id)}")
        found += 1
    print(f"{found} outreach touch(es) due in the next {args.hours} hour(s)")
    return 0


async def cmd_edit(args: argparse.Namespace, settings: TemporalSettings) -> int:
    body = read_file(args.body_file, MAX_INPUT_BYTES).decode("utf-8", errors="replace")
    answer = await update(args, settings, "edit_and_approve", body, str, "edit")
    print(f"{args.workflow_id}: {answer}")
    return 0


def attribute(run: WorkflowExecution, name: str, default: Any) -> Any:
    return next((p.value for p in run.typed_search_attributes if p.key.name == name), default)


async def cmd_pending(args: argparse.Namespace, settings: TemporalSettings) -> int:
    client = await connect(settings)
    found = 0
    async for run in client.list_workflows(PENDING_QUERY):
        if run.workflow_type == "LeadOutreachWorkflow":
            what = f"outreach   tier {attribute(run, 'LeadTier', '-')}"
        else:
            topic = attribute(run, "TicketTopic", "-")
            what = f"ticket     {topic:<10} score {attribute(run, 'TicketConfidence', 0.0):.2f}"
        print(f"{run.id}  {what}  {settings.run_url(run.id)}")
        found += 1
    print(f"{found} run(s) waiting for a person")
    return 0


async def cmd_status(args: argparse.Namespace, settings: TemporalSettings) -> int:
    """A ticket reads as a person would check it (holds, every check, the email as it
    would be sent); `--json`, and any other run, give the raw status query."""
    client = await connect(settings)
    handle = client.get_workflow_handle(args.workflow_id)
    kind = (await handle.describe()).workflow_type
    if kind == SupportTriageWorkflow.__name__ and not args.json:
        status = await handle.query(SupportTriageWorkflow.status, result_type=TriageStatus)
        print(summarize_ticket(args.workflow_id, status))
        return 0
    status = await handle.query("status")
    print(json.dumps(status, indent=2, default=str))
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
        ("unsubscribe", cmd_unsubscribe, "the lead unsubscribed: stop the outreach cadence"),
        ("reschedule", cmd_reschedule, "move the next outreach touch"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("workflow_id")
        command.set_defaults(handler=handler)
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = TemporalSettings()
    except ValidationError as err:
        print("invalid configuration:\n  " + "\n  ".join(problems(err)), file=sys.stderr)
        return 2
    try:
        return asyncio.run(args.handler(args, settings))
    except InputError as err:
        print(err, file=sys.stderr)
        return 2


if __name__ == "__main__":
    exit_without_teardown(main())
