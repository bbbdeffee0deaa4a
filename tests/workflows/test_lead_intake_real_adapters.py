"""Lead intake with the real adapters (loopback website, SQLite CRM, Maildir outbox)."""

import mailbox
import sqlite3
from pathlib import Path

from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.lead_intake import LeadIntakeActivities, render_welcome
from adapters.crm.crm import SqliteCrm
from adapters.web.enrichment import WebsiteEnrichment
from adapters.web.safe_fetch import FetchPolicy, SafeFetcher
from client.submit import submit_lead
from models.common import OutgoingEmail, SendResult
from models.lead import LeadIntakeInput, WelcomeEmailInput
from tests.activities.mailing import maildir_postbox
from tests.conftest import LoopbackSite
from tests.privacy import ID_KEY
from tests.workflows.fakes import SCORING, make_lead
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.runtime.plugin import worker_plugin

SITE_HOST = "northwind-robotics.example"
HOME = (
    Path(__file__).parents[2] / "examples/sites/northwind-robotics.example/index.html"
).read_text()


def real_activities(site: LoopbackSite, data: Path) -> LeadIntakeActivities:
    policy = FetchPolicy(
        timeout_s=5, allow_hosts=frozenset({SITE_HOST}), static_hosts={SITE_HOST: "127.0.0.1"}
    )
    return LeadIntakeActivities(
        enrichment=WebsiteEnrichment(SafeFetcher(policy)),
        crm=SqliteCrm(data / "crm.sqlite3"),
        postbox=maildir_postbox(data),
        scoring=SCORING,
    )


def lead_for(site: LoopbackSite, **overrides: object):
    return make_lead(website=site.url("/", host=SITE_HOST), **overrides)


async def test_intake_writes_crm_row_and_one_outbox_message(
    env: WorkflowEnvironment, task_queue: str, site: LoopbackSite, tmp_path: Path
):
    site.html("/", HOME)
    acts = real_activities(site, tmp_path)
    lead = lead_for(site)
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[LeadIntakeWorkflow],
        activities=acts.definitions(),
        plugins=[worker_plugin()],
    ):
        first = await submit_lead(env.client, task_queue, lead, ID_KEY)
        result = await first.handle.result()
        again = await submit_lead(env.client, task_queue, lead, ID_KEY)

    assert again.existing and again.handle.id == first.handle.id, "double submit, one run"
    assert result.profile.industry == "Robotics" and result.profile.employee_count == 320
    with sqlite3.connect(tmp_path / "crm.sqlite3") as db:
        contact = db.execute("SELECT email, industry, score, tier FROM contacts").fetchall()
        kinds = [k for (k,) in db.execute("SELECT kind FROM timeline ORDER BY id")]
    assert contact == [("ada@northwind-robotics.example", "Robotics", result.score.points, "A")]
    assert kinds == ["lead_submitted", "scored", "email_sent"]
    messages = list(mailbox.Maildir(tmp_path / "outbox", create=False))
    assert len(messages) == 1
    assert messages[0]["To"] == "ada@northwind-robotics.example"
    assert messages[0]["Message-ID"] == result.welcome.message_id


async def test_send_retried_after_success_delivers_once(
    env: WorkflowEnvironment, task_queue: str, site: LoopbackSite, tmp_path: Path
):
    """The activity sends, then dies before reporting; the retry must not send again."""
    site.html("/", HOME)
    acts = real_activities(site, tmp_path)

    @activity.defn(name="send_welcome_email")
    async def send_then_crash(request: WelcomeEmailInput) -> SendResult:
        subject, body = render_welcome(request)
        sent = await acts.postbox.send(
            OutgoingEmail(
                to=request.lead.normalized_email,
                subject=subject,
                body=body,
                idempotency_key=request.idempotency_key,
            ),
            activity.info().workflow_id,
            "intake",
        )
        if activity.info().attempt == 1:
            raise RuntimeError("worker lost after the send")
        return sent

    others = [a for a in acts.definitions() if a.__name__ != "send_welcome_email"]
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[LeadIntakeWorkflow],
        activities=[*others, send_then_crash],
        plugins=[worker_plugin()],
    ):
        result = await env.client.execute_workflow(
            LeadIntakeWorkflow.run,
            LeadIntakeInput(lead=lead_for(site)),
            id="lead-send-once",
            task_queue=task_queue,
        )

    assert result.welcome is not None and result.welcome.duplicate
    assert len(list(mailbox.Maildir(tmp_path / "outbox", create=False))) == 1
