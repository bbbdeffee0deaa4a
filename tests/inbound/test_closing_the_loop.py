"""Replies, bounces and unsubscribes close the loop by themselves, end to end: mail goes
in through the SMTP listener, the router finds its run in the CRM's message log, and
time is skipped past every follow-up's due time to show what is (not) sent."""

import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from adapters.mail.inbound_mail import parse_email
from models.outreach import OutreachInput, OutreachResult
from models.routing import RouteResult, router_workflow_id
from tests.inbound.loop_stack import OPTIONS, REPLY_ADDRESS, LoopStack, loop_stack
from tests.privacy import ID_KEY
from tests.workflows.fakes import make_lead
from tests.workflows.test_outreach_replies import CADENCE, first_touch_sent
from tests.workflows.test_support_triage import awaiting_human, weak_fake
from workflows.lead_outreach import LeadOutreachWorkflow
from workflows.mail_router import MailRouterWorkflow
from workflows.support_triage import SupportTriageWorkflow

LEAD = make_lead()
FOLLOW_UPS = len(CADENCE.follow_up_business_days)


async def outreach(stack: LoopStack, submission: str = "") -> WorkflowHandle:
    lead = LEAD.model_copy(update={"submission_id": submission or str(uuid.uuid4())})
    return await stack.env.client.start_workflow(
        LeadOutreachWorkflow.run,
        OutreachInput(lead=lead, options=CADENCE),
        id=f"outreach-{uuid.uuid4()}",
        task_queue=stack.task_queue,
    )


def answer(to: EmailMessage, text: str, **headers: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"] = LEAD.email, REPLY_ADDRESS
    mail["Subject"] = f"Re: {to['Subject']}"
    mail["Message-ID"] = make_msgid(domain="northwind.example")
    mail["In-Reply-To"] = mail["References"] = str(to["Message-ID"])
    for name, value in headers.items():
        mail[name] = value
    mail.set_content(f"{text}\n\n> {to.get_content()[:200]}")
    return mail


async def routed(stack: LoopStack, mail: EmailMessage, to: str = REPLY_ADDRESS) -> RouteResult:
    await stack.deliver(mail, to)
    run = router_workflow_id(parse_email(mail.as_bytes()), ID_KEY)
    return await stack.env.client.get_workflow_handle_for(MailRouterWorkflow.run, run).result()


async def first_email(stack: LoopStack) -> tuple[WorkflowHandle, EmailMessage]:
    handle = await outreach(stack)
    await first_touch_sent(stack.env, handle)
    touch = stack.sent(handle.id, "touch-1")
    assert touch is not None
    return handle, touch


async def test_a_reply_stops_the_next_follow_up(
    env: WorkflowEnvironment, task_queue: str, tmp_path: Path
):
    async with loop_stack(env, task_queue, tmp_path) as stack:
        handle, touch = await first_email(stack)
        route = await routed(stack, answer(touch, "Yes, Tuesday at 10 works for a call."))
        result: OutreachResult = await handle.result()
        await env.sleep(timedelta(days=30))

        assert route.kind == "outreach_reply" and route.runs == [handle.id]
        assert result.outcome == "replied"
        assert stack.sent(handle.id, "touch-2") is None and stack.files() == 1
        replied = stack.timeline("outreach_replied")
        assert len(replied) == 1 and "Tuesday at 10" in replied[0]


async def test_an_out_of_office_lets_the_cadence_go_on(
    env: WorkflowEnvironment, task_queue: str, tmp_path: Path
):
    async with loop_stack(env, task_queue, tmp_path) as stack:
        handle, touch = await first_email(stack)
        away = answer(
            touch, "I am out of the office until Monday.", **{"Auto-Submitted": "auto-replied"}
        )
        route = await routed(stack, away)
        result: OutreachResult = await handle.result()

        assert route.kind == "outreach_auto_reply"
        assert result.outcome == "completed" and len(result.sent) == 1 + FOLLOW_UPS
        assert any(d.outcome == "automatic, cadence goes on" for d in result.decisions)


def bounce_for(address: str, original: EmailMessage) -> EmailMessage:
    report = EmailMessage()
    report["From"] = "MAILER-DAEMON@mx.northwind.example"
    report["To"] = REPLY_ADDRESS
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = make_msgid(domain="mx.northwind.example")
    report.set_content("This is the mail system: your message could not be delivered.")
    status = EmailMessage()
    status.set_content(
        f"Reporting-MTA: dns; mx.northwind.example\n\nFinal-Recipient: rfc822; {address}\n"
        "Action: failed\nStatus: 5.1.1\n",
        subtype="delivery-status",
    )
    returned = EmailMessage()
    returned.set_content(original)  # message/rfc822: the message that could not be delivered
    report.make_mixed()
    report.attach(status)
    report.attach(returned)
    report.replace_header(
        "Content-Type", report.get("Content-Type").replace("multipart/mixed", "multipart/report")
    )
    report.set_param("report-type", "delivery-status")
    return report


async def test_a_bounce_suppresses_the_address_for_every_run(
    env: WorkflowEnvironment, task_queue: str, tmp_path: Path
):
    async with loop_stack(env, task_queue, tmp_path) as stack:
        handle, touch = await first_email(stack)
        route = await routed(stack, bounce_for(LEAD.normalized_email, touch))
        result: OutreachResult = await handle.result()
        later = await outreach(stack)
        again: OutreachResult = await later.result()

        assert route.kind == "bounce" and route.runs == [handle.id]
        assert result.outcome == "bounced" and len(result.sent) == 1
        assert await stack.crm.suppression(LEAD.normalized_email) == "bounced"
        assert again.outcome == "suppressed" and again.sent == []
        assert stack.files() == 1


async def test_one_click_stops_the_cadence_and_a_forged_link_is_refused(
    env: WorkflowEnvironment, task_queue: str, tmp_path: Path
):
    async with loop_stack(env, task_queue, tmp_path) as stack:
        handle, touch = await first_email(stack)
        header = str(touch["List-Unsubscribe"])
        url = next(p.strip(" <>") for p in header.split(",") if "http" in p)
        assert touch["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        forged = url[:-4] + ("AAAA" if not url.endswith("AAAA") else "BBBB")

        refused = await stack.http.post(forged, data={"List-Unsubscribe": "One-Click"})
        page = await stack.http.get(url)
        still = await handle.query(LeadOutreachWorkflow.status)
        done = await stack.http.post(url, data={"List-Unsubscribe": "One-Click"})
        result: OutreachResult = await handle.result()

        assert refused.status_code == 404 and still.stop is None
        assert page.status_code == 200 and "<form" in page.text
        assert done.status_code == 200
        assert result.outcome == "unsubscribed" and len(result.sent) == 1
        assert await stack.crm.suppression(LEAD.normalized_email) == "unsubscribed"

        # A person takes the address off; its owner uses the same link again.
        assert await stack.crm.unsuppress(LEAD.normalized_email, "asked to hear again", "Grace")
        again = await stack.http.post(url, data={"List-Unsubscribe": "One-Click"})
        rerun = stack.env.client.get_workflow_handle(f"unsubscribe-{handle.id}")
        await rerun.result()
        assert again.status_code == 200
        assert await stack.crm.suppression(LEAD.normalized_email) == "unsubscribed"


async def close_ticket(env: WorkflowEnvironment, ticket: WorkflowHandle) -> None:
    """A run left open without its worker stalls time skipping for every later test."""
    for _ in range(100):
        status = await ticket.query(SupportTriageWorkflow.status)
        if status.outcome is not None:
            return
        if status.stage == "awaiting_human":
            await ticket.signal(SupportTriageWorkflow.reject, "closed by the test")
        await env.sleep(timedelta(seconds=1))
    raise AssertionError("the ticket never closed")


def customer_mail(subject: str, body: str, in_reply_to: str | None = None) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"] = "kim@acme.example", OPTIONS.support_address
    mail["Subject"], mail["Message-ID"] = subject, make_msgid(domain="acme.example")
    if in_reply_to:
        mail["In-Reply-To"] = mail["References"] = in_reply_to
    mail.set_content(body)
    return mail


async def test_an_answer_reaches_the_open_ticket(
    dev_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
):
    env = dev_env  # tickets wait for people, not timers: the real server
    async with loop_stack(env, task_queue, tmp_path) as stack:
        stack.triage.hits = weak_fake().hits
        first = customer_mail("Invoice", "Where can I download the invoice for last month?")
        opened = await routed(stack, first, to=OPTIONS.support_address)
        ticket = env.client.get_workflow_handle_for(SupportTriageWorkflow.run, opened.runs[0])
        await awaiting_human(env, ticket)
        again = customer_mail(
            "Re: Invoice", "Sorry, I meant September, not October.", str(first["Message-ID"])
        )
        route = await routed(stack, again, to=OPTIONS.support_address)
        await env.sleep(timedelta(seconds=5))
        status = await ticket.query(SupportTriageWorkflow.status)
        await close_ticket(env, ticket)

        assert opened.kind == "new_ticket"
        assert route.kind == "ticket_follow_up" and route.runs == [ticket.id]
        assert status.round == 2 and status.email is not None
        assert "September" in status.email.body
        assert [e.direction for e in status.email.thread] == ["in"]


async def test_an_answer_to_a_closed_ticket_opens_one_that_carries_the_thread(
    dev_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
):
    env = dev_env  # tickets wait for people, not timers: the real server
    async with loop_stack(env, task_queue, tmp_path) as stack:
        first = customer_mail("Invoice", "Where can I download the invoice for last month?")
        opened = await routed(stack, first, to=OPTIONS.support_address)
        ticket = env.client.get_workflow_handle_for(SupportTriageWorkflow.run, opened.runs[0])
        assert (await ticket.result()).outcome == "auto_sent"
        ours = stack.sent(ticket.id, "reply")
        assert ours is not None
        again = customer_mail(
            "Re: Invoice", "Thanks! And the one for September?", str(ours["Message-ID"])
        )
        route = await routed(stack, again, to=OPTIONS.support_address)
        reopened = env.client.get_workflow_handle(route.runs[0])
        started = await reopened.query(SupportTriageWorkflow.status)
        await close_ticket(env, reopened)

        assert route.kind == "ticket_reopened" and route.runs[0] != ticket.id
        assert started.email is not None
        assert [e.direction for e in started.email.thread] == ["in", "out"]
        assert "invoice for last month" in started.email.thread[0].body
