"""LeadIntakeWorkflow on the time-skipping server: happy path, fallbacks, failures."""

import uuid

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models import search_attributes as sa
from models.lead import LeadIntakeInput, LeadIntakeResult, company_domain_key
from tests.privacy import ID_KEY
from tests.workflows.fakes import FakeIntake, make_lead
from workflows.lead_intake import LeadIntakeWorkflow
from workflows.runtime.plugin import worker_plugin
from workflows.runtime.steps import CRM, ENRICH


def worker(env: WorkflowEnvironment, task_queue: str, fake: FakeIntake) -> Worker:
    return Worker(
        env.client,
        task_queue=task_queue,
        workflows=[LeadIntakeWorkflow],
        plugins=[worker_plugin()],
        activities=fake.activities(),
        max_cached_workflows=0,  # replay every task, as after a worker crash
    )


async def run_intake(
    env: WorkflowEnvironment, task_queue: str, request: LeadIntakeInput
) -> LeadIntakeResult:
    return await env.client.execute_workflow(
        LeadIntakeWorkflow.run, request, id=f"lead-test-{uuid.uuid4()}", task_queue=task_queue
    )


async def test_happy_path_scores_greets_and_records(env: WorkflowEnvironment, task_queue: str):
    fake = FakeIntake()
    async with worker(env, task_queue, fake):
        handle = await env.client.start_workflow(
            LeadIntakeWorkflow.run,
            LeadIntakeInput(lead=make_lead()),
            id=f"lead-test-{uuid.uuid4()}",
            task_queue=task_queue,
        )
        result = await handle.result()
        status = await handle.query(LeadIntakeWorkflow.status)
        described = await handle.describe()

    assert result.profile.source == "website"
    assert result.contact_id == 7
    assert result.score.tier == "A"
    assert result.welcome is not None and not result.welcome.duplicate
    assert [d.step for d in result.decisions] == ["enrich", "crm", "score", "welcome_email"]
    assert fake.outcomes[0].event_key == handle.id
    assert status.stage == "done" and status.score == result.score
    attributes = described.typed_search_attributes
    assert attributes.get(sa.LEAD_TIER) == "A"
    assert attributes.get(sa.LEAD_SCORE) == result.score.points
    assert attributes.get(sa.COMPANY_DOMAIN) == company_domain_key(
        ID_KEY, "northwind-robotics.example"
    ), "the index holds the domain keyed, never the domain itself"
    assert "northwind" not in str(attributes.get(sa.COMPANY_DOMAIN))


async def test_enrichment_failure_falls_back_to_email_domain(
    env: WorkflowEnvironment, task_queue: str
):
    fake = FakeIntake()
    fake.enrich_error = ApplicationError("cannot reach site", type="Transient")
    async with worker(env, task_queue, fake):
        result = await run_intake(env, task_queue, LeadIntakeInput(lead=make_lead()))

    assert fake.calls["enrich_company"] == ENRICH["retry_policy"].maximum_attempts
    assert result.profile.source == "email_domain"
    assert result.profile.domain == "northwind-robotics.example"
    enrich = result.decisions[0]
    assert enrich.outcome == "fell back to email-domain profile"
    assert "cannot reach site" in enrich.reason
    assert result.welcome is not None, "the run goes on after the fallback"


@pytest.mark.parametrize(
    ("email", "read", "tier_points"),
    [
        ("ada@northwind-robotics.example", "https://northwind-robotics.example/", 0),
        ("ada.lindqvist@gmail.com", None, -20),
    ],
)
async def test_a_lead_without_a_website_is_looked_up_at_its_email_domain(
    env: WorkflowEnvironment, task_queue: str, email: str, read: str | None, tier_points: int
):
    """Most contact forms make the website optional: a company address is read at its
    domain; a free-mail address names no company, so nothing is fetched."""
    fake = FakeIntake()
    lead = make_lead(email=email, website=None)
    async with worker(env, task_queue, fake):
        result = await run_intake(env, task_queue, LeadIntakeInput(lead=lead))

    assert result.profile.fetched_url == read
    assert fake.calls.get("enrich_company", 0) == (1 if read else 0)
    assert result.decisions[0].outcome == ("profile from website" if read else "skipped")
    email_rule = next(hit for hit in result.score.hits if hit.rule == "email_domain")
    assert email_rule.points == tier_points  # a domain only matches a website that was given
    assert result.welcome is not None


async def test_refused_url_falls_back_without_retrying(env: WorkflowEnvironment, task_queue: str):
    fake = FakeIntake()
    fake.enrich_error = ApplicationError(
        "resolves to 10.0.0.1", type="UrlRefused", non_retryable=True
    )
    async with worker(env, task_queue, fake):
        result = await run_intake(env, task_queue, LeadIntakeInput(lead=make_lead()))

    assert fake.calls["enrich_company"] == 1
    assert result.profile.source == "email_domain"


async def test_crm_outage_is_retried_then_fails_the_run_clearly(
    env: WorkflowEnvironment, task_queue: str
):
    fake = FakeIntake()
    fake.crm_error = ApplicationError("database is locked", type="Transient")
    async with worker(env, task_queue, fake):
        with pytest.raises(WorkflowFailureError) as failure:
            await run_intake(env, task_queue, LeadIntakeInput(lead=make_lead()))

    assert fake.calls["upsert_contact"] == CRM["retry_policy"].maximum_attempts
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "CrmUnavailable"
    assert "database is locked" in str(cause)
    assert "send_welcome_email" not in fake.calls, "no email for a lead that was not stored"


async def test_mail_failure_is_recorded_not_fatal(env: WorkflowEnvironment, task_queue: str):
    fake = FakeIntake()
    fake.mail_error = ApplicationError("relay refused", type="MailRejected", non_retryable=True)
    async with worker(env, task_queue, fake):
        result = await run_intake(env, task_queue, LeadIntakeInput(lead=make_lead()))

    assert result.welcome is None
    assert result.decisions[-1].outcome == "not sent"
    assert fake.outcomes[0].welcome is None


async def test_welcome_can_be_skipped_by_the_caller(env: WorkflowEnvironment, task_queue: str):
    fake = FakeIntake()
    async with worker(env, task_queue, fake):
        result = await run_intake(
            env, task_queue, LeadIntakeInput(lead=make_lead(), send_welcome=False)
        )

    assert "send_welcome_email" not in fake.calls
    assert result.decisions[-1].outcome == "skipped"
