"""One-click unsubscribe (RFC 8058): the link every outreach email carries in
`List-Unsubscribe`.

Mailbox providers POST `List-Unsubscribe=One-Click` to the link without a cookie or a
page, so the POST acts at once; a person who opens the link gets a page with a confirm
button that makes the same POST (a GET must not act: link scanners fetch every URL in
a mail). The token is an HMAC over the outreach run's id (`adapters.mail.unsubscribe_links`),
so a forged or altered link is refused and names nothing; a valid one starts the
`UnsubscribeWorkflow`, which suppresses the address the run mailed and stops every
cadence to it. Using a link twice is harmless: a second click joins the first run while
it is under way, and after it suppresses again (an address a person took off the list in
between is listed again).
"""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from client.submit import submit_unsubscribe
from web.state import TEMPLATES, client_address, doors

router = APIRouter()
INVALID = "This unsubscribe link is not valid. Reply to the email with 'unsubscribe' instead."


def _run_of(request: Request, token: str) -> str:
    state = doors(request)
    state.status_reads.enforce(client_address(request), "requests from this address")
    workflow_id = state.links.verify(token) if state.links else None
    if workflow_id is None:
        raise HTTPException(status_code=404, detail=INVALID)
    return workflow_id


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def confirm_page(request: Request, token: str) -> HTMLResponse:
    _run_of(request, token)
    return TEMPLATES.TemplateResponse(request, "unsubscribe.html", {"done": False})


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe(request: Request, token: str) -> HTMLResponse:
    workflow_id = _run_of(request, token)
    state = doors(request)
    await submit_unsubscribe(state.client, state.temporal.task_queue, workflow_id)
    return TEMPLATES.TemplateResponse(request, "unsubscribe.html", {"done": True})
