"""Fake support-triage activities under the real names, scripted per test."""

from dataclasses import dataclass, field

from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.agent_output import CallRecord, Classification, ReplyDraft, Usage
from models.common import OutgoingEmail, SendResult
from models.support import Classified, Drafted, DraftRequest, InboundEmail, KbHit, ReplyEmail

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


@dataclass
class FakeTriage:
    classification: Classification | None = field(default_factory=classification)
    classify_error: ApplicationError | None = None
    hits: list[KbHit] = field(
        default_factory=lambda: [
            KbHit(article_id="billing-invoices", title="Invoices", score=8.0, snippet="…")
        ]
    )
    draft: ReplyDraft | None = field(
        default_factory=lambda: ReplyDraft(
            body="Invoices are under Settings → Billing.",
            cited_article_ids=["billing-invoices"],
            confidence=0.9,
        )
    )
    draft_error: ApplicationError | None = None
    sent: list[ReplyEmail] = field(default_factory=list)
    notices: list[OutgoingEmail] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def activities(self) -> list:
        @activity.defn(name="classify_email")
        async def classify(email: InboundEmail) -> Classified:
            self._count("classify_email")
            if self.classify_error:
                raise self.classify_error
            assert self.classification is not None
            return Classified(classification=self.classification, call=CALL)

        @activity.defn(name="search_knowledge_base")
        async def search(email: InboundEmail) -> list[KbHit]:
            self._count("search_knowledge_base")
            return self.hits

        @activity.defn(name="draft_reply")
        async def draft(request: DraftRequest) -> Drafted:
            self._count("draft_reply")
            if self.draft_error:
                raise self.draft_error
            assert self.draft is not None
            return Drafted(draft=self.draft, call=CALL)

        @activity.defn(name="send_reply")
        async def send(reply: ReplyEmail) -> SendResult:
            self._count("send_reply")
            self.sent.append(reply)
            return SendResult(message_id="<r1@flowdesk.example>", transport="fake", duplicate=False)

        @activity.defn(name="notify_on_call")
        async def notify(notice: OutgoingEmail) -> SendResult:
            self._count("notify_on_call")
            self.notices.append(notice)
            return SendResult(message_id="<n1@flowdesk.example>", transport="fake", duplicate=False)

        return [classify, search, draft, send, notify]
