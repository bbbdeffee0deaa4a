"""Support triage: classify -> search KB -> draft -> evaluate -> send, or a person decides.

Agent steps are activities with timeouts and bounded retries; when one fails the run
goes on with whatever evidence exists and lands in human review. Nothing is ever
auto-sent on a fallback path: `evaluate` holds any ticket without a classification
or a draft. Human review waits for `approve`, `reject` or the `edit_and_approve`
update (`workflows/review.py`); at the SLA it emails on-call and keeps waiting until
the final deadline.
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from workflows.decision_log import DecisionLog
from workflows.review import HumanReview
from workflows.shared import AGENT_RETRY, AGENT_TIMEOUT, MAIL_RETRY, MAIL_TIMEOUT, failure_cause

with workflow.unsafe.imports_passed_through():
    from activities.support_triage import SupportTriageActivities
    from models import search_attributes as sa
    from models.agent_output import CallRecord, Classification, ReplyDraft
    from models.common import OutgoingEmail, SendResult
    from models.support import (
        MAX_REPLY_CHARS,
        DraftRequest,
        Evaluation,
        InboundEmail,
        KbHit,
        Outcome,
        ReplyEmail,
        TriageInput,
        TriageResult,
        TriageStatus,
    )
    from workflows.triage_policy import TriagePolicy, evaluate

KB_TIMEOUT = timedelta(seconds=15)
KB_RETRY = RetryPolicy(maximum_attempts=3)


@workflow.defn
class SupportTriageWorkflow:
    def __init__(self) -> None:
        self._log = DecisionLog()
        self._stage = "received"
        self._classification: Classification | None = None
        self._hits: list[KbHit] = []
        self._draft: ReplyDraft | None = None
        self._evaluation: Evaluation | None = None
        self._calls: list[CallRecord] = []
        self._needs_human = False
        self._outcome: Outcome | None = None
        self._reply: SendResult | None = None
        self._review = HumanReview(self._log)

    @workflow.run
    async def run(self, request: TriageInput) -> TriageResult:
        email, options = request.email, request.options
        if not email.body.strip() and not email.parse_problem:
            self._log.add("intake", "closed", "empty email: nothing to answer")
            return await self._finish("closed_no_reply")
        if email.parse_problem:
            self._log.add("intake", "flagged", email.parse_problem)

        self._classification = await self._classify(email)
        topic = self._classification.topic if self._classification else "unclassified"
        workflow.upsert_search_attributes([sa.TICKET_TOPIC.value_set(topic)])
        self._hits = await self._search(email)
        if self._classification is not None and self._classification.is_spam:
            self._log.add("draft", "skipped", "classified as spam")
        else:
            self._draft = await self._draft_reply(email)

        policy = TriagePolicy(
            threshold=options.threshold, strong_retrieval=options.strong_retrieval
        )
        evaluation = self._evaluation = evaluate(
            email, self._classification, self._hits, self._draft, policy
        )
        self._needs_human = not evaluation.auto_send
        workflow.upsert_search_attributes(
            [
                sa.TICKET_CONFIDENCE.value_set(evaluation.score),
                sa.NEEDS_HUMAN.value_set(self._needs_human),
            ]
        )
        why = "; ".join(evaluation.policy_hold + evaluation.reasons)
        if evaluation.auto_send and self._draft is not None:
            self._log.add("evaluate", "auto-send", why)
            sent = await self._send(email, self._draft.body)
            return await self._finish("auto_sent" if sent else "escalated_unanswered")
        self._log.add("evaluate", "human review", why)
        return await self._human_review(request)

    async def _classify(self, email: InboundEmail) -> Classification | None:
        self._stage = "classifying"
        try:
            result = await workflow.execute_activity_method(
                SupportTriageActivities.classify_email,
                email,
                start_to_close_timeout=AGENT_TIMEOUT,
                retry_policy=AGENT_RETRY,
                summary="agent: classify topic, urgency, signals",
            )
        except ActivityError as err:
            self._log.add("classify", "failed, continuing without", failure_cause(err))
            return None
        self._calls.append(result.call)
        c = result.classification
        self._log.add(
            "classify",
            f"{c.topic}/{c.urgency} ({c.language}), model confidence {c.confidence:.2f}",
            _call_note(result.call) + (f"; signals {', '.join(c.signals)}" if c.signals else ""),
        )
        return c

    async def _search(self, email: InboundEmail) -> list[KbHit]:
        self._stage = "searching"
        try:
            hits = await workflow.execute_activity_method(
                SupportTriageActivities.search_knowledge_base,
                email,
                start_to_close_timeout=KB_TIMEOUT,
                retry_policy=KB_RETRY,
                summary="knowledge-base search",
            )
        except ActivityError as err:
            self._log.add("kb_search", "failed, continuing without", failure_cause(err))
            return []
        found = ", ".join(f"{h.article_id} ({h.score:.1f})" for h in hits) or "nothing"
        self._log.add("kb_search", f"{len(hits)} article(s)", found)
        return hits

    async def _draft_reply(self, email: InboundEmail) -> ReplyDraft | None:
        self._stage = "drafting"
        try:
            result = await workflow.execute_activity_method(
                SupportTriageActivities.draft_reply,
                DraftRequest(email=email, classification=self._classification, hits=self._hits),
                start_to_close_timeout=AGENT_TIMEOUT,
                retry_policy=AGENT_RETRY,
                summary="agent: draft reply citing articles",
            )
        except ActivityError as err:
            self._log.add("draft", "failed, a person will write the reply", failure_cause(err))
            return None
        self._calls.append(result.call)
        cited = ", ".join(result.draft.cited_article_ids) or "no articles"
        self._log.add(
            "draft",
            f"drafted citing {cited}, model confidence {result.draft.confidence:.2f}",
            _call_note(result.call),
        )
        return result.draft

    async def _human_review(self, request: TriageInput) -> TriageResult:
        options = request.options
        self._stage = "awaiting_human"
        decided = await self._review.wait(
            options.sla, options.final_deadline, self._sla_notice(request)
        )
        if not decided or self._review.decision is None:
            return await self._finish("escalated_unanswered")
        action, detail = self._review.decision
        if action == "reject":
            return await self._finish("rejected")
        body = detail if action == "edit" else (self._draft.body if self._draft else "")
        sent = await self._send(request.email, body)
        if not sent:
            return await self._finish("escalated_unanswered")
        return await self._finish("sent_after_edit" if action == "edit" else "sent_after_approval")

    async def _send(self, email: InboundEmail, body: str) -> bool:
        self._stage = "sending"
        try:
            self._reply = await workflow.execute_activity_method(
                SupportTriageActivities.send_reply,
                ReplyEmail(
                    email=email, body=body, idempotency_key=f"{workflow.info().workflow_id}/reply"
                ),
                start_to_close_timeout=MAIL_TIMEOUT,
                retry_policy=MAIL_RETRY,
                summary="send reply",
            )
        except ActivityError as err:
            self._log.add("send", "failed", failure_cause(err))
            return False
        self._log.add(
            "send", "already sent" if self._reply.duplicate else "sent", self._reply.transport
        )
        return True

    def _sla_notice(self, request: TriageInput) -> OutgoingEmail:
        workflow_id = workflow.info().workflow_id
        topic = self._classification.topic if self._classification else "unclassified"
        return OutgoingEmail(
            to=request.options.on_call,
            subject=f"[SLA] support ticket {workflow_id} waits for a decision",
            body=(
                f"Ticket {workflow_id} ({topic}) has waited {request.options.sla} for review.\n"
                f"Why it needs a person: {'; '.join(self._evaluation.policy_hold) if self._evaluation else 'n/a'}\n"
                f"Decide with: python starter.py approve|reject|edit {workflow_id}\n"
            ),
            idempotency_key=f"{workflow_id}/oncall",
        )

    async def _finish(self, outcome: Outcome) -> TriageResult:
        self._outcome = outcome
        self._stage = "done"
        self._needs_human = False
        workflow.upsert_search_attributes(
            [sa.TICKET_OUTCOME.value_set(outcome), sa.NEEDS_HUMAN.value_set(False)]
        )
        self._log.add("outcome", outcome, "ticket closed")
        return TriageResult(
            outcome=outcome,
            topic=self._classification.topic if self._classification else None,
            evaluation=self._evaluation,
            reply=self._reply,
            decisions=self._log.entries,
        )

    @workflow.signal
    def approve(self) -> None:
        if self._review.open and self._draft is None:
            self._log.add("review", "approve ignored", "no draft to send: use edit_and_approve")
        else:
            self._review.decide("approve", "", "draft sent as written")

    @workflow.signal
    def reject(self, reason: str) -> None:
        self._review.decide("reject", reason, reason[:500] or "no reason given")

    @workflow.update
    def edit_and_approve(self, body: str) -> str:
        self._review.decide("edit", body, f"{len(body)} characters")
        return "reply will be sent"

    @edit_and_approve.validator
    def _validate_edit(self, body: str) -> None:
        self._review.check_edit(body, MAX_REPLY_CHARS)

    @workflow.query
    def status(self) -> TriageStatus:
        return TriageStatus(
            stage=self._stage,
            topic=self._classification.topic if self._classification else None,
            classification=self._classification,
            hits=self._hits,
            draft=self._draft,
            evaluation=self._evaluation,
            needs_human=self._needs_human,
            outcome=self._outcome,
            reply=self._reply,
            agent_calls=self._calls,
            decisions=self._log.entries,
        )


def _call_note(call: CallRecord) -> str:
    return (
        f"{call.model}, {call.prompt_version}, {call.usage.total_tokens} tokens, "
        f"{call.latency_ms} ms{', repaired' if call.repaired else ''}"
    )
