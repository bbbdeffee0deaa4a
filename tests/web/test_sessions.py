"""Sessions end when a reviewer signs out (for good: a restart remembers), is removed or
changes password, and odd cookies or tokens are refused, not crashed on."""

from pathlib import Path

from tests.web.conftest import WebStack
from web.auth import SessionSigner, hash_password


async def test_signing_out_ends_the_session_for_a_copied_cookie_too(web: WebStack):
    await web.login()
    copied = web.http.cookies["flowdesk_session"]
    page = await web.http.get("/review")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    assert (await web.http.post("/logout", data={"csrf": csrf})).status_code == 303
    web.http.cookies.set("flowdesk_session", copied)
    assert (await web.http.get("/review")).status_code == 303, "back to the login page"


async def test_non_ascii_cookies_and_tokens_are_refused_without_a_crash(web: WebStack):
    odd = {"cookie": "flowdesk_session=abc.é".encode()}
    assert (await web.http.get("/review", headers=odd)).status_code == 303
    await web.login()
    refused = await web.http.post("/logout", data={"csrf": "é"})
    assert refused.status_code == 403


async def test_a_session_ends_when_its_reviewer_is_removed_or_changes_password(web: WebStack):
    await web.login()
    assert (await web.http.get("/review")).status_code == 200
    settings = web.doors.web
    (user, stored), *_ = settings.users.items()
    try:
        web.doors.web = settings.model_copy(update={"users": {user: hash_password("new one")}})
        changed = await web.http.get("/review")
        web.doors.web = settings.model_copy(update={"users": {}})
        removed = await web.http.get("/review")
    finally:
        web.doors.web = settings
    assert changed.status_code == removed.status_code == 303, "back to the login page"
    assert (await web.http.get("/review")).status_code == 200, "the same hash: still valid"


def test_a_signed_out_session_stays_ended_after_a_restart(tmp_path: Path):
    users = {"ada": hash_password("pw")}
    ended = tmp_path / "ended_sessions.sqlite3"
    cookie, session = SessionSigner(b"k" * 32, 12, ended).issue("ada", users["ada"])
    SessionSigner(b"k" * 32, 12, ended).end(session)

    restarted = SessionSigner(b"k" * 32, 12, ended)

    assert restarted.read(cookie, users) is None
    fresh, _ = restarted.issue("ada", users["ada"])
    assert restarted.read(fresh, users) is not None
