"""Limits at the edge: a cap on request bodies and sliding-window rate limits.

A public form is an open door: one client must not flood the workflows, and one
address must not be signed up a hundred times. The counts live in this process (one
service per deployment here); what a limit refuses was never accepted, so nothing
accepted is lost.
"""

import time
from collections import deque

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SWEEP_AT = 10_000
"""Keys held before the stale ones are swept out (at most once per window)."""
MAX_KEYS = 100_000
"""Live keys held at most: past this (a flood of fresh addresses) the key used longest
ago is forgotten, so the limiter stays small and a stranger is still served."""


class SlidingWindow:
    """At most `limit` events per key within `seconds`."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._events: dict[str, deque[float]] = {}
        """In order of last use, oldest first."""
        self._swept = 0.0

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        if len(self._events) > SWEEP_AT and now - self._swept > self.seconds:
            self._sweep(now)
        events = self._events.pop(key, None)
        if events is None:
            events = deque()
            if len(self._events) >= MAX_KEYS:
                del self._events[next(iter(self._events))]
        self._events[key] = events
        while events and events[0] <= now - self.seconds:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True

    def _sweep(self, now: float) -> None:
        """Forget keys with no event left in the window: the counts must not grow without
        bound, nor keep addresses longer than the window needs them."""
        self._swept = now
        for key in [k for k, events in self._events.items() if events[-1] <= now - self.seconds]:
            del self._events[key]

    def refuse_if_full(self, key: str, what: str) -> None:
        """Refuse as `enforce` does, without counting: for attempts that count only when
        they fail (a reviewer's correct password, sent with every codec request)."""
        events = self._events.get(key)
        now = time.monotonic()
        if events and sum(1 for at in events if at > now - self.seconds) >= self.limit:
            self._refuse(key, what)

    def enforce(self, key: str, what: str) -> None:
        """Count one event for `key`, or refuse it: 429 naming `what`, with Retry-After."""
        if not self.allow(key):
            self._refuse(key, what)

    def _refuse(self, key: str, what: str) -> None:
        raise HTTPException(
            429,
            f"too many {what}; try again later",
            headers={"Retry-After": str(self.retry_after(key))},
        )

    def retry_after(self, key: str) -> int:
        """Seconds until the oldest event in the window expires."""
        events = self._events.get(key)
        if not events:
            return 0
        return max(1, int(events[0] + self.seconds - time.monotonic()) + 1)


class BodyLimit:
    """Answers 413 before a body larger than `max_bytes` is read into memory, whether the
    client declares its length or streams it; paths under a prefix of `wider` have their
    own limit (the codec endpoint carries whole payloads)."""

    def __init__(self, app: ASGIApp, max_bytes: int, wider: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.wider = wider or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = next((n for p, n in self.wider.items() if path.startswith(p)), self.max_bytes)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await _too_large(send, limit)


class BodyTooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = f'{{"detail":"request body is larger than {limit} bytes"}}'.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
