"""workflow: channel and assignee of inquiries, users' session epoch

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 05:54:19.827184
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=8), server_default="form", nullable=False)
        )
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_inquiries_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_inquiries_assignee_id_users", "users", ["assignee_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_epoch")

    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.drop_constraint("fk_inquiries_assignee_id_users", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_inquiries_assignee_id"))
        batch_op.drop_column("assignee_id")
        batch_op.drop_column("channel")
