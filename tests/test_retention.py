"""`kb purge`: what people typed is kept for the retention period only; files are private."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest
from sqlalchemy import func, select

from web.core import db
from web.core.models import ChatTurn, Conversation, Feedback, SearchLog

DAYS_AGO = [400, 100, 29, 0]


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_app(request):
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def seed(app) -> None:
    """One search, one feedback and one conversation of two turns at each age of DAYS_AGO."""
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        database = db.session()
        for days in DAYS_AGO:
            when = now - dt.timedelta(days=days, minutes=1)
            database.add(
                SearchLog(
                    created_at=when,
                    source="web",
                    query="補助金",
                    normalized="補助金",
                    result_count=1,
                )
            )
            database.add(Feedback(created_at=when, article_id="call-center", helpful=True))
            conversation = Conversation(token=f"t{days}", created_at=when, updated_at=when)
            conversation.turns = [
                ChatTurn(created_at=when, role="user", text="補助金は？"),
                ChatTurn(created_at=when, role="bot", text="…"),
            ]
            database.add(conversation)
        database.commit()


def counts(app) -> dict[str, int]:
    with app.app_context():
        database = db.session()
        return {
            model.__tablename__: database.scalar(select(func.count()).select_from(model))
            for model in (SearchLog, Feedback, Conversation, ChatTurn)
        }


@pytest.fixture
def kb(run_kb):
    def kb(app, *args, **env):
        return run_kb(
            list(args),
            app.instance_path,
            env={"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], **env},
        )

    return kb


def test_purge_removes_what_is_older_than_the_days_given(storage_app, kb):
    seed(storage_app)
    result = kb(storage_app, "purge", "--older-than", "30")
    assert result.returncode == 0, result.stderr
    assert "検索の記録: 2 件を削除しました" in result.stdout
    assert "チャットの発言: 4 件を削除しました" in result.stdout
    assert counts(storage_app) == {
        "search_logs": 2, "feedback": 2, "conversations": 2, "chat_turns": 4,
    }  # fmt: skip


def test_purge_without_days_uses_the_retention_setting(storage_app, kb):
    seed(storage_app)
    assert kb(storage_app, "purge").returncode == 0  # 365 days by default
    assert counts(storage_app)["search_logs"] == 3
    assert kb(storage_app, "purge", HELPDESK_RETENTION_DAYS="90").returncode == 0
    assert counts(storage_app)["search_logs"] == 2


@pytest.mark.parametrize("days", ["0", "-3", "abc"])
def test_purge_refuses_a_period_that_is_not_a_positive_number_of_days(app, kb, days):
    seed(app)
    assert kb(app, "purge", "--older-than", days).returncode == 2
    assert counts(app)["search_logs"] == len(DAYS_AGO)


def test_the_instance_folder_and_the_database_file_are_private(tmp_path, run_kb):
    instance = tmp_path / "fresh-instance"
    result = run_kb(["db", "upgrade"], instance, env={"DATABASE_URL": ""})
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(instance).st_mode) == 0o700
    database = instance / "helpdesk.sqlite3"
    assert stat.S_IMODE(os.stat(database).st_mode) == 0o600
