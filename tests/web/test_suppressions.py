"""The suppression list page: what a signed-in person sees, and taking an address off
with a reason that lands in the audit log, on a real SQLite CRM."""

import dataclasses
import html
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest_asyncio

from adapters.crm.crm import SqliteCrm
from models.threads import Suppression
from tests.web.conftest import PASSWORD, REVIEWER, WebStack
from web.app import create_app
from web.state import Doors

ADA = "ada@northwind.example"


@pytest_asyncio.fixture(loop_scope="session")
async def page(web: WebStack, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Doors]]:
    """The web service with a CRM holding one bounced address, signed in as the reviewer."""
    crm = SqliteCrm(tmp_path / "crm.sqlite3")
    await crm.suppress(Suppression(address=ADA, reason="bounced", source="bounce of <m1@x>"))
    doors = dataclasses.replace(web.doors, crm=crm)
    transport = httpx.ASGITransport(app=create_app(doors), client=("203.0.113.9", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http, doors
    await crm.close()


async def signed_in(http: httpx.AsyncClient, doors: Doors) -> str:
    await http.post("/login", data={"username": REVIEWER, "password": PASSWORD, "next": "/"})
    session = doors.signer.read(http.cookies.get("flowdesk_session"), doors.web.users)
    assert session is not None
    return session.csrf


async def test_the_list_is_for_signed_in_people_only(page) -> None:
    http, _ = page
    answer = await http.get("/suppressions")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


async def test_a_person_sees_the_list_and_one_address_with_its_audit_log(page) -> None:
    http, doors = page
    csrf = await signed_in(http, doors)
    listed = await http.get("/suppressions")
    assert ADA in listed.text and "bounced" in listed.text and "1 address(es)" in listed.text
    assert listed.headers["referrer-policy"] == "no-referrer"
    assert "?address=" not in listed.text, "an address is posted, never put in a URL"
    answer = await http.post("/suppressions/show", data={"address": ADA, "csrf": csrf})
    shown = html.unescape(answer.text)
    assert "On the list since" in shown and "bounce of <m1@x>" in shown
    assert "Take off the list" in shown and "<td>added</td>" in shown
    forged = await http.post("/suppressions/show", data={"address": ADA, "csrf": "x"})
    assert forged.status_code == 403
    too_long = await http.post("/suppressions/show", data={"address": "a" * 400, "csrf": csrf})
    assert too_long.status_code == 422 and "1 to 320 characters" in too_long.text


async def test_taking_an_address_off_needs_a_reason_and_is_audited(page) -> None:
    http, doors = page
    csrf = await signed_in(http, doors)
    form = {"address": ADA, "csrf": csrf}

    forged = await http.post("/suppressions/remove", data=form | {"csrf": "x", "reason": "r"})
    assert forged.status_code == 403
    unexplained = await http.post("/suppressions/remove", data=form | {"reason": "  "})
    assert unexplained.status_code == 422 and "reason" in unexplained.text
    rambling = await http.post("/suppressions/remove", data=form | {"reason": "x" * 501})
    assert rambling.status_code == 422 and "the limit is 500" in rambling.text
    assert doors.crm is not None and await doors.crm.suppression(ADA) == "bounced"

    reason = "mailbox was full <b>then</b>"
    done = await http.post("/suppressions/remove", data=form | {"reason": reason})
    assert done.status_code == 200
    shown = done.text
    assert "Taken off the list" in shown and "Not on the list" in shown
    assert html.escape(reason) in shown and "<b>then</b>" not in shown, "escaped, not markup"
    assert await doors.crm.suppression(ADA) is None
    changes = await doors.crm.suppression_changes(ADA, 10)
    assert [(c.change, c.actor, c.reason) for c in changes][0] == ("removed", REVIEWER, reason)

    again = await http.post("/suppressions/remove", data=form | {"reason": reason})
    assert "was not on the list" in again.text


async def test_without_a_crm_the_page_says_so(web: WebStack) -> None:
    await web.login()
    answer = await web.http.get("/suppressions")
    assert answer.status_code == 503 and "no CRM" in answer.text
