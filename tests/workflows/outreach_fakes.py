"""Fake outreach activities under the real names, plus the intake fakes the child run uses."""

from dataclasses import dataclass, field

from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.agent_output import CallRecord, FactUse, OutreachDraft
from models.common import OutgoingEmail, SendResult
from models.outreach import (
    CompanyBrief,
    DraftedTouch,
    PageExcerpt,
    Researched,
    ResearchRequest,
    SourcedPoint,
    TimelineEvent,
    TouchDraftRequest,
    TouchEmail,
)
from policy.touch_copy import compose
from tests.workflows.fakes import FakeIntake
from tests.workflows.triage_fakes import CALL

HOME = "https://northwind-robotics.example/"
BRIEF = CompanyBrief(
    summary="Northwind Robotics builds autonomous picking arms for warehouses.",
    industry="Robotics",
    likely_needs=[
        SourcedPoint(
            id="P1",
            text="Rolling out picking arms to new warehouse sites",
            source_url=HOME,
        )
    ],
    talking_points=[
        SourcedPoint(
            id="P2",
            text="Their arms pick 1,200 items per hour",
            source_url=HOME + "product",
        )
    ],
)
FIRST_BODY = (
    "Hi Ada,\n\nI read that Northwind is rolling out picking arms to new warehouse sites. "
    "Flowdesk keeps the lead and support work around such rollouts moving without manual "
    "chasing, and every step stays visible. Would a short call next week help?\n\n"
    "The Flowdesk team"
)


def good_draft(number: int = 1) -> OutreachDraft:
    if number == 1:
        return OutreachDraft(
            subject="Picking-arm rollouts at Northwind",
            body=FIRST_BODY,
            facts=[FactUse(fact_id="P1", claim="rolling out picking arms to new warehouse sites")],
            confidence=0.9,
        )
    sentence = "You are rolling out picking arms to new warehouse sites."
    return OutreachDraft(
        subject="Re: Picking-arm rollouts at Northwind",
        body=compose("en", "Ada", sentence, follow_up=True),
        facts=[FactUse(fact_id="P1", claim=sentence)],
        confidence=0.8,
    )


@dataclass
class FakeOutreach:
    intake: FakeIntake = field(default_factory=FakeIntake)
    research_error: ApplicationError | None = None
    draft_error: ApplicationError | None = None
    drafts: dict[int, OutreachDraft] = field(default_factory=dict)
    sent: list[TouchEmail] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    notices: list[OutgoingEmail] = field(default_factory=list)
    draft_requests: list[TouchDraftRequest] = field(default_factory=list)
    suppressed: dict[str, str] = field(default_factory=dict)
    send_error: ApplicationError | None = None
    """Address -> reason, as the CRM's suppression list would answer."""
    call: CallRecord = field(default_factory=lambda: CALL)
    """What each agent call reports (model, tokens); the token budget reads it."""
    replaced: list[str] = field(default_factory=list)
    """Why the model's own sentences did not hold, as the draft activity reports it."""

    def activities(self) -> list:
        @activity.defn(name="research_company")
        async def research(request: ResearchRequest) -> Researched:
            if self.research_error:
                raise self.research_error
            page = PageExcerpt(url=HOME, title="Northwind", text=BRIEF.summary, truncated=False)
            return Researched(brief=BRIEF, pages=[page], skipped=[], call=self.call)

        @activity.defn(name="draft_outreach")
        async def draft(request: TouchDraftRequest) -> DraftedTouch:
            self.draft_requests.append(request)
            if self.draft_error:
                raise self.draft_error
            return DraftedTouch(
                draft=self.drafts.get(request.number, good_draft(request.number)),
                call=self.call,
                replaced=self.replaced,
            )

        @activity.defn(name="send_outreach_email")
        async def send(email: TouchEmail) -> SendResult:
            if self.send_error:
                raise self.send_error
            self.sent.append(email)
            return SendResult(
                message_id=f"<t{email.touch.number}@flowdesk.example>",
                transport="fake",
                duplicate=False,
            )

        @activity.defn(name="record_outreach_event")
        async def record(event: TimelineEvent) -> bool:
            self.events.append(event)
            return True

        @activity.defn(name="notify_on_call")
        async def notify(notice: OutgoingEmail) -> SendResult:
            self.notices.append(notice)
            return SendResult(message_id="<n1@flowdesk.example>", transport="fake", duplicate=False)

        @activity.defn(name="suppression_of")
        async def suppression_of(address: str) -> str | None:
            return self.suppressed.get(address)

        return [research, draft, send, record, notify, suppression_of, *self.intake.activities()]
