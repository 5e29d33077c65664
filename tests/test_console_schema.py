"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from web.core.db import make_engine
from web.core.migrate import alembic_config, current_revision, upgrade
from web.core.models import Base


def head_revision(url: str) -> str:
    """The newest revision of the migrations `upgrade(url)` runs, as Alembic itself finds it."""
    scripts = ScriptDirectory.from_config(alembic_config(url))
    head = scripts.get_current_head()  # raises if the history has forked into several heads
    assert head, f"no migrations in {scripts.dir}"
    return head


def schema_differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_a_fresh_sqlite_database_upgraded_to_head_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    upgrade(url)
    assert current_revision(url) == head_revision(url)
    assert schema_differences(url) == []


def test_the_console_indexes_come_from_the_second_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'step.sqlite3'}"
    upgrade(url, "0001")
    engine = make_engine(url)
    try:
        before = {i["name"] for i in inspect(engine).get_indexes("inquiries")}
        assert "ix_inquiries_category" not in before
    finally:
        engine.dispose()
    assert schema_differences(url) != []
    upgrade(url)  # 0001 → 0002, as `kb db upgrade` does on an existing database
    assert schema_differences(url) == []


def test_upgrading_twice_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'twice.sqlite3'}"
    upgrade(url)
    upgrade(url)
    assert schema_differences(url) == []


@pytest.mark.usefixtures("pg_app")
def test_postgresql_upgraded_to_head_matches_the_models(postgres_url):
    assert current_revision(postgres_url) == head_revision(postgres_url)
    assert schema_differences(postgres_url) == []
