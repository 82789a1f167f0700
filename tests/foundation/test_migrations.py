"""Migrations go up and down on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from crm.db import make_engine
from crm.migrate import current, downgrade, upgrade
from crm.models import Base


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_then_downgrade_then_upgrade(database_url):
    upgrade(database_url)
    assert current(database_url) is not None
    assert {"calls", "cases", "case_events", "callers", "users"} <= _tables(database_url)
    downgrade(database_url, "base")
    assert _tables(database_url) == set()
    upgrade(database_url)
    assert set(Base.metadata.tables) == _tables(database_url)


def test_migrated_schema_matches_the_models(migrated_url):
    engine = make_engine(migrated_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
