"""A real PostgreSQL for a test fixture (`devstack.postgres`): started once per fixture
scope, stopped and removed after it. Missing binaries fail the tests that need it with
the reason; they never skip them, so a machine without PostgreSQL cannot pass by
testing less."""

from collections.abc import Iterator

import pytest

from devstack.postgres import PostgresCluster, PostgresMissing


def running_cluster() -> Iterator[PostgresCluster]:
    try:
        cluster = PostgresCluster(fast=True)
    except PostgresMissing as err:
        pytest.fail(f"{err}; these tests run against a real PostgreSQL", pytrace=False)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
