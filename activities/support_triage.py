"""Activities of support triage: the agent calls, knowledge-base search and replies.

LLM failures keep their type (`adapter_errors`): `LlmUnavailable` stays retryable, an
output that stays invalid or a refused request becomes non-retryable, so the
workflow's fallback (human review) starts at once instead of after pointless attempts.
"""

import asyncio
from dataclasses import dataclass

from temporalio import activity

from activities import metrics
from activities.postbox import Postbox
from activities.wrapping import adapter_errors, heartbeating
from adapters.knowledge.knowledge_base import KnowledgeBase
from adapters.knowledge.question_terms import survey
from agents.client import LlmClient
from agents.triage import classify, draft_reply, topic_probabilities
from config.escalation import EscalationPolicy
from models.common import MAX_SUBJECT_CHARS, OutgoingEmail, SendResult
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
from policy.checks.grounding import plain_text

KB_RESULTS = 4
DRAFT_ARTICLES = 1
"""The drafter sees the best-matching article only. A reply may cite one article, and one
that cites anything but the best match is held anyway; shown three, the embedded model
often wrote from the second while citing the first."""
REPLY_PREFIX = "Re: "
AGENT_STEPS = frozenset({"classify_email", "draft_reply"})
"""The activities that call the model: the LLM endpoint's rate limit guards them."""


def reply_subject(subject: str) -> str:
    """The customer's subject, cut so the reply fits `OutgoingEmail`: inbound subjects may
    run to 998 characters, and a reply that fails validation is never sent."""
    clean = subject.strip() or "your message"
    replied = clean if clean.lower().startswith("re:") else REPLY_PREFIX + clean
    return replied[:MAX_SUBJECT_CHARS].rstrip()


@dataclass
class SupportTriageActivities:
    llm: LlmClient
    kb: KnowledgeBase
    postbox: Postbox
    policy: EscalationPolicy

    @activity.defn(name="screen_email")
    async def screen_email(self, email: InboundEmail) -> Screening:
        """The escalation policy's intents in this mail; an activity because the policy is
        the worker's configuration, and its answer is then fixed in the history."""
        intents = self.policy.screen(email.sender, f"{email.subject}\n{email.body}")
        return Screening(policy_version=self.policy.version, intents=intents)

    @activity.defn(name="classify_email")
    async def classify_email(self, email: InboundEmail) -> Classified:
        with adapter_errors():
            labelled = await heartbeating(topic_probabilities(self.llm, email.subject, email.body))
            result = await heartbeating(classify(self.llm, email.subject, email.body))
        metrics.agent_call(labelled.record)
        metrics.agent_call(result.record)
        return Classified(
            classification=result.output,
            call=result.record,
            topic_probabilities=labelled.probabilities if labelled.from_logprobs else None,
            topic_call=labelled.record,
        )

    @activity.defn(name="search_knowledge_base")
    async def search_knowledge_base(self, email: InboundEmail) -> list[KbHit]:
        text = f"{email.subject}\n{email.body}"
        return await asyncio.to_thread(self.kb.search, text, KB_RESULTS)

    @activity.defn(name="survey_question")
    async def survey_question(self, email: InboundEmail) -> QuestionCoverage:
        """The answer check's evidence; an activity because it reads the index."""
        return await asyncio.to_thread(
            survey,
            email.subject,
            email.body,
            email.sender,
            using=self.kb.using,
            spelled=self.kb.spelled,
        )

    @activity.defn(name="draft_reply")
    async def draft_reply(self, request: DraftRequest) -> DraftedReply:
        ids = [hit.article_id for hit in request.hits[:DRAFT_ARTICLES]]
        articles = [
            (aid, title, plain_text(text))
            for aid, title, text in await asyncio.to_thread(self.kb.articles, ids)
        ]
        topic = request.classification.topic if request.classification else "unknown"
        email = request.email
        earlier = [
            ("customer" if e.direction == "in" else "us", e.subject, e.body) for e in email.thread
        ]
        with adapter_errors():
            result = await heartbeating(
                draft_reply(self.llm, email.subject, email.body, topic, articles, earlier)
            )
        metrics.agent_call(result.record)
        sources = {aid: f"{title}\n{text}" for aid, title, text in articles}
        return DraftedReply(draft=result.output, call=result.record, sources=sources)

    @activity.defn(name="send_reply")
    async def send_reply(self, reply: ReplyEmail) -> SendResult:
        """Logged under this ticket's run, so the customer's answer, which quotes the
        reply's Message-ID, finds the ticket again."""
        message = OutgoingEmail(
            to=reply.email.sender,
            subject=reply_subject(reply.email.subject),
            body=reply.body,
            idempotency_key=reply.idempotency_key,
            in_reply_to=reply.email.message_id,
            automatic=reply.auto,
        )
        with adapter_errors():
            return await heartbeating(
                self.postbox.send(message, activity.info().workflow_id, "support")
            )

    def definitions(self) -> list:
        return [
            self.screen_email,
            self.classify_email,
            self.search_knowledge_base,
            self.survey_question,
            self.draft_reply,
            self.send_reply,
        ]
