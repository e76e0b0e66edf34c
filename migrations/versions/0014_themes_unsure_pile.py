"""themes: a "not sure" pile per topic for input that fits none of the committee's themes

Revision ID: 0014_themes
Revises: 0014_mailbox
Create Date: 2026-12-02 03:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_themes'
down_revision = '0014_mailbox'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('theme') as batch_op:
        batch_op.add_column(sa.Column('unsure', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('theme') as batch_op:
        batch_op.drop_column('unsure')
