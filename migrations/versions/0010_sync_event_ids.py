"""sync: one ledger of the ids phones used, so an id names one record of one type for ever

Revision ID: 0010_sync
Revises: 0010_accounts
Create Date: 2026-12-01 14:00:00

Existing records are entered in the ledger: visits, then door notes, then input without a door
(a conversation whose id is no visit's). Where an id was already used twice across types (the
attack of issue 13), the first of those is the one the ledger keeps.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_sync"
down_revision = "0010_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sync_event",
        sa.Column("client_uuid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("client_uuid", name=op.f("pk_sync_event")),
    )
    op.execute("INSERT INTO sync_event (client_uuid, kind) SELECT client_uuid, 'visit' FROM visit")
    op.execute(
        "INSERT INTO sync_event (client_uuid, kind) SELECT client_uuid, 'note' FROM address_note"
        " WHERE client_uuid NOT IN (SELECT client_uuid FROM sync_event)"
    )
    op.execute(
        "INSERT INTO sync_event (client_uuid, kind) SELECT visit_uuid, 'input' FROM conversation"
        " WHERE visit_uuid NOT IN (SELECT client_uuid FROM sync_event)"
    )


def downgrade():
    op.drop_table("sync_event")
