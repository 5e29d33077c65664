"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 11:18:33.204921
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("article_id", "day"),
    )
    with op.batch_alter_table("article_views", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_views_article_id"), ["article_id"], unique=False
        )

    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("handed_off", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversations_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("article_id", sa.String(length=100), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_article_id"), ["article_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_created_at"), ["created_at"], unique=False)

    op.create_table(
        "inquiries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_number", sa.String(length=32), nullable=False),
        sa.Column("submission_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("facility_name", sa.String(length=200), nullable=False),
        sa.Column("facility_type", sa.String(length=16), nullable=False),
        sa.Column("institution_code", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("conversation_token", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("receipt_number"),
        sa.UniqueConstraint("submission_token"),
    )
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inquiries_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inquiries_status"), ["status"], unique=False)

    op.create_table(
        "search_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("query", sa.String(length=400), nullable=False),
        sa.Column("normalized", sa.String(length=400), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("result_count", sa.Integer(), nullable=False),
        sa.Column("top_article_id", sa.String(length=100), nullable=True),
        sa.Column("elapsed_ms", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("search_logs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_logs_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_search_logs_normalized"), ["normalized"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "chat_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=100), nullable=True),
        sa.Column("normalized", sa.String(length=400), nullable=False),
        sa.Column("article_ids", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("chat_turns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chat_turns_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "inquiry_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_email", sa.String(length=254), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["inquiry_id"], ["inquiries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inquiry_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inquiry_notes_inquiry_id"), ["inquiry_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inquiry_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiry_notes_inquiry_id"))

    op.drop_table("inquiry_notes")
    with op.batch_alter_table("chat_turns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_turns_conversation_id"))

    op.drop_table("chat_turns")
    op.drop_table("users")
    with op.batch_alter_table("search_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_logs_normalized"))
        batch_op.drop_index(batch_op.f("ix_search_logs_created_at"))

    op.drop_table("search_logs")
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiries_status"))
        batch_op.drop_index(batch_op.f("ix_inquiries_created_at"))

    op.drop_table("inquiries")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_created_at"))
        batch_op.drop_index(batch_op.f("ix_feedback_article_id"))

    op.drop_table("feedback")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_created_at"))

    op.drop_table("conversations")
    with op.batch_alter_table("article_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_views_article_id"))

    op.drop_table("article_views")
