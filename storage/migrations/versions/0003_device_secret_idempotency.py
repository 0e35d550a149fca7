"""device secret, idempotency keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 11:40:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("device_secret", sa.String(), nullable=False, server_default="")
        )
    # Every existing meeting gets its own secret (phones simply get new, signed ids).
    conn = op.get_bind()
    for (meeting_id,) in conn.execute(sa.text("SELECT id FROM meeting")).fetchall():
        conn.execute(
            sa.text("UPDATE meeting SET device_secret = :s WHERE id = :i"),
            {"s": secrets.token_urlsafe(32), "i": meeting_id},
        )

    op.create_table(
        "idempotencykey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("result", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "key"),
    )
    with op.batch_alter_table("idempotencykey", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotencykey_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("idempotencykey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotencykey_meeting_id"))
    op.drop_table("idempotencykey")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("device_secret")
