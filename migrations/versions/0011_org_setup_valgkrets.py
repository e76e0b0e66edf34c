"""org: an organisation's party, a one-time setup code, each address's valgkrets

Revision ID: 0011_org
Revises: 0010_kanon
Create Date: 2026-12-01 17:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_org'
down_revision = '0010_kanon'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party', sa.String(length=100), nullable=True))
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valgkretsnummer', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('valgkretsnavn', sa.String(length=100), nullable=True))
        batch_op.create_index('ix_address_valgkrets', ['kommunenummer', 'valgkretsnummer'], unique=False)
    op.create_table(
        'setup_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.Column('replaced_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('setup_code')
    with op.batch_alter_table('address', schema=None) as batch_op:
        batch_op.drop_index('ix_address_valgkrets')
        batch_op.drop_column('valgkretsnavn')
        batch_op.drop_column('valgkretsnummer')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('party')
