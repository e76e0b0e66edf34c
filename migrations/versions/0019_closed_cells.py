"""closed: a district in a week a committee could read, closed when a record in it is withdrawn after that

Revision ID: 0019_closed
Revises: 0018_join
Create Date: 2026-12-03 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0019_closed"
down_revision = "0018_join"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "closed_cell",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("district_number", sa.String(length=6), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("organisation_id", "branch_id", "district_number", "week"),
    )


def downgrade():
    op.drop_table("closed_cell")
