"""What only the PostgreSQL CRM has: versioned migrations run at start, and server errors
that name no row; and how FLOWDESK_CRM_URL picks it. The behaviour it shares with SQLite
is tested on both backends in test_crm.py, test_crm_mail.py and test_limits.py."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from adapters.crm.crm import SqliteCrm
from adapters.crm.crm_migrations import MIGRATIONS, migrate
from adapters.crm.crm_postgres import CrmDatabaseError, PostgresCrm
from adapters.wiring import open_crm
from config.crm import CrmSettings
from config.settings import AppSettings
from devstack.postgres import PostgresCluster
from models.threads import MessageRecord


@pytest_asyncio.fixture
async def url(postgres: PostgresCluster) -> AsyncIterator[str]:
    name = f"crm_{uuid.uuid4().hex[:12]}"
    yield await postgres.create_database(name)
    await postgres.drop_database(name)


async def test_a_new_database_is_migrated_once_and_a_later_migration_applies_alone(url: str):
    db = await asyncpg.connect(url)
    try:
        assert await migrate(db) == (len(MIGRATIONS), list(range(1, len(MIGRATIONS) + 1)))
        assert await migrate(db) == (len(MIGRATIONS), [])
        later = (*MIGRATIONS, "ALTER TABLE contacts ADD COLUMN phone text")
        assert await migrate(db, later) == (len(later), [len(later)])
        assert await migrate(db, later) == (len(later), [])
        versions = await db.fetch("SELECT version FROM crm_schema_migrations ORDER BY version")
        assert [row["version"] for row in versions] == list(range(1, len(later) + 1))
    finally:
        await db.close()


async def test_workers_starting_together_all_start_on_one_schema(url: str):
    workers = await asyncio.gather(*(PostgresCrm.connect(url, 2) for _ in range(4)))
    for worker in workers:
        await worker.close()
    db = await asyncpg.connect(url)
    try:
        assert await db.fetchval("SELECT count(*) FROM crm_schema_migrations") == len(MIGRATIONS)
    finally:
        await db.close()


async def test_a_server_error_names_its_code_and_table_never_the_row(url: str):
    crm = await PostgresCrm.connect(url, 2)
    db = await asyncpg.connect(url)
    try:
        await db.execute("ALTER TABLE messages ADD CONSTRAINT short_body CHECK (length(body) < 5)")
        record = MessageRecord(
            message_id="<m@x.example>", workflow_id="ticket-1", process="support",
            direction="out", address="ada@northwind.example", subject="Re: invoice",
            body="Dear Ada Lovelace",
        )  # fmt: skip
        with pytest.raises(CrmDatabaseError) as raised:
            await crm.record_message(record)
    finally:
        await db.close()
        await crm.close()
    message = str(raised.value)
    assert "23514" in message and "messages" in message and "short_body" in message
    assert "ada" not in message.lower() and "Lovelace" not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


async def test_a_wrong_password_stops_the_start(postgres: PostgresCluster):
    wrong = postgres.url().replace(postgres.password, "not-the-password")
    with pytest.raises(asyncpg.InvalidPasswordError):
        await PostgresCrm.connect(wrong, 2)


async def test_unset_url_is_the_sqlite_file_in_the_data_dir(tmp_path: Path):
    crm = await open_crm(AppSettings(data_dir=tmp_path), CrmSettings(url=None))
    try:
        assert isinstance(crm, SqliteCrm)
        assert (tmp_path / "crm.sqlite3").is_file()
    finally:
        await crm.close()


async def test_a_postgres_url_is_that_server_migrated(tmp_path: Path, url: str):
    crm = await open_crm(AppSettings(data_dir=tmp_path), CrmSettings(url=url, pool_size=2))
    try:
        assert isinstance(crm, PostgresCrm)
        assert await crm.suppression("ada@northwind.example") is None
        assert not (tmp_path / "crm.sqlite3").exists()
    finally:
        await crm.close()
