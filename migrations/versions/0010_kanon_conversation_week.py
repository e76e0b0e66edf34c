"""kanon: each conversation's Oslo week, the cell a committee reads it in

Revision ID: 0010_kanon
Revises: 0010_sync
Create Date: 2026-12-01 14:00:00

"""

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_kanon"
down_revision = "0010_sync"
branch_labels = None
depends_on = None

CHUNK = 5000


def upgrade():
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("week", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_conversation_week"), ["week"], unique=False)
    # The same Monday as canvass.insight.tally.week_of, written out here so that later changes to the
    # app do not change what this migration did.
    oslo = ZoneInfo("Europe/Oslo")
    conversation = sa.table(
        "conversation", sa.column("id", sa.Integer), sa.column("recorded_at", sa.DateTime), sa.column("week", sa.Date)
    )
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(conversation.c.id, conversation.c.recorded_at)
            .where(conversation.c.id > last)
            .order_by(conversation.c.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            break
        updates = []
        for row in rows:
            day = row.recorded_at.replace(tzinfo=timezone.utc).astimezone(oslo).date()
            updates.append({"key": row.id, "monday": day - timedelta(days=day.weekday())})
        connection.execute(
            conversation.update().where(conversation.c.id == sa.bindparam("key")).values(week=sa.bindparam("monday")),
            updates,
        )
        last = rows[-1].id


def downgrade():
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_week"))
        batch_op.drop_column("week")
