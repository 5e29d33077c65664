"""The article editor's form: one field per front-matter field, lists one item per line.

The form only carries text; whether it is a valid article is for `kb check` (kb.drafts), whose
problems the editor shows next to the preview. Limits here only keep a request reasonable.
"""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from kb.article_format import ArticleSource
from kb.categories import CATEGORIES
from web.core.fields import Required, max_chars, multi_line, select_choices
from web.core.text_input import one_line

# A form is URL-encoded (about 9 bytes per Japanese character) under the app's 256 KB limit
# (MAX_CONTENT_LENGTH): the body and every list at their limits fit (15,000 + 5 × 1,500 + the
# short fields ≈ 24,000 characters ≈ 220 KB); the longest article today is under 3,000.
BODY_MAX_CHARS = 15_000
LIST_MAX_CHARS = 1_500
LIST_FIELDS = ("tags", "queries", "related", "sources", "evidence")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class JapaneseDateField(DateField):
    """A date (YYYY-MM-DD, as `<input type="date">` sends it) with a Japanese message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(
                "日付は YYYY-MM-DD の形（例: 2024-12-09）で入力してください。"
            ) from None


def list_field(label: str, what: str) -> TextAreaField:
    """A front-matter list, one item a line, within LIST_MAX_CHARS (`what` names it in the
    message when it is too long)."""
    return TextAreaField(
        label,
        filters=[multi_line],
        validators=[max_chars(LIST_MAX_CHARS, what)],
        render_kw={"maxlength": LIST_MAX_CHARS},
    )


class ArticleForm(FlaskForm):
    article_id = StringField(
        "記事のID（英小文字・数字・ハイフン。URL とファイル名になります）",
        filters=[one_line],
        validators=[Required("記事のIDを入力してください。"), max_chars(100, "記事のID")],
    )
    title = StringField(
        "タイトル（利用者の質問の形で）",
        filters=[one_line],
        validators=[Required("タイトルを入力してください。"), max_chars(200, "タイトル")],
    )
    category = SelectField(
        "カテゴリ",
        choices=select_choices((c.id, c.label) for c in CATEGORIES),
        validate_choice=False,
    )
    answer = TextAreaField(
        "短い答え（検索結果とチャットに出ます）",
        filters=[one_line],
        validators=[Required("短い答えを入力してください。"), max_chars(1000, "短い答え")],
    )
    tags = list_field("タグ（1行に1つ）", "タグ")
    queries = list_field("利用者の言い方 queries（1行に1つ、3〜6件）", "利用者の言い方")
    related = list_field("関連記事のID（1行に1つ）", "関連記事")
    sources = list_field("出典のID（kb/sources/ のファイル名、1行に1つ）", "出典")
    evidence = list_field("根拠の引用（出典の本文のとおり、1行に1つ）", "根拠の引用")
    reviewed = JapaneseDateField("確認日 reviewed", validators=[Optional()])
    review_by = JapaneseDateField("次の確認期限 review_by", validators=[Optional()])
    review_note = StringField("確認期限の理由", filters=[one_line])
    updated = JapaneseDateField("文章を変えた日 updated", validators=[Optional()])
    body = TextAreaField(
        "本文（Markdown）",
        filters=[multi_line],
        validators=[Required("本文を入力してください。"), max_chars(BODY_MAX_CHARS, "本文")],
        render_kw={"maxlength": BODY_MAX_CHARS},
    )
    reason = StringField(
        "変更の理由（履歴に残ります）", filters=[one_line], validators=[max_chars(300, "理由")]
    )
    # Set when the editor has seen that the published file changed since their draft began,
    # and publishes their text over it anyway (web.console.revisions.save_draft).
    rebase = StringField("最新の公開内容を確認した")

    def fill(self, source: ArticleSource) -> None:
        """Show an article's fields (on GET)."""
        self.article_id.data = source.id
        self.title.data = source.title
        self.category.data = source.category
        self.answer.data = source.answer
        for name in LIST_FIELDS:
            getattr(self, name).data = "\n".join(getattr(source, name))
        for name in ("reviewed", "review_by", "updated"):
            try:
                getattr(self, name).data = dt.date.fromisoformat(getattr(source, name))
            except ValueError:
                getattr(self, name).data = None
        self.review_note.data = source.review_note
        self.body.data = source.body

    def source(self, order: str = "") -> ArticleSource:
        """The article file these fields make (dates the editor left empty stay empty, and
        `kb check` says so); `order`: the file's own, which the form does not show."""

        def date(name: str) -> str:
            value = getattr(self, name).data
            return value.isoformat() if value else ""

        return ArticleSource(
            id=self.article_id.data or "",
            title=self.title.data or "",
            category=self.category.data or "",
            answer=self.answer.data or "",
            tags=_lines(self.tags.data),
            queries=_lines(self.queries.data),
            related=_lines(self.related.data),
            sources=_lines(self.sources.data),
            evidence=_lines(self.evidence.data),
            reviewed=date("reviewed"),
            review_by=date("review_by"),
            review_note=self.review_note.data or "",
            updated=date("updated"),
            body=self.body.data or "",
            order=order,
        )
