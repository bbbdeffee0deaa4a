"""Support-triage payloads: the inbound email, evidence, the decision and the review."""

from datetime import timedelta
from typing import Literal

from pydantic import AwareDatetime, Field

from models.agent_output import CallRecord, Classification, ReplyDraft
from models.common import Decision, SendResult, Strict

MAX_BODY_CHARS = 20_000
MAX_REPLY_CHARS = 8000
Outcome = Literal[
    "auto_sent", "sent_after_approval", "sent_after_edit", "rejected", "escalated_unanswered",
    "closed_no_reply",
]  # fmt: skip


class InboundEmail(Strict):
    """A parsed support email; `parse_problem` says why the body could not be read."""

    sender: str = Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    subject: str = Field(default="", max_length=998)
    body: str = Field(default="", max_length=MAX_BODY_CHARS)
    message_id: str | None = Field(default=None, max_length=998)
    in_reply_to: str | None = Field(default=None, max_length=998)
    received_at: AwareDatetime | None = None
    parse_problem: str | None = None


class KbHit(Strict):
    article_id: str
    title: str
    score: float
    snippet: str


class Classified(Strict):
    classification: Classification
    call: CallRecord


class Drafted(Strict):
    draft: ReplyDraft
    call: CallRecord


class DraftRequest(Strict):
    email: InboundEmail
    classification: Classification | None
    hits: list[KbHit]


class ReplyEmail(Strict):
    """The reply handed to the mail transport, threaded to the customer's message."""

    email: InboundEmail
    body: str = Field(min_length=1, max_length=MAX_REPLY_CHARS)
    idempotency_key: str


class Evaluation(Strict):
    """The deterministic send-or-review decision, with every reason shown to people."""

    score: float
    auto_send: bool
    reasons: list[str]
    policy_hold: list[str]


class TriageOptions(Strict):
    """Decision settings, fixed per run in its input so a replay decides the same way."""

    threshold: float = Field(default=0.75, ge=0, le=1)
    strong_retrieval: float = Field(default=6.0, gt=0)
    sla: timedelta = timedelta(hours=4)
    final_deadline: timedelta = timedelta(hours=48)
    on_call: str = "oncall@flowdesk.example"


class TriageInput(Strict):
    email: InboundEmail
    options: TriageOptions = TriageOptions()


class TriageStatus(Strict):
    stage: str
    topic: str | None
    classification: Classification | None
    hits: list[KbHit]
    draft: ReplyDraft | None
    evaluation: Evaluation | None
    needs_human: bool
    outcome: Outcome | None
    reply: SendResult | None
    agent_calls: list[CallRecord]
    decisions: list[Decision]


class TriageResult(Strict):
    outcome: Outcome
    topic: str | None
    evaluation: Evaluation | None
    reply: SendResult | None
    decisions: list[Decision]
