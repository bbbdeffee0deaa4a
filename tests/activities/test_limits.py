"""The auto-reply ledger and the endpoint's token window on a real CRM database, the SQLite
file and PostgreSQL alike (`crm_db`), shared by two "workers" (two stores over the same
database, each with its own connections, as two processes would be)."""

import asyncio
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from activities.limits import AutoReplyLedger, tokens_reported
from adapters.crm.crm import SqliteCrm
from adapters.crm.token_rate import TokenRate
from models.agent_output import CallRecord, Usage
from models.limits import AutoReplyLimits, LlmRate
from models.support import Classified
from models.threads import MessageRecord
from tests.crm_fixtures import CrmDatabase
from tests.workflows.triage_fakes import CALL, classification

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
OLD_SCHEMA = """
CREATE TABLE messages (id INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE,
    workflow_id TEXT NOT NULL, process TEXT NOT NULL, direction TEXT NOT NULL,
    address TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL);
INSERT INTO messages VALUES (1, '<old@flowdesk.example>', 'ticket-1', 'support', 'out',
    'kim@acme.example', 'Re: Invoice', 'Hello', '2026-11-01T09:00:00+00:00');
"""


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


async def ledger(crm_db: CrmDatabase, clock: Clock, **limits: int) -> AutoReplyLedger:
    return AutoReplyLedger(await crm_db.open(), AutoReplyLimits(**limits), clock)


async def test_per_address_limit_names_the_limit_and_keeps_retries(crm_db: CrmDatabase):
    clock = Clock()
    replies = await ledger(crm_db, clock)
    allowed = [await replies.reserve(f"t-{n}/reply", "Kim@Acme.example") for n in range(3)]
    refused = await replies.reserve("t-3/reply", "kim@acme.example")

    assert allowed == [None] * 3
    assert refused == "auto-reply limit: 3 per address in 24 h reached"
    assert await replies.reserve("t-0/reply", "kim@acme.example") is None  # a retried send
    clock.now += timedelta(hours=24, seconds=1)
    assert await replies.reserve("t-3/reply", "kim@acme.example") is None
    stored = str(await crm_db.rows("SELECT * FROM auto_replies"))
    assert "kim" not in stored.lower() and "acme.example" in stored


async def test_per_domain_limit_spares_consumer_mail(crm_db: CrmDatabase):
    replies = await ledger(crm_db, Clock(), per_domain=2)
    company = [await replies.reserve(f"c-{n}", f"p{n}@acme.example") for n in range(3)]
    gmail = [await replies.reserve(f"g-{n}", f"p{n}@gmail.com") for n in range(5)]

    assert company == [None, None, "auto-reply limit: 2 per domain in 1 h reached"]
    assert gmail == [None] * 5


async def test_two_workers_never_share_out_more_than_the_limit(crm_db: CrmDatabase):
    clock = Clock()
    first, second = await ledger(crm_db, clock), await ledger(crm_db, clock)
    answers = await asyncio.gather(
        *(
            (first if n % 2 else second).reserve(f"t-{n}/reply", "kim@acme.example")
            for n in range(12)
        )
    )
    assert answers.count(None) == 3


async def test_a_database_from_before_the_ledger_keeps_working(tmp_path: Path):
    path = tmp_path / "crm.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
    crm = SqliteCrm(path)
    replies = AutoReplyLedger(crm, AutoReplyLimits())

    assert await replies.reserve("t-1/reply", "kim@acme.example") is None
    assert await crm.address_of("ticket-1") == "kim@acme.example"
    new = MessageRecord(
        message_id="<new@flowdesk.example>", workflow_id="ticket-2", process="support",
        direction="out", address="kim@acme.example", subject="Re: x", body="Hi",
    )  # fmt: skip
    assert await crm.record_message(new)


def stamp(read: list[float]) -> float:
    read.append(time.time())
    return read[-1]


def test_tokens_reported_sum_every_call_of_a_step():
    call = CALL.model_copy(update={"usage": Usage(prompt_tokens=300, completion_tokens=20)})
    topic: CallRecord = call.model_copy(update={"usage": Usage(prompt_tokens=200)})
    step = Classified(classification=classification(), call=call, topic_call=topic)
    assert tokens_reported(step) == 520
    assert tokens_reported(["not", "a", "model"]) is None


async def test_a_full_window_says_how_long_to_wait_and_settles(crm_db: CrmDatabase):
    rate = LlmRate(tokens_per_minute=1000, reserve_tokens=600)
    clock = [1000.0]
    tokens = TokenRate(await crm_db.open(), "http://llm/v1", rate, lambda: clock[0])
    row, _ = await tokens.try_reserve()
    assert row is not None
    clock[0] += 10
    assert await tokens.try_reserve() == (None, 50.0)
    await tokens.settle(row, 300)  # the step used less than it reserved
    assert (await tokens.try_reserve())[0] is not None
    clock[0] += 50
    assert (await tokens.try_reserve())[1] == 10.0  # the settled 300 left; the 600 stays


async def test_a_step_that_used_more_than_it_reserved_raises_the_next_reservation(
    crm_db: CrmDatabase,
):
    """Steps like a long mail use more than the reservation; the next one holds what the
    largest in the window used, so a run of such steps cannot all enter one window."""
    rate = LlmRate(tokens_per_minute=1000, reserve_tokens=200)
    clock = [1000.0]
    tokens = TokenRate(await crm_db.open(), "http://llm/v1", rate, lambda: clock[0])
    row, _ = await tokens.try_reserve()
    assert row is not None
    await tokens.settle(row, 450)  # a long mail: more than the 200 it held
    assert (await tokens.try_reserve())[0] is not None  # holds 450: 900 of 1000
    assert await tokens.try_reserve() == (None, 60.0)  # 200 would fit; 450 does not
    clock[0] += 61
    assert (await tokens.try_reserve())[0] is not None  # the window emptied


async def test_two_callers_stay_under_the_limit_in_every_window(crm_db: CrmDatabase):
    """Two workers (two limiters over one database) call as fast as they are let for 3 s of a
    1-second window: no window ever holds more tokens than the limit. A call counts at the
    time its limiter read (a loaded machine can return the answer much later)."""
    rate = LlmRate(tokens_per_minute=1000, reserve_tokens=250, window=timedelta(seconds=1))
    calls: list[tuple[float, int]] = []

    async def caller(until: float) -> None:
        read: list[float] = []
        tokens = TokenRate(await crm_db.open(), "http://llm/v1", rate, lambda: stamp(read))
        while time.time() < until:
            row, wait = await tokens.try_reserve()
            if row is None:
                await asyncio.sleep(wait)
                continue
            calls.append((read[-1], 200))
            await tokens.settle(row, 200)

    until = time.time() + 3
    await asyncio.gather(caller(until), caller(until))
    busiest = max(sum(t for at, t in calls if start <= at < start + 1) for start, _ in calls)
    assert busiest <= 1000
    assert len(calls) >= 3 * 4  # the limit is used, not merely respected
