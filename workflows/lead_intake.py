"""Lead intake: enrich -> CRM upsert -> rule score -> welcome email. No LLM, same path each time.

Fallbacks: enrichment failing after its retries continues with a profile built from
the form itself; a welcome email that cannot be sent is recorded, not fatal. The CRM
is the record of truth, so a CRM outage that outlasts its retries fails the run with
a typed, readable error rather than pretending the lead was stored.

The CRM writes and the rule scoring are local activities: short work on the worker
that runs the workflow, so they cost no round trip through the server (the website
fetch and the send stay regular activities: they wait on the outside world and
heartbeat). The company domain (keyed: `KEYED_DOMAIN`), score and tier go to the search
attributes in one upsert. Runs started before (`LOCAL_STEPS`) replay as they ran.
"""

from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate
from temporalio.exceptions import ApplicationError
from temporalio.workflow import ActivityConfig

from workflows.runtime.decision_log import DecisionLog
from workflows.runtime.steps import (
    CRM,
    ENRICH,
    MAIL,
    ON_WORKER,
    attempt,
    run_step,
)

with workflow.unsafe.imports_passed_through():
    from models import activities as act
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


LOCAL_STEPS = "intake-local-steps"

KEYED_DOMAIN = "keyed-domain"
"""Runs started before it put the company's domain itself in `CompanyDomain`."""


def domain_attribute(domain: str, score: LeadScore) -> list[SearchAttributeUpdate[str]]:
    """The `CompanyDomain` update: the keyed value the score activity computed (none when
    the worker has no key); runs from before it keep the domain in clear."""
    if not workflow.patched(KEYED_DOMAIN):
        return [sa.COMPANY_DOMAIN.value_set(domain)]
    return [sa.COMPANY_DOMAIN.value_set(score.domain_key)] if score.domain_key else []


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
        self._local = False

    @workflow.run
    async def run(self, request: LeadIntakeInput) -> LeadIntakeResult:
        lead = request.lead
        workflow_id = workflow.info().workflow_id
        self._domain = lead.website_domain
        self._local = workflow.patched(LOCAL_STEPS)
        if not self._local:
            workflow.upsert_search_attributes([sa.COMPANY_DOMAIN.value_set(self._domain)])

        profile = self._profile = await self._enrich(lead)
        contact = await self._save_contact(lead, profile, workflow_id)
        self._contact_id = contact.contact_id

        self._stage = "scoring"
        score = self._score = await self._step(
            act.score_lead,
            ScoreInput(lead=lead, profile=profile),
            config=ON_WORKER,
            summary="score by rules",
        )
        found = [sa.LEAD_SCORE.value_set(score.points), sa.LEAD_TIER.value_set(score.tier)]
        if self._local:
            found[:0] = domain_attribute(self._domain, score)
        workflow.upsert_search_attributes(found)
        why = ", ".join(f"{h.rule} {h.points:+d}" for h in score.hits)
        self._log.add("score", f"{score.points} points, tier {score.tier}", why)

        if request.send_welcome:
            self._welcome = await self._send_welcome(lead, profile, score, workflow_id)
        else:
            self._log.add("welcome_email", "skipped", "the caller sends its own first email")

        self._stage = "recording"
        await self._step(
            act.record_intake_outcome,
            IntakeOutcome(
                contact_id=contact.contact_id,
                score=score,
                welcome=self._welcome,
                event_key=workflow_id,
            ),
            config=CRM,
            summary="record score and email on the contact",
        )
        self._stage = "done"
        return LeadIntakeResult(
            workflow_id=workflow_id,
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

    async def _step(self, activity: Any, arg: Any, *, config: ActivityConfig, summary: str) -> Any:
        """A step on the worker itself: local in runs started since `LOCAL_STEPS`."""
        return await run_step(activity, arg, config=config, summary=summary, local=self._local)

    async def _enrich(self, lead: LeadSubmission) -> CompanyProfile:
        self._stage = "enriching"
        website = lead.company_website
        if website is None:
            self._log.add(
                "enrich", "skipped", "no website, and a free-mail address names no company"
            )
            return profile_from_email_domain(lead)
        profile: CompanyProfile | None = await attempt(
            act.enrich_company,
            EnrichInput(website=website, domain=self._domain),
            config=ENRICH,
            summary=f"enrich {self._domain}",
            log=self._log,
            step="enrich",
            on_failure="fell back to email-domain profile",
        )
        if profile is None:
            return profile_from_email_domain(lead)
        self._log.add("enrich", f"profile from {profile.source}", profile.fetched_url or "")
        return profile

    async def _save_contact(
        self, lead: LeadSubmission, profile: CompanyProfile, workflow_id: str
    ) -> ContactRef:
        self._stage = "saving_contact"
        contact: ContactRef | None = await attempt(
            act.upsert_contact,
            ContactUpsert(lead=lead, profile=profile, event_key=workflow_id),
            config=CRM,
            summary="upsert CRM contact",
            log=self._log,
            step="crm",
            on_failure="unavailable",
            local=self._local,
        )
        if contact is None:
            self._stage = "failed"
            raise ApplicationError(
                f"CRM upsert failed after {CRM['retry_policy'].maximum_attempts} attempts: "
                f"{self._log.entries[-1].reason}",
                type="CrmUnavailable",
                non_retryable=True,
            )
        outcome = "created" if contact.created else ("updated" if contact.changed else "unchanged")
        self._log.add("crm", f"contact {contact.contact_id} {outcome}", "upsert by email")
        return contact

    async def _send_welcome(
        self, lead: LeadSubmission, profile: CompanyProfile, score: LeadScore, workflow_id: str
    ) -> SendResult | None:
        self._stage = "sending_welcome"
        sent: SendResult | None = await attempt(
            act.send_welcome_email,
            WelcomeEmailInput(
                lead=lead,
                profile=profile,
                tier=score.tier,
                idempotency_key=f"{workflow_id}/welcome",
            ),
            config=MAIL,
            summary=f"welcome email (tier {score.tier})",
            log=self._log,
            step="welcome_email",
            on_failure="not sent",
        )
        if sent is None:
            return None
        self._log.add(
            "welcome_email", "already sent" if sent.duplicate else "sent", f"via {sent.transport}"
        )
        return sent
