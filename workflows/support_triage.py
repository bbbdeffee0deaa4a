"""Support triage: screen -> classify -> search KB -> draft -> check and evaluate -> send,
or a person decides.

Automatic mail (auto-replies, bounces, no-reply senders) is closed without an answer.
Agent steps are activities with timeouts and bounded retries (`triage_steps`); when one
fails, or the run's token budget is spent, the run goes on with whatever evidence exists
and lands in human review. Nothing is ever auto-sent on a fallback path, nothing the
reply checker or the escalation policy objects to (`triage_policy`), and nothing past
the worker's auto-reply limits (`activities/limits.py`: the ticket waits for a person).
Human review waits for `approve`, `reject` or the `edit_and_approve` update
(`workflows/runtime/review.py`); at the SLA it emails on-call and keeps waiting until the final
deadline.

The customer may write again while the ticket is open (`customer_replied`, sent by the
mail router): the wait for a person ends and the ticket is triaged again, the new mail
answered with the conversation so far as context, for at most `MAX_ROUNDS` rounds; a
follow-up that arrives while a reply is being sent gets its own round after it.
"""

from temporalio import workflow

from workflows.runtime import metrics
from workflows.runtime.review import HumanReview, ReviewHandlers
from workflows.triage_steps import TriageSteps

with workflow.unsafe.imports_passed_through():
    from models import search_attributes as sa
    from models.common import OutgoingEmail, SendResult
    from models.support import (
        MAX_REPLY_CHARS,
        Evaluation,
        InboundEmail,
        ReplyEmail,
        TicketOutcome,
        TriageInput,
        TriageResult,
        TriageStatus,
    )
    from models.threads import MAX_THREAD_ENTRIES, ThreadEntry, entry
    from policy.checks.grounding import plain_text
    from policy.replay.triage_policy_v1 import TriagePolicy
    from policy.replay.triage_policy_v1 import evaluate as evaluate_v1
    from policy.triage_policy import evaluate

MAX_ROUNDS = 5
"""Triage rounds per ticket: past it, later mail stays with the person who reviews. A
conversation with this many answers (reopened tickets carry theirs) is never answered
automatically again: two auto-responders must not talk forever."""
VERIFIED_SEND = "verified-auto-send"
"""Tickets started before this patch keep the 2026.11-1 decision (`triage_policy_v1`)."""


@workflow.defn
class SupportTriageWorkflow(TriageSteps, ReviewHandlers):
    APPROVED = "draft sent as written"
    EDITED = "reply will be sent"
    EDIT_LIMIT = MAX_REPLY_CHARS

    def __init__(self) -> None:
        super().__init__()
        self._evaluation: Evaluation | None = None
        self._needs_human = False
        self._outcome: TicketOutcome | None = None
        self._reply: SendResult | None = None
        self._review = HumanReview(self._log)
        self._round = 1
        self._email: InboundEmail | None = None
        self._follow_ups: list[InboundEmail] = []
        self._conversation: list[ThreadEntry] = []

    @workflow.run
    async def run(self, request: TriageInput) -> TriageResult:
        email = request.email
        self._token_budget = request.options.token_budget
        self._conversation = [*email.thread, entry("in", email, workflow.now())]
        outcome = await self._triage(request, email)
        while self._follow_ups and self._round < MAX_ROUNDS:
            email = self._next_round()
            outcome = await self._triage(request, email)
        return await self._finish(outcome or "escalated_unanswered")

    def _next_round(self) -> InboundEmail:
        """The newest follow-up, with everything before it (earlier follow-ups included)
        as its thread; the round's evidence and review start afresh."""
        for earlier in self._follow_ups[:-1]:
            self._conversation.append(entry("in", earlier, workflow.now()))
        email = self._follow_ups[-1].model_copy(
            update={"thread": self._conversation[-MAX_THREAD_ENTRIES:]}
        )
        self._conversation.append(entry("in", email, workflow.now()))
        self._follow_ups = []
        self._round += 1
        self._screening, self._classified, self._hits, self._drafted = None, None, [], None
        self._evaluation, self._review = None, HumanReview(self._log)
        self._log.add("round", f"round {self._round}", "the customer wrote again: triaged anew")
        return email

    async def _triage(self, request: TriageInput, email: InboundEmail) -> TicketOutcome | None:
        """One round: its outcome, or None when a follow-up interrupted the review."""
        self._email = email
        if not email.body.strip() and not email.parse_problem:
            self._log.add("intake", "closed", "empty email: nothing to answer")
            return "closed_no_reply"
        if email.parse_problem:
            self._log.add("intake", "flagged", email.parse_problem)
        if self._round == 1 and not workflow.patched(VERIFIED_SEND):
            return await self._run_v1(request)

        self._screening = await self._screen(email)
        intents = self._screening.intents if self._screening else []
        never = [m for m in intents if m.action == "no_reply"]
        if email.automatic or never:
            why = email.automatic or "; ".join(f"{m.name} ({m.evidence!r})" for m in never)
            self._log.add("intake", "closed without reply", f"automatic message: {why}")
            return "closed_no_reply"
        self._classified = await self._classify(email)
        self._hits = await self._search(email)
        self._coverage = await self._survey(email)
        self._drafted = await self._draft_reply(email)
        evidence = (self._screening, self._classified, self._hits, self._drafted)
        self._evaluation = evaluate(
            email, *evidence, request.options, self._coverage, answer_check=self._answer_check
        )
        workflow.upsert_search_attributes([sa.TICKET_TOPIC.value_set(self._evaluation.topic or "")])
        return await self._decide(request, email)

    async def _run_v1(self, request: TriageInput) -> TicketOutcome | None:
        """Tickets started before verified auto-send replay the decision they began with."""
        email, options = request.email, request.options
        self._classified = await self._classify(email)
        topic = self._classification.topic if self._classification else "unclassified"
        workflow.upsert_search_attributes([sa.TICKET_TOPIC.value_set(topic)])
        self._hits = await self._search(email)
        self._drafted = await self._draft_reply(email)
        policy = TriagePolicy(
            threshold=options.threshold, strong_retrieval=options.strong_retrieval
        )
        self._evaluation = evaluate_v1(email, self._classification, self._hits, self._draft, policy)
        return await self._decide(request, email)

    async def _decide(self, request: TriageInput, email: InboundEmail) -> TicketOutcome | None:
        evaluation = self._evaluation
        assert evaluation is not None
        self._needs_human = not evaluation.auto_send
        workflow.upsert_search_attributes(
            [
                sa.TICKET_CONFIDENCE.value_set(evaluation.score),
                sa.NEEDS_HUMAN.value_set(self._needs_human),
            ]
        )
        why = "; ".join(evaluation.policy_hold + evaluation.reasons)
        why += f" (policy {evaluation.policy_version})"
        if evaluation.check is not None:
            self._log.add(
                "check", f"reply checks {evaluation.check.version}", evaluation.check.summary()
            )
        answers = sum(e.direction == "out" for e in self._conversation)
        if evaluation.auto_send and answers >= MAX_ROUNDS:
            self._log.add("evaluate", "human review", f"{answers} answers in this conversation")
            metrics.held([], conversation_rounds=True)
            return await self._human_review(request, email)
        if evaluation.auto_send and self._draft is not None:
            self._log.add("evaluate", "auto-send", why)
            sent = await self._send(email, self._reply_body(), auto=True)
            if self._limit is not None:
                self._needs_human = True
                workflow.upsert_search_attributes([sa.NEEDS_HUMAN.value_set(True)])
                self._log.add("evaluate", "human review", f"{self._limit}; held for a person")
                return await self._human_review(request, email)
            return "auto_sent" if sent else "escalated_unanswered"
        self._log.add("evaluate", "human review", why)
        metrics.held(evaluation.policy_hold, low_score=evaluation.score < request.options.threshold)
        return await self._human_review(request, email)

    def _reply_body(self) -> str:
        """The checked email; tickets from before the reply form send the draft as written."""
        if self._evaluation is not None and self._evaluation.reply_body:
            return self._evaluation.reply_body
        return plain_text(self._draft.body) if self._draft else ""

    @property
    def _topic(self) -> str | None:
        """The ticket's topic: the decision's fused topic once it exists."""
        if self._evaluation is not None and self._evaluation.topic:
            return self._evaluation.topic
        return self._classification.topic if self._classification else None

    async def _human_review(
        self, request: TriageInput, email: InboundEmail
    ) -> TicketOutcome | None:
        options = request.options
        self._stage = "awaiting_human"
        decided = await self._review.wait(
            options.sla,
            options.final_deadline,
            self._sla_notice(request),
            extra_stop=lambda: bool(self._follow_ups) and self._round < MAX_ROUNDS,
        )
        if self._review.decision is None and self._follow_ups and self._round < MAX_ROUNDS:
            self._log.add("review", "superseded", "the customer wrote again before a decision")
            return None
        if not decided or self._review.decision is None:
            return "escalated_unanswered"
        action, detail = self._review.decision
        if action == "reject":
            return "rejected"
        body = detail if action == "edit" else self._reply_body()
        if not await self._send(email, body):
            return "escalated_unanswered"
        return "sent_after_edit" if action == "edit" else "sent_after_approval"

    async def _send(self, email: InboundEmail, body: str, auto: bool = False) -> bool:
        suffix = "" if self._round == 1 else f"-{self._round}"
        key = f"{workflow.info().workflow_id}/reply{suffix}"
        reply = await self._deliver(
            ReplyEmail(email=email, body=body, idempotency_key=key, auto=auto)
        )
        if reply is None:
            return False
        self._reply = reply
        sent = email.model_copy(update={"subject": f"Re: {email.subject}", "body": body})
        self._conversation.append(entry("out", sent, workflow.now()))
        self._log.add("send", "already sent" if reply.duplicate else "sent", reply.transport)
        return True

    def _sla_notice(self, request: TriageInput) -> OutgoingEmail:
        workflow_id = workflow.info().workflow_id
        topic = self._topic or "unclassified"
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

    async def _finish(self, outcome: TicketOutcome) -> TriageResult:
        self._outcome = outcome
        self._stage = "done"
        self._needs_human = False
        workflow.upsert_search_attributes(
            [sa.TICKET_OUTCOME.value_set(outcome), sa.NEEDS_HUMAN.value_set(False)]
        )
        self._log.add("outcome", outcome, "ticket closed")
        return TriageResult(
            outcome=outcome,
            topic=self._topic,
            evaluation=self._evaluation,
            reply=self._reply,
            decisions=self._log.entries,
        )

    @workflow.signal
    def customer_replied(self, email: InboundEmail) -> None:
        self._follow_ups.append(email)
        if self._round + len(self._follow_ups) > MAX_ROUNDS:
            self._log.add("follow-up", "kept for the reviewer", f"past {MAX_ROUNDS} rounds")
        else:
            self._log.add("follow-up", "received", "will be triaged with the conversation")

    def _cannot_approve(self) -> str | None:
        if self._review.open and self._draft is None:
            return "no draft to send: use edit_and_approve"
        return None

    @workflow.query
    def status(self) -> TriageStatus:
        return TriageStatus(
            stage=self._stage,
            topic=self._topic,
            screening=self._screening,
            classification=self._classification,
            topic_probabilities=self._classified.topic_probabilities if self._classified else None,
            hits=self._hits,
            draft=self._draft,
            sources=self._drafted.sources if self._drafted else {},
            evaluation=self._evaluation,
            needs_human=self._needs_human,
            outcome=self._outcome,
            reply=self._reply,
            agent_calls=self._calls,
            decisions=self._log.entries,
            round=self._round,
            email=self._email,
            conversation=self._conversation,
        )
