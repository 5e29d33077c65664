"""The database's whole life: engine per app, one session per request, closed at teardown.

SQLite in the instance folder by default (WAL, so several gunicorn workers read while one
writes); PostgreSQL when DATABASE_URL says so. Nothing else in the app creates engines.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def init_app(app: Flask) -> None:
    url = app.extensions["settings"].resolved_database_url
    engine = make_engine(url)
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def make_engine(url: str) -> Engine:
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        engine = create_engine(url, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A database host that drops packets must not hold a request (and its worker) for minutes.
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 5},
    )


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file readable by its owner only, before SQLite creates it with the
    umask's mode (its -wal and -shm files take the same mode)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    # In WAL mode NORMAL is still corruption-safe; it skips the fsync on every commit, which
    # otherwise makes workers queue behind each other's chat and log writes.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def engine() -> Engine:
    return current_app.extensions["db_engine"]


def session() -> Session:
    """The request's session, created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    return g.db_session


def _close_session(_exception=None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
