"""Tokens per minute for an LLM endpoint, shared by every worker through the CRM database.

A sliding window over rows of (endpoint, time, tokens): a step may start when the
tokens of the last window plus its reservation stay within the limit; otherwise the
answer is how long until enough old rows leave the window. Reserve and count happen
in one write transaction (`BEGIN IMMEDIATE`), so two workers cannot both take the last
room. The reservation is settled to the tokens the step reports when it returns; a step
that fails keeps its reservation, since what it spent is unknown.
"""

import asyncio
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar

from models.limits import LlmRate

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS llm_tokens (
    id INTEGER PRIMARY KEY,
    endpoint TEXT NOT NULL,
    at REAL NOT NULL,
    tokens INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS llm_tokens_by_endpoint ON llm_tokens (endpoint, at);
"""
"""Its own table, created at start when missing: older databases gain it untouched."""


def connect(path: Path) -> sqlite3.Connection:
    """Autocommit, so each function opens its own transaction; waits out other writers."""
    return sqlite3.connect(path, timeout=10, isolation_level=None)


def reserve(
    db: sqlite3.Connection, endpoint: str, tokens: int, rate: LlmRate, now: float
) -> tuple[int | None, float]:
    """(row id, 0) when `tokens` fit in the endpoint's window, else (None, seconds to wait).
    A reservation larger than the whole limit goes alone into an empty window rather
    than never."""
    window = rate.window.total_seconds()
    need = min(tokens, rate.tokens_per_minute)
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("DELETE FROM llm_tokens WHERE at <= ?", (now - window,))
        rows = db.execute(
            "SELECT at, tokens FROM llm_tokens WHERE endpoint = ? ORDER BY at", (endpoint,)
        ).fetchall()
        excess = sum(used for _, used in rows) + need - rate.tokens_per_minute
        if excess <= 0:
            cursor = db.execute(
                "INSERT INTO llm_tokens (endpoint, at, tokens) VALUES (?, ?, ?)",
                (endpoint, now, need),
            )
            db.execute("COMMIT")
            return int(cursor.lastrowid or 0), 0.0
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    for at, used in rows:
        excess -= used
        if excess <= 0:
            return None, max(at + window - now, 0.01)
    return None, window  # settled rows grew past the limit: a whole window frees them


def settle(db: sqlite3.Connection, row: int, tokens: int) -> None:
    db.execute("UPDATE llm_tokens SET tokens = ? WHERE id = ?", (tokens, row))


class TokenRate:
    """One endpoint's limit over the CRM database file; `clock` is wall time (workers on
    several hosts share it through the database, so their clocks should agree)."""

    def __init__(
        self, path: Path, endpoint: str, rate: LlmRate, clock: Callable[[], float] = time.time
    ) -> None:
        self._path, self.endpoint, self.rate, self._clock = path, endpoint, rate, clock
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(connect(path)) as db:
            db.executescript(SCHEMA)

    async def try_reserve(self) -> tuple[int | None, float]:
        return await self._in_thread(
            reserve, self.endpoint, self.rate.reserve_tokens, self.rate, self._clock()
        )

    async def settle(self, row: int, tokens: int) -> None:
        await self._in_thread(settle, row, tokens)

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        def run() -> T:
            with closing(connect(self._path)) as db:
                return work(db, *args)

        return await asyncio.to_thread(run)
