"""The accounts' forms: log in, log out, create a user, enable or disable one."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from web.accounts.auth import MIN_PASSWORD_CHARS
from web.core.fields import (
    OneOf,
    Required,
    email_address_field,
    lower_email,
    select_choices,
)
from web.core.vocabulary import Role

# 「オペレーター（問い合わせ対応）」: the role and what it is for, in the user form.
ROLE_CHOICES = tuple((role.value, f"{role.label}（{role.duties}）") for role in Role)


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


class UserForm(FlaskForm):
    email = email_address_field("メールアドレスの形式が正しくありません。")
    role = SelectField(
        "役割",
        choices=select_choices(ROLE_CHOICES),
        validate_choice=False,
        validators=[OneOf(ROLE_CHOICES, "役割を選択してください。")],
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


class PasswordChangeForm(FlaskForm):
    current = PasswordField(
        "いまのパスワード", validators=[InputRequired("いまのパスワードを入力してください。")]
    )
    new = PasswordField(
        f"新しいパスワード（{MIN_PASSWORD_CHARS}文字以上）",
        validators=[InputRequired("新しいパスワードを入力してください。")],
    )
    confirm = PasswordField(
        "新しいパスワード（確認）",
        validators=[InputRequired("確認のため、新しいパスワードをもう一度入力してください。")],
    )


class PasswordResetForm(FlaskForm):
    new = PasswordField(
        f"新しいパスワード（{MIN_PASSWORD_CHARS}文字以上）",
        validators=[InputRequired("新しいパスワードを入力してください。")],
    )
