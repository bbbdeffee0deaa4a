"""One write transaction on the SQLite CRM's connection, for every write that reads first.

The connection is in autocommit mode (`isolation_level=None`), so a write that must see
and change the database as one (an upsert, a counted reservation, a change to the
suppression list and its audit line) says so: `BEGIN IMMEDIATE` takes the write lock
before the first read, so two workers on one file take turns instead of both acting on
what they read. Leaving the block commits; an exception rolls back and propagates.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def written(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
