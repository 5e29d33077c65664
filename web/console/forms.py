"""The console's inquiry forms: status, note, reply, assignment, a call taken on the phone."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional, Regexp

from web.contact.forms import PHONE_PATTERN
from web.core.fields import (
    EmailAddress,
    OneOf,
    Required,
    lower_email,
    max_chars,
    multi_line,
    phone_line,
    select_choices,
)
from web.core.text_input import one_line
from web.core.vocabulary import INQUIRY_CATEGORIES, FacilityType, InquiryStatus


class StatusForm(FlaskForm):
    status = SelectField(
        "状態",
        choices=select_choices(InquiryStatus.choices()),
        validate_choice=False,
        validators=[OneOf(InquiryStatus.choices(), "状態を選択してください。")],
    )


class NoteForm(FlaskForm):
    text = TextAreaField(
        "対応メモ",
        filters=[multi_line],
        validators=[Required("メモを入力してください。"), max_chars(4000, "メモ")],
    )


REPLY_MAX_CHARS = 10_000


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "回答",
        filters=[multi_line],
        validators=[Required("回答を入力してください。"), max_chars(REPLY_MAX_CHARS, "回答")],
    )


class AssignForm(FlaskForm):
    """`assignee`: a user id, "me", or "" for nobody (checked against the users by the view)."""

    assignee = StringField("担当")


class PhoneInquiryForm(FlaskForm):
    """A call to the call centre, recorded by the agent who took it (channel 電話)."""

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
    facility_type = SelectField(
        "種別",
        choices=select_choices(FacilityType.choices()),
        validate_choice=False,
        validators=[OneOf(FacilityType.choices(), "種別を選択してください。")],
    )
    phone = StringField(
        "折り返しの電話番号",
        filters=[phone_line],
        validators=[
            Required("電話番号を入力してください。"),
            Regexp(
                PHONE_PATTERN,
                message="電話番号は市外局番から入力してください（例: 03-1234-5678）。",
            ),
        ],
    )
    email = EmailField(
        "メールアドレス（回答をメールで送るとき）",
        filters=[lower_email],
        validators=[
            Optional(),
            max_chars(254, "メールアドレス"),
            EmailAddress("メールアドレスの形式が正しくありません。"),
        ],
    )
    category = SelectField(
        "お問い合わせの分類",
        choices=select_choices((("", "選択してください"),) + INQUIRY_CATEGORIES),
        validate_choice=False,
        validators=[OneOf(INQUIRY_CATEGORIES, "お問い合わせの分類を選択してください。")],
    )
    message = TextAreaField(
        "お問い合わせの内容（通話の要点）",
        filters=[multi_line],
        validators=[Required("内容を入力してください。"), max_chars(4000, "内容")],
    )
    # One per rendering of the form: sending it twice records one call.
    submission_token = HiddenField(
        filters=[one_line],
        validators=[Required("フォームを開き直してください。"), max_chars(48, "フォーム")],
    )
