"""turf: door notes belong to the branch whose turf they were written in

Revision ID: 0010_turf
Revises: 0009
Create Date: 2026-12-01 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_turf"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("address_note", schema=None) as batch_op:
        batch_op.add_column(sa.Column("branch_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_address_note_branch_id"), ["branch_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_address_note_branch_id_branch"), "branch", ["branch_id"], ["id"])
    # Earlier notes did not record their turf. The author's latest visit to the same address names
    # it; failing that, the author's own branch. A note neither finds stays off every walk list.
    op.execute("""
        UPDATE address_note SET branch_id = (
            SELECT turf.branch_id FROM visit JOIN turf ON turf.id = visit.turf_id
            WHERE visit.canvasser_id = address_note.author_id AND visit.address_id = address_note.address_id
              AND turf.organisation_id = address_note.organisation_id
            ORDER BY visit.recorded_at DESC, visit.id DESC LIMIT 1)
    """)
    op.execute("""
        UPDATE address_note SET branch_id = (
            SELECT "user".branch_id FROM "user"
            WHERE "user".id = address_note.author_id AND "user".organisation_id = address_note.organisation_id)
        WHERE branch_id IS NULL
    """)


def downgrade():
    with op.batch_alter_table("address_note", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_address_note_branch_id_branch"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_address_note_branch_id"))
        batch_op.drop_column("branch_id")
