"""Replying to an inquiry from the console: the reply mail (queued with its event in the
outbox), the thread of one inquiry in time order, and an article's answer to start a reply."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import url_for

from web.contact.mails import signature
from web.core import outbox
from web.core.clock import as_utc
from web.core.models import Inquiry
from web.settings import Settings


def reply_mail(inquiry: Inquiry, body: str, settings: Settings) -> dict:
    text = (
        f"{inquiry.facility_name}\n{inquiry.name} 様\n\n"
        "医療扶助のオンライン資格確認 ヘルプデスクです。\n"
        "お問い合わせいただいた件について、ご回答します。\n\n"
        f"{body}\n\n"
        f"受付番号: {inquiry.receipt_number}\n"
        "このメールにご返信いただく場合は、件名の受付番号をそのまま残してください。\n"
        f"{signature(settings)}"
    )
    return {
        "kind": "reply",
        "to": inquiry.email,
        "subject": f"【受付番号 {inquiry.receipt_number}】お問い合わせへのご回答",
        "body": text,
        "reply_to": settings.mail_reply_to or settings.mail_from,
    }


def queue_reply(session, inquiry: Inquiry, body: str, author: str, settings: Settings) -> None:
    mail = reply_mail(inquiry, body, settings)
    outbox.queue(
        session, kind="reply", sender=settings.mail_from, to=mail["to"],
        subject=mail["subject"], body=mail["body"], reply_to=mail["reply_to"],
        inquiry=inquiry, author_email=author,
    )  # fmt: skip


DOUBLE_SEND_WINDOW = dt.timedelta(minutes=10)


def just_sent(inquiry: Inquiry, body: str, settings: Settings) -> bool:
    """Whether this very reply was queued for `inquiry` in the last few minutes."""
    text = reply_mail(inquiry, body, settings)["body"]
    since = dt.datetime.now(dt.UTC) - DOUBLE_SEND_WINDOW
    return any(
        mail.kind == "reply" and mail.body == text and as_utc(mail.created_at) >= since
        for mail in inquiry.mails
    )


def article_reply(article) -> str:
    """An article's answer and link, the start of a reply an agent then edits."""
    link = url_for("faq.article", article_id=article.id, _external=True)
    return f"{article.answer}\n\n詳しくは次のページをご覧ください。\n{article.title}\n{link}"


@dataclass(frozen=True, slots=True)
class ThreadEntry:
    at: dt.datetime
    kind: str  # question, reply, mail, note
    who: str
    text: str
    state: str | None = None  # a mail's delivery state
    error: str = ""


def thread(inquiry: Inquiry) -> list[ThreadEntry]:
    """The question, the replies and other mails with their delivery state, and the notes
    (status changes are notes), oldest first."""
    entries = [ThreadEntry(inquiry.created_at, "question", inquiry.name, inquiry.message)]
    for mail in inquiry.mails:
        if mail.kind == "reply":
            entries.append(
                ThreadEntry(mail.created_at, "reply", mail.author_email or "", mail.body,
                            mail.state, mail.last_error)
            )  # fmt: skip
        else:
            entries.append(
                ThreadEntry(mail.created_at, "mail", outbox.KIND_LABELS.get(mail.kind, mail.kind),
                            f"{mail.to_address} 宛: {mail.subject}", mail.state, mail.last_error)
            )  # fmt: skip
    for note in inquiry.notes:
        entries.append(ThreadEntry(note.created_at, "note", note.author_email, note.text))
    return sorted(entries, key=lambda entry: as_utc(entry.at))
