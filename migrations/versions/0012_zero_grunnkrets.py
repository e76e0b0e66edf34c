"""zero: each address's grunnkrets, so branches can be cut by grunnkrets

Revision ID: 0012_zero
Revises: 0011_jobs
Create Date: 2026-12-01 20:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_zero'
down_revision = '0012_figures'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grunnkretsnummer', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('grunnkretsnavn', sa.String(length=100), nullable=True))
        batch_op.create_index('ix_address_grunnkrets', ['kommunenummer', 'grunnkretsnummer'], unique=False)


def downgrade():
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.drop_index('ix_address_grunnkrets')
        batch_op.drop_column('grunnkretsnavn')
        batch_op.drop_column('grunnkretsnummer')
