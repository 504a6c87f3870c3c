"""The migrations build exactly the tables of ``hub/store/schema.py``, on every database.

A column added to the schema without a migration (or a migration that differs from the
schema) would work in a fresh test database made from one and fail on a real one made from the
other; Alembic's own comparison says where they part.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from hub.store.db import create_oneshot_engine, migrate
from hub.store.schema import metadata
from hub.store.search import OUTSIDE_METADATA


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [
        diff
        for diff in compare_metadata(context, metadata)
        # Alembic's own bookkeeping table is not in the hub's metadata.
        if not (diff[0] == "remove_table" and diff[1].name == "alembic_version")
        # The search index (migration 0012) is what SQLAlchemy's metadata cannot describe.
        and not (diff[0] in ("remove_table", "remove_index") and diff[1].name in OUTSIDE_METADATA)
    ]


async def test_the_migrations_make_the_schema(database_url: str) -> None:
    engine = create_oneshot_engine(database_url)
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            differences = await conn.run_sync(_differences)
    finally:
        await engine.dispose()
    assert differences == []
