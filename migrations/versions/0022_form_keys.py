"""form keys: the id of the form a branch or the first organisation was made with, so a double tap makes one

Revision ID: 0022_forms
Revises: 0021_names
Create Date: 2026-12-03 17:00:00

A double tap on «Opprett lag» ended on the second tap's «finnes allerede», and one on the first-run «Sett opp»
on «Feil oppsettskode» with the new admin logged out, although the first tap had done the work. As «Bli med» and
«Opprett aksjon» do (0018, 0020), the form's id is stored, unique, with what it made.
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_forms"
down_revision = "0021_names"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("organisation", "branch"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("form_key", sa.String(length=36), nullable=True))
            batch_op.create_unique_constraint(f"uq_{table}_form_key", ["form_key"])


def downgrade():
    for table in ("branch", "organisation"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_form_key", type_="unique")
            batch_op.drop_column("form_key")
