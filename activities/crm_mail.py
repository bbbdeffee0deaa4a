"""The CRM's message log and suppression list, as SQL over one open connection.

Kept apart from `activities.crm` so the contact store and the mail bookkeeping stay
small enough to read, and so a PostgreSQL adapter can take these statements nearly as
they are: plain tables, `ON CONFLICT DO NOTHING`, no SQLite-only functions. Rows are
ordered by their id, not their timestamp: two messages can share a second, the
insertion order cannot. Addresses are kept casefolded, so `Ada@X.example` and
`ada@x.example` are one person; Message-IDs are kept exactly as received, angle
brackets included, because that is how `In-Reply-To` quotes them.
"""

import sqlite3
from datetime import datetime

from models.threads import (
    MessageRecord,
    Process,
    RunRef,
    Suppression,
    SuppressionReason,
    ThreadEntry,
)

MAIL_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    workflow_id TEXT NOT NULL,
    process TEXT NOT NULL,
    direction TEXT NOT NULL,
    address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_run ON messages (workflow_id);
CREATE INDEX IF NOT EXISTS messages_by_address ON messages (address, process, direction);
CREATE TABLE IF NOT EXISTS suppressions (
    address TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    at TEXT NOT NULL
);
"""

CONVERSATION = "process <> 'notice'"
"""A notice (the on-call email) is logged under the run it is about, but it goes to a
colleague: it is neither the run's conversation nor the address the run mailed."""


def address_key(address: str) -> str:
    return address.strip().casefold()


def record_message(db: sqlite3.Connection, record: MessageRecord, at: str) -> bool:
    cursor = db.execute(
        "INSERT INTO messages (message_id, workflow_id, process, direction, address, subject, "
        "body, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO UPDATE SET "
        "workflow_id = excluded.workflow_id, process = excluded.process, direction = 'out', "
        "address = excluded.address, subject = excluded.subject, body = excluded.body "
        "WHERE messages.direction = 'in' AND excluded.direction = 'out'",
        (
            record.message_id,
            record.workflow_id,
            record.process,
            record.direction,
            address_key(record.address),
            record.subject,
            record.body,
            at,
        ),
    )
    return cursor.rowcount == 1


def find_run(db: sqlite3.Connection, message_ids: list[str]) -> RunRef | None:
    wanted = list(dict.fromkeys(message_ids))
    if not wanted:
        return None
    marks = ", ".join("?" for _ in wanted)
    rows = db.execute(
        f"SELECT message_id, workflow_id, process FROM messages WHERE message_id IN ({marks})",
        wanted,
    ).fetchall()
    known = {row["message_id"]: row for row in rows}
    for message_id in reversed(wanted):
        if message_id in known:
            row = known[message_id]
            return RunRef(workflow_id=row["workflow_id"], process=row["process"])
    return None


def runs_to(db: sqlite3.Connection, address: str, process: Process) -> list[str]:
    rows = db.execute(
        "SELECT workflow_id FROM messages WHERE address = ? AND process = ? "
        "AND direction = 'out' GROUP BY workflow_id ORDER BY MAX(id) DESC",
        (address_key(address), process),
    ).fetchall()
    return [row["workflow_id"] for row in rows]


def address_of(db: sqlite3.Connection, workflow_id: str) -> str | None:
    row = db.execute(
        f"SELECT address FROM messages WHERE workflow_id = ? AND direction = 'out' "
        f"AND {CONVERSATION} ORDER BY id LIMIT 1",
        (workflow_id,),
    ).fetchone()
    return row["address"] if row else None


def thread(db: sqlite3.Connection, workflow_id: str, limit: int) -> list[ThreadEntry]:
    rows = db.execute(
        f"SELECT direction, subject, body, at FROM messages WHERE workflow_id = ? "
        f"AND {CONVERSATION} ORDER BY id DESC LIMIT ?",
        (workflow_id, limit),
    ).fetchall()
    return [
        ThreadEntry(
            direction=row["direction"],
            subject=row["subject"],
            body=row["body"],
            at=datetime.fromisoformat(row["at"]),
        )
        for row in reversed(rows)
    ]


def suppress(db: sqlite3.Connection, suppression: Suppression, at: str) -> bool:
    """The first reason stays: a bounce after an unsubscribe does not rewrite history."""
    cursor = db.execute(
        "INSERT INTO suppressions (address, reason, source, at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (address) DO NOTHING",
        (address_key(suppression.address), suppression.reason, suppression.source, at),
    )
    return cursor.rowcount == 1


def suppression(db: sqlite3.Connection, address: str) -> SuppressionReason | None:
    row = db.execute(
        "SELECT reason FROM suppressions WHERE address = ?", (address_key(address),)
    ).fetchone()
    return row["reason"] if row else None
