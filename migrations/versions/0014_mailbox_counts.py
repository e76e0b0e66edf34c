"""mailbox: a leaflet round's entrance keeps its "Nei takk til reklame" and locked mailbox counts

A visit with the outcome "mailboxes" (protocol 1.4) marks an entrance done on a leaflet round; the two
optional counts are stored on it. The outcome itself needs no change: it is stored as text.

Revision ID: 0014_mailbox
Revises: 0013_questions
Create Date: 2026-12-02 02:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_mailbox'
down_revision = '0013_questions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("visit") as batch:
        batch.add_column(sa.Column("no_ads", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("locked", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("visit") as batch:
        batch.drop_column("locked")
        batch.drop_column("no_ads")
