"""The call centre's business hours: is it open at a given moment, and when does it open next.

The facts (number, hours, time zone) are settings (web/settings.py) passed in as a
`CallCentre`; this module only reasons about them. Sundays and national holidays (振替休日 and
国民の休日 included, from `jpholiday`) are closed. The time is always passed in; an aware
datetime is converted to the call centre's time zone, a naive one is taken to be in it already.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import jpholiday

WEEKDAY_NAMES = "月火水木金土日"

Hours = tuple[dt.time, dt.time]


def _clock(moment: dt.time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


@dataclass(frozen=True, slots=True)
class CallCentre:
    """The call centre: its number, its hours (None: closed all day) and its time zone."""

    phone: str
    weekdays: Hours | None
    saturdays: Hours | None
    timezone: dt.tzinfo

    @property
    def hours(self) -> str:
        """「平日8:00〜18:00・土曜日8:00〜16:00（いずれも祝日を除く）」: the source's wording, the
        one every page and the chat use. (The source says nothing of Sundays; the chat's
        open-now treats them as closed.)"""
        parts = [
            f"{name}{_clock(hours[0])}〜{_clock(hours[1])}"
            for name, hours in (("平日", self.weekdays), ("土曜日", self.saturdays))
            if hours
        ]
        return "・".join(parts) + ("（いずれも祝日を除く）" if len(parts) > 1 else "（祝日を除く）")

    def local(self, now: dt.datetime) -> dt.datetime:
        if now.tzinfo is None or now.utcoffset() is None:
            return now.replace(tzinfo=self.timezone)
        return now.astimezone(self.timezone)

    def opening_hours(self, day: dt.date) -> Hours | None:
        """(opens, closes) on `day`, or None when the call centre is closed all day."""
        if day.weekday() == 6 or jpholiday.is_holiday(day):
            return None
        return self.saturdays if day.weekday() == 5 else self.weekdays

    def closed_reason(self, day: dt.date) -> str | None:
        """Why the call centre is closed all day: 「日曜日」, 「土曜日」 or the holiday's name."""
        holiday = jpholiday.is_holiday_name(day)
        if holiday:
            return holiday
        if self.opening_hours(day) is None:
            return f"{WEEKDAY_NAMES[day.weekday()]}曜日"
        return None

    def next_opening(self, now: dt.datetime) -> dt.datetime:
        """The next moment the call centre opens, strictly after `now` (its own time zone)."""
        local = self.local(now)
        day = local.date()
        for _ in range(30):  # the longest run of closed days (Golden Week) is far shorter
            hours = self.opening_hours(day)
            if hours is not None:
                opens = dt.datetime.combine(day, hours[0], tzinfo=self.timezone)
                if opens > local:
                    return opens
            day += dt.timedelta(days=1)
        raise RuntimeError("30日以内に受付日が見つかりません")  # pragma: no cover

    def business_time(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """How much of [start, end) falls in the call centre's opening hours (the clock of a
        target time: nights, Sundays and holidays do not count)."""
        start, end = self.local(start), self.local(end)
        total = dt.timedelta(0)
        day = start.date()
        while day <= end.date():
            hours = self.opening_hours(day)
            if hours is not None:
                opens = dt.datetime.combine(day, hours[0], tzinfo=self.timezone)
                closes = dt.datetime.combine(day, hours[1], tzinfo=self.timezone)
                overlap = min(closes, end) - max(opens, start)
                total += max(overlap, dt.timedelta(0))
            day += dt.timedelta(days=1)
        return total

    def after_business_time(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The moment `duration` of opening hours has passed since `start` (a target time)."""
        local = self.local(start)
        left = duration
        day = local.date()
        for _ in range(400):
            hours = self.opening_hours(day)
            if hours is not None:
                opens = dt.datetime.combine(day, hours[0], tzinfo=self.timezone)
                closes = dt.datetime.combine(day, hours[1], tzinfo=self.timezone)
                begin = max(opens, local)
                if begin < closes:
                    if begin + left <= closes:
                        return begin + left
                    left -= closes - begin
            day += dt.timedelta(days=1)
        raise RuntimeError("400日以内に期限が見つかりません")  # pragma: no cover

    def status(self, now: dt.datetime) -> dict:
        """Whether the call centre answers the phone at `now`, for the chat and the contact page.

        Returns {"open", "hours", "phone", "message", "closes_at" | "opens_at"}; the message is
        a sentence for a person (「ただいま受付時間内です（本日 18:00 まで）。」).
        """
        local = self.local(now)
        today = local.date()
        hours = self.opening_hours(today)
        status: dict = {"open": False, "hours": self.hours, "phone": self.phone}
        if hours is not None and hours[0] <= local.time() < hours[1]:
            closes = dt.datetime.combine(today, hours[1], tzinfo=self.timezone)
            status.update(
                open=True,
                closes_at=closes.isoformat(),
                message=f"コールセンターはただいま受付時間内です（本日 {_clock(hours[1])} まで）。",
            )
            return status
        opens = self.next_opening(local)
        reason = self.closed_reason(today)
        why = f"本日は{reason}のため休みです" if reason else "ただいま受付時間外です"
        status.update(
            opens_at=opens.isoformat(),
            message=f"コールセンターは{why}。次の受付開始は{format_moment(opens, today)}です。",
        )
        return status


def format_moment(moment: dt.datetime, today: dt.date) -> str:
    """「本日 8:00」「明日 8:00」or「11月24日（火）8:00」."""
    clock = _clock(moment.time())
    if moment.date() == today:
        return f"本日 {clock}"
    if moment.date() == today + dt.timedelta(days=1):
        return f"明日（{WEEKDAY_NAMES[moment.weekday()]}）{clock}"
    return f"{moment.month}月{moment.day}日（{WEEKDAY_NAMES[moment.weekday()]}）{clock}"
