"""The evidence-gathering steps of support triage: screen, classify, search, draft.

Each is an activity with its timeout and bounded retries (`shared.attempt`); a failed
step is logged and yields nothing, so the run goes on with what exists and the decision holds the
ticket for a person. An agent step the run's token budget no longer covers yields
nothing the same way. The workflow class (`support_triage`) owns the order and the
decision; this base class owns the state the steps fill.
"""

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.runtime import metrics
from workflows.runtime.decision_log import DecisionLog
from workflows.runtime.steps import (
    AGENT,
    MAIL,
    ON_WORKER,
    attempt,
    budget_spent,
    failure_cause,
    run_step,
)

with workflow.unsafe.imports_passed_through():
    from models import activities as act
    from models.agent_output import CallRecord, Classification, ReplyDraft
    from models.common import SendResult
    from models.limits import AUTO_REPLY_LIMIT
    from models.support import (
        Classified,
        DraftedReply,
        DraftRequest,
        InboundEmail,
        KbHit,
        QuestionCoverage,
        ReplyEmail,
        Screening,
    )

ANSWER_CHECK = "answer-check"
"""Tickets started before this patch are decided without the answer check (no survey)."""
AUTO_REPLY_LIMITS = "auto-reply-limits"
"""Tickets started before the limits ended `escalated_unanswered` on any failed send."""


class TriageSteps:
    def __init__(self) -> None:
        self._log = DecisionLog()
        self._stage = "received"
        self._screening: Screening | None = None
        self._classified: Classified | None = None
        self._hits: list[KbHit] = []
        self._drafted: DraftedReply | None = None
        self._coverage: QuestionCoverage | None = None
        self._answer_check = False
        """Whether this run surveys the question (`ANSWER_CHECK`); a failed survey then holds."""
        self._calls: list[CallRecord] = []
        self._token_budget: int | None = None
        """The run's budget once it is known (`TriageOptions.token_budget`)."""
        self._limit: str | None = None
        """Why the worker's auto-reply limits refused the last automatic send, if they did."""

    @property
    def _classification(self) -> Classification | None:
        return self._classified.classification if self._classified else None

    @property
    def _draft(self) -> ReplyDraft | None:
        return self._drafted.draft if self._drafted else None

    async def _screen(self, email: InboundEmail) -> Screening | None:
        self._stage = "screening"
        screening: Screening | None = await attempt(
            act.screen_email,
            email,
            config=ON_WORKER,
            summary="escalation policy screening",
            log=self._log,
            step="screen",
            on_failure="failed, held for a person",
        )
        if screening is not None:
            found = ", ".join(m.name for m in screening.intents) or "no escalation intent"
            self._log.add("screen", found, f"policy {screening.policy_version}")
        return screening

    def _budget_spent(self, step: str) -> bool:
        budget = self._token_budget
        spent = budget is not None and budget_spent(self._log, step, self._calls, budget)
        return metrics.skipped(step, spent)

    async def _classify(self, email: InboundEmail) -> Classified | None:
        if self._budget_spent("classify"):
            return None
        self._stage = "classifying"
        result: Classified | None = await attempt(
            act.classify_email,
            email,
            config=AGENT,
            summary="agent: classify topic, urgency, signals",
            log=self._log,
            step="classify",
            on_failure="failed, continuing without",
        )
        if result is None:
            metrics.fallback("classify", "failed")
            return None
        self._calls += [result.call] + ([result.topic_call] if result.topic_call else [])
        c = result.classification
        probabilities = result.topic_probabilities
        said = (
            ", ".join(
                f"{t} {p:.2f}" for t, p in sorted(probabilities.items(), key=lambda i: -i[1])[:3]
            )
            if probabilities
            else f"{c.topic} (no log-probabilities)"
        )
        self._log.add(
            "classify",
            f"topic {said}; {c.urgency} ({c.language})",
            _call_note(result.call) + (f"; signals {', '.join(c.signals)}" if c.signals else ""),
        )
        return result

    async def _search(self, email: InboundEmail) -> list[KbHit]:
        self._stage = "searching"
        hits: list[KbHit] | None = await attempt(
            act.search_knowledge_base,
            email,
            config=ON_WORKER,
            summary="knowledge-base search",
            log=self._log,
            step="kb_search",
            on_failure="failed, continuing without",
        )
        if hits is None:
            return []
        found = ", ".join(f"{h.article_id} ({h.score:.1f})" for h in hits) or "nothing"
        self._log.add("kb_search", f"{len(hits)} article(s)", found)
        return hits

    async def _survey(self, email: InboundEmail) -> QuestionCoverage | None:
        self._answer_check = workflow.patched(ANSWER_CHECK)
        if not self._answer_check:
            return None
        coverage: QuestionCoverage | None = await attempt(
            act.survey_question,
            email,
            config=ON_WORKER,
            summary="what the mail asks and which of its words no article uses",
            log=self._log,
            step="survey",
            on_failure="failed, held for a person",
        )
        if coverage is not None:
            unknown = ", ".join(t.term for t in coverage.unknown) or "none"
            asks = "asks something" if coverage.asks else "asks nothing"
            self._log.add("survey", asks, f"words no article uses: {unknown}")
        return coverage

    async def _draft_reply(self, email: InboundEmail) -> DraftedReply | None:
        """No draft for mail the classifier calls spam; a person decides on it as it is."""
        if self._classification is not None and self._classification.is_spam:
            self._log.add("draft", "skipped", "classified as spam")
            return None
        if self._budget_spent("draft"):
            return None
        self._stage = "drafting"
        result: DraftedReply | None = await attempt(
            act.draft_reply,
            DraftRequest(email=email, classification=self._classification, hits=self._hits),
            config=AGENT,
            summary="agent: draft reply citing articles",
            log=self._log,
            step="draft",
            on_failure="failed, a person will write the reply",
        )
        if result is None:
            metrics.fallback("draft", "failed")
            return None
        self._calls.append(result.call)
        cited = ", ".join(result.draft.cited_article_ids) or "no articles"
        self._log.add(
            "draft",
            f"drafted citing {cited}, model confidence {result.draft.confidence:.2f}",
            _call_note(result.call),
        )
        return result

    async def _deliver(self, reply: ReplyEmail) -> SendResult | None:
        """The reply sent, or None: a failure is logged, except an auto-reply limit's, which
        `_limit` keeps for the decision that holds the ticket for a person."""
        self._stage, self._limit = "sending", None
        try:
            result: SendResult = await run_step(
                act.send_reply, reply, config=MAIL, summary="send reply"
            )
        except ActivityError as err:
            cause = err.cause
            if (
                isinstance(cause, ApplicationError)
                and cause.type == AUTO_REPLY_LIMIT
                and workflow.patched(AUTO_REPLY_LIMITS)
            ):
                self._limit = cause.message
                metrics.held([], auto_reply_limit=True)
            else:
                self._log.add("send", "failed", failure_cause(err))
            return None
        if reply.auto:
            metrics.auto_sent("agent")
        return result


def _call_note(call: CallRecord) -> str:
    return (
        f"{call.model}, {call.prompt_version}, {call.usage.total_tokens} tokens, "
        f"{call.latency_ms} ms{', repaired' if call.repaired else ''}"
        f"{', second draft' if call.revised else ''}"
    )
