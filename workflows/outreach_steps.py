"""The steps of lead outreach and the state they fill: intake, research, draft, send,
record, and how the state shows in the Temporal UI. Each step is an activity (or the
intake child) with its option bundle and fallback (`steps.attempt`), which an agent step
also takes once the run's token budget is spent; the workflow class (`lead_outreach`)
owns the order, the waiting and the handlers. One `OutreachState` holds everything a run
knows, so the status query, the UI and continue-as-new read the same object.
"""

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError

from workflows.runtime import metrics
from workflows.runtime.decision_log import DecisionLog
from workflows.runtime.review import HumanReview
from workflows.runtime.steps import (
    AGENT,
    CRM,
    MAIL,
    RESEARCH,
    attempt,
    budget_spent,
    failure_cause,
    run_step,
)

with workflow.unsafe.imports_passed_through():
    from models import activities as act
    from models import search_attributes as sa
    from models.common import SendResult
    from models.lead import LeadIntakeInput
    from models.outreach import (
        ENDED,
        BusinessHours,
        CompanyBrief,
        DraftedTouch,
        OutreachInput,
        OutreachState,
        OutreachStatus,
        PlannedTouch,
        Researched,
        ResearchRequest,
        SentTouch,
        Stage,
        TimelineEvent,
        Touch,
        TouchDraftRequest,
        TouchEmail,
        TouchKind,
    )
    from policy.cadence import plan, plan_note
    from policy.outreach_policy import TouchChoice, check_touch, choose_touch, known_facts
    from policy.outreach_templates import template_touch
    from workflows.lead_intake import LeadIntakeWorkflow, domain_attribute
    from workflows.outreach_patches import SUPPRESSION_LIST, touch_rules


class OutreachSteps:
    def __init__(self) -> None:
        self._log = DecisionLog()
        self._review = HumanReview(self._log)
        self._input: OutreachInput | None = None
        self._state = OutreachState()
        self._moved = False
        """Set by `reschedule` to wake the timer of the planned touch."""
        self._before_pause: Stage = "scheduled"

    async def _suppressed(self, request: OutreachInput) -> bool:
        """A lead who unsubscribed, bounced or complained is never researched or mailed."""
        if not workflow.patched(SUPPRESSION_LIST):
            return False
        reason = await attempt(
            act.suppression_of,
            request.lead.normalized_email,
            config=CRM,
            summary="check the suppression list",
            log=self._log,
            step="suppression",
            on_failure="list unavailable, each send checks it again",
        )
        if reason is not None:
            self._log.add("suppression", "on the list", f"address {reason}; nothing will be sent")
        return reason is not None

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
        state = self._state
        state.contact_id, state.tier, state.profile = (
            intake.contact_id,
            intake.score.tier,
            intake.profile,
        )
        workflow.upsert_search_attributes(
            [
                sa.LEAD_TIER.value_set(intake.score.tier),
                *domain_attribute(intake.domain, intake.score),
            ]
        )
        self._log.add(
            "intake",
            f"contact {intake.contact_id}, tier {intake.score.tier} ({intake.score.points} points)",
            f"child run {intake.workflow_id}, profile from {intake.profile.source}",
        )

    async def _research(self, request: OutreachInput) -> CompanyBrief | None:
        if self._budget_spent(request, "research"):
            return None
        self._set_stage("researching")
        lead, website = request.lead, request.lead.company_website
        if website is None:
            self._log.add("research", "skipped", "no website: a template will go to a person")
            return None
        found: Researched | None = await attempt(
            act.research_company,
            ResearchRequest(website=website, company=lead.company),
            config=RESEARCH,
            summary=f"agent: research {lead.website_domain}",
            log=self._log,
            step="research",
            on_failure="failed, a template will go to a person",
        )
        if found is None:
            metrics.fallback("research", "failed")
            return None
        if found.call is not None:
            self._state.agent_calls.append(found.call)
        pages = ", ".join(p.url for p in found.pages)
        skipped = f"; skipped {'; '.join(found.skipped)}" if found.skipped else ""
        self._log.add(
            "research",
            f"{len(found.brief.points)} sourced point(s) from {len(found.pages)} page(s)",
            f"read {pages}{skipped}",
        )
        return found.brief

    async def _draft(self, request: OutreachInput, number: int, kind: TouchKind) -> TouchChoice:
        """The agent's touch if it may go out, else the template (`choose_touch`)."""
        self._set_stage("drafting")
        state = self._state
        assert state.profile is not None and state.tier is not None
        lead = request.lead
        state.check = None
        drafted: DraftedTouch | None = None
        if kind == "first" and state.brief is None:
            self._log.add("draft", "template", "no research brief to personalise from")
        elif not self._budget_spent(request, "draft"):
            drafted = await attempt(
                act.draft_outreach,
                TouchDraftRequest(
                    lead=lead,
                    profile=state.profile,
                    brief=state.brief,
                    number=number,
                    kind=kind,
                    previous=state.sent,
                ),
                config=AGENT,
                summary=f"agent: draft touch {number} ({kind.replace('_', '-')})",
                log=self._log,
                step="draft",
                on_failure="failed, using the template",
            )
            if drafted is None:
                metrics.fallback("draft", "failed")
        if drafted is not None:
            if drafted.call is not None:
                state.agent_calls.append(drafted.call)
            facts = known_facts(lead, state.profile, state.brief)
            check = state.check = check_touch(
                drafted.draft,
                facts,
                lead,
                state.tier,
                kind,
                request.options,
                touch_rules(),
                drafted.replaced,
            )
            cited = ", ".join(f.fact_id for f in drafted.draft.facts) or "no facts"
            self._log.add(
                "check",
                f"score {check.score:.2f}, {'passed' if check.passed else 'held'}",
                "; ".join(check.holds + check.reasons)
                + f" (cites {cited}; checks {check.policy_version})",
            )
        fallback = template_touch(lead, state.profile, number, kind)
        choice = choose_touch(
            kind, number, fallback, drafted.draft if drafted else None, state.check
        )
        if choice.note:
            self._log.add("draft", "using the template", choice.note)
            metrics.fallback("draft", "checks")
        return choice

    def _budget_spent(self, request: OutreachInput, step: str) -> bool:
        """The cadence's agent calls (carried across continue-as-new) against its budget."""
        calls, budget = self._state.agent_calls, request.options.token_budget
        return metrics.skipped(step, budget_spent(self._log, step, calls, budget))

    async def _send(self, request: OutreachInput, touch: Touch) -> bool:
        self._set_stage("sending")
        key = f"{workflow.info().workflow_id}/touch-{touch.number}"
        try:
            result: SendResult = await run_step(
                act.send_outreach_email,
                TouchEmail(to=request.lead.normalized_email, touch=touch, idempotency_key=key),
                config=MAIL,
                summary=f"send touch {touch.number} ({touch.source})",
            )
        except ActivityError as err:
            self._log.add("send", f"touch {touch.number} not sent", failure_cause(err))
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == act.SUPPRESSED:
                self._state.stop = "suppressed"
            return False
        sent = SentTouch(
            **touch.model_dump(exclude={"facts"}), sent_at=workflow.now(), result=result
        )
        self._state.sent.append(sent)
        self._state.pending = None
        if touch.kind != "first" or self._review.decision is None:
            metrics.auto_sent(touch.source)
        self._log.add(
            "send",
            f"touch {touch.number} {'already sent' if result.duplicate else 'sent'}",
            f"{touch.source} email via {result.transport}",
        )
        await self._record(f"touch-{touch.number}", "outreach_email_sent", sent.timeline())
        self._set_stage("following_up")
        return True

    async def _record(self, key: str, kind: str, detail: dict[str, str | int | None]) -> None:
        """A CRM timeline entry; the CRM being down is logged, never fatal after a send."""
        assert self._state.contact_id is not None
        event = TimelineEvent(
            contact_id=self._state.contact_id,
            event_key=f"{workflow.info().workflow_id}/{key}",
            kind=kind,
            detail=detail,
        )
        await attempt(
            act.record_outreach_event,
            event,
            config=CRM,
            summary=f"CRM timeline: {kind}",
            log=self._log,
            step="crm",
            on_failure=f"{kind} not recorded",
        )

    @property
    def _hours(self) -> BusinessHours:
        assert self._input is not None
        return self._input.options.hours

    def _set_stage(self, stage: Stage, needs_human: bool = False) -> None:
        """While the cadence is paused (`OutreachState.paused`) the run shows `paused` and
        needs a person; the stage it reached is kept for `resume`."""
        if self._state.paused is not None and stage not in ENDED:
            self._before_pause, stage, needs_human = stage, "paused", True
        self._state.stage = stage
        workflow.upsert_search_attributes(
            [sa.OUTREACH_STAGE.value_set(stage), sa.NEEDS_HUMAN.value_set(needs_human)]
        )

    def _upsert_next(self) -> None:
        """`NextTouchAt` for visibility queries, and the plan in the run's current details."""
        key, planned = sa.NEXT_TOUCH_AT, self._state.next_touch
        value = key.value_set(planned.due_at) if planned else key.value_unset()
        workflow.upsert_search_attributes([value])
        self._log.plan(plan_note(self._plan(), self._hours.timezone))

    def _plan(self) -> list[PlannedTouch]:
        if self._input is None:
            return []
        return plan(self._state.next_touch, self._state.sent, self._input.options)

    def _status(self) -> OutreachStatus:
        return OutreachStatus(
            **dict(self._state),
            timezone=self._hours.timezone if self._input else "UTC",
            needs_human=self._review.open or self._state.paused is not None,
            plan=self._plan(),
            decisions=self._log.entries,
        )
