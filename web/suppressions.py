"""The suppression list in the inbox: who no run may email and why, one address with its
audit log, and taking an address off with a reason.

A person who can decide on agent work can also let mail to an address go again (a
bounce that was a full mailbox, an unsubscribe taken back). The signed-in name and the
reason go to the list's audit log with the removal (`client.suppressions`). An address
is only ever posted, with the session's CSRF token, never put in a URL: it would reach
browser history, proxy logs and Referer headers.
"""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from client import suppressions
from client.errors import InputError
from models.common import MAX_ADDRESS_CHARS
from models.threads import MAX_REMOVAL_REASON
from web.auth import Session
from web.login import checked_form
from web.review import Csrf, Reviewer
from web.state import TEMPLATES, doors

router = APIRouter()
Text = Annotated[str, Form()]
NOT_LISTED = "This address was not on the list; nothing was changed."
REMOVED = "Taken off the list: runs may email this address again. The audit log says who and why."


@router.get("/suppressions", response_class=HTMLResponse)
async def listing(request: Request, session: Reviewer) -> Response:
    return await _page(request, session)


@router.post("/suppressions/show", response_class=HTMLResponse)
async def show(
    request: Request, session: Reviewer, address: Text = "", csrf: Csrf = None
) -> Response:
    checked_form(session, csrf)
    return await _page(request, session, address)


@router.post("/suppressions/remove", response_class=HTMLResponse)
async def remove(
    request: Request, session: Reviewer, address: Text = "", reason: Text = "",
    csrf: Csrf = None,
) -> Response:  # fmt: skip
    checked_form(session, csrf)
    store = doors(request).crm
    if store is None:
        return await _page(request, session)
    try:
        taken = await suppressions.take_off(store, address, reason, session.user)
    except InputError as err:
        return await _page(request, session, address, error=str(err), status_code=422)
    return await _page(request, session, address, note=REMOVED if taken else NOT_LISTED)


async def _page(
    request: Request, session: Session, address: str = "", *, note: str | None = None,
    error: str | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    """The list, or one address when one was posted. Without a CRM the page says so (503);
    an address past the limit is refused (422)."""
    store = doors(request).crm
    context: dict[str, object] = {
        "session": session, "note": note, "error": error, "configured": store is not None,
        "max_address": MAX_ADDRESS_CHARS, "max_reason": MAX_REMOVAL_REASON,
        "most_shown": suppressions.MOST_SHOWN,
    }  # fmt: skip
    if store is None:
        status_code = 503
    elif address.strip():
        try:
            context["record"] = await suppressions.record(store, address)
        except InputError as err:
            context["error"], status_code = str(err), 422
    else:
        context["entries"] = await suppressions.listed(store)
    page = TEMPLATES.TemplateResponse(
        request, "suppressions.html", context, status_code=status_code
    )
    page.headers["Referrer-Policy"] = "no-referrer"
    return page
