"""vote closed, turn names

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("phaserun", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("vote_closed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("turn_names", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("phaserun", schema=None) as batch_op:
        batch_op.drop_column("turn_names")
        batch_op.drop_column("vote_closed")
