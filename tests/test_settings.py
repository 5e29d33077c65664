"""The declared settings: one place, validated at start, documented in the README."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from web import create_app
from web.settings import Settings, SettingsError, declarations, load, markdown_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_settings_table_is_the_declared_one():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## 設定（環境変数）") : text.index("## 運用")]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    assert "\n".join(rows) + "\n" == markdown_table()


def test_every_setting_has_a_description_and_every_variable_is_unique():
    envs = [each.metadata["env"] for each in declarations() if each.metadata["env"]]
    assert len(envs) == len(set(envs))
    assert all(each.metadata["help"] for each in declarations())


def test_defaults_need_no_environment():
    settings = load({})
    assert settings == Settings()
    assert settings.call_centre.phone == "0800-080-4583"
    assert settings.resolved_database_url.endswith("instance/helpdesk.sqlite3")


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("HELPDESK_CHAT_RATE_LIMIT", "10 per second", "chat_rate_limit", "10 per second"),
        ("HELPDESK_INSECURE_COOKIES", "1", "insecure_cookies", True),
        ("HELPDESK_SEARCH_CACHE_SIZE", "0", "search_cache_size", 0),
        ("HELPDESK_CALL_CENTRE_SATURDAYS", "closed", "call_centre_saturdays", None),
        (
            "HELPDESK_CALL_CENTRE_WEEKDAYS",
            "09:30-17:00",
            "call_centre_weekdays",
            (dt.time(9, 30), dt.time(17)),
        ),
        ("DATABASE_URL", "postgresql+psycopg://h/db", "database_url", "postgresql+psycopg://h/db"),
    ],
)
def test_environment_values_are_read_and_typed(variable, value, field, expected):
    assert getattr(load({variable: value}), field) == expected


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("HELPDESK_CHAT_RATE_LIMIT", "many", "回数の制限として読めません"),
        ("HELPDESK_SEARCH_CACHE_SIZE", "-1", "範囲で指定"),
        ("HELPDESK_CONSOLE_SESSION_HOURS", "twelve", "整数を指定"),
        ("HELPDESK_INSECURE_COOKIES", "maybe", "1 か 0"),
        ("HELPDESK_CALL_CENTRE_WEEKDAYS", "18:00-08:00", "後にしてください"),
        ("HELPDESK_CALL_CENTRE_PHONE", "08000804583", "ハイフン区切り"),
        ("HELPDESK_TIMEZONE", "Mars/Olympus", "タイムゾーン"),
    ],
)
def test_a_bad_value_names_its_variable_and_says_what_is_expected(variable, value, says):
    with pytest.raises(SettingsError) as raised:
        load({variable: value})
    assert variable in str(raised.value) and says in str(raised.value)


def test_every_bad_value_is_reported_at_once():
    with pytest.raises(SettingsError) as raised:
        load({"HELPDESK_CHAT_RATE_LIMIT": "x", "HELPDESK_LOGIN_RATE_LIMIT": "y"})
    assert "HELPDESK_CHAT_RATE_LIMIT" in str(raised.value)
    assert "HELPDESK_LOGIN_RATE_LIMIT" in str(raised.value)


def test_the_app_does_not_start_on_a_bad_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("HELPDESK_CONTACT_RATE_LIMIT", "lots")
    with pytest.raises(SettingsError, match="HELPDESK_CONTACT_RATE_LIMIT"):
        create_app({"instance": tmp_path / "instance", "refresh_index_on_start": False})


def test_an_unknown_override_is_refused():
    with pytest.raises(SettingsError, match="未知の設定"):
        load({}, chat_rate_limt="1 per minute")


def test_the_call_centre_number_is_a_public_number_for_privacy():
    settings = dataclasses.replace(Settings(), call_centre_phone="0120-000-111")
    assert settings.public_numbers == {"0120000111", "0352531111"}


def test_pages_show_the_configured_call_centre(make_app):
    app = make_app(call_centre_phone="0120-123-456", call_centre_saturdays=None)
    html = app.test_client().get("/").get_data(as_text=True)
    assert 'href="tel:0120-123-456"' in html and "0800-080-4583" not in html
    assert "平日8:00〜18:00（祝日を除く）" in html and "土曜日" not in html


def test_the_chat_names_the_configured_call_centre(make_app):
    app = make_app(call_centre_phone="0120-123-456")
    client = app.test_client()
    reply = client.post("/api/chat", json={"message": "オペレーターと話したい"}).get_json()
    assert "0120-123-456" in reply["text"] and "0800-080-4583" not in reply["text"]
    assert reply["call_centre"]["phone"] == "0120-123-456"
