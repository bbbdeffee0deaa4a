"""Lead outreach: intake (child) -> research (agent) -> draft (agent) -> checks -> approval
-> first touch at a business-hours slot -> follow-ups on business-day offsets.

Deterministic steps are the workflow's: the child intake, the checks and which touch
goes out (`outreach_policy`), who approves (`review`), every timer and the cadence
(`cadence`). Agent steps are activities with timeouts, bounded retries and a fallback:
if research or drafting fails, or the run's token budget is spent, a template built from
the enrichment data goes to a person. `lead_replied` (unless the reply is automatic),
`unsubscribe` and `bounced` stop the cadence at once; an answer the router matched by
its sender alone (`LeadReply.unproven`) pauses it until a person resumes it or marks it
replied; the mail router (`mail_router`)
sends them when the lead answers, clicks the unsubscribe link or the address bounces. A
lead on the suppression list ends the run before anything is done, and a send refused by
it ends the cadence. `reschedule` moves the next touch. After `touches_per_run`
follow-ups the run continues as new with its state (`OutreachState`) as the next run's
input, so history stays small.
"""

from datetime import timedelta

from temporalio import workflow

from workflows.outreach_steps import OutreachSteps
from workflows.runtime import metrics
from workflows.runtime.review import ReviewHandlers

with workflow.unsafe.imports_passed_through():
    from models.common import OutgoingEmail
    from models.outreach import (
        OutreachInput,
        OutreachOutcome,
        OutreachResult,
        OutreachStatus,
        PlannedTouch,
        RescheduleAnswer,
        RescheduleRequest,
        Stop,
    )
    from models.threads import LeadReply
    from policy.cadence import first_touch, next_follow_up
    from policy.outreach_edits import edit_problems, edited_touch, split_subject
    from policy.outreach_templates import MAX_EDITED_BODY

MAX_RESCHEDULE = timedelta(days=90)


@workflow.defn
class LeadOutreachWorkflow(OutreachSteps, ReviewHandlers):
    APPROVED = "email sent as drafted at its slot"
    EDITED = "edited email will be sent at the next business-hours slot"
    EDIT_LIMIT = MAX_EDITED_BODY

    @workflow.run
    async def run(self, request: OutreachInput) -> OutreachResult:
        self._input = request
        if request.carry is None:
            if await self._suppressed(request):
                return await self._finish("suppressed")
            stopped = await self._first_touch(request)
            if stopped is not None:
                return await self._finish(stopped)
        else:
            self._state = request.carry
            self._log.add(
                "continue",
                f"run {self._state.run_number}",
                f"{len(self._state.sent)} touch(es) sent before",
            )
        return await self._finish(await self._follow_ups(request))

    async def _first_touch(self, request: OutreachInput) -> OutreachOutcome | None:
        """Intake, research, draft, approval and the first send; an outcome if it ends here."""
        state = self._state
        await self._intake(request)
        state.brief = await self._research(request)
        choice = await self._draft(request, 1, "first")
        state.pending = choice.touch
        if state.stop:
            return state.stop
        if choice.needs_human:
            ended = await self._approval(request)
            if ended:
                return ended
        else:
            self._log.add("approval", "not needed", "checks passed and the tier needs no person")
        if not await self._wait_until(first_touch(workflow.now(), request.options)):
            return state.stop
        assert state.pending is not None
        return None if await self._send(request, state.pending) else state.stop or "send_failed"

    async def _approval(self, request: OutreachInput) -> OutreachOutcome | None:
        self._set_stage("awaiting_approval", needs_human=True)
        state, options = self._state, request.options
        why = (
            "; ".join(state.check.holds + state.check.reasons) if state.check else "template email"
        )
        self._log.add("approval", "waiting for a person", why)
        check = state.check
        metrics.held(
            check.holds if check else [],
            template=check is None,
            low_score=check is not None and check.score < options.threshold,
            tier_policy=state.tier in options.human_tiers,
        )
        decided = await self._review.wait(
            options.sla,
            options.final_deadline,
            self._sla_notice(request),
            extra_stop=lambda: state.stop is not None,
        )
        if state.stop:
            return state.stop
        if not decided or self._review.decision is None:
            return "escalated_unanswered"
        action, detail = self._review.decision
        if action == "reject":
            return "rejected"
        if action == "edit" and state.pending is not None:
            state.pending = edited_touch(state.pending, detail)
        return None

    async def _follow_ups(self, request: OutreachInput) -> OutreachOutcome:
        state, options = self._state, request.options
        sent_here = 0
        while (planned := next_follow_up(state.sent, options)) is not None:
            if not await self._wait_until(planned):
                return state.stop or "completed"
            choice = await self._draft(request, planned.number, "follow_up")
            if state.stop:
                return state.stop
            if not await self._send(request, choice.touch):
                return state.stop or "send_failed"
            sent_here += 1
            if next_follow_up(state.sent, options) is not None and (
                sent_here >= options.touches_per_run
                or workflow.info().is_continue_as_new_suggested()
            ):
                await self._continue_as_new(request)
        return "completed"

    async def _continue_as_new(self, request: OutreachInput) -> None:
        await workflow.wait_condition(workflow.all_handlers_finished)
        state = self._state
        if state.stop:
            return
        self._log.add("continue", "as new", f"{len(state.sent)} touch(es) sent; history reset")
        carry = state.model_copy(update={"run_number": state.run_number + 1, "check": None})
        workflow.continue_as_new(request.model_copy(update={"carry": carry}))

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

    async def _finish(self, outcome: OutreachOutcome) -> OutreachResult:
        state = self._state
        state.outcome = outcome
        state.next_touch = None
        self._upsert_next()
        self._set_stage(outcome)
        self._log.add("outcome", outcome, f"{len(state.sent)} touch(es) sent")
        if state.contact_id is not None and outcome != "completed":
            reply = state.reply.timeline() if state.reply else {}
            detail = {"touches": len(state.sent), **reply}
            await self._record(f"outcome-{outcome}", f"outreach_{outcome}", detail)
        return OutreachResult(
            outcome=outcome,
            contact_id=state.contact_id,
            sent=state.sent,
            decisions=self._log.entries,
        )

    async def _wait_until(self, planned: PlannedTouch) -> bool:
        """Durable timer to the touch's slot, then past any pause; False when a stop signal
        ends the wait. `reschedule` replaces the planned touch and wakes the wait, which
        then starts over."""
        state = self._state
        state.next_touch = planned
        self._set_stage("scheduled")
        self._log.add(
            "schedule",
            f"touch {planned.number} at {planned.due_at.isoformat()}",
            f"next business-hours slot in {self._hours.timezone}",
        )
        while state.stop is None and state.next_touch is not None:
            self._moved = False
            self._upsert_next()
            delay = state.next_touch.due_at - workflow.now()
            if delay.total_seconds() <= 0:
                break
            try:
                await workflow.wait_condition(
                    lambda: state.stop is not None or self._moved, timeout=delay
                )
            except TimeoutError:
                break
        if state.stop is None and state.paused is not None:
            await workflow.wait_condition(lambda: state.stop is not None or state.paused is None)
        state.next_touch = None
        self._upsert_next()
        return state.stop is None

    def _stop_cadence(self, reason: Stop, how: str) -> None:
        state = self._state
        if state.outcome is not None or state.stop is not None:
            self._log.add(
                "signal", f"{reason} ignored", f"outreach already {state.stop or state.outcome}"
            )
            return
        state.stop = reason
        self._log.add("signal", reason, f"{how}; cadence stopped, nothing more will be sent")

    @workflow.signal
    def lead_replied(self, reply: LeadReply | None = None) -> None:
        """`reply` is what the mail router matched (None from `starter.py replied`, which
        also confirms a paused one)."""
        state = self._state
        if reply is not None and reply.automatic:
            self._log.add("reply", "automatic, cadence goes on", reply.automatic)
            return
        if reply is not None and reply.unproven and state.stop is None:
            self._pause(reply)
            return
        if state.stop is None and (reply or state.paused) is not None:
            state.reply, state.paused = reply or state.paused, None
        self._stop_cadence("replied", "the lead answered" if reply else "marked by a person")

    def _pause(self, reply: LeadReply) -> None:
        """Nothing is sent until `resume` or `lead_replied` from a person."""
        state = self._state
        was_paused, state.paused = state.paused is not None, reply
        if not was_paused:
            self._set_stage(state.stage)  # shows `paused`, needing a person, from now on
        why = f"{reply.unproven}; resume it, or mark it replied"
        self._log.add("reply", "cadence paused for a person", why)

    @workflow.signal
    def resume(self, reviewer: str = "") -> None:
        state = self._state
        if state.paused is None or state.stop is not None:
            self._log.add("resume", "ignored", f"the cadence is not paused (stage {state.stage})")
            return
        state.paused = None
        stage = self._before_pause
        self._set_stage(stage, needs_human=stage == "awaiting_approval")
        self._log.add(
            "resume", "cadence goes on", f"by {reviewer or 'a person'}: not the lead's answer"
        )

    @workflow.signal
    def unsubscribe(self, source: str = "") -> None:
        self._stop_cadence("unsubscribed", source or "marked by a person")

    @workflow.signal
    def bounced(self) -> None:
        self._stop_cadence("bounced", "the address bounced and is suppressed")

    def _edited_body(self, text: str) -> str:
        return split_subject(text)[1]

    def _edit_problems(self, text: str) -> list[str]:
        return edit_problems(text)

    @workflow.update
    def reschedule(self, request: RescheduleRequest) -> RescheduleAnswer:
        planned = self._state.next_touch
        assert planned is not None
        planned = self._state.next_touch = planned.model_copy(update={"due_at": request.at})
        self._moved = True
        self._log.add("reschedule", f"touch {planned.number} moved", request.at.isoformat())
        return RescheduleAnswer(number=planned.number, due_at=request.at)

    @reschedule.validator
    def _validate_reschedule(self, request: RescheduleRequest) -> None:
        if self._state.next_touch is None or self._state.stop is not None:
            raise ValueError(f"no touch is scheduled (stage {self._state.stage})")
        if request.at <= workflow.now():
            raise ValueError(f"{request.at.isoformat()} is in the past")
        if request.at - workflow.now() > MAX_RESCHEDULE:
            raise ValueError(f"more than {MAX_RESCHEDULE.days} days ahead")

    @workflow.query
    def status(self) -> OutreachStatus:
        return self._status()
