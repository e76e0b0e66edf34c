"""doors: a door or address added from the field, counted at once and confirmed by the coordinator

Revision ID: 0012_doors
Revises: 0011_jobs
Create Date: 2026-12-01 20:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_doors'
down_revision = '0012_zero'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'field_door',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_uuid', sa.String(length=36), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('turf_id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=True),
        sa.Column('address_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('unit', sa.String(length=8), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('lat', sa.Float(), nullable=True),
        sa.Column('lon', sa.Float(), nullable=True),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_field_door_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_field_door_branch_id_branch')),
        sa.ForeignKeyConstraint(['turf_id'], ['turf.id'], name=op.f('fk_field_door_turf_id_turf')),
        sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_field_door_action_id_action'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['address_id'], ['address.id'], name=op.f('fk_field_door_address_id_address')),
        sa.ForeignKeyConstraint(['added_by_id'], ['user.id'], name=op.f('fk_field_door_added_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_field_door_decided_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_field_door')),
        sa.UniqueConstraint('client_uuid', name=op.f('uq_field_door_client_uuid')),
    )
    with op.batch_alter_table('field_door', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_door_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_field_door_turf_id'), ['turf_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_field_door_address_id'), ['address_id'], unique=False)


def downgrade():
    with op.batch_alter_table('field_door', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_door_address_id'))
        batch_op.drop_index(batch_op.f('ix_field_door_turf_id'))
        batch_op.drop_index(batch_op.f('ix_field_door_organisation_id'))
    op.drop_table('field_door')
