"""Support-triage payloads: the inbound email, evidence, the decision and the review."""

import hashlib
from datetime import timedelta
from typing import Literal

from pydantic import AwareDatetime, Field

from models.agent_output import CallRecord, Classification, ReplyDraft
from models.checks import ReplyCheck
from models.common import Decision, SendResult, Strict, keyed_digest
from models.threads import MAX_REFERENCES, MAX_THREAD_ENTRIES, DeliveryReport, ThreadEntry

MAX_BODY_CHARS = 20_000
MAX_REPLY_CHARS = 8000
TicketOutcome = Literal[
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
    automatic: str | None = Field(
        default=None, description="Why the headers mark the mail as automatic (never answered)"
    )
    references: list[str] = Field(
        default_factory=list, max_length=MAX_REFERENCES,
        description="Message-IDs of `References` and `In-Reply-To`: how the router finds the run",
    )  # fmt: skip
    report: DeliveryReport | None = Field(
        default=None, description="Set when the mail is a bounce or a complaint report"
    )
    recipient: str | None = Field(
        default=None, max_length=320, description="The address it was delivered to"
    )
    envelope_sender: str | None = Field(
        default=None, max_length=320,
        description="SMTP `MAIL FROM` (a mailbox's `Return-Path`); '' is the null sender <>",
    )  # fmt: skip
    thread: list[ThreadEntry] = Field(
        default_factory=list, max_length=MAX_THREAD_ENTRIES,
        description="Earlier messages of the conversation, oldest first (context, not orders)",
    )  # fmt: skip


def usable_message_id(email: InboundEmail) -> str | None:
    """The Message-ID if it can name the message: `<` or `<>` identify nothing."""
    return email.message_id if email.message_id and "@" in email.message_id else None


def _content(email: InboundEmail) -> str:
    return f"{email.sender}|{email.subject}|{email.body}"


def _digest_of_content(email: InboundEmail) -> str:
    """What a message says, whatever carried it: SMTP delivers CRLF line ends where a file
    or IMAP may give LF, so whitespace is collapsed before hashing."""
    text = "|".join(
        " ".join(part.split()) for part in (email.sender.lower(), email.subject, email.body)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _message_name(email: InboundEmail) -> str:
    """One name per message, whichever door it came through: its Message-ID with a digest
    of its content, else the content. The same message delivered twice has one name; a
    different mail that reuses a Message-ID (anyone can write one) has its own, so it
    is not taken for a redelivery and dropped."""
    if message_id := usable_message_id(email):
        return f"{message_id}|{_digest_of_content(email)}"
    return _content(email)


def message_digest(email: InboundEmail, key: bytes) -> str:
    """The message's name, keyed-hashed: no address is in an id made from it."""
    return keyed_digest(key, _message_name(email))


def unkeyed_message_digest(email: InboundEmail) -> str:
    """The digest of mail polls recorded before ids were keyed (named by the Message-ID
    alone then); only their replay uses it."""
    return hashlib.sha256((usable_message_id(email) or _content(email)).encode()).hexdigest()[:16]


TICKET_PREFIX = "ticket-"


def ticket_workflow_id(email: InboundEmail, key: bytes) -> str:
    return TICKET_PREFIX + message_digest(email, key)


TICKET_SUMMARY = "Support ticket"
"""The static summary every door gives a ticket run: nothing from the mail itself."""


class KbHit(Strict):
    """The defaults keep hits recorded before `topic` and `escalate` existed replayable."""

    article_id: str
    title: str
    score: float
    snippet: str
    topic: str = "unknown"
    escalate: bool = False


class AskedTerm(Strict):
    term: str
    weight: float
    """How specific the word is in general English (0 = a word any mail uses)."""


class AskedPart(Strict):
    """One sentence that asks (or the subject): its specificity, its words no article
    uses and its names no article writes. The sentence itself is not kept: activity
    results reach debug logs. A name can be a person's: like the mail's own words, it
    stays in the workflow's history, the hold reason a reviewer and on-call read, and the
    decision log; never in an id, a search attribute, a metric or a log line."""

    specificity: float
    unknown: list[AskedTerm] = Field(default_factory=list)
    unnamed: list[str] = Field(default_factory=list)
    """Names it uses ("Teams") that no article writes so; empty in surveys recorded
    before names were read."""


class QuestionCoverage(Strict):
    """The sentences of a mail that ask something, and their words no article uses
    (`adapters.knowledge.question_terms`): the answer check's evidence."""

    asks: bool
    """False when the mail asks nothing."""
    specificity: float
    """The summed weight of the question's words, known to the knowledge base or not."""
    parts: list[AskedPart] = Field(default_factory=list)
    articles: dict[str, float] = Field(default_factory=dict)
    """Per article, the share of the question's specificity its words cover."""

    @property
    def unknown(self) -> list[AskedTerm]:
        """Every word of the question no article uses, once."""
        return list({t.term: t for part in self.parts for t in part.unknown}.values())


class IntentMatch(Strict):
    """An escalation-policy intent found in a mail, with the words that showed it."""

    name: str
    action: Literal["person", "no_reply"]
    topic: str | None = None
    evidence: str


class Screening(Strict):
    policy_version: str
    intents: list[IntentMatch]


class Classified(Strict):
    """`topic_probabilities` come from token log-probabilities (None for runs recorded
    before they existed, or an endpoint without them)."""

    classification: Classification
    call: CallRecord
    topic_probabilities: dict[str, float] | None = None
    topic_call: CallRecord | None = None


class DraftedReply(Strict):
    """The draft plus the article texts it was written from: the reply checker's sources."""

    draft: ReplyDraft
    call: CallRecord
    sources: dict[str, str] = Field(default_factory=dict)


class DraftRequest(Strict):
    email: InboundEmail
    classification: Classification | None
    hits: list[KbHit]


class ReplyEmail(Strict):
    """The reply handed to the mail transport, threaded to the customer's message."""

    email: InboundEmail
    body: str = Field(min_length=1, max_length=MAX_REPLY_CHARS)
    idempotency_key: str
    auto: bool = Field(
        default=False, description="Sent without a person: counted against the auto-reply limits"
    )


class Evaluation(Strict):
    """The deterministic send-or-review decision, with every reason shown to people."""

    score: float
    auto_send: bool
    reasons: list[str]
    policy_hold: list[str]
    topic: str | None = None
    topic_probability: float | None = None
    retrieval: float | None = None
    check: ReplyCheck | None = None
    policy_version: str | None = None
    reply_body: str | None = Field(
        default=None, description="The email as it would be sent: the checked text, exactly"
    )


class TriageOptions(Strict):
    """Decision settings, fixed per run in its input so a replay decides the same way."""

    threshold: float = Field(
        default=0.75,
        ge=0,
        le=1,
        description="Chosen from the evaluation's threshold table (docs/measured.md)",
    )
    strong_retrieval: float = Field(
        default=6.0, gt=0, description="Read only by tickets started before 2026.11-4"
    )
    sla: timedelta = timedelta(hours=4)
    final_deadline: timedelta = timedelta(hours=48)
    on_call: str = "oncall@flowdesk.example"
    allow: list[str] = Field(
        default_factory=lambda: ["flowdesk.example"],
        description="Links, hosts and addresses a reply may contain without a source",
    )
    signature: str = Field(default="Flowdesk Support", min_length=1, max_length=80)
    token_budget: int = Field(
        default=20_000, ge=1, description="LLM tokens per ticket, all rounds; then a person"
    )


class TriageInput(Strict):
    email: InboundEmail
    options: TriageOptions = TriageOptions()


class TriageStatus(Strict):
    stage: str
    topic: str | None
    screening: Screening | None = None
    classification: Classification | None
    topic_probabilities: dict[str, float] | None = None
    hits: list[KbHit]
    draft: ReplyDraft | None
    sources: dict[str, str] = Field(
        default_factory=dict, description="Text of the articles the draft was written from"
    )
    evaluation: Evaluation | None
    needs_human: bool
    outcome: TicketOutcome | None
    reply: SendResult | None
    agent_calls: list[CallRecord]
    decisions: list[Decision]
    round: int = Field(default=1, description="Triage rounds: one more per follow-up mail")
    email: InboundEmail | None = Field(
        default=None, description="The message this round answers (a follow-up after round 1)"
    )
    conversation: list[ThreadEntry] = Field(default_factory=list)


class TriageResult(Strict):
    outcome: TicketOutcome
    topic: str | None
    evaluation: Evaluation | None
    reply: SendResult | None
    decisions: list[Decision]
