"""Lead-outreach payloads: the research brief, drafted touches, checks, schedule and state."""

from datetime import datetime, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, Field, field_validator, model_validator

from models.agent_output import CallRecord, OutreachDraft
from models.common import Decision, SendResult, Strict
from models.lead import CompanyProfile, LeadSubmission, Tier
from models.threads import LeadReply

MAX_OUTREACH_BODY = 3000
TouchKind = Literal["first", "follow_up"]
DraftSource = Literal["agent", "template", "edited"]
Stage = Literal[
    "intake", "researching", "drafting", "awaiting_approval", "scheduled", "paused", "sending",
    "following_up", "completed", "replied", "unsubscribed", "bounced", "suppressed", "rejected",
    "escalated_unanswered", "send_failed",
]  # fmt: skip
OutreachOutcome = Literal[
    "completed", "replied", "unsubscribed", "bounced", "suppressed", "rejected",
    "escalated_unanswered", "send_failed",
]  # fmt: skip
ENDED: frozenset[str] = frozenset(get_args(OutreachOutcome))
"""The stages a run ends in."""
Stop = Literal["replied", "unsubscribed", "bounced", "suppressed"]
"""Why a cadence ended early: an answer, an unsubscribe, a bounce, or an address found
on the suppression list (before the first send or at any later one)."""


def check_timezone(name: str) -> str:
    """An IANA zone name the system knows (`Europe/Berlin`); refused otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as err:
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name like Europe/Berlin"
        ) from err
    return name


def check_follow_up_days(days: list[int]) -> list[int]:
    """Follow-up offsets in business days after the first touch: positive, increasing."""
    if any(d <= 0 for d in days) or days != sorted(set(days)):
        raise ValueError("follow-up offsets must be positive and increasing days, e.g. 3,7")
    return days


class BusinessHours(Strict):
    """When outreach may land in an inbox: weekdays, local time of the lead."""

    timezone: str = "UTC"
    start_hour: int = Field(default=9, ge=0, le=23)
    end_hour: int = Field(default=17, ge=1, le=24)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        return check_timezone(name)

    @model_validator(mode="after")
    def _ordered(self) -> "BusinessHours":
        if self.end_hour <= self.start_hour:
            raise ValueError("end_hour must be after start_hour")
        return self


class OutreachOptions(Strict):
    """Cadence and approval settings, fixed per run in its input so a replay decides alike."""

    hours: BusinessHours = BusinessHours()
    min_lead_time: timedelta = Field(
        default=timedelta(hours=1), description="A person can still stop the first touch"
    )
    follow_up_business_days: list[int] = Field(default=[3, 7], max_length=6)
    human_tiers: list[Tier] = ["A"]
    threshold: float = Field(default=0.7, ge=0, le=1)
    send_welcome: bool = Field(
        default=False, description="Let intake send its welcome email as well as the outreach"
    )
    sla: timedelta = timedelta(hours=4)
    final_deadline: timedelta = timedelta(hours=48)
    on_call: str = "sales-oncall@flowdesk.example"
    touches_per_run: int = Field(
        default=2, ge=1, description="Follow-ups sent before the run continues as new"
    )
    token_budget: int = Field(
        default=30_000, ge=1, description="LLM tokens for the whole cadence; then the templates"
    )
    link_hosts: list[str] | None = Field(
        default=None,
        max_length=50,
        description="Hosts an email may link to besides the lead's own site (doors set "
        "LINK_HOSTS); None only in runs started before the allowlist, which replay without it",
    )

    @field_validator("follow_up_business_days")
    @classmethod
    def _increasing(cls, days: list[int]) -> list[int]:
        return check_follow_up_days(days)


LINK_HOSTS = ("flowdesk.example",)
"""Our own hosts: the only links an outreach email may carry besides the lead's website
(a fact from the lead's pages may name any link; that does not make it safe to send)."""


class SourcedPoint(Strict):
    """A statement from research with the page it came from; `id` is what drafts cite."""

    id: str
    text: str
    source_url: str
    label: str | None = None


class CompanyBrief(Strict):
    """`talking_points` are the pages' own sentences research kept; `considered` the ones
    it was shown and left out; `language` the pages' (from `<html lang>` or the words).
    `likely_needs` is filled only in briefs of runs from before research chose sentences."""

    summary: str
    industry: str | None
    likely_needs: list[SourcedPoint]
    talking_points: list[SourcedPoint]
    considered: list[SourcedPoint] = Field(default_factory=list)
    language: str | None = None

    @property
    def points(self) -> list[SourcedPoint]:
        return self.likely_needs + self.talking_points


class PageExcerpt(Strict):
    url: str
    title: str | None
    text: str
    truncated: bool


class ResearchRequest(Strict):
    website: str
    company: str


class Researched(Strict):
    """The brief plus the page text it rests on, and each page that was skipped and why."""

    brief: CompanyBrief
    pages: list[PageExcerpt]
    skipped: list[str]
    call: CallRecord | None = Field(description="None when no page had a sentence to choose")


class SentTouch(Strict):
    number: int
    kind: TouchKind
    subject: str
    body: str
    source: DraftSource
    sent_at: datetime
    result: SendResult

    def timeline(self) -> dict[str, str | int | None]:
        """What the CRM timeline keeps of a sent touch."""
        return {"touch": self.number, "kind": self.kind, "subject": self.subject,
                "source": self.source, "message_id": self.result.message_id}  # fmt: skip


class TouchDraftRequest(Strict):
    """What the draft agent may use: the brief, the CRM record and earlier messages."""

    lead: LeadSubmission
    profile: CompanyProfile
    brief: CompanyBrief | None
    number: int
    kind: TouchKind
    previous: list[SentTouch]


class DraftedTouch(Strict):
    """`line` is the model's own sentence; `replaced` why the email quotes the page instead;
    `call` None when the page was quoted without asking the model."""

    draft: OutreachDraft
    call: CallRecord | None
    line: str | None = None
    replaced: list[str] = Field(default_factory=list)


class TouchCheck(Strict):
    """The deterministic verdict on a drafted touch, with every reason shown to people."""

    score: float
    needs_human: bool
    passed: bool
    reasons: list[str]
    holds: list[str]
    policy_version: str | None = None


class Touch(Strict):
    """A touch as it will be sent: subject, body (unsubscribe line included) and origin."""

    number: int
    kind: TouchKind
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=MAX_OUTREACH_BODY)
    source: DraftSource
    facts: list[str] = Field(default_factory=list, description="ids of cited sourced facts")


class TouchEmail(Strict):
    to: str
    touch: Touch
    idempotency_key: str


class TimelineEvent(Strict):
    """One CRM timeline entry; the key makes a retried write harmless."""

    contact_id: int
    event_key: str
    kind: str
    detail: dict[str, str | int | float | None]


class PlannedTouch(Strict):
    number: int
    kind: TouchKind
    due_at: datetime


class OutreachState(Strict):
    """The workflow's state, and the next run's input at continue-as-new: one model, so
    nothing is carried by hand and forgotten. Every field has a default: state carried
    by runs from before this model (contact, tier, profile, brief, sent, run number)
    still reads."""

    stage: Stage = "intake"
    run_number: int = 1
    contact_id: int | None = None
    tier: Tier | None = None
    profile: CompanyProfile | None = None
    brief: CompanyBrief | None = None
    pending: Touch | None = None
    check: TouchCheck | None = None
    next_touch: PlannedTouch | None = None
    sent: list[SentTouch] = Field(default_factory=list)
    agent_calls: list[CallRecord] = Field(default_factory=list)
    stop: Stop | None = None
    outcome: OutreachOutcome | None = None
    reply: LeadReply | None = None
    paused: LeadReply | None = None
    """A mail that may be the lead's answer but proves nothing: no touch is sent until a
    person resumes the cadence (`resume`) or marks it replied."""


class OutreachInput(Strict):
    """`carry` is the state of the run before, for a run started by continue-as-new."""

    lead: LeadSubmission
    options: OutreachOptions = OutreachOptions()
    carry: OutreachState | None = None


class RescheduleAnswer(Strict):
    number: int
    due_at: datetime


class OutreachStatus(OutreachState):
    """The state as the `status` query shows it, with what is derived from it."""

    timezone: str
    needs_human: bool
    plan: list[PlannedTouch]
    decisions: list[Decision]


class OutreachResult(Strict):
    outcome: OutreachOutcome
    contact_id: int | None = Field(description="None when the run ended before intake")
    sent: list[SentTouch]
    decisions: list[Decision]


class RescheduleRequest(Strict):
    at: AwareDatetime
