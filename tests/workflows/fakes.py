"""Fake lead-intake activities registered under the real activity names."""

from datetime import UTC, datetime

from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.common import SendResult
from models.lead import (
    CompanyProfile,
    ContactRef,
    ContactUpsert,
    EnrichInput,
    IntakeOutcome,
    LeadScore,
    LeadSubmission,
    ScoreInput,
    WelcomeEmailInput,
    company_domain_key,
)
from policy.scoring import ScoringConfig, score_lead
from tests.privacy import ID_KEY

SCORING = ScoringConfig(target_industries=("robotics",), tier_a_min=60, tier_b_min=30)


def make_lead(**overrides: object) -> LeadSubmission:
    fields: dict[str, object] = {
        "name": "Ada Lindqvist",
        "email": "ada@northwind-robotics.example",
        "company": "Northwind Robotics",
        "website": "https://northwind-robotics.example/",
        "message": "Need pricing and a demo for 12 sites.",
        "source": "referral",
        "submitted_at": datetime(2026, 11, 20, 9, 15, tzinfo=UTC),
        "submission_id": "form-1",
    }
    return LeadSubmission.model_validate(fields | overrides)


class FakeIntake:
    """Records every call; each behaviour can be swapped by a test."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.outcomes: list[IntakeOutcome] = []
        self.enrich_error: ApplicationError | None = None
        self.crm_error: ApplicationError | None = None
        self.mail_error: ApplicationError | None = None

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def activities(self) -> list:
        @activity.defn(name="enrich_company")
        async def enrich(request: EnrichInput) -> CompanyProfile:
            self._count("enrich_company")
            if self.enrich_error:
                raise self.enrich_error
            return CompanyProfile(
                domain=request.domain,
                name="Northwind Robotics",
                industry="Robotics",
                employee_count=320,
                source="website",
                fetched_url=request.website,
            )

        @activity.defn(name="upsert_contact")
        async def upsert(request: ContactUpsert) -> ContactRef:
            self._count("upsert_contact")
            if self.crm_error:
                raise self.crm_error
            return ContactRef(contact_id=7, created=True, changed=True)

        @activity.defn(name="score_lead")
        async def score(request: ScoreInput) -> LeadScore:
            self._count("score_lead")
            score = score_lead(request.lead, request.profile, SCORING)
            return score.model_copy(
                update={"domain_key": company_domain_key(ID_KEY, request.lead.website_domain)}
            )

        @activity.defn(name="send_welcome_email")
        async def send(request: WelcomeEmailInput) -> SendResult:
            self._count("send_welcome_email")
            if self.mail_error:
                raise self.mail_error
            return SendResult(message_id="<m1@flowdesk.example>", transport="fake", duplicate=False)

        @activity.defn(name="record_intake_outcome")
        async def record(outcome: IntakeOutcome) -> None:
            self._count("record_intake_outcome")
            self.outcomes.append(outcome)

        return [enrich, upsert, score, send, record]
