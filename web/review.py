"""The reviewer inbox: runs waiting for a person, one run in full, and the three decisions.

A held ticket or outreach draft waits here for someone who can see everything the run
knows (the mail or lead, the draft, its sources, every check and hold, the decision
log, model and prompt versions) before approving, rejecting or rewriting it. Decisions
go through `client.handles` with the signed-in name, so the run's own decision log
says who decided. Plain HTML forms, each with the session's CSRF token; a refused edit
comes back with the text as typed, so nothing a reviewer wrote is lost.
"""

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from temporalio.client import Client
from temporalio.service import RPCError

from client import handles, views
from client.errors import InputError
from models.support import TriageStatus
from policy.business_hours import local_label
from policy.checks.grounding import plain_text
from policy.outreach_templates import UNSUBSCRIBE_FOOTER
from web.auth import Session
from web.login import checked_form, reviewer
from web.state import TEMPLATES, doors

router = APIRouter()
Reviewer = Annotated[Session, Depends(reviewer)]
Csrf = Annotated[str | None, Form()]

RUN_ID = re.compile(r"(ticket|outreach)-[0-9a-f]{8,64}")
"""The ids `client.submit` gives reviewable runs; anything else is not looked up."""
NOTES = {
    "approved": "Approved. The decision is in the log below.",
    "rejected": "Rejected. Nothing will be sent; the reason is in the log below.",
    "edited": "Your text was accepted and approved. The decision is in the log below.",
    "resumed": "Resumed: the cadence goes on. The decision is in the log below.",
    "replied": "Marked as the lead's answer: the cadence has ended.",
}
SETTLE_POLLS, SETTLE_S = 25, 0.2
"""A signal is taken up within milliseconds; the page after a decision should show it."""
Send = Callable[[Client, str, str], Awaitable[None]]
"""A decision: (client, workflow id, reviewer name)."""
NOT_WAITING = "This run is no longer waiting for a decision; nothing was changed."


class Missing(Exception):
    """No reviewable run has this id."""


def _when(moment: datetime | None) -> str:
    return local_label(moment, "UTC") if moment else "-"


@router.get("/review", response_class=HTMLResponse)
async def inbox(request: Request, session: Reviewer) -> Response:
    client = doors(request).client
    waiting = await views.waiting_runs(client)
    rows = list(zip(waiting, await views.read_waiting(client, waiting), strict=True))
    rows.sort(key=lambda row: row[1] is None)
    return TEMPLATES.TemplateResponse(
        request,
        "review_list.html",
        {"session": session, "rows": rows, "when": _when, "now": datetime.now(UTC),
         "page": views.PAGE},
    )  # fmt: skip


@router.get("/review/{workflow_id}", response_class=HTMLResponse)
async def detail(request: Request, workflow_id: str, session: Reviewer, done: str = "") -> Response:
    try:
        view = await _run(request, workflow_id)
    except Missing:
        return _missing(request, session)
    return _page(request, session, view, note=NOTES.get(done))


@router.post("/review/{workflow_id}/approve", response_class=HTMLResponse)
async def approve(
    request: Request, workflow_id: str, session: Reviewer, csrf: Csrf = None
) -> Response:
    checked_form(session, csrf)
    return await _decide(request, session, workflow_id, "approved", handles.approve)


@router.post("/review/{workflow_id}/reject", response_class=HTMLResponse)
async def reject(
    request: Request, workflow_id: str, session: Reviewer, csrf: Csrf = None,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:  # fmt: skip
    checked_form(session, csrf)

    async def send(client: Client, run_id: str, user: str) -> None:
        if not reason.strip():
            raise InputError("a rejection needs a reason: it goes into the decision log")
        await handles.reject(client, run_id, reason.strip(), user)

    return await _decide(request, session, workflow_id, "rejected", send)


@router.post("/review/{workflow_id}/edit", response_class=HTMLResponse)
async def edit(
    request: Request, workflow_id: str, session: Reviewer, csrf: Csrf = None,
    body: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """The workflow's validator has the last word on the text (`handles.edit_and_approve`
    raises `InputError` with its message)."""
    checked_form(session, csrf)
    text = body.replace("\r\n", "\n")

    async def send(client: Client, run_id: str, user: str) -> None:
        await handles.edit_and_approve(client, run_id, text, user)

    return await _decide(request, session, workflow_id, "edited", send, edited=text)


@router.post("/review/{workflow_id}/resume", response_class=HTMLResponse)
async def resume(
    request: Request, workflow_id: str, session: Reviewer, csrf: Csrf = None
) -> Response:
    """A paused cadence (an answer matched by its sender alone) was not the lead's."""
    checked_form(session, csrf)
    return await _decide(request, session, workflow_id, "resumed", handles.resume)


@router.post("/review/{workflow_id}/replied", response_class=HTMLResponse)
async def replied(
    request: Request, workflow_id: str, session: Reviewer, csrf: Csrf = None
) -> Response:
    """A paused cadence's mail was the lead's answer: the cadence ends as replied."""
    checked_form(session, csrf)

    async def send(client: Client, run_id: str, user: str) -> None:
        await handles.lead_replied(client, run_id)

    return await _decide(request, session, workflow_id, "replied", send)


async def _decide(
    request: Request, session: Session, workflow_id: str, done: str, send: Send,
    edited: str | None = None,
) -> Response:  # fmt: skip
    """Send a decision to a run that waits for one, then show the run once it took it up.
    A refusal re-renders the page (422) with the message and the text as typed."""
    try:
        view = await _run(request, workflow_id)
    except Missing:
        return _missing(request, session)
    if not view.waiting:
        return _page(request, session, view, status_code=409, error=NOT_WAITING)
    client = doors(request).client
    try:
        await send(client, workflow_id, session.user)
    except InputError as err:
        return _page(request, session, view, status_code=422, error=str(err), edited=edited)
    except RPCError:
        return _page(request, session, view, status_code=409, error=NOT_WAITING, edited=edited)
    handle = client.get_workflow_handle(workflow_id)
    for _ in range(SETTLE_POLLS):
        if not replace(view, status=await views.query_status(handle, view.kind)).waiting:
            break
        await asyncio.sleep(SETTLE_S)
    return RedirectResponse(f"/review/{workflow_id}?done={done}", status_code=303)


async def _run(request: Request, workflow_id: str) -> views.RunView:
    if not RUN_ID.fullmatch(workflow_id):
        raise Missing
    view = await views.read_run(doors(request).client, workflow_id)
    if view is None:
        raise Missing
    return view


def _missing(request: Request, session: Session) -> Response:
    """The id is not echoed: it came from the address bar, not from Temporal."""
    return TEMPLATES.TemplateResponse(
        request, "review_missing.html", {"session": session}, status_code=404
    )


def _as_approved(view: views.RunView) -> str:
    """What approving sends, as the edit box takes it (empty: nothing to approve as is):
    a ticket's reply exactly; a touch as a `Subject:` line and its body, without the
    unsubscribe line the workflow adds to every edit."""
    status = view.status
    if isinstance(status, TriageStatus):
        if status.evaluation is not None and status.evaluation.reply_body:
            return status.evaluation.reply_body
        return plain_text(status.draft.body) if status.draft else ""
    if status is None or status.pending is None:
        return ""
    body = status.pending.body.removesuffix(UNSUBSCRIBE_FOOTER)
    return f"Subject: {status.pending.subject}\n\n{body}"


def _page(
    request: Request, session: Session, view: views.RunView, *, note: str | None = None,
    error: str | None = None, edited: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    prepared = _as_approved(view)
    context = {
        "session": session, "view": view, "status": view.status, "note": note, "error": error,
        "can_approve": bool(prepared), "edit_text": prepared if edited is None else edited,
        "when": _when, "local_label": local_label, "now": datetime.now(UTC),
        "ui_url": doors(request).temporal.run_url(view.workflow_id),
    }  # fmt: skip
    template = "review_ticket.html" if view.kind == "ticket" else "review_outreach.html"
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
