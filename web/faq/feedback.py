"""「この記事は役に立ちましたか？」: the answer a reader gives, checked and stored masked."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kb.text import clean
from web.core import db
from web.core.models import Feedback
from web.core.text_input import for_storage

log = logging.getLogger(__name__)

COMMENT_MAX_CHARS = 1000
ANSWERS = {"yes": True, "no": False}


@dataclass(frozen=True, slots=True)
class FeedbackForm:
    """What the reader sent, and the errors to show next to the form (Japanese)."""

    helpful: bool | None
    comment: str
    errors: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return not self.errors


def read_form(form) -> FeedbackForm:
    helpful = ANSWERS.get(form.get("helpful", ""))
    # Browsers send line breaks as CRLF, which `clean` makes one character, as a person counts.
    comment = clean(form.get("comment", ""), newlines=True).strip()
    errors = []
    if helpful is None:
        errors.append("「はい」か「いいえ」のボタンを押してください。")
    if len(comment) > COMMENT_MAX_CHARS:
        errors.append(
            f"コメントは{COMMENT_MAX_CHARS}文字以内で入力してください"
            f"（いまは{len(comment)}文字です）。"
        )
    return FeedbackForm(helpful, comment, tuple(errors))


def store(article_id: str, form: FeedbackForm) -> bool:
    """Save a valid answer with its comment masked; False when the database refused it."""
    session = db.session()
    try:
        session.add(
            Feedback(
                article_id=article_id,
                helpful=bool(form.helpful),
                comment=for_storage(form.comment, COMMENT_MAX_CHARS * 2),
            )
        )
        session.commit()
    except Exception as error:  # noqa: BLE001 - the reader is told, the page still renders
        session.rollback()
        log.error("フィードバックを保存できませんでした（%s）", type(error).__name__)
        return False
    return True
