"""The agent path without Temporal: the triage activities' requests, sent straight to
the model server, each HTTP call timed.

The requests are built by the product's own code (`agents.triage`'s prompt functions
through `LlmClient.structured` / `label_probabilities`), so messages, JSON schemas,
`max_tokens` and log-probability options are exactly what `classify_email` and
`draft_reply` send; only `_create`, the one HTTP call, is wrapped with a timer. The few
lines that pick the draft's article repeat `SupportTriageActivities` (the activity does
them around its call); the benchmark checks that both paths report the same prompt
tokens per call, which they would not if the prompts differed.
"""

import asyncio
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from openai.types.chat import ChatCompletion

from activities.support_triage import DRAFT_ARTICLES, KB_RESULTS
from adapters.knowledge.knowledge_base import KnowledgeBase
from adapters.mail.inbound_mail import parse_email
from agents.client import LlmClient, LlmConfig
from agents.triage import classify, draft_reply, topic_probabilities
from bench.triage_cases import load_cases, to_rfc822
from models.support import InboundEmail
from policy.checks.grounding import plain_text

ROLE_BY_SCHEMA = {"Classification": "classify", "ReplyDraft": "draft"}
TOPIC_ROLE = "topic"
"""The log-probability call `classify_email` makes before the classification."""


@dataclass(frozen=True)
class Call:
    """One HTTP call as the caller saw it, with llama.cpp's own account of it."""

    role: str
    latency_ms: float
    prompt_tokens: int
    completion_tokens: int
    server_ms: float | None
    """llama.cpp's prompt + generation time (`timings`), absent from other endpoints."""
    cached_tokens: int | None
    """Prompt tokens llama.cpp reused from the slot's cache (`timings.cache_n`)."""

    def row(self) -> dict[str, Any]:
        return asdict(self)


def request_role(request: dict[str, Any]) -> str:
    if request.get("logprobs"):
        return TOPIC_ROLE
    return ROLE_BY_SCHEMA[request["response_format"]["json_schema"]["name"]]


class TimedLlmClient(LlmClient):
    """`LlmClient` whose HTTP calls are timed and recorded; everything around the call
    (prompt rendering, schema, validation, the repair turn) stays the product's."""

    def __init__(self, config: LlmConfig, http_client: httpx.AsyncClient) -> None:
        super().__init__(config, http_client)
        self.calls: list[Call] = []

    async def _create(self, **request: Any) -> ChatCompletion:
        started = time.perf_counter()
        response = await super()._create(**request)
        latency_ms = (time.perf_counter() - started) * 1000
        timings = (response.model_extra or {}).get("timings") or {}
        usage = response.usage
        self.calls.append(
            Call(
                role=request_role(request),
                latency_ms=latency_ms,
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
                server_ms=timings["prompt_ms"] + timings["predicted_ms"] if timings else None,
                cached_tokens=timings.get("cache_n"),
            )
        )
        return response


async def direct_ticket(llm: LlmClient, kb: KnowledgeBase, email: InboundEmail) -> None:
    """`classify_email`, `search_knowledge_base` and `draft_reply` in the workflow's
    order, without Temporal: the same calls, the same article, no draft for spam."""
    await topic_probabilities(llm, email.subject, email.body)
    classified = await classify(llm, email.subject, email.body)
    hits = await asyncio.to_thread(kb.search, f"{email.subject}\n{email.body}", KB_RESULTS)
    if classified.output.is_spam:
        return
    ids = [hit.article_id for hit in hits[:DRAFT_ARTICLES]]
    articles = [
        (aid, title, plain_text(text))
        for aid, title, text in await asyncio.to_thread(kb.articles, ids)
    ]
    earlier = [
        ("customer" if e.direction == "in" else "us", e.subject, e.body) for e in email.thread
    ]
    await draft_reply(llm, email.subject, email.body, classified.output.topic, articles, earlier)


def sample_tickets(
    cases: Path, count: int
) -> tuple[list[tuple[str, InboundEmail]], tuple[str, InboundEmail]]:
    """`count` cases spread evenly over the file (topics, languages, lengths), read by the
    product's parser, and one more case for warming up; empty and automatic mail is left
    out, since the workflow closes it without calling the model."""
    emails = [(case.id, parse_email(to_rfc822(case))) for case in load_cases(cases)]
    usable = [(cid, e) for cid, e in emails if e.body.strip() and not e.automatic]
    stride = max(1, len(usable) // count)
    chosen = usable[::stride][:count]
    spare = next(ticket for ticket in usable if ticket not in chosen)
    return chosen, spare
