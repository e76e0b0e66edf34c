"""filed: the committees' counts recounted with each record in the week it is filed under

Revision ID: 0017_filed
Revises: 0016_counts2
Create Date: 2026-12-03 11:00:00

A record that arrives after its week is over is now counted in the week it arrived in
(`canvass.insight.cells.filed_week`), which the counts read from the conversation's `week`. Stored
conversations are counted again here, as 0007 did before the counts read that column; a later
migration that changes what `tallies.rebuild` reads or writes must take the recount over from here.
"""
from alembic import op

from canvass.services.committee import tallies

revision = "0017_filed"
down_revision = "0016_counts2"
branch_labels = None
depends_on = None


def upgrade():
    tallies.rebuild(op.get_bind())


def downgrade():
    # The schema is unchanged; the counts stay as recounted (the rows count the same conversations).
    pass
