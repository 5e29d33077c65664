"""What the helpdesk remembers: search and chat logs, feedback, inquiries, console users.

Free text a person typed is stored only after `kb.privacy.mask` (the code that writes it
masks it); nothing here logs it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class SearchLog(Base):
    """One search on the site, the API or the chat's fallback, for editors' analytics."""

    __tablename__ = "search_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    source: Mapped[str] = mapped_column(String(16))  # web, api, chat
    query: Mapped[str] = mapped_column(String(400))  # masked, as typed
    normalized: Mapped[str] = mapped_column(String(400), index=True)  # analyzed terms, space-joined
    category: Mapped[str | None] = mapped_column(String(32))
    result_count: Mapped[int] = mapped_column(Integer)
    top_article_id: Mapped[str | None] = mapped_column(String(100))
    elapsed_ms: Mapped[float] = mapped_column(default=0.0)
    confidence: Mapped[str | None] = mapped_column(
        String(16)
    )  # kb.confidence: confident, weak, none


class Feedback(Base):
    """「この記事は役に立ちましたか？」 answers."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    article_id: Mapped[str] = mapped_column(String(100), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")  # masked


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # opaque, random
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    state: Mapped[str] = mapped_column(Text, default="{}")  # the chat engine's state, JSON
    handed_off: Mapped[bool] = mapped_column(Boolean, default=False)
    turns: Mapped[list[ChatTurn]] = relationship(
        back_populates="conversation", order_by="ChatTurn.id", cascade="all, delete-orphan"
    )


class ChatTurn(Base):
    __tablename__ = "chat_turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    # indexed for editors' analytics, which read the turns of a period
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    role: Mapped[str] = mapped_column(String(8))  # user, bot
    text: Mapped[str] = mapped_column(Text)  # masked
    intent: Mapped[str | None] = mapped_column(String(100))  # rule id, "search", "fallback", ...
    normalized: Mapped[str] = mapped_column(
        String(400), default=""
    )  # analyzed terms of a user turn
    article_ids: Mapped[str] = mapped_column(String(400), default="")  # space-separated
    # Of the reply (stored on both turns of an exchange): chatbot.reply.KINDS, kb.confidence's
    # level or None when no ranking decided, and the KB category it was about, if any.
    kind: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32))
    conversation: Mapped[Conversation] = relationship(back_populates="turns")


class Inquiry(Base):
    """A question sent through the contact form."""

    __tablename__ = "inquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_number: Mapped[str] = mapped_column(String(32), unique=True)
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)  # one per form render
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    status: Mapped[str] = mapped_column(
        String(16), default="new", index=True
    )  # web.core.vocabulary.InquiryStatus
    channel: Mapped[str] = mapped_column(String(8), default="form", server_default="form")
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    assignee: Mapped[User | None] = relationship()
    name: Mapped[str] = mapped_column(String(100))
    facility_name: Mapped[str] = mapped_column(String(200))
    facility_type: Mapped[str] = mapped_column(String(16))
    institution_code: Mapped[str] = mapped_column(String(10), default="")
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(20), default="")
    category: Mapped[str] = mapped_column(String(32), index=True)  # the console filters on it
    message: Mapped[str] = mapped_column(Text)
    transcript: Mapped[str] = mapped_column(Text, default="")  # the chat that led here, masked
    conversation_token: Mapped[str | None] = mapped_column(String(64), index=True)
    notes: Mapped[list[InquiryNote]] = relationship(
        back_populates="inquiry", order_by="InquiryNote.id", cascade="all, delete-orphan"
    )
    mails: Mapped[list[OutboxMail]] = relationship(
        back_populates="inquiry", order_by="OutboxMail.id", cascade="all, delete-orphan"
    )


class InquiryNote(Base):
    __tablename__ = "inquiry_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(
        ForeignKey("inquiries.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    author_email: Mapped[str] = mapped_column(String(254))
    text: Mapped[str] = mapped_column(Text)
    inquiry: Mapped[Inquiry] = relationship(back_populates="notes")


class OutboxMail(Base):
    """A mail to send, stored in the transaction of the event that caused it (the outbox
    pattern): web.core.outbox delivers it, retries it and records how it went."""

    __tablename__ = "outbox_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    inquiry_id: Mapped[int | None] = mapped_column(
        ForeignKey("inquiries.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # acknowledgement, agent_notice, reply
    author_email: Mapped[str | None] = mapped_column(String(254))  # the agent of a reply
    to_address: Mapped[str] = mapped_column(String(320))
    reply_to: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    # waiting → sending (claimed by one sender) → sent; or failed (given up) with the reason
    state: Mapped[str] = mapped_column(String(16), default="waiting", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    claim: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str] = mapped_column(String(300), default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    inquiry: Mapped[Inquiry | None] = relationship(back_populates="mails")


class User(Base):
    """A console user: agent (inquiries), editor (analytics, preview) or admin (users)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Raised by logout, a password change or reset: every session of an older epoch ends.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ArticleView(Base):
    """Views of an article per day: 「よく見られている記事」 and editors' analytics."""

    __tablename__ = "article_views"
    __table_args__ = (UniqueConstraint("article_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[str] = mapped_column(String(100), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    views: Mapped[int] = mapped_column(Integer, default=0)


class ArticleRevision(Base):
    """One version of an article's file, as an editor saved it in the console.

    Lifecycle (web.console.editor): draft → submitted (approval asked) → published (written to
    the articles folder) or rejected. `base_sha256` is the hash of the file on disk when the
    draft began ('' for a new article): a file changed since is a conflict, never overwritten.
    """

    __tablename__ = "article_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    # edit, new, revert, review (marked reviewed), retire
    kind: Mapped[str] = mapped_column(String(16), default="edit")
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    author_email: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)  # the whole file (retire: the file as it was)
    base_sha256: Mapped[str] = mapped_column(String(64), default="")
    replaced_by: Mapped[str | None] = mapped_column(String(100))  # retire: the successor
    reviewer_email: Mapped[str | None] = mapped_column(String(254))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str] = mapped_column(String(300), default="")
    published_sha256: Mapped[str] = mapped_column(String(64), default="")


class AuditEvent(Base):
    """Who did what to the knowledge base and when (admins read it at /console/audit)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    actor_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(32))  # web.console.editor.AUDIT_LABELS
    article_id: Mapped[str] = mapped_column(String(100), index=True)
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("article_revisions.id", ondelete="SET NULL")
    )
    detail: Mapped[str] = mapped_column(String(300), default="")
