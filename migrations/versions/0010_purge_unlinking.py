"""purge unlinking: a conversation marked once the purge has cut it loose; contact and consent ids at random

Revision ID: 0010_purge
Revises: 0010_turf
Create Date: 2026-12-01 14:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010_purge"
down_revision = "0010_turf"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unlinked", sa.Boolean(), server_default=sa.false(), nullable=False))
    # SQLite's INTEGER already holds 64 bits; PostgreSQL needs bigint for random 53-bit ids.
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("consent_record", "contact_id", type_=sa.BigInteger())
        op.alter_column("consent_record", "id", type_=sa.BigInteger(), server_default=None)
        op.alter_column("contact", "id", type_=sa.BigInteger(), server_default=None)
        op.execute("DROP SEQUENCE IF EXISTS consent_record_id_seq")
        op.execute("DROP SEQUENCE IF EXISTS contact_id_seq")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("consent_record", "contact_id", type_=sa.Integer())
        op.alter_column("consent_record", "id", type_=sa.Integer())
        op.alter_column("contact", "id", type_=sa.Integer())
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("unlinked")
