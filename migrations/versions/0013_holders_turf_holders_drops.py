"""holders: standing turf holders (rodeansvarlige) and leaflet drops that give every held turf to its holder

Revision ID: 0013_holders
Revises: 0013_osm
Create Date: 2026-12-01 23:18:54.218124

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_holders'
down_revision = '0013_osm'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('leaflet_drop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('districts', sa.String(length=400), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_leaflet_drop_branch_id_branch')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                            name=op.f('fk_leaflet_drop_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                            name=op.f('fk_leaflet_drop_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leaflet_drop'))
    )
    with op.batch_alter_table('leaflet_drop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leaflet_drop_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leaflet_drop_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('turf_holder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('turf_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('elected', sa.String(length=20), nullable=True),
    sa.Column('since', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                            name=op.f('fk_turf_holder_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['turf_id'], ['turf.id'], name=op.f('fk_turf_holder_turf_id_turf'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_turf_holder_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_turf_holder')),
    sa.UniqueConstraint('user_id', name=op.f('uq_turf_holder_user_id'))
    )
    with op.batch_alter_table('turf_holder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_turf_holder_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_turf_holder_turf_id'), ['turf_id'], unique=False)

    op.create_table('leaflet_drop_action',
    sa.Column('drop_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'],
                            name=op.f('fk_leaflet_drop_action_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['drop_id'], ['leaflet_drop.id'],
                            name=op.f('fk_leaflet_drop_action_drop_id_leaflet_drop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('drop_id', 'action_id', name=op.f('pk_leaflet_drop_action')),
    sa.UniqueConstraint('action_id', name=op.f('uq_leaflet_drop_action_action_id'))
    )


def downgrade():
    op.drop_table('leaflet_drop_action')
    with op.batch_alter_table('turf_holder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_turf_holder_turf_id'))
        batch_op.drop_index(batch_op.f('ix_turf_holder_organisation_id'))

    op.drop_table('turf_holder')
    with op.batch_alter_table('leaflet_drop', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leaflet_drop_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_leaflet_drop_branch_id'))

    op.drop_table('leaflet_drop')
