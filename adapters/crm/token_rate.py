"""Tokens per minute for an LLM endpoint, shared by every worker through the CRM database.

A sliding window over rows of (endpoint, time, tokens): a step may start when the
tokens of the last window plus its reservation stay within the limit; otherwise the
answer is how long until enough old rows leave the window (`crm_tokens.admission`).
Reserve and count happen in one transaction of the CRM store, so two workers cannot
both take the last room. The reservation is settled to the tokens the step reports
when it returns; a step that fails keeps its reservation, since what it spent is unknown.
"""

import time
from collections.abc import Callable

from adapters.crm.crm import CrmStore
from models.limits import LlmRate


class TokenRate:
    """One endpoint's limit over the worker's CRM store. `clock` is wall time
    (workers on several hosts share it through the database, so their clocks should
    agree)."""

    def __init__(
        self,
        store: CrmStore,
        endpoint: str,
        rate: LlmRate,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self.endpoint, self.rate, self._clock = endpoint, rate, clock

    async def try_reserve(self) -> tuple[int | None, float]:
        return await self._store.reserve_tokens(
            self.endpoint, self.rate.reserve_tokens, self.rate, self._clock
        )

    async def settle(self, row: int, tokens: int) -> None:
        await self._store.settle_tokens(row, tokens)
