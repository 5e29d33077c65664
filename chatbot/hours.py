"""The call centre's business hours: is it open at a given moment, and when does it open next.

平日 8:00〜18:00、土曜日 8:00〜16:00。日曜日と祝日（振替休日・国民の休日を含む）は休み。
The time is always passed in; an aware datetime is converted to Japan time, a naive one is
taken to be Japan time already.
"""

from __future__ import annotations

import datetime as dt

import jpholiday

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    JST: dt.tzinfo = ZoneInfo("Asia/Tokyo")
except (ImportError, ZoneInfoNotFoundError):  # no tz database: Japan has no daylight saving
    JST = dt.timezone(dt.timedelta(hours=9), "JST")

PHONE = "0800-080-4583"
HOURS = "平日 8:00〜18:00、土曜日 8:00〜16:00（日曜・祝日を除く）"
WEEKDAY_NAMES = "月火水木金土日"

WEEKDAY_HOURS = (dt.time(8, 0), dt.time(18, 0))
SATURDAY_HOURS = (dt.time(8, 0), dt.time(16, 0))


def to_japan_time(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        return now.replace(tzinfo=JST)
    return now.astimezone(JST)


def opening_hours(day: dt.date) -> tuple[dt.time, dt.time] | None:
    """(opens, closes) on `day`, or None when the call centre is closed all day."""
    if day.weekday() == 6 or jpholiday.is_holiday(day):
        return None
    if day.weekday() == 5:
        return SATURDAY_HOURS
    return WEEKDAY_HOURS


def closed_reason(day: dt.date) -> str | None:
    """Why the call centre is closed all day: 「日曜日」 or the holiday's name."""
    holiday = jpholiday.is_holiday_name(day)
    if holiday:
        return holiday
    if day.weekday() == 6:
        return "日曜日"
    return None


def next_opening(now: dt.datetime) -> dt.datetime:
    """The next moment the call centre opens, strictly after `now` (Japan time)."""
    local = to_japan_time(now)
    day = local.date()
    for _ in range(30):  # the longest run of closed days (Golden Week) is far shorter
        hours = opening_hours(day)
        if hours is not None:
            opens = dt.datetime.combine(day, hours[0], tzinfo=JST)
            if opens > local:
                return opens
        day += dt.timedelta(days=1)
    raise RuntimeError("30日以内に受付日が見つかりません")  # pragma: no cover


def format_moment(moment: dt.datetime, today: dt.date) -> str:
    """「本日 8:00」「明日 8:00」or「11月24日（火）8:00」."""
    clock = f"{moment.hour}:{moment.minute:02d}"
    if moment.date() == today:
        return f"本日 {clock}"
    if moment.date() == today + dt.timedelta(days=1):
        return f"明日（{WEEKDAY_NAMES[moment.weekday()]}）{clock}"
    return f"{moment.month}月{moment.day}日（{WEEKDAY_NAMES[moment.weekday()]}）{clock}"


def call_centre_status(now: dt.datetime) -> dict:
    """Whether the call centre answers the phone at `now`, for the chat and the contact page.

    Returns {"open", "hours", "phone", "message", "closes_at" | "opens_at"}; the message is a
    sentence for a person (「ただいま受付時間内です（本日 18:00 まで）。」).
    """
    local = to_japan_time(now)
    today = local.date()
    hours = opening_hours(today)
    status: dict = {"open": False, "hours": HOURS, "phone": PHONE}
    if hours is not None and hours[0] <= local.time() < hours[1]:
        closes = dt.datetime.combine(today, hours[1], tzinfo=JST)
        status.update(
            open=True,
            closes_at=closes.isoformat(),
            message=f"コールセンターはただいま受付時間内です（本日 {hours[1].hour}:00 まで）。",
        )
        return status
    opens = next_opening(local)
    reason = closed_reason(today)
    why = f"本日は{reason}のため休みです" if reason else "ただいま受付時間外です"
    status.update(
        opens_at=opens.isoformat(),
        message=f"コールセンターは{why}。次の受付開始は{format_moment(opens, today)}です。",
    )
    return status
