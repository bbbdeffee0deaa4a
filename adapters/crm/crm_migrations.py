"""The PostgreSQL CRM's schema, as numbered migrations applied at worker start.

`migrate` applies, in order and each once, the migrations a database has not had yet,
recording each number in `crm_schema_migrations` in the same transaction as its
statements (PostgreSQL's DDL is transactional: a migration applies whole or not at all).
A transaction-scoped advisory lock makes workers that start together take turns, so the
second finds the work done. Migrations are only ever appended, and only add: a worker
of the previous release keeps running against a database a newer one migrated, which
is what a rolling deploy needs.

The tables mirror the SQLite file's (`crm_contacts`, `crm_mail`, `crm_tokens`) with
PostgreSQL's types: `timestamptz` for times, `jsonb` for a timeline entry's detail,
identity ids whose order is the insertion order the message log relies on.
"""

import asyncpg

LOCK = "flowdesk.crm.migrations"

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE contacts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        email text NOT NULL UNIQUE,
        name text NOT NULL,
        company text NOT NULL,
        domain text NOT NULL,
        industry text,
        employee_count integer,
        profile_source text NOT NULL,
        lead_source text NOT NULL,
        score integer,
        tier text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
    );
    CREATE TABLE timeline (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        contact_id bigint NOT NULL REFERENCES contacts (id),
        event_key text NOT NULL UNIQUE,
        kind text NOT NULL,
        detail jsonb NOT NULL,
        at timestamptz NOT NULL
    );
    CREATE INDEX timeline_by_contact ON timeline (contact_id);
    CREATE TABLE messages (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        message_id text NOT NULL UNIQUE,
        workflow_id text NOT NULL,
        process text NOT NULL,
        direction text NOT NULL,
        address text NOT NULL,
        subject text NOT NULL,
        body text NOT NULL,
        at timestamptz NOT NULL
    );
    CREATE INDEX messages_by_run ON messages (workflow_id);
    CREATE INDEX messages_by_address ON messages (address, process, direction);
    CREATE TABLE suppressions (
        address text PRIMARY KEY,
        reason text NOT NULL,
        source text NOT NULL,
        at timestamptz NOT NULL
    );
    CREATE TABLE auto_replies (
        send_key text PRIMARY KEY,
        recipient text NOT NULL,
        domain text NOT NULL,
        counts_domain boolean NOT NULL,
        at timestamptz NOT NULL
    );
    CREATE INDEX auto_replies_by_recipient ON auto_replies (recipient, at);
    CREATE INDEX auto_replies_by_domain ON auto_replies (domain, at);
    CREATE TABLE llm_tokens (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        endpoint text NOT NULL,
        at double precision NOT NULL,
        tokens integer NOT NULL
    );
    CREATE INDEX llm_tokens_by_endpoint ON llm_tokens (endpoint, at);
    """,
    """
    CREATE TABLE suppression_changes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        address text NOT NULL,
        change text NOT NULL,
        reason text NOT NULL,
        actor text NOT NULL,
        at timestamptz NOT NULL
    );
    CREATE INDEX suppression_changes_by_address ON suppression_changes (address);
    """,
)
"""Migration n is `MIGRATIONS[n - 1]`."""


async def migrate(
    db: asyncpg.Connection, migrations: tuple[str, ...] = MIGRATIONS
) -> tuple[int, list[int]]:
    """Bring the database up to `migrations`; returns its version and the numbers applied
    now (none when it was up to date)."""
    async with db.transaction():
        await db.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", LOCK)
        await db.execute(
            "CREATE TABLE IF NOT EXISTS crm_schema_migrations ("
            "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = await db.fetchval("SELECT coalesce(max(version), 0) FROM crm_schema_migrations")
        applied = []
        for version, statements in enumerate(migrations, start=1):
            if version > done:
                await db.execute(statements)
                await db.execute("INSERT INTO crm_schema_migrations (version) VALUES ($1)", version)
                applied.append(version)
    return max(done, len(migrations)), applied
