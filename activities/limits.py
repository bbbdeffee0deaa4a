"""The worker's abuse and cost limits, applied around the activities they guard.

A Temporal activity interceptor, installed by `worker.py`, so every worker that serves
these activities applies the same limits from the same CRM database, and the activities
themselves stay unaware of them:

- an automatic reply (`ReplyEmail.auto`: the workflow sends it without a person) is
  counted against the auto-reply limits before it is sent; over a limit the send fails
  with `AutoReplyLimit`, naming the limit and never the address, and the workflow holds
  the ticket for a person. A reply a person approved is never counted or refused;
- an agent step waits for room in the LLM endpoint's tokens-per-minute window (beating
  its heartbeat), then is settled to the tokens it reports.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from activities.wrapping import heartbeating
from adapters.crm import crm_mail
from adapters.crm.crm import CrmStore
from adapters.crm.token_rate import TokenRate
from models.agent_output import CallRecord
from models.lead import FREE_MAIL_DOMAINS
from models.limits import AUTO_REPLY_LIMIT, LLM_RATE_LIMITED, AutoReplyLimits
from models.support import ReplyEmail

MAX_WAIT = timedelta(seconds=20)
"""Longest wait for the endpoint's window within one attempt: an agent step has 90 s and
the call itself may take 60. Past it the attempt fails retryably and Temporal starts the
next one when the window has room; after the last, the workflow's fallback (a person)."""


class AutoReplyLedger:
    """The auto-reply limits over the worker's CRM store. Consumer mail domains are
    counted per address only (`models.limits.AutoReplyLimits`)."""

    def __init__(
        self,
        store: CrmStore,
        limits: AutoReplyLimits,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self.limits, self._clock = limits, clock

    async def reserve(self, send_key: str, address: str) -> str | None:
        """None when the reply may go (and it is counted), else the limit it would break."""
        counts_domain = crm_mail.domain_of(address) not in FREE_MAIL_DOMAINS
        return await self._store.reserve_auto_reply(
            send_key, address, counts_domain, self.limits, self._clock()
        )


def tokens_reported(result: Any) -> int | None:
    """The tokens of the calls an agent step's result records (`Classified.call`,
    `.topic_call`, ...); None when it records none."""
    if not isinstance(result, BaseModel):
        return None
    calls = [value for _, value in result if isinstance(value, CallRecord)]
    return sum(call.usage.total_tokens for call in calls) if calls else None


class LimitsInterceptor(Interceptor):
    def __init__(
        self, replies: AutoReplyLedger, tokens: TokenRate | None, agent_steps: frozenset[str]
    ) -> None:
        self.replies, self.tokens, self.agent_steps = replies, tokens, agent_steps

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _Guarded(next, self)


class _Guarded(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, limits: LimitsInterceptor) -> None:
        super().__init__(next)
        self._limits = limits

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        reply = input.args[0] if input.args else None
        if isinstance(reply, ReplyEmail) and reply.auto:
            refused = await self._limits.replies.reserve(reply.idempotency_key, reply.email.sender)
            if refused:
                raise ApplicationError(refused, type=AUTO_REPLY_LIMIT, non_retryable=True)
        tokens = self._limits.tokens
        if tokens is None or activity.info().activity_type not in self._limits.agent_steps:
            return await super().execute_activity(input)
        row = await _admitted(tokens)
        result = await super().execute_activity(input)
        used = tokens_reported(result)
        if used is not None:
            await tokens.settle(row, used)
        return result


async def _admitted(tokens: TokenRate) -> int:
    """The reservation's row once the window has room; waits while beating the heartbeat."""
    waited = 0.0
    while True:
        row, wait = await tokens.try_reserve()
        if row is not None:
            return row
        if waited + wait > MAX_WAIT.total_seconds():
            raise ApplicationError(
                f"the LLM endpoint's limit of {tokens.rate.tokens_per_minute} tokens per "
                f"minute is reached; room again in {wait:.0f} s",
                type=LLM_RATE_LIMITED,
                next_retry_delay=timedelta(seconds=wait),
            )
        await heartbeating(asyncio.sleep(wait))
        waited += wait
