"""The public lead form: what it accepts, what it refuses, and that a 202 means a run exists."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from ipaddress import ip_network

import httpx
import pytest
import pytest_asyncio
from temporalio.service import RPCError, RPCStatusCode

from config.settings import OutreachSettings, TriageSettings
from tests.web.conftest import WebStack, web_settings
from web.app import create_app
from web.leads import HONEYPOT
from web.state import Doors

NAME, COMPANY = "Ada Lovelace", "Northwind Robotics"


def lead(**changes: object) -> dict[str, object]:
    """A lead with its own email and submission id: runs share one dev server."""
    tag = uuid.uuid4().hex[:12]
    fields: dict[str, object] = {
        "name": NAME,
        "email": f"ada.{tag}@northwind-robotics.example",
        "company": COMPANY,
        "website": "https://northwind-robotics.example",
        "message": "We need help with our warehouse leads.",
        "submission_id": f"form-{tag}",
    }
    return {key: value for key, value in (fields | changes).items() if value is not None}


async def exists(web: WebStack, run_id: str) -> bool:
    try:
        await web.doors.client.get_workflow_handle(run_id).describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def test_a_json_lead_starts_a_run_whose_public_status_shows_no_personal_data(web: WebStack):
    fields = lead()
    answer = await web.http.post("/leads", json=fields)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["existing"] is False and body["run_id"].startswith("lead-")
    assert body["status_url"] == f"{web.doors.web.public_url}/runs/{body['run_id']}"
    assert answer.headers["location"] == body["status_url"]
    result = await web.doors.client.get_workflow_handle(body["run_id"]).result()
    assert result["workflow_id"] == body["run_id"]

    status = await web.http.get(f"/runs/{body['run_id']}")
    assert status.status_code == 200
    view = status.json()
    assert view["stage"] == "done" and view["state"] == "completed" and view["done"] is True
    assert view["outcome"] == "completed" and view["closed_at"] and view["updated_at"]
    for private in (fields["email"], NAME, COMPANY, "northwind", "warehouse"):
        assert str(private).lower() not in status.text.lower()


async def test_a_browser_form_gets_a_page_and_the_same_lead_today_the_same_run(web: WebStack):
    fields = lead(submission_id=None, message="", **{HONEYPOT: ""})
    page = await web.http.post("/leads", data=fields, headers={"Accept": "text/html"})
    assert page.status_code == 202 and page.headers["content-type"].startswith("text/html")
    location = page.headers["location"]
    run_id = location.rsplit("/", 1)[1]
    assert f'href="{location}"' in page.text and f"<code>{run_id}</code>" in page.text

    again = dict(fields, email=str(fields["email"]).upper())
    repeat = await web.http.post("/leads", data=again)
    assert repeat.status_code == 202 and repeat.headers["content-type"] == "application/json"
    assert repeat.json()["existing"] is True and repeat.json()["status_url"] == location


async def test_bad_fields_are_named_and_never_echoed(web: WebStack):
    bad_email = await web.http.post("/leads", json=lead(email="ada-at-northwind"))
    assert bad_email.status_code == 422
    assert [p["field"] for p in bad_email.json()["detail"]] == ["email"]
    assert "ada-at-northwind" not in bad_email.text

    missing = await web.http.post("/leads", data=lead(company=None, website=""))
    assert missing.status_code == 422
    assert {p["field"] for p in missing.json()["detail"]} == {"company"}  # a website is optional


async def test_a_lead_without_a_website_is_accepted_from_the_form(web: WebStack):
    """An empty website field, as an HTML form sends it, is no website, not a bad one."""
    response = await web.http.post("/leads", data=lead(website=""))
    assert response.status_code == 202, response.text
    assert response.json()["run_id"].startswith("lead-")


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("application/json", b'{"name": "Ada",', 400),
        ("application/json", b'["a list"]', 400),
        ("application/x-www-form-urlencoded", b"name=Ada&email", 400),
        ("application/x-www-form-urlencoded", b"name=\xff\xfe", 400),
        ("text/plain", b"name=Ada", 415),
        ("multipart/form-data; boundary=x", b"--x--", 415),
        ("application/json", b"[" * 5000 + b"]" * 5000, 400),
    ],
)
async def test_unreadable_bodies_are_refused(
    web: WebStack, content_type: str, body: bytes, expected: int
):
    answer = await web.http.post("/leads", content=body, headers={"Content-Type": content_type})
    assert answer.status_code == expected and answer.json()["detail"]


async def test_a_body_over_the_limit_is_refused_before_it_is_read(web: WebStack):
    fields = lead(message="x" * web.doors.web.max_body_bytes)
    assert (await web.http.post("/leads", json=fields)).status_code == 413


async def test_a_filled_honeypot_looks_accepted_but_starts_nothing(web: WebStack):
    answer = await web.http.post("/leads", data=lead(**{HONEYPOT: "+1 555 0100"}))
    assert answer.status_code == 202 and answer.json()["existing"] is False
    run_id = answer.json()["run_id"]
    assert answer.headers["location"].endswith(f"/runs/{run_id}")
    assert not await exists(web, run_id)
    assert web.intake.calls == {}


async def test_the_honeypot_is_neither_an_oracle_nor_a_quota_drain(web: WebStack):
    """A bot filling the honeypot in someone's name learns nothing of their run and does
    not use up their submissions."""
    fields = lead()
    real = await web.http.post("/leads", json=fields)
    decoys = [
        await web.http.post("/leads", json=fields | {HONEYPOT: "x"})
        for _ in range(web.doors.web.leads_per_email_per_hour + 1)
    ]
    again = await web.http.post("/leads", json=fields)

    assert all(d.status_code == 202 for d in decoys)
    assert real.json()["run_id"] not in {d.json()["run_id"] for d in decoys}
    assert again.status_code == 202 and again.json()["run_id"] == real.json()["run_id"]


@pytest.mark.parametrize(("trusted", "refused"), [(True, 0), (False, 15)])
async def test_clients_behind_a_trusted_proxy_have_their_own_limits(
    web: WebStack, trusted: bool, refused: int
):
    """25 clients, one post each, all through the peer 203.0.113.7: behind a configured
    proxy each has its own count; from any other peer `X-Forwarded-For` is anyone's to
    write, so they share the peer's (10 per minute)."""
    proxies = [ip_network("203.0.113.7/32")] if trusted else []
    settings = web.doors.web
    web.doors.web = settings.model_copy(update={"trusted_proxies": proxies})
    try:
        answers = [
            await web.http.post(
                "/leads",
                json=lead(email=f"client{i}@acme.example"),
                headers={"X-Forwarded-For": f"198.51.100.{i + 1}"},
            )
            for i in range(25)
        ]
    finally:
        web.doors.web = settings
    assert sum(a.status_code == 429 for a in answers) == refused


async def test_a_flood_from_one_address_is_limited_and_no_accepted_lead_is_lost(web: WebStack):
    answers = await asyncio.gather(*(web.http.post("/leads", json=lead()) for _ in range(100)))
    accepted = [a for a in answers if a.status_code == 202]
    limited = [a for a in answers if a.status_code == 429]
    assert len(accepted) == web.doors.web.leads_per_address_per_minute
    assert len(accepted) + len(limited) == 100
    assert all(int(a.headers["retry-after"]) >= 1 for a in limited)
    for answer in accepted:
        assert await exists(web, answer.json()["run_id"])


async def test_one_email_is_limited_however_it_is_spelled(web: WebStack):
    email = lead()["email"]
    limit = web.doors.web.leads_per_email_per_hour
    for number in range(limit):
        answer = await web.http.post("/leads", json=lead(email=email, submission_id=f"s{number}"))
        assert answer.status_code == 202
    over = await web.http.post("/leads", json=lead(email=f"  {str(email).upper()}"))
    assert over.status_code == 429 and int(over.headers["retry-after"]) > 60


@pytest.mark.parametrize(
    ("run_id", "expected"),
    [
        ("lead-0000000000000000", 404),
        ("outreach-0000000000000000", 404),
        ("ticket-0000000000000000", 400),
        ("lead-" + "0" * 200, 400),
        ("lead-00000000000000GG", 400),
    ],
)
async def test_run_status_refuses_foreign_and_unknown_ids(
    web: WebStack, run_id: str, expected: int
):
    answer = await web.http.get(f"/runs/{run_id}")
    assert answer.status_code == expected and answer.json()["detail"]


async def test_the_example_form_posts_to_leads_with_a_hidden_honeypot(web: WebStack):
    page = await web.http.get("/form")
    assert page.status_code == 200
    assert 'method="post" action="/leads"' in page.text
    assert f'class="hp" aria-hidden="true">\n    <label>Fax <input name="{HONEYPOT}"' in page.text
    assert page.text.count('name="submission_id"') == 1
    assert (await web.http.get("/form")).text != page.text, "each view is its own submission"


@pytest_asyncio.fixture(loop_scope="session")
async def outreach_http(web: WebStack) -> AsyncIterator[httpx.AsyncClient]:
    """The same stack with `lead_workflow = "outreach"`."""
    doors = Doors(
        web_settings(lead_workflow="outreach"),
        web.doors.temporal,
        TriageSettings(),
        OutreachSettings(),
        web.doors.client,
        web.doors.privacy,
    )
    transport = httpx.ASGITransport(app=create_app(doors), client=("198.51.100.4", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_the_setting_decides_that_a_lead_starts_outreach(
    web: WebStack, outreach_http: httpx.AsyncClient
):
    for zone in ("Mars/Olympus_Mons", "Europe", "x" * 300):
        bad_zone = await outreach_http.post("/leads", json=lead(timezone=zone))
        assert bad_zone.status_code == 422 and zone not in bad_zone.text
        assert [p["field"] for p in bad_zone.json()["detail"]] == ["timezone"]

    answer = await outreach_http.post("/leads", json=lead(timezone="Europe/Berlin"))
    assert answer.status_code == 202
    run_id = answer.json()["run_id"]
    assert run_id.startswith("outreach-")
    status = await outreach_http.get(f"/runs/{run_id}")
    assert status.status_code == 200 and status.json()["done"] is False
    await web.doors.client.get_workflow_handle(run_id).terminate("test over")


async def test_status_reads_are_rate_limited_per_address(web: WebStack):
    limit = web.doors.web.status_reads_per_address_per_minute
    answers = [
        (await web.http.get("/runs/lead-0123456789abcdef")).status_code for _ in range(limit + 1)
    ]
    assert answers[:limit] == [404] * limit
    assert answers[-1] == 429
