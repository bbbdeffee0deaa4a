"""Every activity as a workflow calls it: its name, its argument and its result.

Workflows call these contracts, not the classes in `activities/` that do the work, so a
workflow module depends on `models/` and `policy/` alone and the sandbox never loads an
adapter, an HTTP client or the LLM client. The worker registers the implementations
under the same names; `tests/activities/test_contracts.py` holds each contract to its
implementation (name, argument type, result type). The bodies never run.
"""

from temporalio import activity

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
)
from models.mailbox import MailBatch, MarkSeen
from models.outreach import (
    DraftedTouch,
    Researched,
    ResearchRequest,
    TimelineEvent,
    TouchDraftRequest,
    TouchEmail,
)
from models.routing import MailFacts, RouteRequest, Suppressed, SuppressRequest
from models.support import (
    Classified,
    DraftedReply,
    DraftRequest,
    InboundEmail,
    KbHit,
    QuestionCoverage,
    ReplyEmail,
    Screening,
)
from models.threads import MessageRecord, SuppressionReason

SUPPRESSED = "Suppressed"
"""The failure type of a send refused because the address is on the suppression list:
not retried, and a workflow tells it from other failed sends."""


@activity.defn(name="enrich_company")
async def enrich_company(request: EnrichInput) -> CompanyProfile: ...


@activity.defn(name="upsert_contact")
async def upsert_contact(request: ContactUpsert) -> ContactRef: ...


@activity.defn(name="score_lead")
async def score_lead(request: ScoreInput) -> LeadScore: ...


@activity.defn(name="send_welcome_email")
async def send_welcome_email(request: WelcomeEmailInput) -> SendResult: ...


@activity.defn(name="record_intake_outcome")
async def record_intake_outcome(outcome: IntakeOutcome) -> None: ...


@activity.defn(name="screen_email")
async def screen_email(email: InboundEmail) -> Screening: ...


@activity.defn(name="classify_email")
async def classify_email(email: InboundEmail) -> Classified: ...


@activity.defn(name="search_knowledge_base")
async def search_knowledge_base(email: InboundEmail) -> list[KbHit]: ...


@activity.defn(name="survey_question")
async def survey_question(email: InboundEmail) -> QuestionCoverage: ...


@activity.defn(name="draft_reply")
async def draft_reply(request: DraftRequest) -> DraftedReply: ...


@activity.defn(name="send_reply")
async def send_reply(reply: ReplyEmail) -> SendResult: ...


@activity.defn(name="research_company")
async def research_company(request: ResearchRequest) -> Researched: ...


@activity.defn(name="draft_outreach")
async def draft_outreach(request: TouchDraftRequest) -> DraftedTouch: ...


@activity.defn(name="send_outreach_email")
async def send_outreach_email(email: TouchEmail) -> SendResult: ...


@activity.defn(name="record_outreach_event")
async def record_outreach_event(event: TimelineEvent) -> bool: ...


@activity.defn(name="notify_on_call")
async def notify_on_call(notice: OutgoingEmail) -> SendResult: ...


@activity.defn(name="look_up_mail")
async def look_up_mail(request: RouteRequest) -> MailFacts: ...


@activity.defn(name="record_inbound_mail")
async def record_inbound_mail(record: MessageRecord) -> bool: ...


@activity.defn(name="suppress_address")
async def suppress_address(request: SuppressRequest) -> Suppressed: ...


@activity.defn(name="suppression_of")
async def suppression_of(address: str) -> SuppressionReason | None: ...


@activity.defn(name="fetch_unseen_mail")
async def fetch_unseen_mail(limit: int) -> MailBatch: ...


@activity.defn(name="mark_mail_seen")
async def mark_mail_seen(request: MarkSeen) -> int: ...
