"""Helpers every activity wrapper uses: error mapping and heartbeats."""

import asyncio
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from adapters.errors import Permanent, Transient
from agents.client import LlmError

T = TypeVar("T")


@contextmanager
def adapter_errors() -> Iterator[None]:
    """Turn adapter errors into typed `ApplicationError`s Temporal's retry policy understands;
    an LLM endpoint's `Retry-After` becomes the next attempt's delay, so Temporal waits
    what the provider asked instead of its own, possibly shorter, backoff."""
    try:
        yield
    except Permanent as err:
        raise ApplicationError(str(err), type=err.kind, non_retryable=True) from err
    except Transient as err:
        raise ApplicationError(str(err), type="Transient") from err
    except LlmError as err:
        raise ApplicationError(
            str(err),
            type=type(err).__name__,
            non_retryable=not err.retryable,
            next_retry_delay=err.retry_after,
        ) from err


async def heartbeating(work: Awaitable[T], every_s: float = 1.0) -> T:
    """Await `work` while heartbeating, so a dead worker is noticed within the heartbeat
    timeout instead of the whole start-to-close timeout, and cancellation gets through."""
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=every_s)
            if done:
                return task.result()
            activity.heartbeat()
    finally:
        task.cancel()
