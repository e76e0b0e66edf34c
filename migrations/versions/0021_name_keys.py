"""names: a branch's and an organisation's name as compared (one spelling, case folded), unique

Revision ID: 0021_names
Revises: 0020_formkey
Create Date: 2026-12-03 16:00:00

"Bydel Sagene" and "bydel sagene" were refused only by a check before the insert, so two forms sent at the same
moment made both: the unique key compared the exact spelling. The key compared now is `canvass.typed.name_key`.
Names stored before that already differ in it but for the exceptions two requests at once could make; such a
later one keeps its name and gets its id in its key, so the upgrade never fails on them.
"""
import sqlalchemy as sa
from alembic import op

from canvass.typed import name_key

revision = "0021_names"
down_revision = "0020_formkey"
branch_labels = None
depends_on = None

# Up to three characters per character once case-folded ("ﬃ" is "ffi"), from names of at most 100.
KEY_LENGTH = 300


def _fill(table: str, scope: str | None) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT id, name{', ' + scope if scope else ''} FROM {table} ORDER BY id")).all()
    seen = set()
    for row in rows:
        key = name_key(row.name)
        if (getattr(row, scope) if scope else None, key) in seen:
            key = f"{key} #{row.id}"
        seen.add((getattr(row, scope) if scope else None, key))
        bind.execute(sa.text(f"UPDATE {table} SET name_key = :key WHERE id = :id"), {"key": key, "id": row.id})


def upgrade():
    for table in ("organisation", "branch"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("name_key", sa.String(length=KEY_LENGTH), nullable=True))
    _fill("organisation", None)
    _fill("branch", "organisation_id")
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=KEY_LENGTH), nullable=False)
        batch_op.create_unique_constraint("uq_organisation_name_key", ["name_key"])
    with op.batch_alter_table("branch") as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=KEY_LENGTH), nullable=False)
        batch_op.create_unique_constraint("uq_branch_name_key", ["organisation_id", "name_key"])


def downgrade():
    with op.batch_alter_table("branch") as batch_op:
        batch_op.drop_constraint("uq_branch_name_key", type_="unique")
        batch_op.drop_column("name_key")
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.drop_constraint("uq_organisation_name_key", type_="unique")
        batch_op.drop_column("name_key")
