"""Activities of the lead-intake workflow: thin wrappers over the adapters.

Each method does one side effect and maps adapter errors to typed failures; the
retry policy and timeouts are stated by the workflow at the call site.
"""

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from string import Template

from temporalio import activity

from activities.postbox import Postbox
from activities.wrapping import adapter_errors, heartbeating
from adapters.crm.crm import Crm
from adapters.web.enrichment import EnrichmentProvider
from models.common import OutgoingEmail, SendResult
from models.lead import (
    CompanyProfile,
    ContactRef,
    ContactUpsert,
    EnrichInput,
    IntakeOutcome,
    LeadScore,
    ScoreInput,
    WelcomeEmailInput,
    company_domain_key,
)
from policy.scoring import ScoringConfig, score_lead

SOURCE_LABELS = {
    "web_form": "the contact form on our website",
    "referral": "a referral",
    "webinar": "one of our webinars",
    "event": "an event",
    "partner": "one of our partners",
    "ad": "one of our ads",
    "other": "our website",
}
TIER_LINES = {
    "A": "Because your team looks like a strong fit, a solutions engineer is already assigned.",
    "B": "We will include a short overview tailored to your industry.",
    "C": "Our self-serve trial is a good way to explore Flowdesk at your own pace.",
}
RESPONSE_TIMES = {"A": "within one business day", "B": "within two business days", "C": "soon"}
PLAIN_NAME = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
MAX_GREETED_NAME = 30


@cache
def _welcome_template() -> Template:
    """The file beside this module, read once per process rather than once per email."""
    return Template(
        resources.files("activities").joinpath("templates/welcome.txt").read_text("utf-8")
    )


def greeted_name(name: str) -> str | None:
    """The first name, if it reads as one: letters with an inner apostrophe or hyphen, at
    most `MAX_GREETED_NAME` long. Anyone can type anyone's address into the form, so the
    email to that address carries no other text from it: no company (a bare domain or a
    phone number reads as one), no message, no name that could be a sentence."""
    first = name.split()[0]
    return first if len(first) <= MAX_GREETED_NAME and PLAIN_NAME.fullmatch(first) else None


def render_welcome(request: WelcomeEmailInput) -> tuple[str, str]:
    """Subject and body of the welcome email."""
    name = greeted_name(request.lead.name)
    body = _welcome_template().substitute(
        first_name=name or "there",
        response_time=RESPONSE_TIMES[request.tier],
        tier_line=TIER_LINES[request.tier],
        source_label=SOURCE_LABELS[request.lead.source],
    )
    return f"Welcome to Flowdesk, {name}" if name else "Welcome to Flowdesk", body


@dataclass
class LeadIntakeActivities:
    enrichment: EnrichmentProvider
    crm: Crm
    postbox: Postbox
    scoring: ScoringConfig
    id_key: bytes | None = None
    """The deployment's secret for ids: it keys the `CompanyDomain` value (none without it)."""

    @activity.defn(name="enrich_company")
    async def enrich_company(self, request: EnrichInput) -> CompanyProfile:
        with adapter_errors():
            return await heartbeating(self.enrichment.enrich(request.website, request.domain))

    @activity.defn(name="upsert_contact")
    async def upsert_contact(self, request: ContactUpsert) -> ContactRef:
        with adapter_errors():
            return await self.crm.upsert_contact(request.lead, request.profile, request.event_key)

    @activity.defn(name="score_lead")
    async def score_lead(self, request: ScoreInput) -> LeadScore:
        score = score_lead(request.lead, request.profile, self.scoring)
        if self.id_key is None or not request.lead.website_domain:
            return score
        key = company_domain_key(self.id_key, request.lead.website_domain)
        return score.model_copy(update={"domain_key": key})

    @activity.defn(name="send_welcome_email")
    async def send_welcome_email(self, request: WelcomeEmailInput) -> SendResult:
        subject, body = render_welcome(request)
        message = OutgoingEmail(
            to=request.lead.normalized_email,
            subject=subject,
            body=body,
            idempotency_key=request.idempotency_key,
        )
        with adapter_errors():
            return await heartbeating(
                self.postbox.send(message, activity.info().workflow_id, "intake")
            )

    @activity.defn(name="record_intake_outcome")
    async def record_intake_outcome(self, outcome: IntakeOutcome) -> None:
        """Score, tier and the welcome send go onto the contact and its timeline."""
        with adapter_errors():
            await self.crm.set_score(outcome.contact_id, outcome.score.points, outcome.score.tier)
            await self.crm.add_event(
                outcome.contact_id,
                f"{outcome.event_key}/scored",
                "scored",
                outcome.score.model_dump(mode="json"),
            )
            if outcome.welcome is not None:
                await self.crm.add_event(
                    outcome.contact_id,
                    f"{outcome.event_key}/welcome",
                    "email_sent",
                    outcome.welcome.model_dump(mode="json"),
                )

    def definitions(self) -> list:
        return [
            self.enrich_company,
            self.upsert_contact,
            self.score_lead,
            self.send_welcome_email,
            self.record_intake_outcome,
        ]
