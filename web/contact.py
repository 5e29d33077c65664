"""The contact form: a question the FAQ and the chat could not answer becomes a tracked inquiry.

- One `submission_token` per rendering of the form, unique in the database: a second click,
  a reload or back-and-resubmit finds the inquiry already stored and shows the same receipt.
- The row is committed before the receipt is shown (POST, then redirect to the thanks page).
- Nothing typed is ever lost: validation errors, a rate limit, an expired CSRF token and a
  database failure all show the form again with what was typed and a Japanese explanation.
- Opened from the chat as `/contact?chat=<token>`, it shows the conversation read-only,
  attaches it (masked) to the inquiry and pre-selects the category of the chat's topic.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from kb.categories import CATEGORY_BY_ID
from kb.privacy import find, mask
from web import db
from web.forms import FACILITY_TYPES, INQUIRY_CATEGORIES, ContactForm
from web.models import Conversation, Inquiry
from web.security import limiter

log = logging.getLogger(__name__)

bp = Blueprint("contact", __name__)

JST = dt.timezone(dt.timedelta(hours=9), "JST")
# Crockford's base32 without 0/1/I/L/O/U: read aloud over the phone without confusion.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_RANDOM_CHARS = 8  # 30**8 ≈ 6.6e11 per day: not guessable
DEFAULT_RATE_LIMIT = "5 per minute;30 per day"
# Kinds of personal data that point at a patient rather than at the person writing.
PATIENT_DATA_KINDS = {"my_number", "insurance_number"}

MESSAGES = {
    "csrf": "セキュリティ確認の有効期限が切れたため、送信できませんでした。"
    "入力内容はそのまま残っています。もう一度「送信する」を押してください。",
    "rate_limited": "短い時間に送信が続いたため、受け付けを一時的に止めています。"
    "入力内容はそのまま残っています。1分ほど待ってから、もう一度「送信する」を押してください。",
    "database": "申し訳ありません。システムの不具合で、お問い合わせを受け付けられませんでした。"
    "入力内容はそのまま残っています。時間をおいてもう一度「送信する」を押すか、"
    "コールセンターにお電話ください。",
    "patient_data": "内容に、マイナンバーや受給者番号・保険者番号のような番号が含まれています。"
    "患者さんの情報は入力しないでください。番号を消してから送信してください。"
    "患者さんの情報ではない場合は、下の「このまま送信する」にチェックして送信してください。",
}


def _rate_limit() -> str:
    return current_app.config.get("CONTACT_RATE_LIMIT", DEFAULT_RATE_LIMIT)


@bp.route("/contact", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def contact():
    form = ContactForm()
    if request.method == "GET":
        form.submission_token.data = new_submission_token()
        chat = load_chat(request.args.get("chat", ""))
        if chat is not None:
            form.chat.data = chat.token
            if chat.topic:
                form.category.data = chat.topic
        return _form_page(form, chat)

    if not _valid_token(form.submission_token.data):
        # Another tool posting without the hidden field: this post is its own submission.
        form.submission_token.data = new_submission_token()
    chat = load_chat(form.chat.data)

    if form.website.data:  # the honeypot: pretend success, store nothing
        log.info("お問い合わせフォーム: ボットと判断した送信を破棄しました")
        return _show_receipt(new_receipt_number())

    try:
        existing = _inquiry_by_token(form.submission_token.data)
    except SQLAlchemyError as error:
        return _database_failure(form, chat, error)
    if existing is not None:  # a second click, a reload, back and resubmit
        return _show_receipt(existing.receipt_number)

    if not form.validate_on_submit():
        return _form_page(form, chat), 422

    patient_data = _patient_data_warning(form)
    if patient_data and not request.form.get("personal_data_ok"):
        return _form_page(form, chat, notice=MESSAGES["patient_data"], confirm=True), 422

    digest = _content_digest(form)
    last = session.get("contact_last") or {}
    if last.get("digest") == digest:  # the same text sent again from a fresh copy of the form
        return _show_receipt(last["receipt"])

    try:
        receipt = _store(form, chat)
    except SQLAlchemyError as error:
        return _database_failure(form, chat, error)
    session["contact_last"] = {"digest": digest, "receipt": receipt}
    return _show_receipt(receipt)


@bp.get("/contact/thanks")
def thanks():
    receipt = session.get("contact_receipt")
    if not receipt:
        return redirect(url_for("contact.contact"))
    email = None
    try:
        inquiry = db.session().scalar(select(Inquiry).where(Inquiry.receipt_number == receipt))
        email = inquiry.email if inquiry else None
    except SQLAlchemyError:
        db.session().rollback()
    return render_template("contact/thanks.html", receipt=receipt, email=email)


@bp.errorhandler(429)
def rate_limited(_error):
    form = ContactForm()
    return _form_page(form, load_chat(form.chat.data), notice=MESSAGES["rate_limited"]), 429


@bp.errorhandler(CSRFError)
def csrf_failed(_error):
    form = ContactForm()
    if not _valid_token(form.submission_token.data):
        form.submission_token.data = new_submission_token()
    return _form_page(form, load_chat(form.chat.data), notice=MESSAGES["csrf"]), 400


# --- the pieces ----------------------------------------------------------------------------


def new_submission_token() -> str:
    return secrets.token_urlsafe(32)


def _valid_token(token: str | None) -> bool:
    return (
        bool(token) and 20 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()
    )


def new_receipt_number(now: dt.datetime | None = None) -> str:
    """`HD-20261125-K7Q2M9XA`: the day in Japan, then random characters (not a sequence)."""
    day = (now or dt.datetime.now(dt.UTC)).astimezone(JST).strftime("%Y%m%d")
    random_part = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_RANDOM_CHARS))
    return f"HD-{day}-{random_part}"


@dataclass(frozen=True, slots=True)
class Chat:
    """The chat an inquiry came from, read once: its token, topic and masked transcript."""

    token: str
    topic: str | None
    lines: tuple[tuple[str, str], ...]  # (speaker, masked text) for the form
    text: str  # the transcript stored with the inquiry


def load_chat(token: str | None) -> Chat | None:
    """The chat conversation with this token, or None (unknown tokens are ignored silently)."""
    if not token or len(token) > 64:
        return None
    database = db.session()
    try:
        conversation = database.scalar(select(Conversation).where(Conversation.token == token))
        if conversation is None:
            return None
        token, state, turns = conversation.token, conversation.state, list(conversation.turns)
    except SQLAlchemyError as error:
        database.rollback()
        log.warning("チャットの会話を読み込めませんでした（%s）", type(error).__name__)
        return None
    lines, stored = [], []
    for turn in turns:
        text = mask(turn.text or "")
        lines.append(("あなた" if turn.role == "user" else "チャット", text))
        when = _as_jst(turn.created_at).strftime("%Y-%m-%d %H:%M")
        stored.append(f"[{when}] {'利用者' if turn.role == 'user' else 'チャット'}: {text}")
    return Chat(token, conversation_topic(state), tuple(lines), "\n".join(stored))


def conversation_topic(state_json: str | None) -> str | None:
    """The KB category the chat was last about (`state["topic"]`), if it is one."""
    try:
        state = json.loads(state_json or "{}")
    except (TypeError, ValueError):
        return None
    topic = state.get("topic") if isinstance(state, dict) else None
    return topic if isinstance(topic, str) and topic in CATEGORY_BY_ID else None


def _as_jst(value: dt.datetime | None) -> dt.datetime:
    value = value or dt.datetime.now(dt.UTC)
    if value.tzinfo is None:  # SQLite gives back naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(JST)


def _inquiry_by_token(token: str) -> Inquiry | None:
    return db.session().scalar(select(Inquiry).where(Inquiry.submission_token == token))


def _patient_data_warning(form: ContactForm) -> bool:
    return any(finding.kind in PATIENT_DATA_KINDS for finding in find(form.message.data or ""))


def _content_digest(form: ContactForm) -> str:
    parts = [form.name.data, form.email.data, form.category.data, form.message.data]
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()


def _store(form: ContactForm, chat: Chat | None) -> str:
    """Insert the inquiry and commit; the receipt number of the stored row."""
    database = db.session()
    for _attempt in range(3):
        inquiry = Inquiry(
            receipt_number=new_receipt_number(),
            submission_token=form.submission_token.data,
            status="new",
            name=form.name.data,
            facility_name=form.facility_name.data,
            facility_type=form.facility_type.data,
            institution_code=form.institution_code.data or "",
            email=form.email.data,
            phone=form.phone.data or "",
            category=form.category.data,
            message=form.message.data,
            transcript=chat.text if chat is not None else "",
            conversation_token=chat.token if chat is not None else None,
        )
        database.add(inquiry)
        try:
            database.commit()
        except IntegrityError:
            database.rollback()
            # Two clicks raced: the other one stored this token first.
            existing = _inquiry_by_token(form.submission_token.data)
            if existing is not None:
                return existing.receipt_number
            continue  # a receipt number collided: draw another
        log.info("お問い合わせを受け付けました: %s", inquiry.receipt_number)
        return inquiry.receipt_number
    raise IntegrityError("receipt number", None, Exception("no unique receipt number"))


def _show_receipt(receipt: str):
    session["contact_receipt"] = receipt
    return redirect(url_for("contact.thanks"), code=303)


def _database_failure(form: ContactForm, chat: Chat | None, error: Exception):
    with contextlib.suppress(SQLAlchemyError):
        db.session().rollback()
    # The exception's text may quote the parameters (what was typed): name the type only.
    log.error("お問い合わせを保存できませんでした（%s）", type(error).__name__)
    return _form_page(form, chat, notice=MESSAGES["database"]), 503


def _form_page(
    form: ContactForm,
    chat: Chat | None,
    notice: str | None = None,
    confirm: bool = False,
):
    return render_template(
        "contact/form.html",
        form=form,
        transcript=chat.lines if chat is not None else (),
        notice=notice,
        confirm_personal_data=confirm,
        facility_types=FACILITY_TYPES,
        categories=INQUIRY_CATEGORIES,
    )


@bp.after_request
def _not_cached(response):
    # The form carries a per-session CSRF token and, from the chat, a transcript.
    response.headers["Cache-Control"] = "no-store"
    return response
