"""forløb: the APV course (people, plan, help contacts), vurdering, særskilt spor plans,
the handleplan with its follow-up log, sygefravær; a flip-over's wish and proposal levels

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 17:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_FORLOEB_TEXT = ("unit", "tovholder", "moedeleder", "help_contacts", "plan", "handleplan_date")


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.String(), nullable=False, server_default="")


def upgrade() -> None:
    with op.batch_alter_table("forloeb", schema=None) as batch_op:
        for name in _FORLOEB_TEXT:
            batch_op.add_column(_text(name))

    with op.batch_alter_table("flipover", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wish_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_flipover_wish_id"), ["wish_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_flipover_wish_id_flipover", "flipover", ["wish_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.add_column(_text("level"))

    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flipover_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["flipover_id"], ["flipover.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_flipover_id"), ["flipover_id"], unique=True)

    op.create_table(
        "confidentialplan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flipover_id", sa.Integer(), nullable=False),
        *(
            sa.Column(name, sa.String(), nullable=False)
            for name in (
                "problem_kind",
                "gravity",
                "extent",
                "cause",
                "solution",
                "responsible",
                "start",
                "follow_up",
                "status",
                "notes",
            )
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["flipover_id"], ["flipover.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("confidentialplan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_confidentialplan_flipover_id"), ["flipover_id"], unique=True
        )

    op.create_table(
        "actionitem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forloeb_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *(
            sa.Column(name, sa.String(), nullable=False)
            for name in (
                "area",
                "goal",
                "activities",
                "responsible",
                "start",
                "follow_up",
                "status",
                "notes",
            )
        ),
        sa.Column("flipover_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["flipover_id"], ["flipover.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["forloeb_id"], ["forloeb.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("actionitem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actionitem_forloeb_id"), ["forloeb_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_actionitem_flipover_id"), ["flipover_id"], unique=False
        )

    op.create_table(
        "followup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_item_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["action_item_id"], ["actionitem.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_followup_action_item_id"), ["action_item_id"], unique=False
        )

    op.create_table(
        "absencerecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forloeb_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("period_start", sa.String(), nullable=False),
        sa.Column("period_end", sa.String(), nullable=False),
        sa.Column("absence", sa.Float(), nullable=False),
        sa.Column("actual", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["forloeb_id"], ["forloeb.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("absencerecord", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_absencerecord_forloeb_id"), ["forloeb_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("absencerecord")
    op.drop_table("followup")
    op.drop_table("actionitem")
    op.drop_table("confidentialplan")
    op.drop_table("assessment")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_column("level")
    with op.batch_alter_table("flipover", schema=None) as batch_op:
        batch_op.drop_constraint("fk_flipover_wish_id_flipover", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_flipover_wish_id"))
        batch_op.drop_column("wish_id")
    with op.batch_alter_table("forloeb", schema=None) as batch_op:
        for name in reversed(_FORLOEB_TEXT):
            batch_op.drop_column(name)
