"""The migrations: they build exactly the models' schema, and they run down and up again."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from persistence.database import async_url
from persistence.migrator import alembic_config, upgrade
from persistence.models import Base


def _model_differences(connection: Connection) -> list[object]:
    """What autogenerate would still write: each entry is a model the migrations miss."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def model_differences(url: str) -> list[object]:
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_model_differences)
    finally:
        await engine.dispose()


async def test_migrations_build_exactly_the_models(empty_database):
    await upgrade(empty_database)
    assert await model_differences(empty_database) == []


async def test_migrations_run_down_to_nothing_and_up_again(empty_database):
    await upgrade(empty_database)
    await asyncio.to_thread(command.downgrade, alembic_config(empty_database), "base")
    assert len(await model_differences(empty_database)) > 10  # every table is gone
    await upgrade(empty_database)
    assert await model_differences(empty_database) == []
