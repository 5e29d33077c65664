"""The forms people fill in: the contact form and the console's forms, with Japanese messages.

Every form is a FlaskForm, so every one carries and checks a CSRF token. Validation messages
are written out here in Japanese (WTForms' own are English) and shown next to each field.
"""

from __future__ import annotations

import re
import unicodedata

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from kb.categories import CATEGORIES

FACILITY_TYPES = (
    ("hospital", "病院"),
    ("clinic", "診療所"),
    ("pharmacy", "薬局"),
    ("other", "その他"),
)
INQUIRY_CATEGORIES = tuple((c.id, c.label) for c in CATEGORIES) + (("other", "その他"),)
ROLES = (
    ("agent", "オペレーター（問い合わせ対応）"),
    ("editor", "編集者（分析・記事プレビュー）"),
    ("admin", "管理者（ユーザー管理）"),
)
MIN_PASSWORD_CHARS = 12
MESSAGE_MAX_CHARS = 4000

# A sensible check that catches typos; whether the address works is learned when we reply
# (so no dependency on email_validator, whose DNS checks would slow the form down).
EMAIL_PATTERN = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
PHONE_PATTERN = re.compile(r"^\+?[\d\- ()]{10,20}$")


# --- filters: what a field keeps of what was typed -----------------------------------------


def printable(text: str | None, keep_newlines: bool = False) -> str:
    """Text without control characters (NUL breaks PostgreSQL), surrogates or private use."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in "\n\t" and keep_newlines:
            kept.append(char)
        elif category == "Cc":
            kept.append(" ")
        elif category not in {"Cs", "Co", "Cn"}:
            kept.append(char)
    return "".join(kept)


def one_line(text: str | None) -> str:
    return " ".join(printable(text).split())


def multi_line(text: str | None) -> str:
    return printable(text, keep_newlines=True).strip()


def nfkc_line(text: str | None) -> str:
    """Full-width letters and digits made half-width (ＡＢＣ１２３＠ → ABC123@)."""
    return unicodedata.normalize("NFKC", one_line(text))


def nfkc_compact(text: str | None) -> str:
    """NFKC without spaces or hyphens: 「１３－１２３４５６７－８」 → 「1312345678」."""
    return re.sub(r"[\s\-‐‑–—−ー]", "", nfkc_line(text))


def lower_email(text: str | None) -> str:
    return nfkc_line(text).replace(" ", "").lower()


# --- validators with Japanese messages -----------------------------------------------------


class Required:
    """Like DataRequired for text, with our own message and without HTML `required` magic."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if not field.data or (isinstance(field.data, str) and not field.data.strip()):
            field.errors[:] = []
            raise StopValidation(self.message)


class OneOf:
    def __init__(self, values, message: str):
        self.values = {value for value, _label in values}
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data not in self.values:
            raise StopValidation(self.message)


class EmailAddress:
    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if not EMAIL_PATTERN.match(field.data or "") or ".." in field.data:
            raise ValidationError(self.message)


def select_choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def max_chars(limit: int, label: str) -> Length:
    return Length(max=limit, message=f"{label}は{limit}文字以内で入力してください。")


# --- the contact form ----------------------------------------------------------------------


class ContactForm(FlaskForm):
    name = StringField(
        "お名前",
        filters=[one_line],
        validators=[Required("お名前を入力してください。"), max_chars(100, "お名前")],
    )
    facility_name = StringField(
        "医療機関・薬局名",
        filters=[one_line],
        validators=[
            Required("医療機関・薬局名を入力してください。"),
            max_chars(200, "医療機関・薬局名"),
        ],
    )
    facility_type = RadioField(
        "種別",
        choices=select_choices(FACILITY_TYPES),
        validate_choice=False,
        validators=[OneOf(FACILITY_TYPES, "種別を選択してください。")],
    )
    institution_code = StringField(
        "医療機関コード",
        filters=[nfkc_compact],
        validators=[
            Optional(),
            Regexp(r"^\d{10}\Z", message="医療機関コードは数字10桁で入力してください。"),
        ],
    )
    email = EmailField(
        "メールアドレス",
        filters=[lower_email],
        validators=[
            Required("メールアドレスを入力してください。"),
            max_chars(254, "メールアドレス"),
            EmailAddress("メールアドレスの形式が正しくありません（例: uketsuke@example.jp）。"),
        ],
    )
    phone = StringField(
        "電話番号",
        filters=[nfkc_line],
        validators=[
            Optional(),
            Regexp(
                PHONE_PATTERN,
                message="電話番号は数字とハイフンで入力してください（例: 03-1234-5678）。",
            ),
        ],
    )
    category = SelectField(
        "お問い合わせの分類",
        choices=select_choices((("", "選択してください"),) + INQUIRY_CATEGORIES),
        validate_choice=False,
        validators=[OneOf(INQUIRY_CATEGORIES, "お問い合わせの分類を選択してください。")],
    )
    message = TextAreaField(
        "内容",
        filters=[multi_line],
        validators=[
            Required("お問い合わせの内容を入力してください。"),
            max_chars(MESSAGE_MAX_CHARS, "内容"),
        ],
    )
    consent = BooleanField(
        "個人情報の取り扱いに同意します",
        validators=[
            DataRequired(
                "個人情報の取り扱いへの同意が必要です。内容をご確認のうえチェックしてください。"
            )
        ],
    )
    # Filled only by bots: hidden from people (CSS, aria-hidden, tabindex=-1).
    website = StringField("ウェブサイト（入力しないでください）", filters=[one_line])
    # One per rendering of the form: the same token twice is the same inquiry.
    submission_token = HiddenField(filters=[one_line])
    # The chat this inquiry came from (its token); the transcript is read from the database.
    chat = HiddenField(filters=[one_line])

    def validate_phone(self, field) -> None:
        digits = re.sub(r"\D", "", field.data or "")
        if field.data and not 10 <= len(digits) <= 15:
            raise ValidationError("電話番号は市外局番から入力してください（例: 03-1234-5678）。")


# --- the console ---------------------------------------------------------------------------


class LoginForm(FlaskForm):
    email = StringField(
        "メールアドレス",
        filters=[lower_email],
        validators=[Required("メールアドレスを入力してください。")],
    )
    password = PasswordField(
        "パスワード", validators=[InputRequired("パスワードを入力してください。")]
    )


class LogoutForm(FlaskForm):
    pass


STATUSES = (("new", "新規"), ("in_progress", "対応中"), ("done", "完了"))


class StatusForm(FlaskForm):
    status = SelectField(
        "状態",
        choices=select_choices(STATUSES),
        validate_choice=False,
        validators=[OneOf(STATUSES, "状態を選択してください。")],
    )


class NoteForm(FlaskForm):
    text = TextAreaField(
        "対応メモ",
        filters=[multi_line],
        validators=[Required("メモを入力してください。"), max_chars(4000, "メモ")],
    )


class UserForm(FlaskForm):
    email = StringField(
        "メールアドレス",
        filters=[lower_email],
        validators=[
            Required("メールアドレスを入力してください。"),
            max_chars(254, "メールアドレス"),
            EmailAddress("メールアドレスの形式が正しくありません。"),
        ],
    )
    role = SelectField(
        "役割",
        choices=select_choices(ROLES),
        validate_choice=False,
        validators=[OneOf(ROLES, "役割を選択してください。")],
    )
    password = PasswordField(
        "初期パスワード",
        validators=[
            InputRequired("パスワードを入力してください。"),
            Length(
                min=MIN_PASSWORD_CHARS,
                max=200,
                message=f"パスワードは{MIN_PASSWORD_CHARS}文字以上（200文字以内）にしてください。",
            ),
        ],
    )


class UserActionForm(FlaskForm):
    pass
