"""The CRM's contacts and their timeline, as SQL over one open SQLite connection, and
what a lead writes there, which the PostgreSQL adapter writes alike.

An upsert reads and writes the contact in one write transaction (`BEGIN IMMEDIATE`): two
workers upserting one new address make one contact, and `changed` is true only when a
field really changed, so a retried upsert leaves `updated_at` alone.
"""

import json
import sqlite3
from typing import Any

from adapters.crm.transaction import written
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


def upsert(
    db: sqlite3.Connection,
    lead: LeadSubmission,
    profile: CompanyProfile,
    event_key: str,
    now: str,
) -> ContactRef:
    wanted = contact_fields(lead, profile)
    with written(db):
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
        insert_event(db, contact_id, event_key, "lead_submitted", submitted(lead), now)
    return ContactRef(contact_id=contact_id, created=created, changed=changed)


def set_score(db: sqlite3.Connection, contact_id: int, points: int, tier: str, now: str) -> None:
    db.execute(
        "UPDATE contacts SET score = ?, tier = ?, updated_at = ? "
        "WHERE id = ? AND (score IS NOT ? OR tier IS NOT ?)",
        (points, tier, now, contact_id, points, tier),
    )


def contact_fields(lead: LeadSubmission, profile: CompanyProfile) -> dict[str, Any]:
    """What a lead sets on its contact, in `CONTACT_FIELDS` order, for both backends."""
    return {
        "name": lead.name,
        "company": lead.company,
        "domain": profile.domain,
        "industry": profile.industry,
        "employee_count": profile.employee_count,
        "profile_source": profile.source,
    }


def submitted(lead: LeadSubmission) -> dict[str, Any]:
    """The `lead_submitted` timeline entry's detail, for both backends."""
    return {"source": lead.source, "message": lead.message[:500]}


def insert_event(
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
