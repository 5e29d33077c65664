"""The console's inquiry forms: change the status, add a note."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField

from web.core.fields import OneOf, Required, max_chars, multi_line, select_choices
from web.core.vocabulary import InquiryStatus


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
