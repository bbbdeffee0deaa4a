"""The CRM on PostgreSQL, for workers on several machines: the same protocol (`CrmStore`),
the same tables, the same guarantees as the SQLite file (`adapters.crm.crm`).

A worker holds one connection pool (`FLOWDESK_CRM_POOL_SIZE`). Writes are idempotent by
the same keys (`ON CONFLICT` on the email, the event key, the Message-ID, the address,
the send key). The limits' counters take a transaction-scoped advisory lock per domain
(auto-replies) or per endpoint (tokens) before they count, so two workers cannot both
take the last slot, while replies to other domains go on in parallel; under the default
READ COMMITTED each statement after the lock sees what the previous holder committed.

A server error is re-raised as `CrmDatabaseError`, naming its code, table and constraint
only: PostgreSQL's own message and detail may quote a row (an address, a mail body),
and the error reaches the worker's log and the run's history.
"""

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg

from adapters.crm.crm_contacts import CONTACT_FIELDS, contact_fields, submitted
from adapters.crm.crm_mail import (
    CONVERSATION,
    address_key,
    domain_of,
    last_run,
    recipient_hash,
    refusal,
    reply_limits,
)
from adapters.crm.crm_migrations import migrate
from adapters.crm.crm_tokens import reserve_locked
from models.lead import CompanyProfile, ContactRef, LeadSubmission
from models.limits import AutoReplyLimits, LlmRate
from models.threads import (
    MessageRecord,
    Process,
    RunRef,
    Suppression,
    SuppressionChange,
    SuppressionEntry,
    SuppressionReason,
    ThreadEntry,
)

log = logging.getLogger("flowdesk.crm")
COUNTED = {"address": "recipient = $1", "domain": "domain = $1 AND counts_domain"}
LOCK_KEY = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
CHANGED = "INSERT INTO suppression_changes (address, change, reason, actor, at)"


class CrmDatabaseError(Exception):
    def __init__(self, err: asyncpg.PostgresError) -> None:
        found = (("table", err.table_name), ("constraint", err.constraint_name))
        names = [f"{what} {name}" for what, name in found if name]
        super().__init__(
            f"PostgreSQL error {err.sqlstate} ({', '.join([type(err).__name__, *names])})"
        )


class PostgresCrm:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @classmethod
    async def connect(cls, url: str, pool_size: int) -> "PostgresCrm":
        """The pool, with the schema migrated: a wrong URL or an unreachable server stops
        the worker at start rather than at its first lead."""
        pool = await asyncpg.create_pool(url, min_size=1, max_size=pool_size)
        try:
            async with pool.acquire() as db:
                version, applied = await migrate(db)
        except BaseException:
            await pool.close()
            raise
        log.info("CRM on PostgreSQL: schema version %d, applied now: %s", version, applied)
        return cls(pool)

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        try:
            async with self._pool.acquire() as db:
                yield db
        except asyncpg.PostgresError as err:
            raise CrmDatabaseError(err) from None

    async def upsert_contact(
        self, lead: LeadSubmission, profile: CompanyProfile, event_key: str
    ) -> ContactRef:
        """Insert, or lock the existing row and update it only when a field changed; the
        `lead_submitted` entry in the same transaction."""
        wanted, now, email = contact_fields(lead, profile), datetime.now(UTC), lead.normalized_email
        columns = ", ".join(CONTACT_FIELDS)
        async with self._connection() as db, db.transaction():
            contact_id = await db.fetchval(
                f"INSERT INTO contacts (email, lead_source, created_at, updated_at, {columns}) "
                "VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9) "
                "ON CONFLICT (email) DO NOTHING RETURNING id",
                email, lead.source, now, *wanted.values(),
            )  # fmt: skip
            created = changed = contact_id is not None
            if not created:
                row = await db.fetchrow(
                    f"SELECT id, {columns} FROM contacts WHERE email = $1 FOR UPDATE", email
                )
                contact_id = row["id"]
                changed = any(row[k] != wanted[k] for k in CONTACT_FIELDS)
                if changed:
                    assignments = ", ".join(f"{k} = ${n}" for n, k in enumerate(CONTACT_FIELDS, 3))
                    await db.execute(
                        f"UPDATE contacts SET updated_at = $2, {assignments} WHERE id = $1",
                        contact_id, now, *wanted.values(),
                    )  # fmt: skip
            await _insert_event(db, contact_id, event_key, "lead_submitted", submitted(lead), now)
        return ContactRef(contact_id=contact_id, created=created, changed=changed)

    async def set_score(self, contact_id: int, points: int, tier: str) -> None:
        async with self._connection() as db:
            await db.execute(
                "UPDATE contacts SET score = $2, tier = $3, updated_at = $4 WHERE id = $1 "
                "AND (score IS DISTINCT FROM $2 OR tier IS DISTINCT FROM $3)",
                contact_id, points, tier, datetime.now(UTC),
            )  # fmt: skip

    async def add_event(
        self, contact_id: int, event_key: str, kind: str, detail: dict[str, Any]
    ) -> bool:
        async with self._connection() as db:
            return await _insert_event(db, contact_id, event_key, kind, detail, datetime.now(UTC))

    async def record_message(self, record: MessageRecord) -> bool:
        async with self._connection() as db:
            row = await db.fetchval(
                "INSERT INTO messages (message_id, workflow_id, process, direction, address, "
                "subject, body, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                "ON CONFLICT (message_id) DO UPDATE SET workflow_id = excluded.workflow_id, "
                "process = excluded.process, direction = 'out', address = excluded.address, "
                "subject = excluded.subject, body = excluded.body "
                "WHERE messages.direction = 'in' AND excluded.direction = 'out' RETURNING id",
                record.message_id, record.workflow_id, record.process, record.direction,
                address_key(record.address), record.subject, record.body, datetime.now(UTC),
            )  # fmt: skip
        return row is not None

    async def find_run(self, message_ids: list[str]) -> RunRef | None:
        wanted = list(dict.fromkeys(message_ids))
        if not wanted:
            return None
        async with self._connection() as db:
            rows = await db.fetch(
                "SELECT message_id, workflow_id, process FROM messages "
                "WHERE message_id = ANY($1::text[])",
                wanted,
            )
        return last_run(wanted, rows)

    async def runs_to(self, address: str, process: Process) -> list[str]:
        async with self._connection() as db:
            rows = await db.fetch(
                "SELECT workflow_id FROM messages WHERE address = $1 AND process = $2 "
                "AND direction = 'out' GROUP BY workflow_id ORDER BY max(id) DESC",
                address_key(address), process,
            )  # fmt: skip
        return [row["workflow_id"] for row in rows]

    async def sent_to(self, message_ids: list[str]) -> list[str]:
        async with self._connection() as db:
            rows = await db.fetch(
                f"SELECT DISTINCT address FROM messages WHERE message_id = ANY($1::text[]) "
                f"AND direction = 'out' AND {CONVERSATION} ORDER BY address",
                list(dict.fromkeys(message_ids)),
            )
        return [row["address"] for row in rows]

    async def address_of(self, workflow_id: str) -> str | None:
        async with self._connection() as db:
            return await db.fetchval(
                f"SELECT address FROM messages WHERE workflow_id = $1 AND direction = 'out' "
                f"AND {CONVERSATION} ORDER BY id LIMIT 1",
                workflow_id,
            )

    async def thread(self, workflow_id: str, limit: int) -> list[ThreadEntry]:
        async with self._connection() as db:
            rows = await db.fetch(
                f"SELECT direction, subject, body, at FROM messages WHERE workflow_id = $1 "
                f"AND {CONVERSATION} ORDER BY id DESC LIMIT $2",
                workflow_id, limit,
            )  # fmt: skip
        return [ThreadEntry(**dict(row)) for row in reversed(rows)]

    async def suppress(self, suppression: Suppression) -> bool:
        """The row and its audit line in one statement: both or neither."""
        async with self._connection() as db:
            row = await db.fetchval(
                "WITH added AS (INSERT INTO suppressions (address, reason, source, at) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT (address) DO NOTHING RETURNING *) "
                f"{CHANGED} SELECT address, 'added', reason, source, at FROM added RETURNING 1",
                address_key(suppression.address), suppression.reason, suppression.source,
                datetime.now(UTC),
            )  # fmt: skip
        return row is not None

    async def suppression(self, address: str) -> SuppressionReason | None:
        async with self._connection() as db:
            return await db.fetchval(
                "SELECT reason FROM suppressions WHERE address = $1", address_key(address)
            )

    async def suppressions(self, address: str | None, limit: int) -> list[SuppressionEntry]:
        key = address_key(address) if address else None
        async with self._connection() as db:
            rows = await db.fetch(
                "SELECT address, reason, source, at FROM suppressions WHERE $1::text IS NULL "
                "OR address = $1 ORDER BY at DESC LIMIT $2", key, limit,
            )  # fmt: skip
        return [SuppressionEntry(**dict(row)) for row in rows]

    async def unsuppress(self, address: str, reason: str, by: str) -> bool:
        async with self._connection() as db:
            row = await db.fetchval(
                "WITH gone AS (DELETE FROM suppressions WHERE address = $1 RETURNING address) "
                f"{CHANGED} SELECT address, 'removed', $2, $3, $4 FROM gone RETURNING 1",
                address_key(address), reason, by, datetime.now(UTC),
            )  # fmt: skip
        return row is not None

    async def suppression_changes(self, address: str, limit: int) -> list[SuppressionChange]:
        async with self._connection() as db:
            rows = await db.fetch(
                "SELECT address, change, reason, actor, at FROM suppression_changes "
                "WHERE address = $1 ORDER BY id DESC LIMIT $2", address_key(address), limit,
            )  # fmt: skip
        return [SuppressionChange(**dict(row)) for row in rows]

    async def reserve_auto_reply(
        self,
        send_key: str,
        address: str,
        counts_domain: bool,
        limits: AutoReplyLimits,
        now: datetime,
    ) -> str | None:
        domain = domain_of(address)
        async with self._connection() as db, db.transaction():
            await db.execute(LOCK_KEY, f"flowdesk.auto_replies:{domain}")
            if await db.fetchval("SELECT 1 FROM auto_replies WHERE send_key = $1", send_key):
                return None
            for name, key, most, window in reply_limits(address, counts_domain, limits):
                count = await db.fetchval(
                    f"SELECT count(*) FROM auto_replies WHERE {COUNTED[name]} AND at > $2",
                    key, now - window,
                )  # fmt: skip
                if count >= most:
                    return refusal(name, most, window)
            await db.execute(
                "INSERT INTO auto_replies (send_key, recipient, domain, counts_domain, at) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (send_key) DO NOTHING",
                send_key, recipient_hash(address), domain, counts_domain, now,
            )  # fmt: skip
        return None

    async def reserve_tokens(
        self, endpoint: str, tokens: int, rate: LlmRate, clock: Callable[[], float]
    ) -> tuple[int | None, float]:
        async with self._connection() as db, db.transaction():
            await db.execute(LOCK_KEY, f"flowdesk.llm_tokens:{endpoint}")
            return await reserve_locked(db, endpoint, tokens, rate, clock())

    async def settle_tokens(self, row: int, tokens: int) -> None:
        async with self._connection() as db:
            await db.execute("UPDATE llm_tokens SET tokens = $2 WHERE id = $1", row, tokens)


async def _insert_event(
    db: asyncpg.Connection,
    contact_id: int,
    event_key: str,
    kind: str,
    detail: dict[str, Any],
    at: datetime,
) -> bool:
    row = await db.fetchval(
        "INSERT INTO timeline (contact_id, event_key, kind, detail, at) "
        "VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (event_key) DO NOTHING RETURNING id",
        contact_id, event_key, kind, json.dumps(detail, sort_keys=True), at,
    )  # fmt: skip
    return row is not None
