"""analytics: how sure each search and chat reply was, what each reply was, its category

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 18:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("search_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confidence", sa.String(length=16), nullable=True))

    with op.batch_alter_table("chat_turns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("confidence", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("category", sa.String(length=32), nullable=True))

    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.create_index("ix_inquiries_conversation_token", ["conversation_token"])


def downgrade() -> None:
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_index("ix_inquiries_conversation_token")

    with op.batch_alter_table("chat_turns", schema=None) as batch_op:
        batch_op.drop_column("category")
        batch_op.drop_column("confidence")
        batch_op.drop_column("kind")

    with op.batch_alter_table("search_logs", schema=None) as batch_op:
        batch_op.drop_column("confidence")
