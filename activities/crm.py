"""The CRM adapter: a SQLite store of contacts plus an activity timeline.

Writes are idempotent: contacts upsert by normalised email, and every timeline entry
carries a unique key (workflow id + step), so a retried activity or a replayed
workflow never duplicates anything. SQLite calls run in a thread: they block.
"""

import asyncio
import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from models.lead import CompanyProfile, ContactRef, LeadSubmission

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


class SqliteCrm:
    def __init__(self, path: Path) -> None:
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

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
