"""Command line for people: start runs, read their status.

    python starter.py lead --json examples/leads/northwind.json
    python starter.py lead --name "Ada Lovelace" --email ada@northwind.test \\
        --company Northwind --website https://northwind.test --message "pricing?"
    python starter.py status lead-0123456789abcdef

Input is validated before anything is started: a bad lead exits with status 2 and
one line per problem naming the field.
"""

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from config.errors import problems
from config.settings import TemporalSettings
from config.temporal import connect
from models.lead import LeadIntakeInput, LeadIntakeResult, LeadSubmission, lead_workflow_id
from workflows.lead_intake import LeadIntakeWorkflow

MAX_INPUT_BYTES = 64_000
LEAD_FLAGS = (
    "name", "email", "company", "website", "message", "source", "submitted_at", "submission_id",
)  # fmt: skip


class InputError(Exception):
    """Input refused before any workflow starts; the message says what is wrong."""


@dataclass
class Submitted:
    handle: WorkflowHandle[LeadIntakeWorkflow, LeadIntakeResult]
    existing: bool
    status: WorkflowExecutionStatus | None


def read_json_file(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror}") from err
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(f"{path} is {len(raw)} bytes; the limit is {MAX_INPUT_BYTES}")
    try:
        data = json.loads(raw)
    except ValueError as err:
        raise InputError(f"{path} is not valid JSON: {err}") from err
    if not isinstance(data, dict):
        raise InputError(f"{path} must hold one JSON object")
    return data


def parse_lead(fields: dict[str, Any]) -> LeadSubmission:
    """Validate a lead; `submitted_at` defaults to now so plain flags are enough."""
    fields = {"submitted_at": datetime.now(UTC).isoformat(), **fields}
    try:
        return LeadSubmission.model_validate(fields)
    except ValidationError as err:
        raise InputError("invalid lead:\n  " + "\n  ".join(problems(err))) from err


async def submit_lead(client: Client, task_queue: str, lead: LeadSubmission) -> Submitted:
    """Start intake, or find the run this submission already started (same id)."""
    workflow_id = lead_workflow_id(lead)
    try:
        handle = await client.start_workflow(
            LeadIntakeWorkflow.run,
            LeadIntakeInput(lead=lead),
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            static_summary=f"Lead intake: {lead.website_domain} via {lead.source}",
        )
        return Submitted(handle, existing=False, status=None)
    except WorkflowAlreadyStartedError:
        handle = client.get_workflow_handle_for(LeadIntakeWorkflow.run, workflow_id)
        description = await handle.describe()
        return Submitted(handle, existing=True, status=description.status)


def summarize_lead(result: LeadIntakeResult) -> str:
    score = result.score
    lines = [
        f"workflow   {result.workflow_id}",
        f"contact    #{result.contact_id} ({result.domain}, profile from {result.profile.source})",
        f"score      {score.points} -> tier {score.tier} (rules {score.rules_version})",
    ]
    lines += [f"  {hit.points:+4d}  {hit.rule}: {hit.reason}" for hit in score.hits]
    welcome = result.welcome
    lines.append(
        f"welcome    {'not sent' if welcome is None else welcome.transport + ' ' + welcome.message_id}"
    )
    return "\n".join(lines)


async def cmd_lead(args: argparse.Namespace, settings: TemporalSettings) -> int:
    fields = read_json_file(args.json) if args.json else {}
    fields |= {k: getattr(args, k) for k in LEAD_FLAGS if getattr(args, k) is not None}
    lead = parse_lead(fields)
    client = await connect(settings)
    submitted = await submit_lead(client, settings.task_queue, lead)
    workflow_id = submitted.handle.id
    if submitted.existing:
        state = submitted.status.name.lower() if submitted.status else "unknown"
        print(f"already submitted: run {workflow_id} exists ({state}); not starting another")
    else:
        print(f"started {workflow_id}")
    print(f"UI: {settings.run_url(workflow_id)}")
    if args.no_wait:
        return 0
    result = await submitted.handle.result()
    print(summarize_lead(result))
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

    status = commands.add_parser("status", help="print a run's status query as JSON")
    status.add_argument("workflow_id")
    status.set_defaults(handler=cmd_status)
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
    sys.exit(main())
