"""The domain's closed vocabularies: roles, inquiry statuses, facility types, inquiry categories.

Each is a `StrEnum` whose values are what the database stores and forms send, with the Japanese
label people see. Forms, the console, the commands and `auth` all read them from here.
"""

from __future__ import annotations

from enum import StrEnum

from kb.categories import CATEGORIES


class Vocabulary(StrEnum):
    """A StrEnum whose members also carry a Japanese `label`."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> tuple[tuple[str, str], ...]:
        """(value, label) pairs in declaration order, for select boxes and radio buttons."""
        return tuple((member.value, member.label) for member in cls)

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {member.value: member.label for member in cls}


class Role(Vocabulary):
    """Who may do what in the console: `admin` may do everything."""

    AGENT = "agent", "オペレーター"
    EDITOR = "editor", "編集者"
    ADMIN = "admin", "管理者"

    @property
    def duties(self) -> str:
        return _ROLE_DUTIES[self]


_ROLE_DUTIES = {
    Role.AGENT: "問い合わせ対応",
    Role.EDITOR: "分析・記事プレビュー",
    Role.ADMIN: "ユーザー管理",
}


class InquiryStatus(Vocabulary):
    NEW = "new", "新規"
    IN_PROGRESS = "in_progress", "対応中"
    WAITING = "waiting", "回答待ち"  # the helpdesk replied and waits for the inquirer
    DONE = "done", "完了"


class Channel(Vocabulary):
    """How an inquiry reached the helpdesk."""

    FORM = "form", "フォーム"
    PHONE = "phone", "電話"


class FacilityType(Vocabulary):
    HOSPITAL = "hospital", "病院"
    CLINIC = "clinic", "診療所"
    PHARMACY = "pharmacy", "薬局"
    OTHER = "other", "その他"


# The article categories, and 「その他」 for what fits none of them.
INQUIRY_CATEGORIES: tuple[tuple[str, str], ...] = tuple((c.id, c.label) for c in CATEGORIES) + (
    ("other", "その他"),
)
