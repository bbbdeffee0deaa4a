"""The suppression list in the inbox: who no run may email and why, one address with its
audit log, and taking an address off with a reason.

A person who can decide on agent work can also let mail to an address go again (a
bounce that was a full mailbox, an unsubscribe taken back). The signed-in name and the
reason go to the list's audit log with the removal (`client.suppressions`); the form
carries the session's CSRF token like every other.
"""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from client import suppressions
from client.errors import InputError
from models.common import MAX_ADDRESS_CHARS
from models.threads import MAX_REMOVAL_REASON
from web.auth import Session
from web.login import checked_form
from web.review import Csrf, Reviewer
from web.state import TEMPLATES, doors

router = APIRouter()
NOTES = {
    "removed": "Taken off the list: runs may email this address again. The audit log below "
    "says who and why.",
    "absent": "This address was not on the list; nothing was changed.",
}
Address = Annotated[str, Form(min_length=3, max_length=MAX_ADDRESS_CHARS)]


@router.get("/suppressions", response_class=HTMLResponse)
async def page(request: Request, session: Reviewer, address: str = "", done: str = "") -> Response:
    return await _page(request, session, address.strip()[:MAX_ADDRESS_CHARS], NOTES.get(done))


@router.post("/suppressions/remove", response_class=HTMLResponse)
async def remove(
    request: Request, session: Reviewer, address: Address, csrf: Csrf = None,
    reason: Annotated[str, Form(max_length=MAX_REMOVAL_REASON)] = "",
) -> Response:  # fmt: skip
    checked_form(session, csrf)
    store = doors(request).crm
    if store is None:
        return await _page(request, session, address, None, status_code=503)
    try:
        taken = await suppressions.take_off(store, address, reason, session.user)
    except InputError as err:
        return await _page(request, session, address, None, error=str(err), status_code=422)
    done = "removed" if taken else "absent"
    return RedirectResponse(f"/suppressions?address={quote(address)}&done={done}", status_code=303)


async def _page(
    request: Request, session: Session, address: str, note: str | None, *,
    error: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    """The list, or one address when given. Without a CRM the page says so (503)."""
    store = doors(request).crm
    context: dict[str, object] = {
        "session": session, "address": address, "note": note, "error": error,
        "configured": store is not None, "max_address": MAX_ADDRESS_CHARS,
        "max_reason": MAX_REMOVAL_REASON,
    }  # fmt: skip
    if store is not None and address:
        context["record"] = await suppressions.record(store, address)
    elif store is not None:
        context["entries"] = await suppressions.listed(store)
    code = status_code if store is not None else 503
    return TEMPLATES.TemplateResponse(request, "suppressions.html", context, status_code=code)
