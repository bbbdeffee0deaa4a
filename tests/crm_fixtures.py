"""The CRM backends the CRM tests run against, each test on a fresh database: the SQLite
file and a real PostgreSQL server that the session starts itself (`tests.postgres`).
"""

import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from pathlib import Path
from typing import Protocol

import asyncpg
import pytest
import pytest_asyncio

from adapters.crm.crm import CrmStore, SqliteCrm
from adapters.crm.crm_postgres import PostgresCrm
from devstack.postgres import PostgresCluster
from tests.postgres import running_cluster

POOL_SIZE = 4


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    yield from running_cluster()


class CrmDatabase(Protocol):
    """One empty CRM database; `open()` is one more worker's store over it."""

    name: str

    async def open(self) -> CrmStore: ...

    async def rows(self, sql: str) -> list[tuple]:
        """What a person querying the database directly would see."""


class SqliteDatabase:
    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stores: list[CrmStore] = []

    async def open(self) -> CrmStore:
        self.stores.append(SqliteCrm(self.path))
        return self.stores[-1]

    async def rows(self, sql: str) -> list[tuple]:
        with closing(sqlite3.connect(self.path)) as db:
            return db.execute(sql).fetchall()


class PostgresDatabase:
    name = "postgres"

    def __init__(self, url: str) -> None:
        self.url = url
        self.stores: list[CrmStore] = []

    async def open(self) -> CrmStore:
        self.stores.append(await PostgresCrm.connect(self.url, POOL_SIZE))
        return self.stores[-1]

    async def rows(self, sql: str) -> list[tuple]:
        db = await asyncpg.connect(self.url)
        try:
            return [tuple(row) for row in await db.fetch(sql)]
        finally:
            await db.close()


@pytest_asyncio.fixture(params=["sqlite", "postgres"])
async def crm_db(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[SqliteDatabase | PostgresDatabase]:
    if request.param == "sqlite":
        database: SqliteDatabase | PostgresDatabase = SqliteDatabase(tmp_path / "crm.sqlite3")
    else:
        cluster: PostgresCluster = request.getfixturevalue("postgres")
        name = f"crm_{uuid.uuid4().hex[:12]}"
        database = PostgresDatabase(await cluster.create_database(name))
    yield database
    for store in database.stores:
        await store.close()
    if isinstance(database, PostgresDatabase):
        await cluster.drop_database(name)
