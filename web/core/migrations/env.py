"""Alembic environment: the URL comes from the app (or -x url=...), the metadata from web.models."""

from alembic import context

from web.core.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    from web.core.db import make_engine

    connectable = config.attributes.get("connection")
    own_engine = connectable is None
    if own_engine:
        connectable = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with (
            connectable.connect() if hasattr(connectable, "connect") else connectable as connection
        ):
            # batch mode lets the same migrations alter tables on SQLite
            context.configure(
                connection=connection, target_metadata=target_metadata, render_as_batch=True
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        if own_engine:
            # Closing the pool checkpoints SQLite's WAL into the file: a copy of the file
            # taken right after the upgrade (tests, backups) then holds the whole schema.
            connectable.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
