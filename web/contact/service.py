"""Inquiries: receipt numbers, the chat an inquiry came from, and storing it exactly once.

- One `submission_token` per rendering of the form, unique in the database: a second click,
  a reload or back-and-resubmit finds the inquiry already stored and shows the same receipt.
- The chat's transcript is attached masked, with the category of the chat's topic.
- The acknowledgement and the agents' notice are stored with it (web.contact.mails).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from kb.categories import CATEGORY_BY_ID
from kb.privacy import find, mask
from web.contact import mails
from web.contact.forms import MESSAGE_MAX_CHARS, ContactForm
from web.core import clock, db, outbox
from web.core.models import Conversation, Inquiry
from web.core.text_input import masked_text
from web.core.vocabulary import InquiryStatus
from web.settings import current_settings

log = logging.getLogger(__name__)

# Crockford's base32 without 0/1/I/L/O/U: read aloud over the phone without confusion.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_RANDOM_CHARS = 8  # 30**8 ≈ 6.6e11 per day: not guessable
# Kinds of personal data that point at a patient rather than at the person writing.
PATIENT_DATA_KINDS = {"my_number", "insurance_number"}


def new_submission_token() -> str:
    return secrets.token_urlsafe(32)


def valid_token(token: str | None) -> bool:
    return (
        bool(token) and 20 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()
    )


def new_receipt_number(now: dt.datetime | None = None) -> str:
    """`HD-20261125-K7Q2M9XA`: the day in Japan, then random characters (not a sequence)."""
    day = clock.local(now).strftime("%Y%m%d")
    random_part = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_RANDOM_CHARS))
    return f"HD-{day}-{random_part}"


@dataclass(frozen=True, slots=True)
class Chat:
    """The chat an inquiry came from, read once: its token, topic and masked transcript."""

    token: str
    topic: str | None
    lines: tuple[tuple[str, str], ...]  # (role: "user" or "bot", masked text) for the form
    text: str  # the transcript stored with the inquiry

    def asked(self) -> str:
        """What the person wrote in the chat, a line per turn (masked): the message of an
        inquiry sent from the chat with nothing added, so the agents' list, search and
        suggested articles, and the acknowledgement mail, read what was asked."""
        return "\n".join(text for role, text in self.lines if role == "user")


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
        text = mask(turn.text or "", current_settings().public_numbers)
        lines.append(("user" if turn.role == "user" else "bot", text))
        when = clock.format_local(turn.created_at)
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


def inquiry_by_token(token: str) -> Inquiry | None:
    return db.session().scalar(select(Inquiry).where(Inquiry.submission_token == token))


def has_patient_data(form: ContactForm) -> bool:
    return any(
        finding.kind in PATIENT_DATA_KINDS
        for finding in find(form.message.data or "", current_settings().public_numbers)
    )


def content_digest(form: ContactForm, chat: Chat | None) -> str:
    """The same person sending the same text about the same chat: one inquiry, whatever the
    copy of the form (two chats sent with the message left empty are two inquiries)."""
    parts = [
        form.name.data,
        form.email.data,
        form.category.data,
        form.message.data,
        chat.token if chat is not None else "",
    ]
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()


def store(form: ContactForm, chat: Chat | None) -> str:
    """Insert the inquiry and commit; the receipt number of the stored row."""

    def inquiry(receipt_number: str) -> Inquiry:
        return Inquiry(
            receipt_number=receipt_number,
            submission_token=form.submission_token.data,
            status=InquiryStatus.NEW,
            name=form.name.data,
            facility_name=form.facility_name.data,
            facility_type=form.facility_type.data,
            institution_code=form.institution_code.data or "",
            email=form.email.data,
            phone=form.phone.data or "",
            category=form.category.data,
            # Stored masked like every free text (web.core.text_input), and so repeated in the
            # acknowledgement: a number the person confirmed is nobody's may still be someone's.
            # Sent from the chat with nothing added, what the person asked there is the message.
            message=masked_text(form.message.data)
            or (chat.asked()[:MESSAGE_MAX_CHARS] if chat is not None else ""),
            transcript=chat.text if chat is not None else "",
            conversation_token=chat.token if chat is not None else None,
        )

    stored, _new = insert_new(inquiry, notify=True)
    return stored.receipt_number


def insert_new(make: Callable[[str], Inquiry], notify: bool) -> tuple[Inquiry, bool]:
    """Insert the inquiry `make(receipt_number)` builds, with its mails (web.contact.mails;
    `notify`: the agents' notice too), in one transaction. Returns (the stored inquiry, whether
    this call stored it): a second submission of the same form token returns the first one."""
    database = db.session()
    for _attempt in range(3):
        inquiry = make(new_receipt_number())
        database.add(inquiry)
        try:
            database.flush()  # its id, for the link in the agents' notice
            if inquiry.email:
                mails.queue_for_new_inquiry(database, inquiry, current_settings(), notify)
            database.commit()
        except IntegrityError:
            database.rollback()
            # Two clicks raced: the other one stored this token first.
            existing = inquiry_by_token(inquiry.submission_token)
            if existing is not None:
                return existing, False
            continue  # a receipt number collided: draw another
        log.info("お問い合わせを受け付けました: %s", inquiry.receipt_number)
        outbox.wake(current_app)
        return inquiry, True
    raise IntegrityError("receipt number", None, Exception("no unique receipt number"))
