"""The public lead form: `POST /leads`, a run's public status and an example form page.

This is the one door anyone on the internet can open, so it refuses before it starts:
- Bodies are JSON or `application/x-www-form-urlencoded` (what a plain HTML form on a
  company site sends); a blank form field counts as not given. Anything else is 415,
  an unreadable body 400, and a bad lead 422 naming each field without echoing it.
- Leads are validated by the same client functions as the starter, and started through
  `client.submit`, so the same submission (same `submission_id`, or the same email on
  the same UTC day without one) answers with the run it already started
  (`"existing": true`) instead of starting another. The time of submission is the
  server's: a client-chosen time would pick which day a post counts for.
- Rate limits per client address (checked before the body is read) and per normalised
  email answer 429 with Retry-After. A refused post started nothing; a 202 means the
  run exists.
- Honeypot: the form carries a field (`HONEYPOT`) that people never see (CSS class `hp`)
  and bots fill in. A post that fills it gets the answer a new submission gets, with the
  id its run would have, but nothing starts, so a bot learns nothing from it.
- `GET /runs/{run_id}` needs no login: whoever holds the link sees it. The status query
  holds the lead's message, the CRM record, the score, research and drafted emails, so
  the link shows only the run's progress (stage, outcome, done, timestamps), never the
  query's contents.
"""

import json
import logging
import re
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ValidationError
from temporalio.client import WorkflowExecutionStatus, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from client.errors import InputError
from client.handles import read_status
from client.inputs import parse_lead, parse_outreach
from client.submit import Submitted, submit_lead, submit_outreach
from client.views import QUERY_TIMEOUT
from models.lead import LeadIntakeStatus, LeadSubmission
from models.outreach import OutreachInput, OutreachStatus
from web.state import TEMPLATES, Doors, client_address, doors

router = APIRouter()
log = logging.getLogger("flowdesk.web.leads")

HONEYPOT = "company_fax"
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
RUN_ID = re.compile(r"(lead|outreach)-[0-9a-f]{16}")
"""The ids `lead_workflow_id` and `outreach_workflow_id` derive: a 16-hex-digit hash."""


class Accepted(BaseModel):
    """`run_id` is the workflow id, stable for the life of the run. It is a hash that
    names no one, but whoever knows an email can compute that day's id: one more reason
    the status link shows progress only."""

    run_id: str
    status_url: str
    existing: bool


class PublicStatus(BaseModel):
    """What an unauthenticated status link may show: progress, never the lead's data."""

    run_id: str
    stage: str
    state: str
    outcome: str | None
    done: bool
    started_at: datetime | None
    updated_at: datetime | None
    closed_at: datetime | None


@router.post("/leads", status_code=202)
async def submit(request: Request) -> Response:
    state = doors(request)
    state.per_address.enforce(client_address(request), "submissions from this address")
    fields = await _fields(request)
    bot = fields.pop(HONEYPOT, None) not in (None, "")
    fields.pop("submitted_at", None)
    try:
        parsed = _parse(state, fields)
    except InputError as err:
        return JSONResponse({"detail": _problems(err)}, status_code=422)
    if bot:
        log.info("honeypot filled: nothing started")
        return _accepted(request, _decoy_id(parsed), existing=False)
    lead = parsed.lead if isinstance(parsed, OutreachInput) else parsed
    state.per_email.enforce(lead.normalized_email, "submissions for this email address")
    submitted = await _submit(state, parsed)
    log.info("lead run %s %s", submitted.handle.id, "exists" if submitted.existing else "started")
    return _accepted(request, submitted.handle.id, submitted.existing)


@router.get("/runs/{run_id}", response_model=PublicStatus)
async def run_status(request: Request, run_id: str) -> PublicStatus:
    if not RUN_ID.fullmatch(run_id):
        raise HTTPException(400, "not a lead run id: expected lead-… or outreach-… as issued")
    state = doors(request)
    state.status_reads.enforce(client_address(request), "status reads from this address")
    client = state.client
    try:
        info = await client.get_workflow_handle(run_id).describe()
        status = await read_status(client, run_id, QUERY_TIMEOUT)
    except WorkflowQueryFailedError as err:
        raise _unavailable() from err
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise HTTPException(
                404, f"no run {run_id}: never started, or its history has expired"
            ) from None
        raise _unavailable() from err
    except InputError:
        raise HTTPException(404, f"no lead run {run_id}") from None
    if not isinstance(status, LeadIntakeStatus | OutreachStatus):
        raise HTTPException(404, f"no lead run {run_id}")
    ended = _ended(info.status)
    return PublicStatus(
        run_id=run_id,
        stage=status.stage,
        state=ended or "running",
        outcome=status.outcome if isinstance(status, OutreachStatus) else ended,
        done=ended is not None,
        started_at=info.start_time,
        updated_at=status.decisions[-1].at if status.decisions else None,
        closed_at=info.close_time,
    )


def _ended(status: WorkflowExecutionStatus | None) -> str | None:
    """How the run ended (`completed`, `failed`, `terminated`…); None while it runs."""
    if status is None or status == WorkflowExecutionStatus.RUNNING:
        return None
    return status.name.lower()


@router.get("/form", response_class=HTMLResponse)
def form_page(request: Request) -> Response:
    """An example lead form, as a company site would embed it; works without JavaScript.

    Each page view carries its own `submission_id`, so a double click or a reload that
    posts the page again is the same submission, and a new visit is a new one.
    """
    return TEMPLATES.TemplateResponse(
        request,
        "lead_form.html",
        {
            "honeypot": HONEYPOT,
            "submission_id": secrets.token_urlsafe(12),
            "outreach": doors(request).web.lead_workflow == "outreach",
        },
    )


async def _fields(request: Request) -> dict[str, Any]:
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind not in (JSON_TYPE, FORM_TYPE):
        raise HTTPException(415, f"send the lead as {JSON_TYPE} or {FORM_TYPE}")
    body = await request.body()
    try:
        if kind == JSON_TYPE:
            data = json.loads(body)
        else:
            data = dict(parse_qsl(body.decode("utf-8"), strict_parsing=True))
    except (ValueError, RecursionError):
        raise HTTPException(400, f"the body is not valid {kind}") from None
    if not isinstance(data, dict):
        raise HTTPException(400, "the body must be one JSON object")
    return data


def _parse(state: Doors, fields: dict[str, Any]) -> LeadSubmission | OutreachInput:
    if state.web.lead_workflow == "outreach":
        return parse_outreach(fields, state.outreach)
    return parse_lead(fields)


async def _submit(state: Doors, parsed: LeadSubmission | OutreachInput) -> Submitted:
    queue = state.temporal.task_queue
    try:
        if isinstance(parsed, OutreachInput):
            return await submit_outreach(state.client, queue, parsed, state.privacy.id_key)
        return await submit_lead(state.client, queue, parsed, state.privacy.id_key)
    except RPCError as err:
        raise _unavailable() from err


def _decoy_id(parsed: LeadSubmission | OutreachInput) -> str:
    """A run id shaped like a real one that names no run: the real id of (email, day)
    would tell a bot whether that person had submitted (`/runs/{id}`). The honeypot
    counts against no email's quota either, or three bot posts would lock a real person
    out for an hour."""
    prefix = "outreach-" if isinstance(parsed, OutreachInput) else "lead-"
    return prefix + secrets.token_hex(8)


def _unavailable() -> HTTPException:
    """Temporal unreachable: nothing was accepted, so the client may simply retry."""
    return HTTPException(503, "the workflow service is unavailable; try again shortly")


def _problems(err: InputError) -> list[dict[str, str]]:
    """Each bad field and what is wrong, never the value (it may be personal data).

    Pydantic's report is structured; other refusals are `field: problem` lines whose
    problem may quote the value, so only their field is named.
    """
    cause = err.__cause__
    if isinstance(cause, ValidationError):
        return [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
            for e in cause.errors(include_input=False, include_url=False)
        ]
    lines = str(err).splitlines()[1:]
    return [{"field": line.partition(":")[0].strip(), "problem": "invalid value"} for line in lines]


def _accepted(request: Request, run_id: str, existing: bool) -> Response:
    """JSON for programs; the small page for a browser that asked for HTML."""
    status_url = f"{doors(request).web.public_url}/runs/{run_id}"
    headers = {"Location": status_url}
    if "text/html" in request.headers.get("accept", ""):
        return TEMPLATES.TemplateResponse(
            request,
            "lead_received.html",
            {"run_id": run_id, "status_url": status_url, "existing": existing},
            status_code=202,
            headers=headers,
        )
    body = Accepted(run_id=run_id, status_url=status_url, existing=existing)
    return JSONResponse(body.model_dump(), status_code=202, headers=headers)
