"""Fake support-triage activities under the real names, scripted per test."""

from dataclasses import dataclass, field

from temporalio import activity
from temporalio.exceptions import ApplicationError

from config.escalation import load_policy
from models.agent_output import CallRecord, Classification, ReplyDraft, Usage
from models.common import OutgoingEmail, SendResult
from models.limits import AUTO_REPLY_LIMIT
from models.support import (
    AskedPart,
    AskedTerm,
    Classified,
    DraftedReply,
    DraftRequest,
    InboundEmail,
    KbHit,
    QuestionCoverage,
    ReplyEmail,
    Screening,
)

POLICY = load_policy()
CALL = CallRecord(
    role="fake", model="fake-model", prompt_version="fake@1", usage=Usage(), latency_ms=1,
    repaired=False,
)  # fmt: skip


def billing_email(body: str = "Where can I download the invoice for last month?") -> InboundEmail:
    return InboundEmail(
        sender="kim@acme.example", subject="Invoice", body=body, message_id="<m1@acme.example>"
    )


def classification(**overrides: object) -> Classification:
    fields: dict[str, object] = {
        "topic": "billing", "urgency": "normal", "language": "en", "is_spam": False,
        "injection_suspected": False, "signals": [], "confidence": 0.9,
    }  # fmt: skip
    return Classification.model_validate(fields | overrides)


INVOICES = (
    "Invoices\nWorkspace owners find all invoices under Settings → Billing → Invoices, "
    "where each one can be downloaded as a PDF."
)
ANSWER = (
    "You find all invoices under Settings → Billing → Invoices, where each one can be "
    "downloaded as a PDF."
)
GROUNDED_REPLY = f"Hello,\n\n{ANSWER}\n\nBest regards,\nFlowdesk Support"
"""The email the workflow sends for `ANSWER`: greeting and signature are added by code."""
TOPIC_PROBABILITIES = {
    "billing": 0.9,
    "technical": 0.04,
    "account": 0.03,
    "sales": 0.02,
    "other": 0.01,
}


def hits() -> list[KbHit]:
    return [
        KbHit(
            article_id="billing-invoices", title="Invoices", score=8.0, snippet="…", topic="billing"
        ),
        KbHit(
            article_id="billing-vat-tax-id", title="VAT", score=2.0, snippet="…", topic="billing"
        ),
    ]


@dataclass
class FakeTriage:
    """Defaults make a ticket that passes every check: strong, grounded, on topic."""

    screening: Screening | None = None
    """None: the real escalation policy (config/escalation.toml) screens the mail."""
    classification: Classification | None = field(default_factory=classification)
    topic_probabilities: dict[str, float] | None = field(
        default_factory=lambda: dict(TOPIC_PROBABILITIES)
    )
    classify_error: ApplicationError | None = None
    screen_error: ApplicationError | None = None
    hits: list[KbHit] = field(default_factory=hits)
    unknown: list[AskedTerm] = field(default_factory=list)
    """What the question survey reports that no article uses (none: the KB covers it)."""
    survey_error: ApplicationError | None = None
    draft: ReplyDraft | None = field(
        default_factory=lambda: ReplyDraft(
            body=ANSWER, cited_article_ids=["billing-invoices"], confidence=0.9
        )
    )
    sources: dict[str, str] = field(default_factory=lambda: {"billing-invoices": INVOICES})
    draft_error: ApplicationError | None = None
    sent: list[ReplyEmail] = field(default_factory=list)
    notices: list[OutgoingEmail] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    draft_requests: list[DraftRequest] = field(default_factory=list)
    call: CallRecord = field(default_factory=lambda: CALL)
    """What each agent call reports (model, tokens); the token budget reads it."""
    refuse_auto: str | None = None
    """Set: automatic sends fail as the worker's auto-reply limits fail them, with this."""

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def activities(self) -> list:
        @activity.defn(name="screen_email")
        async def screen(email: InboundEmail) -> Screening:
            self._count("screen_email")
            if self.screen_error:
                raise self.screen_error
            if self.screening is not None:
                return self.screening
            intents = POLICY.screen(email.sender, f"{email.subject}\n{email.body}")
            return Screening(policy_version=POLICY.version, intents=intents)

        @activity.defn(name="classify_email")
        async def classify(email: InboundEmail) -> Classified:
            self._count("classify_email")
            if self.classify_error:
                raise self.classify_error
            assert self.classification is not None
            return Classified(
                classification=self.classification,
                call=self.call,
                topic_probabilities=self.topic_probabilities,
                topic_call=self.call,
            )

        @activity.defn(name="search_knowledge_base")
        async def search(email: InboundEmail) -> list[KbHit]:
            self._count("search_knowledge_base")
            return self.hits

        @activity.defn(name="survey_question")
        async def survey(email: InboundEmail) -> QuestionCoverage:
            self._count("survey_question")
            if self.survey_error:
                raise self.survey_error
            weight = sum(t.weight for t in self.unknown) + 2.0
            part = AskedPart(specificity=weight, unknown=self.unknown)
            return QuestionCoverage(asks=True, specificity=weight, parts=[part])

        @activity.defn(name="draft_reply")
        async def draft(request: DraftRequest) -> DraftedReply:
            self._count("draft_reply")
            self.draft_requests.append(request)
            if self.draft_error:
                raise self.draft_error
            assert self.draft is not None
            return DraftedReply(draft=self.draft, call=self.call, sources=self.sources)

        @activity.defn(name="send_reply")
        async def send(reply: ReplyEmail) -> SendResult:
            self._count("send_reply")
            if reply.auto and self.refuse_auto:
                raise ApplicationError(self.refuse_auto, type=AUTO_REPLY_LIMIT, non_retryable=True)
            self.sent.append(reply)
            return SendResult(message_id="<r1@flowdesk.example>", transport="fake", duplicate=False)

        @activity.defn(name="notify_on_call")
        async def notify(notice: OutgoingEmail) -> SendResult:
            self._count("notify_on_call")
            self.notices.append(notice)
            return SendResult(message_id="<n1@flowdesk.example>", transport="fake", duplicate=False)

        return [screen, classify, search, survey, draft, send, notify]
