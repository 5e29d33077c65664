"""What every form shares: filters (what a field keeps of what was typed) and validators with
Japanese messages (WTForms' own are English), shown next to each field.

Every form is a FlaskForm, so every one carries and checks a CSRF token. The forms themselves
live with their feature: contact/forms.py, accounts/forms.py, console/forms.py.
"""

from __future__ import annotations

import re

from wtforms import EmailField, SelectChoice
from wtforms.validators import Length, StopValidation, ValidationError

from kb.privacy import unify_separators
from kb.text import clean

# A sensible check that catches typos; whether the address works is learned when we reply
# (so no dependency on email_validator, whose DNS checks would slow the form down).
EMAIL_PATTERN = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


# --- filters: what a field keeps of what was typed (and `text_input.one_line`) ------------


def multi_line(text: str | None) -> str:
    return clean(text, newlines=True).strip()


def nfkc_line(text: str | None) -> str:
    """Full-width letters and digits made half-width (ＡＢＣ１２３＠ → ABC123@)."""
    return " ".join(clean(text, nfkc=True).split())


def phone_line(text: str | None) -> str:
    """A phone number with its groups joined by "-", whatever separated them (the long-vowel
    mark, a minus sign, dots, spaces, brackets): 「03ー1234ー5678」「03(1234)5678」 → 03-1234-5678."""
    return re.sub(r"-+", "-", unify_separators(nfkc_line(text))).strip("-")


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


def email_address_field(invalid_message: str) -> EmailField:
    """The e-mail field every form uses: required, lower-cased, at most 254 characters."""
    return EmailField(
        "メールアドレス",
        filters=[lower_email],
        validators=[
            Required("メールアドレスを入力してください。"),
            max_chars(254, "メールアドレス"),
            EmailAddress(invalid_message),
        ],
    )
