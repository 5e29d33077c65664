"""console indexes: chat turns by time (analytics periods), inquiries by category (filter)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:23:12.313556
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_turns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_turns_created_at"), ["created_at"], unique=False)

    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inquiries_category"), ["category"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inquiries_category"))

    with op.batch_alter_table("chat_turns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_turns_created_at"))
