"""The CRM's message log and auto-reply ledger, as SQL over one open connection, and the
rules the PostgreSQL adapter (`adapters.crm.crm_postgres`) shares. The suppression list
is next door (`adapters.crm.crm_suppressions`).

Kept apart from `adapters.crm.crm` so the contact store and the mail bookkeeping stay
small enough to read. The PostgreSQL adapter runs the same statements in its dialect:
plain tables, `ON CONFLICT`, no SQLite-only functions. Rows are
ordered by their id, not their timestamp: two messages can share a second, the
insertion order cannot. Addresses are kept casefolded, so `Ada@X.example` and
`ada@x.example` are one person; Message-IDs are kept exactly as received, angle
brackets included, because that is how `In-Reply-To` quotes them.
"""

import hashlib
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from adapters.crm.transaction import written
from models.limits import AutoReplyLimits, span
from models.threads import (
    MessageRecord,
    Process,
    RunRef,
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
CREATE TABLE IF NOT EXISTS auto_replies (
    send_key TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    domain TEXT NOT NULL,
    counts_domain INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS auto_replies_by_recipient ON auto_replies (recipient, at);
CREATE INDEX IF NOT EXISTS auto_replies_by_domain ON auto_replies (domain, at);
"""
"""Every statement is `IF NOT EXISTS`: a database from before a table (`auto_replies`,
the replies sent without a person) gains it at the next start, the rest untouched.
`auto_replies` keeps the recipient as a hash, since counting needs no address; its
times are UTC ISO strings, which sort."""

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
    return last_run(wanted, rows)


def last_run(wanted: list[str], rows: Iterable[Mapping[str, str]]) -> RunRef | None:
    """The run of the last of the `wanted` ids that the log has (`rows`: message_id,
    workflow_id, process), the order both backends answer `find_run` in."""
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


def sent_to(db: sqlite3.Connection, message_ids: list[str]) -> list[str]:
    wanted = list(dict.fromkeys(message_ids))
    if not wanted:
        return []
    marks = ", ".join("?" for _ in wanted)
    rows = db.execute(
        f"SELECT DISTINCT address FROM messages WHERE message_id IN ({marks}) "
        f"AND direction = 'out' AND {CONVERSATION} ORDER BY address",
        wanted,
    ).fetchall()
    return [row["address"] for row in rows]


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


def recipient_hash(address: str) -> str:
    return hashlib.sha256(address_key(address).encode()).hexdigest()


def reply_limits(
    address: str, counts_domain: bool, limits: AutoReplyLimits
) -> list[tuple[str, str, int, timedelta]]:
    """The limits a reply to `address` counts against, as (name, key, most, window): its
    recipient hash always, its domain unless consumer mail. Both CRM backends count
    `auto_replies` rows per key with these, so they refuse alike."""
    checks = [("address", recipient_hash(address), limits.per_address, limits.address_window)]
    if counts_domain:
        checks.append(("domain", domain_of(address), limits.per_domain, limits.domain_window))
    return checks


def refusal(name: str, most: int, window: timedelta) -> str:
    """The limit a refused reply would break, named, never the address."""
    return f"auto-reply limit: {most} per {name} in {span(window)} reached"


def domain_of(address: str) -> str:
    return address_key(address).rpartition("@")[2]


COUNTED = {"address": "recipient = ?", "domain": "domain = ? AND counts_domain"}


def reserve_auto_reply(
    db: sqlite3.Connection,
    send_key: str,
    address: str,
    counts_domain: bool,
    limits: AutoReplyLimits,
    now: datetime,
) -> str | None:
    """Count the reply against the limits and record it, in one write transaction so two
    workers cannot both take the last slot; None when it may go, else `refusal`. A key
    already recorded may go again: a retried send is the same reply."""
    with written(db):
        if db.execute("SELECT 1 FROM auto_replies WHERE send_key = ?", (send_key,)).fetchone():
            return None
        for name, key, most, window in reply_limits(address, counts_domain, limits):
            since = (now - window).isoformat(timespec="seconds")
            (count,) = db.execute(
                f"SELECT COUNT(*) FROM auto_replies WHERE {COUNTED[name]} AND at > ?",
                (key, since),
            ).fetchone()
            if count >= most:
                return refusal(name, most, window)
        db.execute(
            "INSERT INTO auto_replies (send_key, recipient, domain, counts_domain, at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                send_key,
                recipient_hash(address),
                domain_of(address),
                int(counts_domain),
                now.isoformat(timespec="seconds"),
            ),
        )
    return None
