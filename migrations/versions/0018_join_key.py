"""join: the id of the invite form a volunteer joined with, so a double tap on "Bli med" joins once

Revision ID: 0018_join
Revises: 0017_filed
Create Date: 2026-12-03 11:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0018_join"
down_revision = "0017_filed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("join_key", sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint("uq_user_join_key", ["join_key"])


def downgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_constraint("uq_user_join_key", type_="unique")
        batch_op.drop_column("join_key")
