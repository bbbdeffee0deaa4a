"""The CRM's suppression list and its audit log, as SQL over the SQLite CRM's connection.

An address on the list gets no mail from any run (`activities.postbox` asks before
every send); a person can take one off (a bounce that was a full mailbox, an
unsubscribe the person took back). Every change is a line in `suppression_changes`,
written in the same transaction as the change itself: who or what listed the address
and why, and who took it off and why. Addresses are keyed casefolded
(`crm_mail.address_key`); the PostgreSQL adapter writes a change and its line in one
statement instead.
"""

import sqlite3

from adapters.crm.crm_mail import address_key
from adapters.crm.transaction import written
from models.threads import Suppression, SuppressionChange, SuppressionEntry, SuppressionReason

SCHEMA = """
CREATE TABLE IF NOT EXISTS suppressions (
    address TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS suppression_changes (
    id INTEGER PRIMARY KEY,
    address TEXT NOT NULL,
    change TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS suppression_changes_by_address ON suppression_changes (address);
"""
"""`IF NOT EXISTS`: a database from before the audit log gains it at the next start."""


CHANGE = (
    "INSERT INTO suppression_changes (address, change, reason, actor, at) VALUES (?, ?, ?, ?, ?)"
)


def suppress(db: sqlite3.Connection, suppression: Suppression, at: str) -> bool:
    """The first reason stays: a bounce after an unsubscribe does not rewrite history."""
    key = address_key(suppression.address)
    with written(db):
        added = db.execute(
            "INSERT INTO suppressions (address, reason, source, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (address) DO NOTHING",
            (key, suppression.reason, suppression.source, at),
        ).rowcount == 1  # fmt: skip
        if added:
            db.execute(CHANGE, (key, "added", suppression.reason, suppression.source, at))
    return added


def suppression(db: sqlite3.Connection, address: str) -> SuppressionReason | None:
    row = db.execute(
        "SELECT reason FROM suppressions WHERE address = ?", (address_key(address),)
    ).fetchone()
    return row["reason"] if row else None


def suppressions(db: sqlite3.Connection, address: str | None, limit: int) -> list[SuppressionEntry]:
    """The listed addresses, newest first; only `address` when one is given."""
    where, args = ("WHERE address = ?", [address_key(address)]) if address else ("", [])
    rows = db.execute(
        f"SELECT address, reason, source, at FROM suppressions {where} ORDER BY at DESC LIMIT ?",
        [*args, limit],
    ).fetchall()
    return [SuppressionEntry(**dict(row)) for row in rows]


def unsuppress(db: sqlite3.Connection, address: str, reason: str, by: str, at: str) -> bool:
    """A person takes an address off the list (a bounce that was a full mailbox)."""
    key = address_key(address)
    with written(db):
        removed = db.execute("DELETE FROM suppressions WHERE address = ?", (key,)).rowcount == 1
        if removed:
            db.execute(CHANGE, (key, "removed", reason, by, at))
    return removed


def suppression_changes(
    db: sqlite3.Connection, address: str, limit: int
) -> list[SuppressionChange]:
    """The address's audit log, newest first."""
    rows = db.execute(
        "SELECT address, change, reason, actor, at FROM suppression_changes WHERE address = ? "
        "ORDER BY id DESC LIMIT ?", (address_key(address), limit),
    ).fetchall()  # fmt: skip
    return [SuppressionChange(**dict(row)) for row in rows]
