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
import logging

from flask import (
    Blueprint,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from web.chat import routes as chat_routes
from web.contact.forms import ContactForm
from web.contact.service import (
    Chat,
    content_digest,
    has_patient_data,
    inquiry_by_token,
    load_chat,
    new_receipt_number,
    new_submission_token,
    store,
    valid_token,
)
from web.core import db
from web.core.models import Inquiry
from web.core.security import limiter
from web.core.vocabulary import INQUIRY_CATEGORIES, FacilityType
from web.settings import current_settings

log = logging.getLogger(__name__)

bp = Blueprint("contact", __name__)

CHAT_ENDED = "contact_chat_ended"  # the token of the conversation the last inquiry attached

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
    return current_settings().contact_rate_limit


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

    if not valid_token(form.submission_token.data):
        # Another tool posting without the hidden field: this post is its own submission.
        form.submission_token.data = new_submission_token()
    chat = load_chat(form.chat.data)
    form.has_transcript = chat is not None and bool(chat.asked())

    if form.website.data:  # the honeypot: pretend success, store nothing
        log.info("お問い合わせフォーム: ボットと判断した送信を破棄しました")
        return _show_receipt(new_receipt_number())

    try:
        existing = inquiry_by_token(form.submission_token.data)
    except SQLAlchemyError as error:
        return _database_failure(form, chat, error)
    if existing is not None:  # a second click, a reload, back and resubmit
        return _show_receipt(existing.receipt_number)

    if not form.validate_on_submit():
        return _form_page(form, chat), 422

    patient_data = has_patient_data(form)
    if patient_data and not request.form.get("personal_data_ok"):
        return _form_page(form, chat, notice=MESSAGES["patient_data"], confirm=True), 422

    digest = content_digest(form, chat)
    last = session.get("contact_last") or {}
    if last.get("digest") == digest:  # the same text sent again from a fresh copy of the form
        return _show_receipt(last["receipt"])

    try:
        receipt = store(form, chat)
    except SQLAlchemyError as error:
        return _database_failure(form, chat, error)
    session["contact_last"] = {"digest": digest, "receipt": receipt}
    if chat is not None:
        _end_conversation(chat.token)
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
    return render_template(
        "contact/thanks.html", receipt=receipt, email=email, chat_ended=session.get(CHAT_ENDED)
    )


@bp.errorhandler(429)
def rate_limited(_error):
    form = ContactForm()
    return _form_page(form, load_chat(form.chat.data), notice=MESSAGES["rate_limited"]), 429


@bp.errorhandler(CSRFError)
def csrf_failed(_error):
    form = ContactForm()
    if not valid_token(form.submission_token.data):
        form.submission_token.data = new_submission_token()
    return _form_page(form, load_chat(form.chat.data), notice=MESSAGES["csrf"]), 400


def _end_conversation(token: str) -> None:
    """The conversation attached to a sent inquiry is over: /chat and the widget (told by the
    thanks page) start the next question afresh."""
    session[CHAT_ENDED] = token
    if session.get(chat_routes.SESSION_KEY) == token:
        session.pop(chat_routes.SESSION_KEY, None)
        session.pop(chat_routes.LAST_REPLY_KEY, None)


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
        facility_types=FacilityType.choices(),
        categories=INQUIRY_CATEGORIES,
    )


@bp.after_request
def _not_cached(response):
    # The form carries a per-session CSRF token and, from the chat, a transcript.
    response.headers["Cache-Control"] = "no-store"
    return response
