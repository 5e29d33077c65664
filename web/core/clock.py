"""Time as the helpdesk's users read it: in the configured time zone (settings.timezone).

The database stores UTC (SQLite gives it back naive); people, receipt numbers and the view
counts' days use the local day. Every conversion goes through here.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, has_app_context

from web.settings import current_settings


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite gives back naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value


def now() -> dt.datetime:
    """The current moment (aware). Tests set Flask's `CLOCK` to a function returning another
    moment, to try business hours and review dates through the web."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock else dt.datetime.now(dt.UTC)


def local(value: dt.datetime | None = None) -> dt.datetime:
    """`value` (now when None) in the helpdesk's time zone."""
    return (as_utc(value) or now()).astimezone(current_settings().timezone)


def today() -> dt.date:
    """The users' day, in the helpdesk's time zone."""
    return local().date()


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=current_settings().timezone)


def format_local(value: dt.datetime | None, seconds: bool = False) -> str:
    """「2026-11-25 14:03」 in local time, whatever the database gave back; 「—」 for None."""
    if value is None:
        return "—"
    return local(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
