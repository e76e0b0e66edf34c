"""committee counts at four grains (day or week, postal code or district), and the input that can be read

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 16:20:00

The counts are derived from the conversations, so the table is made afresh; every stored
conversation is counted again by the latest migration that took the recount over (0017_filed),
since `tallies.rebuild` reads and writes the current shape.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CELL = ["organisation_id", "day", "action_id", "branch_id", "postnummer", "district_number", "topic"]


def upgrade():
    op.drop_table("input_tally")
    op.create_table(
        "input_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("grain", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("postnummer", sa.String(length=4), nullable=False),
        sa.Column("district_number", sa.String(length=6), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("residents", sa.Integer(), nullable=False),
        sa.Column("importance_sum", sa.Integer(), nullable=False),
        sa.Column("importance_count", sa.Integer(), nullable=False),
        sa.Column("strong", sa.Integer(), nullable=False),
        sa.Column("said", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_input_tally")),
        sa.UniqueConstraint("organisation_id", "grain", *CELL[1:], name="uq_input_tally_cell"),
    )
    op.create_index(
        "ix_input_tally_by_postal_code",
        "input_tally",
        [
            "organisation_id",
            "grain",
            "postnummer",
            "district_number",
            "topic",
            "residents",
            "importance_sum",
            "importance_count",
            "strong",
            "said",
        ],
    )


def downgrade():
    op.drop_index("ix_input_tally_by_postal_code", "input_tally")
    op.execute(sa.text("DELETE FROM input_tally WHERE grain != 0"))
    with op.batch_alter_table("input_tally", schema=None) as batch_op:
        batch_op.drop_constraint("uq_input_tally_cell", type_="unique")
        batch_op.drop_column("said")
        batch_op.drop_column("grain")
        batch_op.create_unique_constraint("uq_input_tally_cell", CELL)
