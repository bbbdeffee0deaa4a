"""The reviewer inbox against the real dev server: what a person sees and what their
decisions do to a run. The server runs in real time, so every wait is a poll with a
timeout; the fake activities answer at once."""

import asyncio
import html
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from temporalio.worker import Worker

from client import handles
from models.outreach import OutreachInput, OutreachOptions, OutreachStatus
from models.support import (
    MAX_REPLY_CHARS,
    InboundEmail,
    KbHit,
    TriageInput,
    TriageOptions,
    TriageStatus,
)
from policy.business_hours import local_label
from tests.web.conftest import REVIEWER, WebStack
from tests.workflows.fakes import make_lead
from tests.workflows.triage_fakes import GROUNDED_REPLY, INVOICES, FakeTriage, hits
from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.runtime.plugin import worker_plugin
from workflows.runtime.registry import WORKFLOWS
from workflows.support_triage import SupportTriageWorkflow

SCRIPTED = "Where can I download the invoice for last month? <script>alert(1)</script>"


async def eventually(check: Callable[[], Awaitable[Any]], what: str, timeout_s: float = 20) -> Any:
    """Poll `check` until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        if result := await check():
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def weak_hits() -> list[KbHit]:
    """Retrieval that does not single out the cited article: the ticket goes to a person."""
    cited, other = hits()
    return [other.model_copy(update={"score": 2.1}), cited.model_copy(update={"score": 2.0})]


async def held_ticket(
    web: WebStack, runs: list[str], body: str = SCRIPTED, task_queue: str | None = None
) -> str:
    web.triage.hits = weak_hits()
    email = InboundEmail(sender="kim@acme.example", subject="Invoice <b>now</b>", body=body)
    workflow_id = f"ticket-{uuid.uuid4().hex[:16]}"
    await web.doors.client.start_workflow(
        SupportTriageWorkflow.run, TriageInput(email=email, options=TriageOptions()),
        id=workflow_id, task_queue=task_queue or web.doors.temporal.task_queue,
    )  # fmt: skip
    runs.append(workflow_id)
    await eventually(lambda: _stage(web, workflow_id, "awaiting_human"), "the ticket to be held")
    return workflow_id


async def held_outreach(web: WebStack, runs: list[str]) -> str:
    """A tier A lead's first touch goes to a person under the default options."""
    lead = make_lead(submission_id=uuid.uuid4().hex[:12])
    workflow_id = f"outreach-{uuid.uuid4().hex[:16]}"
    await web.doors.client.start_workflow(
        LeadOutreachWorkflow.run, OutreachInput(lead=lead, options=OutreachOptions()),
        id=workflow_id, task_queue=web.doors.temporal.task_queue,
    )  # fmt: skip
    runs.append(workflow_id)
    await eventually(lambda: _stage(web, workflow_id, "awaiting_approval"), "outreach approval")
    return workflow_id


async def _stage(web: WebStack, workflow_id: str, stage: str) -> bool:
    return (await status(web, workflow_id)).stage == stage


async def status(web: WebStack, workflow_id: str) -> Any:
    return await handles.read_status(web.doors.client, workflow_id)


async def listed(web: WebStack, workflow_id: str) -> str:
    """The inbox once the visibility store shows the run (it trails the run a little)."""

    async def page() -> str | None:
        answer = await web.http.get("/review")
        return answer.text if workflow_id in answer.text else None

    return await eventually(page, f"{workflow_id} in the inbox")


def csrf(web: WebStack) -> str:
    session = web.doors.signer.read(web.http.cookies.get("flowdesk_session"), web.doors.web.users)
    assert session is not None
    return session.csrf


async def post(web: WebStack, workflow_id: str, action: str, **form: str) -> httpx.Response:
    return await web.http.post(f"/review/{workflow_id}/{action}", data={"csrf": csrf(web)} | form)


def row(page: str, workflow_id: str) -> str:
    found = re.search(rf"<tr>\s*<td><a href=\"/review/{workflow_id}\">.*?</tr>", page, re.S)
    assert found, f"{workflow_id} has no row"
    return found.group(0)


async def test_every_inbox_page_needs_a_login(web: WebStack, runs: list[str]):
    workflow_id = await held_ticket(web, runs)
    for path in ("/review", f"/review/{workflow_id}"):
        answer = await web.http.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == f"/login?next={path}"
    answer = await web.http.post(f"/review/{workflow_id}/approve", data={"csrf": "x"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert (await status(web, workflow_id)).stage == "awaiting_human" and not web.triage.sent


async def test_held_tickets_are_listed_newest_first_with_topic_why_and_sla(
    web: WebStack, runs: list[str]
):
    older = await held_ticket(web, runs)
    newer = await held_ticket(web, runs, body="Where do I find last month's invoice, please?")
    await web.login()
    await listed(web, older)
    page = await listed(web, newer)
    assert page.index(f'href="/review/{newer}"') < page.index(f'href="/review/{older}"')
    held: TriageStatus = await status(web, older)
    assert held.evaluation is not None and held.evaluation.policy_hold
    opened = next(
        d.at for d in held.decisions if (d.step, d.outcome) == ("evaluate", "human review")
    )
    line = row(page, older)
    assert "ticket" in line and "billing" in line
    assert html.escape(held.evaluation.policy_hold[0]) in line
    assert local_label(opened + TriageOptions().sla, "UTC") in line


async def test_the_ticket_page_shows_the_escaped_email_checks_holds_and_versions(
    web: WebStack, runs: list[str]
):
    workflow_id = await held_ticket(web, runs)
    await web.login()
    page = (await web.http.get(f"/review/{workflow_id}")).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "Invoice &lt;b&gt;now&lt;/b&gt;" in page and "kim@acme.example" in page
    held: TriageStatus = await status(web, workflow_id)
    evaluation = held.evaluation
    assert evaluation is not None and evaluation.check is not None
    for hold in evaluation.policy_hold:
        assert html.escape(hold) in page
    for check in evaluation.check.checks:
        assert f"<td>{check.name}</td>" in page
    assert html.escape(GROUNDED_REPLY) in page and html.escape(INVOICES.splitlines()[1]) in page
    assert "fake-model" in page and "fake@1" in page and str(evaluation.policy_version) in page
    assert page.count(f'name="csrf" value="{csrf(web)}"') == 4  # sign-out and three decisions


async def test_approving_sends_one_reply_and_logs_the_reviewer(web: WebStack, runs: list[str]):
    workflow_id = await held_ticket(web, runs)
    await web.login()
    answer = await post(web, workflow_id, "approve")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/review/{workflow_id}?done=approved"
    closed = await eventually(lambda: _outcome(web, workflow_id), "the ticket to close")
    assert closed.outcome == "sent_after_approval"
    assert [reply.body for reply in web.triage.sent] == [GROUNDED_REPLY]
    assert any(d.outcome == "approved" and REVIEWER in d.reason for d in closed.decisions)
    again = await post(web, workflow_id, "approve")
    assert again.status_code == 409 and "no longer waiting" in again.text
    assert len(web.triage.sent) == 1
    page = (await web.http.get(answer.headers["location"])).text
    assert "Approved." in page and "sent_after_approval" in page
    assert f'action="/review/{workflow_id}/' not in page


async def _outcome(web: WebStack, workflow_id: str) -> Any:
    found = await status(web, workflow_id)
    return found if found.outcome else None


async def test_rejecting_needs_a_reason_and_closes_the_run(web: WebStack, runs: list[str]):
    workflow_id = await held_ticket(web, runs)
    await web.login()
    blank = await post(web, workflow_id, "reject", reason="   ")
    assert blank.status_code == 422 and "needs a reason" in blank.text
    assert (await status(web, workflow_id)).stage == "awaiting_human"
    answer = await post(web, workflow_id, "reject", reason="answered by phone")
    assert answer.status_code == 303
    closed = await eventually(lambda: _outcome(web, workflow_id), "the ticket to close")
    assert closed.outcome == "rejected" and not web.triage.sent
    assert any(d.reason == f"{REVIEWER}: answered by phone" for d in closed.decisions)


async def test_a_refused_edit_shows_why_and_keeps_the_text(web: WebStack, runs: list[str]):
    workflow_id = await held_ticket(web, runs)
    await web.login()
    long = "Hello Kim, " + "x" * MAX_REPLY_CHARS
    refused = await post(web, workflow_id, "edit", body=long)
    assert refused.status_code == 422 and f"the limit is {MAX_REPLY_CHARS}" in refused.text
    assert f">\n{long}</textarea>" in refused.text
    empty = await post(web, workflow_id, "edit", body="  \r\n ")
    assert empty.status_code == 422 and "body is empty" in empty.text
    assert (await status(web, workflow_id)).stage == "awaiting_human" and not web.triage.sent
    mine = await post(web, workflow_id, "edit", body="Hello Kim,\r\n\r\nSee Settings.\r\n\r\nSam")
    assert mine.status_code == 303
    closed = await eventually(lambda: _outcome(web, workflow_id), "the ticket to close")
    assert closed.outcome == "sent_after_edit"
    assert [reply.body for reply in web.triage.sent] == ["Hello Kim,\n\nSee Settings.\n\nSam"]


async def test_a_form_without_the_session_token_decides_nothing(web: WebStack, runs: list[str]):
    workflow_id = await held_ticket(web, runs)
    await web.login()
    for action, form in [("approve", {}), ("reject", {"reason": "r"}), ("edit", {"body": "b"})]:
        missing = await web.http.post(f"/review/{workflow_id}/{action}", data=form)
        wrong = await web.http.post(f"/review/{workflow_id}/{action}", data=form | {"csrf": "x"})
        assert missing.status_code == wrong.status_code == 403
    held = await status(web, workflow_id)
    assert held.stage == "awaiting_human" and not web.triage.sent
    assert not [d for d in held.decisions if d.step == "review" and d.outcome != "opened"]


async def test_unknown_or_malformed_ids_get_a_not_found_page(web: WebStack):
    await web.login()
    for path in ("/review/ticket-0123456789abcdef", "/review/lead-0123456789abcdef",
                 "/review/%3Cscript%3E"):  # fmt: skip
        answer = await web.http.get(path)
        assert answer.status_code == 404 and "No such run" in answer.text
        assert "<script>" not in answer.text and "lead-0123" not in answer.text


async def test_a_held_outreach_draft_is_listed_shown_and_approved(web: WebStack, runs: list[str]):
    workflow_id = await held_outreach(web, runs)
    await web.login()
    line = row(await listed(web, workflow_id), workflow_id)
    assert "outreach" in line and "tier A" in line and "always go to a person" in line
    held: OutreachStatus = await status(web, workflow_id)
    assert held.pending is not None and held.check is not None and held.brief is not None
    page = (await web.http.get(f"/review/{workflow_id}")).text
    assert html.escape(held.pending.subject) in page and "Rolling out picking arms" in page
    assert f"Subject: {held.pending.subject}" in page and "Need pricing and a demo" in page
    answer = await post(web, workflow_id, "approve")
    assert answer.status_code == 303
    approved: OutreachStatus = await status(web, workflow_id)
    assert approved.stage == "scheduled" and not approved.needs_human
    assert any(d.outcome == "approved" and REVIEWER in d.reason for d in approved.decisions)
    after = (await web.http.get(answer.headers["location"])).text
    assert "touch 1 (first) due" in after and f'action="/review/{workflow_id}/' not in after


async def test_a_run_whose_worker_is_gone_still_lists(web: WebStack, runs: list[str]):
    """Its status query goes unanswered: the page marks it after `QUERY_TIMEOUT` and
    offers no decision, instead of failing or hanging."""
    gone, queue = FakeTriage(hits=weak_hits()), f"gone-{uuid.uuid4()}"
    async with Worker(
        web.doors.client, task_queue=queue, workflows=WORKFLOWS, activities=gone.activities(),
        plugins=[worker_plugin()],
    ):  # fmt: skip
        workflow_id = await held_ticket(web, runs, task_queue=queue)
    await web.login()
    assert "no worker answered" in row(await listed(web, workflow_id), workflow_id)
    page = (await web.http.get(f"/review/{workflow_id}")).text
    assert "No worker answered" in page and html.escape(SCRIPTED) in page
    assert f'action="/review/{workflow_id}/' not in page
