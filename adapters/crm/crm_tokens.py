"""The LLM tokens-per-minute window's rows in either CRM backend, and the rule both
apply to them (`adapters.crm.token_rate` explains the window).

Reserve and count happen in one write transaction (SQLite's `BEGIN IMMEDIATE`, or a
PostgreSQL advisory lock per endpoint the caller holds), so two workers cannot both take
the last room.
"""

import sqlite3
from collections.abc import Callable

import asyncpg

from adapters.crm.transaction import written
from models.limits import LlmRate

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


def _wait_for(rows: list[tuple[float, int]], need: int, rate: LlmRate, now: float) -> float:
    """0 when `need` more tokens fit beside the window's `rows` (time, tokens; oldest
    first), else the seconds until enough of them leave the window."""
    window = rate.window.total_seconds()
    excess = sum(used for _, used in rows) + need - rate.tokens_per_minute
    if excess <= 0:
        return 0.0
    for at, used in rows:
        excess -= used
        if excess <= 0:
            return max(at + window - now, 0.01)
    return window  # settled rows grew past the limit: a whole window frees them


def _reservation(rows: list[tuple[float, int]], tokens: int, rate: LlmRate) -> int:
    """What a step holds until its usage is known: `tokens`, or more when a step in the
    window reported more than that (a step's usage is not known before it runs, and
    steps like it tend to follow), never more than the whole limit. Without this, steps
    that each use more than they reserve would all be admitted into one window."""
    largest = max((used for _, used in rows), default=0)
    return min(max(tokens, largest), rate.tokens_per_minute)


def admission(
    rows: list[tuple[float, int]], tokens: int, rate: LlmRate, now: float
) -> tuple[int, float]:
    """(tokens to hold, seconds to wait: 0 when they fit now) for a step asking for
    `tokens` beside the window's `rows`: the one rule both backends apply."""
    need = _reservation(rows, tokens, rate)
    return need, _wait_for(rows, need, rate, now)


def reserve(
    db: sqlite3.Connection, endpoint: str, tokens: int, rate: LlmRate, clock: Callable[[], float]
) -> tuple[int | None, float]:
    """(row id, 0) when `tokens` fit in the endpoint's window, else (None, seconds to wait).
    A reservation larger than the whole limit goes alone into an empty window rather
    than never."""
    with written(db):
        now = clock()
        db.execute(
            "DELETE FROM llm_tokens WHERE endpoint = ? AND at <= ?",
            (endpoint, now - rate.window.total_seconds()),
        )
        rows = db.execute(
            "SELECT at, tokens FROM llm_tokens WHERE endpoint = ? ORDER BY at", (endpoint,)
        ).fetchall()
        need, wait = admission(rows, tokens, rate, now)
        row = None
        if not wait:
            cursor = db.execute(
                "INSERT INTO llm_tokens (endpoint, at, tokens) VALUES (?, ?, ?)",
                (endpoint, now, need),
            )
            row = int(cursor.lastrowid or 0)
    return row, wait


def settle(db: sqlite3.Connection, row: int, tokens: int) -> None:
    db.execute("UPDATE llm_tokens SET tokens = ? WHERE id = ?", (tokens, row))


async def reserve_locked(
    db: asyncpg.Connection, endpoint: str, tokens: int, rate: LlmRate, now: float
) -> tuple[int | None, float]:
    """`reserve` on PostgreSQL, inside the caller's transaction and endpoint lock; `now`
    is read once the lock is held, so rows enter in time order."""
    await db.execute(
        "DELETE FROM llm_tokens WHERE endpoint = $1 AND at <= $2",
        endpoint, now - rate.window.total_seconds(),
    )  # fmt: skip
    rows = await db.fetch(
        "SELECT at, tokens FROM llm_tokens WHERE endpoint = $1 ORDER BY at", endpoint
    )
    need, wait = admission([(row["at"], row["tokens"]) for row in rows], tokens, rate, now)
    if wait:
        return None, wait
    row = await db.fetchval(
        "INSERT INTO llm_tokens (endpoint, at, tokens) VALUES ($1, $2, $3) RETURNING id",
        endpoint, now, need,
    )  # fmt: skip
    return row, 0.0
