"""figures: a theme is published to members only once a person has named it

Revision ID: 0012_figures
Revises: 0011_jobs
Create Date: 2026-12-01 20:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_figures'
down_revision = '0011_jobs'
branch_labels = None
depends_on = None


def upgrade():
    # Themes found before this have a label nobody is known to have chosen: they start as proposals.
    with op.batch_alter_table('theme') as batch_op:
        batch_op.add_column(sa.Column('named', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('theme') as batch_op:
        batch_op.drop_column('named')
