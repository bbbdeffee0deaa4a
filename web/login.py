"""Logging reviewers in and out; `reviewer` is the dependency every inbox page uses."""

import secrets
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.auth import COOKIE, Session, csrf_ok, hash_password, verify_password
from web.state import TEMPLATES, client_address, doors, session_of

router = APIRouter()
UNKNOWN_USER = hash_password(secrets.token_urlsafe(16))
"""Checked for names that are not reviewers, so a wrong name costs as long as a wrong
password and the answer time does not tell which names exist."""


class LoginRequired(Exception):
    """Raised by `reviewer`; the app answers with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def reviewer(request: Request) -> Session:
    session = session_of(request)
    if session is None:
        raise LoginRequired(request.url.path)
    return session


def checked_form(session: Session, csrf: str | None) -> None:
    """Every state-changing form carries the session's CSRF token."""
    if not csrf_ok(session, csrf):
        raise HTTPException(403, "the form's CSRF token is missing or stale; reload the page")


def login_redirect(error: LoginRequired) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(error.next_path)}", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/review") -> Response:
    return TEMPLATES.TemplateResponse(
        request,
        "login.html",
        {"next": _local(next), "error": None, "configured": bool(doors(request).web.users)},
    )


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/review",
) -> Response:
    state = doors(request)
    if not same_origin(request):
        raise HTTPException(403, "sign in from this site's own login page")
    state.logins.enforce(client_address(request), "login attempts from this address")
    stored = state.web.users.get(username)
    known = verify_password(password, stored or UNKNOWN_USER)
    if stored is None or not known:
        return TEMPLATES.TemplateResponse(
            request,
            "login.html",
            {
                "next": _local(next),
                "error": "unknown user or wrong password",
                "configured": bool(state.web.users),
            },
            status_code=401,
        )
    cookie, _ = state.signer.issue(username, stored)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(
        COOKIE, cookie, max_age=state.signer.max_age, httponly=True, samesite="strict",
        secure=state.web.secure_cookies,
    )  # fmt: skip
    return response


@router.post("/logout")
def logout(
    request: Request,
    session: Annotated[Session, Depends(reviewer)],
    csrf: Annotated[str | None, Form()] = None,
) -> Response:
    checked_form(session, csrf)
    doors(request).signer.end(session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def same_origin(request: Request) -> bool:
    """A login posted from another site would sign the visitor in as someone else (login
    CSRF); browsers name the posting page's origin, and it must be this site's (as
    reached, or as `public_url` names it behind a proxy)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    public = urlsplit(doors(request).web.public_url).netloc
    return urlsplit(origin).netloc in (request.url.netloc, public)


def _local(path: str) -> str:
    """Only paths on this site: a login link must not redirect people elsewhere."""
    return path if path.startswith("/") and not path.startswith("//") else "/review"
