"""Lead intake: enrich -> CRM upsert -> rule score -> welcome email. No LLM, same path each time.

Fallbacks: enrichment failing after its retries continues with a profile built from
the form itself; a welcome email that cannot be sent is recorded, not fatal. The CRM
is the record of truth, so a CRM outage that outlasts its retries fails the run with
a typed, readable error rather than pretending the lead was stored.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.decision_log import DecisionLog
from workflows.shared import MAIL_RETRY, MAIL_TIMEOUT, failure_cause

with workflow.unsafe.imports_passed_through():
    from activities.lead_intake import LeadIntakeActivities
    from models import search_attributes as sa
    from models.common import SendResult
    from models.lead import (
        CompanyProfile,
        ContactRef,
        ContactUpsert,
        EnrichInput,
        IntakeOutcome,
        LeadIntakeInput,
        LeadIntakeResult,
        LeadIntakeStatus,
        LeadScore,
        LeadSubmission,
        ScoreInput,
        WelcomeEmailInput,
        profile_from_email_domain,
    )

ENRICH_TIMEOUT = timedelta(seconds=30)
ENRICH_HEARTBEAT = timedelta(seconds=5)
ENRICH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=5), maximum_attempts=3
)
CRM_TIMEOUT = timedelta(seconds=15)
CRM_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(seconds=20),
    maximum_attempts=5,
)
SCORE_TIMEOUT = timedelta(seconds=10)
SCORE_RETRY = RetryPolicy(maximum_attempts=3)


@workflow.defn
class LeadIntakeWorkflow:
    def __init__(self) -> None:
        self._log = DecisionLog()
        self._stage = "received"
        self._domain = ""
        self._contact_id: int | None = None
        self._profile: CompanyProfile | None = None
        self._score: LeadScore | None = None
        self._welcome: SendResult | None = None

    @workflow.run
    async def run(self, request: LeadIntakeInput) -> LeadIntakeResult:
        lead = request.lead
        run_id = workflow.info().workflow_id
        self._domain = lead.website_domain
        workflow.upsert_search_attributes([sa.COMPANY_DOMAIN.value_set(self._domain)])

        profile = self._profile = await self._enrich(lead)
        contact = await self._save_contact(lead, profile, run_id)
        self._contact_id = contact.contact_id

        self._stage = "scoring"
        score = self._score = await workflow.execute_activity_method(
            LeadIntakeActivities.score_lead,
            ScoreInput(lead=lead, profile=profile),
            start_to_close_timeout=SCORE_TIMEOUT,
            retry_policy=SCORE_RETRY,
            summary="score by rules",
        )
        workflow.upsert_search_attributes(
            [sa.LEAD_SCORE.value_set(score.points), sa.LEAD_TIER.value_set(score.tier)]
        )
        why = ", ".join(f"{h.rule} {h.points:+d}" for h in score.hits)
        self._log.add("score", f"{score.points} points, tier {score.tier}", why)

        if request.send_welcome:
            self._welcome = await self._send_welcome(lead, profile, score, run_id)
        else:
            self._log.add("welcome_email", "skipped", "the caller sends its own first email")

        self._stage = "recording"
        await workflow.execute_activity_method(
            LeadIntakeActivities.record_intake_outcome,
            IntakeOutcome(
                contact_id=contact.contact_id, score=score, welcome=self._welcome, event_key=run_id
            ),
            start_to_close_timeout=CRM_TIMEOUT,
            retry_policy=CRM_RETRY,
            summary="record score and email on the contact",
        )
        self._stage = "done"
        return LeadIntakeResult(
            workflow_id=run_id,
            contact_id=contact.contact_id,
            domain=self._domain,
            profile=profile,
            score=score,
            welcome=self._welcome,
            decisions=self._log.entries,
        )

    @workflow.query
    def status(self) -> LeadIntakeStatus:
        return LeadIntakeStatus(
            stage=self._stage,
            domain=self._domain,
            contact_id=self._contact_id,
            profile=self._profile,
            score=self._score,
            welcome=self._welcome,
            decisions=self._log.entries,
        )

    async def _enrich(self, lead: LeadSubmission) -> CompanyProfile:
        self._stage = "enriching"
        try:
            profile = await workflow.execute_activity_method(
                LeadIntakeActivities.enrich_company,
                EnrichInput(website=str(lead.website), domain=self._domain),
                start_to_close_timeout=ENRICH_TIMEOUT,
                heartbeat_timeout=ENRICH_HEARTBEAT,
                retry_policy=ENRICH_RETRY,
                summary=f"enrich {self._domain}",
            )
        except ActivityError as err:
            self._log.add("enrich", "fell back to email-domain profile", failure_cause(err))
            return profile_from_email_domain(lead)
        self._log.add("enrich", f"profile from {profile.source}", profile.fetched_url or "")
        return profile

    async def _save_contact(
        self, lead: LeadSubmission, profile: CompanyProfile, run_id: str
    ) -> ContactRef:
        self._stage = "saving_contact"
        try:
            contact = await workflow.execute_activity_method(
                LeadIntakeActivities.upsert_contact,
                ContactUpsert(lead=lead, profile=profile, event_key=run_id),
                start_to_close_timeout=CRM_TIMEOUT,
                retry_policy=CRM_RETRY,
                summary="upsert CRM contact",
            )
        except ActivityError as err:
            self._stage = "failed"
            self._log.add("crm", "unavailable", failure_cause(err))
            raise ApplicationError(
                f"CRM upsert failed after {CRM_RETRY.maximum_attempts} attempts: {failure_cause(err)}",
                type="CrmUnavailable",
                non_retryable=True,
            ) from err
        outcome = "created" if contact.created else ("updated" if contact.changed else "unchanged")
        self._log.add("crm", f"contact {contact.contact_id} {outcome}", "upsert by email")
        return contact

    async def _send_welcome(
        self, lead: LeadSubmission, profile: CompanyProfile, score: LeadScore, run_id: str
    ) -> SendResult | None:
        self._stage = "sending_welcome"
        try:
            sent = await workflow.execute_activity_method(
                LeadIntakeActivities.send_welcome_email,
                WelcomeEmailInput(
                    lead=lead, profile=profile, tier=score.tier, idempotency_key=f"{run_id}/welcome"
                ),
                start_to_close_timeout=MAIL_TIMEOUT,
                retry_policy=MAIL_RETRY,
                summary=f"welcome email (tier {score.tier})",
            )
        except ActivityError as err:
            self._log.add("welcome_email", "not sent", failure_cause(err))
            return None
        self._log.add(
            "welcome_email", "already sent" if sent.duplicate else "sent", f"via {sent.transport}"
        )
        return sent
