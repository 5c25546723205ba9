"""Shared pytest fixtures."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from kontext.storage.base import Storage
from kontext.storage.database import Database

# Shared test helpers assert too: rewrite their asserts like a test module's, so a failure shows its values.
pytest.register_assert_rewrite("tests.api.client_support", "tests.quotas.quota_support")

# ---------------------------------------------------------------------------------------------
# Storage: the same tests on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.
# `make_storage()` builds unopened backends that all point at one fresh database (a file under
# tmp_path, or a PostgreSQL schema of its own, dropped afterwards); `storage` is one of them, open.
# ---------------------------------------------------------------------------------------------

StorageFactory = Callable[[], Storage]


@pytest.fixture(params=["sqlite", "postgres"])
async def make_storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StorageFactory]:
    """A factory of unopened Storage objects sharing one fresh, isolated database; all closed at teardown."""
    made: list[Storage] = []
    if request.param == "sqlite":
        from kontext.storage.sqlite import SQLiteDriver

        path = tmp_path / "db" / "kontext.db"  # a missing directory: the backend must create it

        def factory() -> Storage:
            made.append(Database(SQLiteDriver(path)))
            return made[-1]

        yield factory
        for storage in made:
            await storage.close()
        return

    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    import asyncpg

    from kontext.storage.postgres import PostgresDriver

    schema = f"t_{uuid.uuid4().hex}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')

        def factory() -> Storage:
            made.append(Database(PostgresDriver(url, schema=schema, max_size=5)))
            return made[-1]

        yield factory
        for storage in made:
            await storage.close()
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


@pytest.fixture
async def storage(make_storage: StorageFactory) -> Storage:
    """An open Storage on a fresh database, parametrized over the backends."""
    opened = make_storage()
    await opened.open()
    return opened
