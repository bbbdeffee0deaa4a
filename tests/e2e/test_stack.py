"""End to end on the real dev server: the real worker process and `starter.py` as a user runs them."""

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest

from models import search_attributes as sa
from models.lead import LeadIntakeResult
from tests.e2e.stack import ROOT, SITE, SLOW_SITE, Stack
from tests.scripted_llm import Reply, ScriptedLlm
from workflows.lead_intake import LeadIntakeWorkflow

pytestmark = pytest.mark.e2e


async def test_starter_runs_a_lead_end_to_end(stack: Stack):
    lead = stack.lead_file("lead", SITE)
    code, out, err = await stack.starter("lead", "--json", str(lead))

    assert code == 0, err
    workflow_id = out.split("started ", 1)[1].split()[0]
    assert f"/workflows/{workflow_id}" in out, "the UI link is printed"
    assert "tier A" in out
    with sqlite3.connect(stack.data / "crm.sqlite3") as db:
        rows = db.execute("SELECT email, company, tier FROM contacts").fetchall()
    assert rows == [("ada.lindqvist@northwind-robotics.example", "Northwind Robotics", "A")]
    messages = stack.outbox()
    assert [m["To"] for m in messages] == ["ada.lindqvist@northwind-robotics.example"]

    code, again, _ = await stack.starter("lead", "--json", str(lead))
    assert code == 0 and f"already submitted: run {workflow_id}" in again
    assert len(stack.outbox()) == 1, "a double submission sends nothing more"

    code, status, _ = await stack.starter("status", workflow_id)
    assert code == 0 and "stage      done" in status and "-> tier A" in status
    assert "enrich: profile from website" in status, "the decision log, as a person reads it"
    code, status, _ = await stack.starter("status", "--json", workflow_id)
    assert code == 0 and json.loads(status)["stage"] == "done"

    code, key, _ = await stack.starter("domain-key", SITE)
    assert code == 0 and SITE not in key
    query = (
        f'LeadTier = "A" AND CompanyDomain = "{key.strip()}" AND TaskQueue = "{stack.task_queue}"'
    )
    found: list[str] = []
    for _ in range(50):
        found = [w.id async for w in stack.client.list_workflows(query)]
        if found:
            break
        await asyncio.sleep(0.2)
    assert found == [workflow_id]


async def test_worker_killed_mid_run_finishes_with_one_email(stack: Stack):
    stack.site.html("/", (ROOT / f"examples/sites/{SITE}/index.html").read_text())
    stack.site.delay_s["/"] = 2.0
    lead = stack.lead_file("slow", SLOW_SITE, submission_id="form-crash")
    code, out, err = await stack.starter("lead", "--json", str(lead), "--no-wait")
    assert code == 0, err
    workflow_id = out.split("started ", 1)[1].split()[0]

    for _ in range(100):
        if stack.site.requests:
            break
        await asyncio.sleep(0.05)
    assert stack.site.requests, "enrichment reached the website"
    await stack.kill_worker()
    await stack.start_worker()

    handle = stack.client.get_workflow_handle_for(LeadIntakeWorkflow.run, workflow_id)
    result: LeadIntakeResult = await asyncio.wait_for(handle.result(), 90)
    assert result.profile.source == "website", "the interrupted enrichment was retried"
    assert len(stack.outbox()) == 1


async def test_support_ticket_waits_then_is_approved_from_the_command_line(
    stack: Stack, tmp_path: Path
):
    """`support`, `pending` and `approve` as a person runs them, with a scripted model."""

    def model(request: dict) -> Reply:
        if "response_format" not in request:
            return Reply(content="billing", top_logprobs=[("billing", -0.1), ("account", -3.0)])
        return Reply(
            content=json.dumps(
                {"topic": "billing", "urgency": "normal", "language": "en", "is_spam": False,
                 "injection_suspected": False, "signals": [], "confidence": 0.9}
                if request["response_format"]["json_schema"]["name"] == "Classification"
                else {"body": "Invoices are under Settings → Billing.", "cited_article_ids": [],
                      "confidence": 0.9}
            )
        )  # fmt: skip

    llm = ScriptedLlm(responder=model)
    await stack.stop_worker()
    stack.env |= {
        "OPENAI_BASE_URL": llm.base_url,
        "FLOWDESK_TRIAGE_KB_DIR": str(ROOT / "kb/articles"),
    }
    await stack.start_worker()
    try:
        code, out, err = await stack.starter(
            "support",
            "--from",
            "kim@acme.example",
            "--subject",
            "Invoice",
            "--body",
            "Where are my invoices?",
        )
        assert code == 0, err
        ticket = out.split("started ", 1)[1].split()[0]
        assert "reply cites no article" in out and f"approve {ticket}" in out

        assert ticket in await stack.starter_until("pending", done=lambda out: ticket in out)

        code, _, err = await stack.starter("approve", ticket)
        assert code == 0, err
        handle = stack.client.get_workflow_handle(ticket)
        result = await asyncio.wait_for(handle.result(), 60)
        assert result["outcome"] == "sent_after_approval"
        [reply] = stack.outbox()
        assert reply["To"] == "kim@acme.example" and reply["Subject"] == "Re: Invoice"
    finally:
        llm.close()


def outreach_model(request: dict) -> Reply:
    """A scripted model: the page's first sentence chosen, then a faithful rewrite of it."""
    schema = request["response_format"]["json_schema"]
    if schema["name"] == "PointChoice":
        return Reply(content=json.dumps({"points": [{"id": "S1", "label": "what they do"}]}))
    fact = request["messages"][-1]["content"].split("=====UNTRUSTED-WEB-7f3a=====")[1].strip()
    sentence = fact.replace("Our ", "Your ").replace("We ", "You ")
    return Reply(content=json.dumps({"sentence": sentence}))


async def test_outreach_from_the_command_line_until_the_lead_replies(stack: Stack):
    """`outreach`, `pending`, `approve`, `upcoming`, `reschedule` and `replied` on the real
    server; the first touch is at least an hour away, so nothing is sent."""
    llm = ScriptedLlm(responder=outreach_model)
    await stack.stop_worker()
    stack.env |= {"OPENAI_BASE_URL": llm.base_url, "FLOWDESK_OUTREACH_MIN_LEAD_MINUTES": "60"}
    await stack.start_worker()
    try:
        lead = stack.lead_file("outreach", SITE, submission_id="form-outreach")
        data = json.loads(lead.read_text()) | {"timezone": "Europe/Stockholm"}
        lead.write_text(json.dumps(data))
        code, out, err = await stack.starter("outreach", "--json", str(lead))
        assert code == 0, err
        run = out.split("started ", 1)[1].split()[0]
        assert "awaiting_approval" in out and "tier A first touches always go to a person" in out

        pending = await stack.starter_until("pending", done=lambda out: run in out)
        assert f"{run}  outreach   tier A" in pending

        assert (await stack.starter("approve", run))[0] == 0
        raw = await stack.starter_until(
            "status", "--json", run, done=lambda out: '"scheduled"' in out
        )
        status = json.loads(raw)
        assert status["stage"] == "scheduled" and status["timezone"] == "Europe/Stockholm"
        assert [p["number"] for p in status["plan"]] == [1, 2, 3]

        upcoming = await stack.starter_until("upcoming", "--hours", "200", done=lambda o: run in o)
        assert run in upcoming

        code, out, err = await stack.starter("reschedule", run, "--at", "2099-01-01T10:00:00Z")
        assert code == 2 and "reschedule refused" in err and "more than 90 days" in err
        code, out, err = await stack.starter("reschedule", run, "--at", status["plan"][1]["due_at"])
        assert code == 0 and "touch 1 now due" in out, err

        assert (await stack.starter("replied", run))[0] == 0
        result = await asyncio.wait_for(stack.client.get_workflow_handle(run).result(), 60)
        assert result["outcome"] == "replied" and result["sent"] == []
        assert stack.outbox() == [], "intake sent no welcome; outreach never reached its slot"
        described = await stack.client.get_workflow_handle(run).describe()
        assert described.typed_search_attributes.get(sa.OUTREACH_STAGE) == "replied"
        assert described.typed_search_attributes.get(sa.NEXT_TOUCH_AT) is None
        with sqlite3.connect(stack.data / "crm.sqlite3") as db:
            kinds = [k for (k,) in db.execute("SELECT kind FROM timeline ORDER BY id")]
        assert kinds[0] == "lead_submitted" and kinds[-1] == "outreach_replied"
    finally:
        llm.close()
