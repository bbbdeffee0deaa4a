"""The CRM adapter: a SQLite store of contacts plus an activity timeline, the message
log (Message-ID -> run) and the suppression list (`activities.crm_mail`).

Writes are idempotent: contacts upsert by normalised email, every timeline entry
carries a unique key (workflow id + step) and every logged message its Message-ID, so
a retried activity or a replayed workflow never duplicates anything. SQLite calls run
in a thread: they block.
"""

import asyncio
import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from activities import crm_mail
from models.lead import CompanyProfile, ContactRef, LeadSubmission
from models.threads import (
    MessageRecord,
    Process,
    RunRef,
    Suppression,
    SuppressionReason,
    ThreadEntry,
)

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    company TEXT NOT NULL,
    domain TEXT NOT NULL,
    industry TEXT,
    employee_count INTEGER,
    profile_source TEXT NOT NULL,
    lead_source TEXT NOT NULL,
    score INTEGER,
    tier TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS timeline (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    event_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    at TEXT NOT NULL
);
"""

CONTACT_FIELDS = ("name", "company", "domain", "industry", "employee_count", "profile_source")


class Crm(Protocol):
    async def upsert_contact(
        self, lead: LeadSubmission, profile: CompanyProfile, event_key: str
    ) -> ContactRef: ...

    async def set_score(self, contact_id: int, points: int, tier: str) -> None: ...

    async def add_event(
        self, contact_id: int, event_key: str, kind: str, detail: dict[str, Any]
    ) -> bool: ...

    async def record_message(self, record: MessageRecord) -> bool:
        """False when the Message-ID is already logged: the first run to log it keeps it,
        so a retried send or a redelivered message changes nothing."""

    async def find_run(self, message_ids: list[str]) -> RunRef | None:
        """The run of the last logged id in the list, in or out: `References` runs oldest
        first, so the message actually answered decides."""

    async def runs_to(self, address: str, process: Process) -> list[str]:
        """Runs that sent `process` mail to the address, newest first, each once: the
        fallback for answers whose client dropped `In-Reply-To`."""

    async def address_of(self, workflow_id: str) -> str | None:
        """Where the run's first message went (a notice to on-call aside): the address a
        one-click link minted for the run unsubscribes."""

    async def thread(self, workflow_id: str, limit: int) -> list[ThreadEntry]:
        """The newest `limit` messages of the run's conversation, oldest first, as a
        reader (and the agent) reads a thread."""

    async def suppress(self, suppression: Suppression) -> bool:
        """True when newly listed; an address already listed keeps its first reason, so
        the list says why mail first stopped."""

    async def suppression(self, address: str) -> SuppressionReason | None: ...


class SqliteCrm:
    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA + crm_mail.MAIL_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._path, timeout=10, isolation_level=None)
        db.row_factory = sqlite3.Row
        return db

    async def upsert_contact(
        self, lead: LeadSubmission, profile: CompanyProfile, event_key: str
    ) -> ContactRef:
        return await asyncio.to_thread(self._upsert, lead, profile, event_key)

    async def set_score(self, contact_id: int, points: int, tier: str) -> None:
        await asyncio.to_thread(self._set_score, contact_id, points, tier)

    async def add_event(
        self, contact_id: int, event_key: str, kind: str, detail: dict[str, Any]
    ) -> bool:
        """Append to the timeline; False when the key was already recorded."""
        return await asyncio.to_thread(self._add_event, contact_id, event_key, kind, detail)

    async def record_message(self, record: MessageRecord) -> bool:
        return await self._in_thread(crm_mail.record_message, record, _now())

    async def find_run(self, message_ids: list[str]) -> RunRef | None:
        return await self._in_thread(crm_mail.find_run, message_ids)

    async def runs_to(self, address: str, process: Process) -> list[str]:
        return await self._in_thread(crm_mail.runs_to, address, process)

    async def address_of(self, workflow_id: str) -> str | None:
        return await self._in_thread(crm_mail.address_of, workflow_id)

    async def thread(self, workflow_id: str, limit: int) -> list[ThreadEntry]:
        return await self._in_thread(crm_mail.thread, workflow_id, limit)

    async def suppress(self, suppression: Suppression) -> bool:
        return await self._in_thread(crm_mail.suppress, suppression, _now())

    async def suppression(self, address: str) -> SuppressionReason | None:
        return await self._in_thread(crm_mail.suppression, address)

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        """One statement on its own connection, off the event loop."""

        def run() -> T:
            with closing(self._connect()) as db:
                return work(db, *args)

        return await asyncio.to_thread(run)

    def _upsert(self, lead: LeadSubmission, profile: CompanyProfile, event_key: str) -> ContactRef:
        now = _now()
        wanted = {
            "name": lead.name,
            "company": lead.company,
            "domain": profile.domain,
            "industry": profile.industry,
            "employee_count": profile.employee_count,
            "profile_source": profile.source,
        }
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT * FROM contacts WHERE email = ?", (lead.normalized_email,)
                ).fetchone()
                created = row is None
                changed = created or any(row[k] != wanted[k] for k in CONTACT_FIELDS)
                if created:
                    cursor = db.execute(
                        "INSERT INTO contacts (email, lead_source, created_at, updated_at, "
                        + ", ".join(CONTACT_FIELDS)
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (lead.normalized_email, lead.source, now, now, *wanted.values()),
                    )
                    contact_id = int(cursor.lastrowid or 0)
                else:
                    contact_id = int(row["id"])
                    if changed:
                        assignments = ", ".join(f"{k} = ?" for k in CONTACT_FIELDS)
                        db.execute(
                            f"UPDATE contacts SET {assignments}, updated_at = ? WHERE id = ?",
                            (*wanted.values(), now, contact_id),
                        )
                detail = {"source": lead.source, "message": lead.message[:500]}
                _insert_event(db, contact_id, event_key, "lead_submitted", detail, now)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return ContactRef(contact_id=contact_id, created=created, changed=changed)

    def _set_score(self, contact_id: int, points: int, tier: str) -> None:
        with closing(self._connect()) as db:
            db.execute(
                "UPDATE contacts SET score = ?, tier = ?, updated_at = ? "
                "WHERE id = ? AND (score IS NOT ? OR tier IS NOT ?)",
                (points, tier, _now(), contact_id, points, tier),
            )

    def _add_event(
        self, contact_id: int, event_key: str, kind: str, detail: dict[str, Any]
    ) -> bool:
        with closing(self._connect()) as db:
            return _insert_event(db, contact_id, event_key, kind, detail, _now())


def _insert_event(
    db: sqlite3.Connection,
    contact_id: int,
    event_key: str,
    kind: str,
    detail: dict[str, Any],
    at: str,
) -> bool:
    cursor = db.execute(
        "INSERT OR IGNORE INTO timeline (contact_id, event_key, kind, detail, at) "
        "VALUES (?, ?, ?, ?, ?)",
        (contact_id, event_key, kind, json.dumps(detail, sort_keys=True), at),
    )
    return cursor.rowcount == 1


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
