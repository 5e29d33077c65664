"""The contact form: who is asking, about what, and how to reach them."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from web.core.fields import (
    OneOf,
    Required,
    email_address_field,
    max_chars,
    multi_line,
    nfkc_compact,
    phone_line,
    select_choices,
)
from web.core.text_input import one_line
from web.core.vocabulary import INQUIRY_CATEGORIES, FacilityType

MESSAGE_MAX_CHARS = 4000
PHONE_PATTERN = re.compile(r"^\+?\d[\d-]{8,18}\d$")


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
        choices=select_choices(FacilityType.choices()),
        validate_choice=False,
        validators=[OneOf(FacilityType.choices(), "種別を選択してください。")],
    )
    institution_code = StringField(
        "医療機関コード",
        filters=[nfkc_compact],
        validators=[
            Optional(),
            Regexp(r"^\d{10}\Z", message="医療機関コードは数字10桁で入力してください。"),
        ],
    )
    email = email_address_field(
        "メールアドレスの形式が正しくありません（例: uketsuke@example.jp）。"
    )
    phone = StringField(
        "電話番号",
        filters=[phone_line],
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
    # Required unless the chat's conversation is attached (`has_transcript`, set by the
    # route): the chat tells the person the conversation is passed on and need not be
    # written again (chatbot/rules.yaml).
    message = TextAreaField(
        "内容",
        filters=[multi_line],
        validators=[max_chars(MESSAGE_MAX_CHARS, "内容")],
    )
    has_transcript = False
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

    def validate_message(self, field) -> None:
        if not self.has_transcript:
            Required("お問い合わせの内容を入力してください。")(self, field)

    def validate_phone(self, field) -> None:
        digits = re.sub(r"\D", "", field.data or "")
        if field.data and not 10 <= len(digits) <= 15:
            raise ValidationError("電話番号は市外局番から入力してください（例: 03-1234-5678）。")
