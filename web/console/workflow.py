"""The call-centre workflow around an inquiry: its age and target time in business hours, who
has it, and the moves between statuses (reply → 回答待ち, reopen a finished one).

Business hours are the call centre's own calendar (chatbot.hours.CallCentre: weekdays and
Saturday hours, Sundays and national holidays closed), so a question sent on Friday night is
not late on Monday morning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chatbot.hours import CallCentre
from web.core.clock import as_utc
from web.core.models import Inquiry, InquiryNote, User
from web.core.vocabulary import InquiryStatus

STATUS_LABELS = InquiryStatus.labels()


def _duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}時間{minutes:02d}分" if hours else f"{minutes}分"


@dataclass(frozen=True, slots=True)
class Clock:
    """Age and target of one inquiry: `age` in business hours, `target` a short label, `state`
    one of met, open, soon (less than an hour left), overdue."""

    age: str
    target: str
    state: str
    due_at: dt.datetime | None


def clock(inquiry: Inquiry, now: dt.datetime, centre: CallCentre, target_hours: int) -> Clock:
    created = as_utc(inquiry.created_at)
    age = _duration(centre.business_time(created, now))
    # A reply counts once it is sent or on its way; one the server refused for good does not.
    first_reply = min(
        (
            as_utc(mail.created_at)
            for mail in inquiry.mails
            if mail.kind == "reply" and mail.state != "failed"
        ),
        default=None,
    )
    due = centre.after_business_time(created, dt.timedelta(hours=target_hours))
    if first_reply is not None:
        met = first_reply <= due
        return Clock(age, "回答済み（目標内）" if met else "回答済み（目標超過）", "met", due)
    if inquiry.status == InquiryStatus.DONE:
        return Clock(age, "完了", "met", due)
    if now >= due:
        return Clock(age, f"目標超過 {_duration(centre.business_time(due, now))}", "overdue", due)
    left = centre.business_time(now, due)
    return Clock(
        age, f"残り {_duration(left)}", "soon" if left < dt.timedelta(hours=1) else "open", due
    )


def change_status(inquiry: Inquiry, status: str, who: str) -> bool:
    """Move `inquiry` to `status`, noting who and from what; False when it already was."""
    if status == inquiry.status:
        return False
    before = STATUS_LABELS.get(inquiry.status, inquiry.status)
    inquiry.status = status
    inquiry.notes.append(
        InquiryNote(
            author_email=who,
            text=f"状態を「{before}」から「{STATUS_LABELS[status]}」に変更しました。",
        )
    )
    return True


def assign(inquiry: Inquiry, assignee: User | None, who: str) -> bool:
    """Give `inquiry` to `assignee` (None: to nobody), noting it; False when nothing changed."""
    if inquiry.assignee_id == (assignee.id if assignee else None):
        return False
    inquiry.assignee = assignee
    text = f"担当を {assignee.email} にしました。" if assignee else "担当を外しました。"
    inquiry.notes.append(InquiryNote(author_email=who, text=text))
    if assignee is not None and inquiry.status == InquiryStatus.NEW:
        change_status(inquiry, InquiryStatus.IN_PROGRESS, who)
    return True
