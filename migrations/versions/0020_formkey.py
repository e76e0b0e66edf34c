"""formkey: the id of the form an action was created with, so a double tap on "Opprett aksjon" creates one

Revision ID: 0020_formkey
Revises: 0019_closed
Create Date: 2026-12-03 14:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0020_formkey"
down_revision = "0019_closed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("action") as batch_op:
        batch_op.add_column(sa.Column("form_key", sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint("uq_action_form_key", ["form_key"])


def downgrade():
    with op.batch_alter_table("action") as batch_op:
        batch_op.drop_constraint("uq_action_form_key", type_="unique")
        batch_op.drop_column("form_key")
