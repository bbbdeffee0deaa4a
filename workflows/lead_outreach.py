"""Lead outreach: intake (child) -> research (agent) -> draft (agent) -> checks -> approval
-> first touch at a business-hours slot -> follow-ups on business-day offsets.

Deterministic steps are the workflow's: the child intake, the checks, who approves,
every timer and the cadence. Agent steps are activities with timeouts, bounded
retries and a fallback: if research or drafting fails, a template built from the
enrichment data goes to a person. `lead_replied` and `unsubscribe` stop the cadence
at once; `reschedule` moves the next touch. After `touches_per_run` follow-ups the
run continues as new, carrying only what the cadence needs, so history stays small.
"""

from datetime import datetime, timedelta
from typing import Literal

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError

from workflows.decision_log import DecisionLog
from workflows.review import HumanReview
from workflows.shared import AGENT_RETRY, AGENT_TIMEOUT, MAIL_RETRY, MAIL_TIMEOUT, failure_cause

with workflow.unsafe.imports_passed_through():
    from activities.outreach import OutreachActivities
    from models import search_attributes as sa
    from models.agent_output import CallRecord
    from models.common import OutgoingEmail
    from models.lead import CompanyProfile, LeadIntakeInput, Tier
    from models.outreach import (
        MAX_OUTREACH_BODY,
        BusinessHours,
        Carry,
        CompanyBrief,
        Outcome,
        OutreachInput,
        OutreachResult,
        OutreachStatus,
        PlannedTouch,
        RescheduleAnswer,
        RescheduleRequest,
        ResearchRequest,
        SentTouch,
        Stage,
        TimelineEvent,
        Touch,
        TouchCheck,
        TouchDraftRequest,
        TouchEmail,
        TouchKind,
        known_facts,
    )
    from workflows.business_hours import add_business_days, local_label, next_slot
    from workflows.lead_intake import CRM_RETRY, CRM_TIMEOUT, LeadIntakeWorkflow
    from workflows.outreach_policy import MAX_SUBJECT, check_touch, placeholder_problems
    from workflows.outreach_templates import template_touch, with_unsubscribe

RESEARCH_TIMEOUT = timedelta(minutes=3)
AGENT_HEARTBEAT = timedelta(seconds=30)
MAX_RESCHEDULE = timedelta(days=90)
Stop = Literal["replied", "unsubscribed"]


def split_subject(text: str) -> tuple[str | None, str]:
    """An edited email may start with a `Subject: ...` line that replaces the subject."""
    first, _, rest = text.lstrip().partition("\n")
    if first.lower().startswith("subject:"):
        return first[len("subject:") :].strip(), rest.lstrip("\n")
    return None, text


def follow_up_due(
    anchor: datetime, offset: int, previous: datetime, hours: BusinessHours
) -> datetime:
    """`offset` business days after the first touch, and at least one after the last one."""
    return max(add_business_days(anchor, offset, hours), add_business_days(previous, 1, hours))


REPLY_CHECKER = "reply-checker"
"""Runs started before it keep the 2026.11-1 outreach checks (`outreach_policy_v1`)."""


@workflow.defn
class LeadOutreachWorkflow:
    def __init__(self) -> None:
        self._log = DecisionLog()
        self._review = HumanReview(self._log)
        self._input: OutreachInput | None = None
        self._stage: Stage = "intake"
        self._run_number = 1
        self._contact_id: int | None = None
        self._tier: Tier | None = None
        self._profile: CompanyProfile | None = None
        self._brief: CompanyBrief | None = None
        self._pending: Touch | None = None
        self._check: TouchCheck | None = None
        self._next: PlannedTouch | None = None
        self._moved = False
        self._sent: list[SentTouch] = []
        self._calls: list[CallRecord] = []
        self._stop: Stop | None = None
        self._outcome: Outcome | None = None

    @workflow.run
    async def run(self, request: OutreachInput) -> OutreachResult:
        self._input = request
        if request.carry is None:
            stopped = await self._first_touch(request)
            if stopped is not None:
                return await self._finish(stopped)
        else:
            self._resume(request.carry)
        return await self._finish(await self._follow_ups(request))

    # -- first touch ---------------------------------------------------------------

    async def _first_touch(self, request: OutreachInput) -> Outcome | None:
        """Intake, research, draft, approval and the first send; an outcome if it ends here."""
        await self._intake(request)
        self._brief = await self._research(request)
        touch, needs_human = await self._draft(request, 1, "first")
        self._pending = touch
        if self._stop:
            return self._stop
        if needs_human:
            ended = await self._approval(request)
            if ended:
                return ended
        else:
            self._log.add("approval", "not needed", "checks passed and the tier needs no person")
        options = request.options
        due = next_slot(workflow.now() + options.min_lead_time, options.hours)
        if not await self._wait_until(PlannedTouch(number=1, kind="first", due_at=due)):
            return self._stop
        assert self._pending is not None
        if not await self._send(request, self._pending):
            return "send_failed"
        return None

    async def _intake(self, request: OutreachInput) -> None:
        self._set_stage("intake")
        lead = request.lead
        try:
            intake = await workflow.execute_child_workflow(
                LeadIntakeWorkflow.run,
                LeadIntakeInput(lead=lead, send_welcome=request.options.send_welcome),
                id=f"{workflow.info().workflow_id}-intake",
                static_summary=f"Lead intake for outreach to {lead.website_domain}",
            )
        except ChildWorkflowError as err:
            self._log.add("intake", "failed", str(err.cause or err))
            raise ApplicationError(
                f"lead intake failed, nothing was sent: {err.cause or err}",
                type="IntakeFailed",
                non_retryable=True,
            ) from err
        self._contact_id, self._tier, self._profile = (
            intake.contact_id,
            intake.score.tier,
            intake.profile,
        )
        workflow.upsert_search_attributes(
            [sa.LEAD_TIER.value_set(intake.score.tier), sa.COMPANY_DOMAIN.value_set(intake.domain)]
        )
        self._log.add(
            "intake",
            f"contact {intake.contact_id}, tier {intake.score.tier} ({intake.score.points} points)",
            f"child run {intake.workflow_id}, profile from {intake.profile.source}",
        )

    async def _research(self, request: OutreachInput) -> CompanyBrief | None:
        self._set_stage("researching")
        lead = request.lead
        try:
            found = await workflow.execute_activity_method(
                OutreachActivities.research_company,
                ResearchRequest(website=str(lead.website), company=lead.company),
                start_to_close_timeout=RESEARCH_TIMEOUT,
                heartbeat_timeout=AGENT_HEARTBEAT,
                retry_policy=AGENT_RETRY,
                summary=f"agent: research {lead.website_domain}",
            )
        except ActivityError as err:
            self._log.add("research", "failed, a template will go to a person", failure_cause(err))
            return None
        self._calls.append(found.call)
        pages = ", ".join(p.url for p in found.pages)
        skipped = f"; skipped {'; '.join(found.skipped)}" if found.skipped else ""
        self._log.add(
            "research",
            f"{len(found.brief.points)} sourced point(s) from {len(found.pages)} page(s)",
            f"read {pages}{skipped}",
        )
        return found.brief

    async def _draft(
        self, request: OutreachInput, number: int, kind: TouchKind
    ) -> tuple[Touch, bool]:
        """The touch to send and whether a person must approve it. Template on any failure:
        for the first touch that means a person; follow-ups use the pre-approved copy."""
        self._set_stage("drafting")
        assert self._profile is not None and self._tier is not None
        lead, options = request.lead, request.options
        fallback = template_touch(lead, self._profile, number, kind)
        self._check = None
        if kind == "first" and self._brief is None:
            self._log.add("draft", "template", "no research brief to personalise from")
            return fallback, True
        try:
            drafted = await workflow.execute_activity_method(
                OutreachActivities.draft_outreach,
                TouchDraftRequest(
                    lead=lead,
                    profile=self._profile,
                    brief=self._brief,
                    number=number,
                    kind=kind,
                    previous=self._sent,
                ),
                start_to_close_timeout=AGENT_TIMEOUT,
                heartbeat_timeout=AGENT_HEARTBEAT,
                retry_policy=AGENT_RETRY,
                summary=f"agent: draft touch {number} ({kind.replace('_', '-')})",
            )
        except ActivityError as err:
            self._log.add("draft", "failed, using the template", failure_cause(err))
            return fallback, kind == "first"
        self._calls.append(drafted.call)
        facts = known_facts(lead, self._profile, self._brief)
        shared = workflow.patched(REPLY_CHECKER)
        check = self._check = check_touch(
            drafted.draft, facts, lead, self._tier, kind, options, shared_checks=shared
        )
        cited = ", ".join(f.fact_id for f in drafted.draft.facts) or "no facts"
        self._log.add(
            "check",
            f"score {check.score:.2f}, {'passed' if check.passed else 'held'}",
            "; ".join(check.holds + check.reasons) + f" (cites {cited})",
        )
        if kind == "follow_up" and not check.passed:
            self._log.add("draft", "using the template", "the agent's follow-up did not pass")
            return fallback, False
        touch = Touch(
            number=number,
            kind=kind,
            subject=drafted.draft.subject,
            body=with_unsubscribe(drafted.draft.body),
            source="agent",
            facts=[f.fact_id for f in drafted.draft.facts],
        )
        return touch, check.needs_human

    async def _approval(self, request: OutreachInput) -> Outcome | None:
        self._set_stage("awaiting_approval", needs_human=True)
        options = request.options
        why = (
            "; ".join(self._check.holds + self._check.reasons) if self._check else "template email"
        )
        self._log.add("approval", "waiting for a person", why)
        decided = await self._review.wait(
            options.sla,
            options.final_deadline,
            self._sla_notice(request),
            extra_stop=lambda: self._stop is not None,
        )
        if self._stop:
            return self._stop
        if not decided or self._review.decision is None:
            return "escalated_unanswered"
        action, detail = self._review.decision
        if action == "reject":
            return "rejected"
        if action == "edit" and self._pending is not None:
            subject, body = split_subject(detail)
            self._pending = self._pending.model_copy(
                update={
                    "subject": subject or self._pending.subject,
                    "body": with_unsubscribe(body),
                    "source": "edited",
                }
            )
        return None

    # -- cadence -------------------------------------------------------------------

    def _resume(self, carry: Carry) -> None:
        self._contact_id, self._tier, self._profile = carry.contact_id, carry.tier, carry.profile
        self._brief, self._sent, self._run_number = carry.brief, carry.sent, carry.run_number
        self._log.add(
            "continue", f"run {carry.run_number}", f"{len(carry.sent)} touch(es) sent before"
        )

    async def _follow_ups(self, request: OutreachInput) -> Outcome:
        options = request.options
        offsets = options.follow_up_business_days
        sent_here = 0
        for index in range(len(self._sent) - 1, len(offsets)):
            number = index + 2
            due = follow_up_due(
                self._sent[0].sent_at, offsets[index], self._sent[-1].sent_at, options.hours
            )
            if not await self._wait_until(
                PlannedTouch(number=number, kind="follow_up", due_at=due)
            ):
                return self._stop or "completed"
            touch, _ = await self._draft(request, number, "follow_up")
            if self._stop:
                return self._stop
            if not await self._send(request, touch):
                return "send_failed"
            sent_here += 1
            more = number - 1 < len(offsets)
            if more and (
                sent_here >= options.touches_per_run
                or workflow.info().is_continue_as_new_suggested()
            ):
                await self._continue_as_new(request)
        return "completed"

    async def _continue_as_new(self, request: OutreachInput) -> None:
        assert self._contact_id is not None and self._tier and self._profile
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._stop:
            return
        self._log.add("continue", "as new", f"{len(self._sent)} touch(es) sent; history reset")
        carry = Carry(
            contact_id=self._contact_id,
            tier=self._tier,
            profile=self._profile,
            brief=self._brief,
            sent=self._sent,
            run_number=self._run_number + 1,
        )
        workflow.continue_as_new(request.model_copy(update={"carry": carry}))

    async def _wait_until(self, planned: PlannedTouch) -> bool:
        """Durable timer to the touch's slot; False when a stop signal ends the wait.
        `reschedule` replaces `self._next` and wakes the wait, which then starts over."""
        self._next = planned
        self._set_stage("scheduled")
        self._log.add(
            "schedule",
            f"touch {planned.number} at {planned.due_at.isoformat()}",
            f"next business-hours slot in {self._hours.timezone}",
        )
        while self._stop is None:
            self._moved = False
            self._upsert_next()
            delay = self._next.due_at - workflow.now()
            if delay <= timedelta(0):
                break
            try:
                await workflow.wait_condition(
                    lambda: self._stop is not None or self._moved, timeout=delay
                )
            except TimeoutError:
                break
        self._next = None
        self._upsert_next()
        return self._stop is None

    async def _send(self, request: OutreachInput, touch: Touch) -> bool:
        self._set_stage("sending")
        workflow_id = workflow.info().workflow_id
        try:
            result = await workflow.execute_activity_method(
                OutreachActivities.send_outreach_email,
                TouchEmail(
                    to=request.lead.normalized_email,
                    touch=touch,
                    idempotency_key=f"{workflow_id}/touch-{touch.number}",
                ),
                start_to_close_timeout=MAIL_TIMEOUT,
                retry_policy=MAIL_RETRY,
                summary=f"send touch {touch.number} ({touch.source})",
            )
        except ActivityError as err:
            self._log.add("send", f"touch {touch.number} not sent", failure_cause(err))
            return False
        self._sent.append(
            SentTouch(
                number=touch.number,
                kind=touch.kind,
                subject=touch.subject,
                body=touch.body,
                source=touch.source,
                sent_at=workflow.now(),
                result=result,
            )
        )
        self._pending = None
        self._log.add(
            "send",
            f"touch {touch.number} {'already sent' if result.duplicate else 'sent'}",
            f"{touch.source} email via {result.transport}",
        )
        await self._record(
            f"touch-{touch.number}",
            "outreach_email_sent",
            {
                "touch": touch.number,
                "kind": touch.kind,
                "subject": touch.subject,
                "source": touch.source,
                "message_id": result.message_id,
            },
        )
        self._set_stage("following_up")
        return True

    async def _record(self, key: str, kind: str, detail: dict[str, str | int | None]) -> None:
        """A CRM timeline entry; the CRM being down is logged, never fatal after a send."""
        assert self._contact_id is not None
        event = TimelineEvent(
            contact_id=self._contact_id,
            event_key=f"{workflow.info().workflow_id}/{key}",
            kind=kind,
            detail=detail,
        )
        try:
            await workflow.execute_activity_method(
                OutreachActivities.record_outreach_event,
                event,
                start_to_close_timeout=CRM_TIMEOUT,
                retry_policy=CRM_RETRY,
                summary=f"CRM timeline: {kind}",
            )
        except ActivityError as err:
            self._log.add("crm", f"{kind} not recorded", failure_cause(err))

    def _sla_notice(self, request: OutreachInput) -> OutgoingEmail:
        workflow_id = workflow.info().workflow_id
        return OutgoingEmail(
            to=request.options.on_call,
            subject=f"[SLA] outreach {workflow_id} waits for approval",
            body=(
                f"The first email to {request.lead.company} has waited {request.options.sla} "
                f"for approval.\nDecide with: python starter.py approve|reject|edit {workflow_id}\n"
            ),
            idempotency_key=f"{workflow_id}/oncall",
        )

    async def _finish(self, outcome: Outcome) -> OutreachResult:
        self._outcome = outcome
        self._next = None
        self._upsert_next()
        self._set_stage(outcome)
        self._log.add("outcome", outcome, f"{len(self._sent)} touch(es) sent")
        if self._contact_id is not None and outcome != "completed":
            await self._record(
                f"outcome-{outcome}", f"outreach_{outcome}", {"touches": len(self._sent)}
            )
        assert self._contact_id is not None
        return OutreachResult(
            outcome=outcome,
            contact_id=self._contact_id,
            sent=self._sent,
            decisions=self._log.entries,
        )

    # -- state shown in the UI -----------------------------------------------------

    @property
    def _hours(self) -> BusinessHours:
        assert self._input is not None
        return self._input.options.hours

    def _set_stage(self, stage: Stage, needs_human: bool = False) -> None:
        self._stage = stage
        workflow.upsert_search_attributes(
            [sa.OUTREACH_STAGE.value_set(stage), sa.NEEDS_HUMAN.value_set(needs_human)]
        )

    def _upsert_next(self) -> None:
        """`NextTouchAt` for visibility queries, and the plan in the run's current details."""
        key = sa.NEXT_TOUCH_AT
        value = key.value_set(self._next.due_at) if self._next else key.value_unset()
        workflow.upsert_search_attributes([value])
        self._log.plan(
            "\n".join(
                f"**next**: touch {p.number} ({p.kind.replace('_', '-')}) "
                f"{local_label(p.due_at, self._hours.timezone)}"
                for p in self._plan()
            )
        )

    def _plan(self) -> list[PlannedTouch]:
        """The next touch and the follow-ups after it, as they stand now."""
        if self._next is None or self._input is None:
            return []
        offsets = self._input.options.follow_up_business_days
        plan = [self._next]
        anchor = self._sent[0].sent_at if self._sent else self._next.due_at
        for index in range(self._next.number - 1, len(offsets)):
            due = follow_up_due(anchor, offsets[index], plan[-1].due_at, self._hours)
            plan.append(PlannedTouch(number=index + 2, kind="follow_up", due_at=due))
        return plan

    # -- signals, updates, query ---------------------------------------------------

    def _stop_cadence(self, reason: Stop) -> None:
        if self._outcome is not None or self._stop is not None:
            self._log.add(
                "signal", f"{reason} ignored", f"outreach already {self._stop or self._outcome}"
            )
            return
        self._stop = reason
        self._log.add("signal", reason, "cadence stopped; nothing more will be sent")

    @workflow.signal
    def lead_replied(self) -> None:
        self._stop_cadence("replied")

    @workflow.signal
    def unsubscribe(self) -> None:
        self._stop_cadence("unsubscribed")

    @workflow.signal
    def approve(self) -> None:
        self._review.decide("approve", "", "email sent as drafted at its slot")

    @workflow.signal
    def reject(self, reason: str) -> None:
        self._review.decide("reject", reason, reason[:500] or "no reason given")

    @workflow.update
    def edit_and_approve(self, body: str) -> str:
        self._review.decide("edit", body, f"{len(body)} characters")
        return "edited email will be sent at the next business-hours slot"

    @edit_and_approve.validator
    def _validate_edit(self, text: str) -> None:
        subject, body = split_subject(text)
        self._review.check_edit(body, MAX_OUTREACH_BODY - 200)
        if subject is not None and not 0 < len(subject) <= MAX_SUBJECT:
            raise ValueError(f"subject must be 1 to {MAX_SUBJECT} characters")
        if problems := placeholder_problems(text):
            raise ValueError("; ".join(problems))

    @workflow.update
    def reschedule(self, request: RescheduleRequest) -> RescheduleAnswer:
        assert self._next is not None
        self._next = self._next.model_copy(update={"due_at": request.at})
        self._moved = True
        self._log.add("reschedule", f"touch {self._next.number} moved", request.at.isoformat())
        return RescheduleAnswer(number=self._next.number, due_at=request.at)

    @reschedule.validator
    def _validate_reschedule(self, request: RescheduleRequest) -> None:
        if self._next is None or self._stop is not None:
            raise ValueError(f"no touch is scheduled (stage {self._stage})")
        if request.at <= workflow.now():
            raise ValueError(f"{request.at.isoformat()} is in the past")
        if request.at - workflow.now() > MAX_RESCHEDULE:
            raise ValueError(f"more than {MAX_RESCHEDULE.days} days ahead")

    @workflow.query
    def status(self) -> OutreachStatus:
        return OutreachStatus(
            stage=self._stage,
            timezone=self._hours.timezone if self._input else "UTC",
            run_number=self._run_number,
            contact_id=self._contact_id,
            tier=self._tier,
            needs_human=self._review.open,
            brief=self._brief,
            pending=self._pending,
            check=self._check,
            next_touch=self._next,
            plan=self._plan(),
            sent=self._sent,
            outcome=self._outcome,
            agent_calls=self._calls,
            decisions=self._log.entries,
        )
