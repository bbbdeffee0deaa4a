"""The one OpenAI-compatible client every agent uses: structured output, no hidden retries.

`max_retries=0` and a per-call timeout shorter than the activity's: Temporal owns
retries, so every attempt is visible in the workflow history. Only failures the
endpoint can cause are mapped: timeouts, 408/409/429/5xx and malformed bodies are
`LlmUnavailable` (carrying the endpoint's `Retry-After` for Temporal's next attempt),
other 4xx are `LlmRejected`; an exception from our own code propagates unchanged.
Output is validated against a pydantic schema sent as `response_format`; an endpoint
that ignores the schema gets one repair turn, then the call fails with `LlmOutputInvalid`.
"""

import email.utils
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

import httpx
import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion, ChatCompletionMessage
from pydantic import BaseModel, ValidationError

from agents.context import props_context, room_chars
from agents.labels import Labelled, label_distribution
from agents.prompts import Message
from models.agent_output import CallRecord, Usage

T = TypeVar("T", bound=BaseModel)
FENCED_JSON = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S)
LABEL_TOKENS = 2
TOP_LOGPROBS = 20
"""Alternatives read at the first answer token: room for every label and its variants."""
RETRYABLE_STATUSES = frozenset({408, 409, 429})
"""Request timeout, conflict (e.g. a lock), rate limit: transient, like any 5xx."""
RETRY_AFTER_CAP = timedelta(minutes=5)
"""Longest `Retry-After` obeyed: a misconfigured or hostile header must not park an
activity for hours; beyond it the wait is still long enough to respect the provider."""
DELTA_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


class LlmError(Exception):
    """Base of the typed errors the activity wrappers map to Temporal failures."""

    retryable = True
    retry_after: timedelta | None = None
    """How long the endpoint asked us to wait before the next attempt; None: Temporal's
    own backoff decides."""


class LlmUnavailable(LlmError):
    """Timeout, connection failure, 408/409/429/5xx or a malformed body: worth another
    attempt, after `retry_after` when the endpoint said how long."""

    def __init__(self, message: str, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LlmRejected(LlmError):
    """The endpoint refused the request (4xx other than 408/409/429): retrying cannot help."""

    retryable = False


class LlmOutputInvalid(LlmError):
    """The output did not match the schema, even after one repair turn."""

    retryable = False


@dataclass(frozen=True)
class LlmConfig:
    base_url: str
    api_key: str
    models: Mapping[str, str]
    """Model name per agent role (`classify`, `draft`, ...); `default` for the rest."""
    timeout_s: float = 30.0
    max_tokens: int = 500
    temperature: float = 0.0
    context_tokens: int | None = None
    """The endpoint's context window; None: ask the endpoint (`agents.context`)."""

    def model_for(self, role: str) -> str:
        return self.models.get(role) or self.models["default"]


@dataclass(frozen=True)
class Structured(Generic[T]):
    output: T
    record: CallRecord


def _strip_fences(text: str) -> str:
    match = FENCED_JSON.match(text.strip())
    return match.group(1) if match else text.strip()


class LlmClient:
    def __init__(self, config: LlmConfig, http_client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self._client = AsyncOpenAI(
            base_url=config.base_url,
            api_key=config.api_key,
            max_retries=0,
            timeout=config.timeout_s,
            http_client=http_client,
        )
        self._context: int | None = config.context_tokens
        self._context_known = config.context_tokens is not None

    async def room_for(self, messages: list[Message]) -> int | None:
        """Characters of data that still fit beside `messages` and an answer; None: no
        limit known. The endpoint is asked for its window until it has answered once."""
        if not self._context_known:
            self._context_known, self._context = await props_context(
                self.config.base_url, self.config.api_key
            )
        return room_chars(self._context, messages, self.config.max_tokens)

    async def structured(
        self,
        role: str,
        prompt_version: str,
        messages: list[Message],
        schema: type[T],
        json_schema: dict[str, Any] | None = None,
    ) -> Structured[T]:
        """`json_schema` may narrow what the endpoint is asked for (e.g. an enum of the ids
        that exist); the answer is still validated against `schema`, since an endpoint may
        ignore constraints."""
        model = self.config.model_for(role)
        wanted = json_schema or schema.model_json_schema()
        cap = self.config.max_tokens
        started = time.perf_counter()
        text, usage = await self._complete(model, messages, schema.__name__, wanted, cap)
        repaired = False
        try:
            output = schema.model_validate_json(_strip_fences(text))
        except ValidationError as first_error:
            repaired = True
            repair = [
                *messages,
                {"role": "assistant", "content": text[:4000]},
                {
                    "role": "user",
                    "content": "That reply is not valid JSON for the required schema "
                    f"({first_error.error_count()} problems: {_brief(first_error)}). "
                    "Reply again with only the JSON object.",
                },
            ]
            text, more = await self._complete(model, repair, schema.__name__, wanted, cap)
            usage += more
            try:
                output = schema.model_validate_json(_strip_fences(text))
            except ValidationError as err:
                raise LlmOutputInvalid(
                    f"{role}: output invalid after repair: {_brief(err)}"
                ) from err
        latency_ms = int((time.perf_counter() - started) * 1000)
        record = CallRecord(
            role=role,
            model=model,
            prompt_version=prompt_version,
            usage=usage,
            latency_ms=latency_ms,
            repaired=repaired,
        )
        return Structured(output=output, record=record)

    async def label_probabilities(
        self, role: str, prompt_version: str, messages: list[Message], labels: Sequence[str]
    ) -> Labelled:
        """Which of `labels` the model would answer, as probabilities read from the
        endpoint's token log-probabilities (not a number the model writes about itself).
        An endpoint without log-probabilities still gives its one answer, marked as such;
        an answer that is none of the labels is `LlmOutputInvalid`."""
        model = self.config.model_for(role)
        started = time.perf_counter()
        response = await self._create(
            model=model, messages=messages, max_tokens=LABEL_TOKENS,
            logprobs=True, top_logprobs=TOP_LOGPROBS,
        )  # fmt: skip
        text, usage = _content(response)
        probabilities = label_distribution(_first_token_alternatives(response), labels)
        if probabilities is None:
            answered = [label for label in labels if text.strip().lower().startswith(label[:4])]
            if not answered:
                raise LlmOutputInvalid(f"{role}: answer {text[:40]!r} is none of {list(labels)}")
            probabilities = {label: float(label == answered[0]) for label in labels}
        record = CallRecord(
            role=role, model=model, prompt_version=prompt_version, usage=usage,
            latency_ms=int((time.perf_counter() - started) * 1000), repaired=False,
        )  # fmt: skip
        return Labelled(
            probabilities=probabilities,
            from_logprobs=response_has_logprobs(response),
            record=record,
        )

    async def _complete(
        self,
        model: str,
        messages: list[Message],
        name: str,
        json_schema: dict[str, Any],
        max_tokens: int,
    ) -> tuple[str, Usage]:
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": json_schema},
        }
        response = await self._create(
            model=model, messages=messages, max_tokens=max_tokens, response_format=response_format
        )
        return _content(response)

    async def _create(self, **request: Any) -> ChatCompletion:
        """One chat completion, the failures the endpoint can cause mapped to the typed
        errors above. A non-JSON body under a JSON content type raises `JSONDecodeError`
        inside `openai`; under another content type `openai` returns the text, hence the
        shape check."""
        try:
            response = await self._client.chat.completions.create(
                temperature=self.config.temperature, **request
            )
        except (openai.APITimeoutError, openai.APIConnectionError) as err:
            raise LlmUnavailable(f"LLM endpoint unreachable: {type(err).__name__}") from err
        except openai.APIStatusError as err:
            status = err.status_code
            if status in RETRYABLE_STATUSES or status >= 500:
                wait = _retry_after(err.response.headers.get("retry-after"))
                asked = f", retry after {wait.total_seconds():g} s" if wait else ""
                raise LlmUnavailable(f"LLM endpoint answered {status}{asked}", wait) from err
            reason = " ".join(str(err.message).split())[:200]
            raise LlmRejected(f"LLM endpoint refused the request ({status}): {reason}") from err
        except (openai.APIResponseValidationError, json.JSONDecodeError) as err:
            raise LlmUnavailable(f"LLM endpoint sent a malformed response: {err}") from err
        choices = response.choices if isinstance(response, ChatCompletion) else None
        if not choices or not isinstance(
            getattr(choices[0], "message", None), ChatCompletionMessage
        ):
            raise LlmUnavailable("LLM endpoint sent a malformed response: no chat completion")
        return response


def _retry_after(header: str | None) -> timedelta | None:
    """`Retry-After` as delta-seconds or an HTTP-date, capped at `RETRY_AFTER_CAP`. A
    missing, unreadable or non-positive value gives None, so Temporal's backoff applies
    rather than an immediate retry."""
    value = (header or "").strip()
    if DELTA_SECONDS.fullmatch(value):
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # "-0000": UTC, source zone unknown
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds <= 0:
        return None
    return timedelta(seconds=min(seconds, RETRY_AFTER_CAP.total_seconds()))


def _content(response: ChatCompletion) -> tuple[str, Usage]:
    usage = Usage(
        prompt_tokens=_count(getattr(response.usage, "prompt_tokens", 0)),
        completion_tokens=_count(getattr(response.usage, "completion_tokens", 0)),
    )
    return response.choices[0].message.content or "", usage


def _count(value: object) -> int:
    """A token count as the endpoint reported it; anything but a count (the client does
    not validate the body) is unknown, as a missing `usage` is."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def response_has_logprobs(response: ChatCompletion) -> bool:
    return bool(_first_token_alternatives(response))


def _first_token_alternatives(response: ChatCompletion) -> list[tuple[str, float]]:
    logprobs = response.choices[0].logprobs
    if logprobs is None or not logprobs.content:
        return []
    return [(alt.token, alt.logprob) for alt in logprobs.content[0].top_logprobs]


def _brief(err: ValidationError) -> str:
    return json.dumps(
        [f"{'.'.join(map(str, e['loc'])) or 'root'}: {e['msg']}" for e in err.errors()[:5]]
    )
