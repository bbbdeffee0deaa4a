"""Command line for people: start runs, read their status, decide on agent work.

    python starter.py lead --json examples/leads/1-northwind.json
    python starter.py support --eml examples/support/invoice.eml
    python starter.py pending                      # tickets waiting for a person
    python starter.py approve ticket-0123456789abcdef
    python starter.py reject ticket-0123456789abcdef --reason "answered by phone"
    python starter.py edit ticket-0123456789abcdef --body-file reply.txt
    python starter.py status ticket-0123456789abcdef

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
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from activities.inbound_mail import MAX_RAW_BYTES, parse_email
from config.errors import problems
from config.settings import TemporalSettings, TriageSettings
from config.temporal import connect, exit_without_teardown
from models.lead import LeadIntakeInput, LeadIntakeResult, LeadSubmission, lead_workflow_id
from models.support import InboundEmail, TriageInput, TriageOptions, TriageStatus
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.support_triage import SupportTriageWorkflow

MAX_INPUT_BYTES = 64_000
LEAD_FLAGS = (
    "name", "email", "company", "website", "message", "source", "submitted_at", "submission_id",
)  # fmt: skip
PENDING_QUERY = (
    'WorkflowType = "SupportTriageWorkflow" AND ExecutionStatus = "Running" AND NeedsHuman = true'
)


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
        strong_retrieval=settings.strong_retrieval,
        sla=timedelta(minutes=settings.sla_minutes),
        final_deadline=timedelta(minutes=settings.final_deadline_minutes),
        on_call=settings.on_call,
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


async def wait_for_decision(
    handle: WorkflowHandle[Any, Any], timeout_s: float = 600
) -> TriageStatus:
    """Poll the status query until the ticket is sent, closed or waiting for a person."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    stage = "not answering queries"
    while asyncio.get_running_loop().time() < deadline:
        try:
            status = await handle.query(SupportTriageWorkflow.status)
        except RPCError:  # a workflow task is failing or no worker is up yet: keep polling
            status = None
        if status is not None and status.stage in ("awaiting_human", "done"):
            return status
        stage = status.stage if status is not None else stage
        await asyncio.sleep(0.5)
    raise InputError(f"{handle.id} still {stage} after {timeout_s:.0f}s; see the UI")


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


async def cmd_approve(args: argparse.Namespace, settings: TemporalSettings) -> int:
    client = await connect(settings)
    await client.get_workflow_handle(args.workflow_id).signal(SupportTriageWorkflow.approve)
    print(f"approve sent to {args.workflow_id}; `status` shows the result")
    return 0


async def cmd_reject(args: argparse.Namespace, settings: TemporalSettings) -> int:
    client = await connect(settings)
    await client.get_workflow_handle(args.workflow_id).signal(
        SupportTriageWorkflow.reject, args.reason
    )
    print(f"reject sent to {args.workflow_id}")
    return 0


async def cmd_edit(args: argparse.Namespace, settings: TemporalSettings) -> int:
    body = read_file(args.body_file, MAX_INPUT_BYTES).decode("utf-8", errors="replace")
    client = await connect(settings)
    handle = client.get_workflow_handle(args.workflow_id)
    try:
        answer = await handle.execute_update(SupportTriageWorkflow.edit_and_approve, body)
    except WorkflowUpdateFailedError as err:
        raise InputError(f"edit refused: {err.cause}") from err
    print(f"{args.workflow_id}: {answer}")
    return 0


async def cmd_pending(args: argparse.Namespace, settings: TemporalSettings) -> int:
    client = await connect(settings)
    found = 0
    async for run in client.list_workflows(PENDING_QUERY):
        attributes = run.typed_search_attributes
        topic = next((p.value for p in attributes if p.key.name == "TicketTopic"), "-")
        score = next((p.value for p in attributes if p.key.name == "TicketConfidence"), 0.0)
        print(f"{run.id}  {topic:<12} score {score:.2f}  {settings.run_url(run.id)}")
        found += 1
    print(f"{found} ticket(s) waiting for a person")
    return 0


async def cmd_status(args: argparse.Namespace, settings: TemporalSettings) -> int:
    client = await connect(settings)
    status = await client.get_workflow_handle(args.workflow_id).query("status")
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

    for name, handler, help_text in (
        ("approve", cmd_approve, "send the agent's draft of a waiting ticket"),
        ("reject", cmd_reject, "close a waiting ticket without a reply"),
        ("edit", cmd_edit, "send your own reply instead of the draft"),
        ("status", cmd_status, "print a run's status query as JSON"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("workflow_id")
        command.set_defaults(handler=handler)
        if name == "reject":
            command.add_argument("--reason", required=True)
        if name == "edit":
            command.add_argument("--body-file", type=Path, required=True)

    pending = commands.add_parser("pending", help="list tickets waiting for a person")
    pending.set_defaults(handler=cmd_pending)
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
