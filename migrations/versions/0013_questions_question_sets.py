"""questions: question sets asked at the door, their answers, and a conversation guide per action

The free text typed into an action's "Spørsmål" field becomes the action's first question set, one
free-text question per line; the old column goes.

Revision ID: 0013_questions
Revises: 0013_holders
Create Date: 2026-12-01 23:30:00

"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_questions'
down_revision = '0013_holders'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'question_set',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_question_set_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_question_set_branch_id_branch')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question_set')),
    )
    with op.batch_alter_table('question_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_set_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_set_branch_id'), ['branch_id'], unique=False)
    op.create_table(
        'question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('set_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('text', sa.String(length=200), nullable=False),
        sa.Column('options', sa.Text(), nullable=False),
        sa.Column('low_label', sa.String(length=60), nullable=False),
        sa.Column('high_label', sa.String(length=60), nullable=False),
        sa.Column('retired', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(['set_id'], ['question_set.id'], name=op.f('fk_question_set_id_question_set'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_question')),
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_set_id'), ['set_id'], unique=False)
    op.create_table(
        'answer',
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=True),
        sa.Column('action_id', sa.Integer(), nullable=True),
        sa.Column('district_number', sa.String(length=6), nullable=True),
        sa.Column('week', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_answer_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'],
                                name=op.f('fk_answer_conversation_id_conversation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_answer_question_id_question')),
        sa.PrimaryKeyConstraint('conversation_id', 'question_id', 'value', name=op.f('pk_answer')),
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_question_id'), ['question_id'], unique=False)
        batch_op.create_index('ix_answer_question_cell', ['question_id', 'organisation_id', 'week', 'district_number',
                                                          'branch_id', 'action_id', 'value', 'conversation_id'],
                              unique=False)
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_set_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_campaign_question_set_id_question_set'), 'question_set',
                                    ['question_set_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_set_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('guide', sa.Text(), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_action_question_set_id_question_set'), 'question_set',
                                    ['question_set_id'], ['id'], ondelete='SET NULL')

    # Written out here rather than imported, so later changes to the app do not change what this did.
    action = sa.table('action', sa.column('id', sa.Integer), sa.column('organisation_id', sa.Integer),
                      sa.column('branch_id', sa.Integer), sa.column('title', sa.String),
                      sa.column('questions', sa.Text), sa.column('question_set_id', sa.Integer))
    question_set = sa.table('question_set', sa.column('id', sa.Integer), sa.column('organisation_id', sa.Integer),
                            sa.column('branch_id', sa.Integer), sa.column('name', sa.String),
                            sa.column('created_at', sa.DateTime))
    question = sa.table('question', sa.column('set_id', sa.Integer), sa.column('position', sa.Integer),
                        sa.column('kind', sa.String), sa.column('text', sa.String), sa.column('options', sa.Text),
                        sa.column('low_label', sa.String), sa.column('high_label', sa.String),
                        sa.column('retired', sa.Boolean))
    connection = op.get_bind()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    for row in connection.execute(sa.select(action.c.id, action.c.organisation_id, action.c.branch_id,
                                            action.c.title, action.c.questions).order_by(action.c.id)).all():
        lines = [line.strip()[:200] for line in (row.questions or "").splitlines() if line.strip()]
        if not lines:
            continue
        set_id = connection.execute(question_set.insert().values(
            organisation_id=row.organisation_id, branch_id=row.branch_id, name=f"Spørsmål: {row.title}"[:120],
            created_at=now).returning(question_set.c.id)).scalar_one()
        connection.execute(question.insert(), [
            {"set_id": set_id, "position": position, "kind": "text", "text": text, "options": "", "low_label": "",
             "high_label": "", "retired": False} for position, text in enumerate(lines, 1)])
        connection.execute(action.update().where(action.c.id == row.id).values(question_set_id=set_id))
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_column('questions')


def downgrade():
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('questions', sa.Text(), server_default='', nullable=False))
    # The questions' texts go back into the old column, one per line; answers and kinds are lost.
    op.execute("UPDATE action SET questions = COALESCE((SELECT string_agg(q.text, chr(10) ORDER BY q.position) "
               "FROM question q WHERE q.set_id = action.question_set_id), '')"
               if op.get_bind().dialect.name == 'postgresql' else
               "UPDATE action SET questions = COALESCE((SELECT group_concat(text, char(10)) FROM "
               "(SELECT q.text FROM question q WHERE q.set_id = action.question_set_id ORDER BY q.position)), '')")
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_action_question_set_id_question_set'), type_='foreignkey')
        batch_op.drop_column('guide')
        batch_op.drop_column('question_set_id')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_campaign_question_set_id_question_set'), type_='foreignkey')
        batch_op.drop_column('question_set_id')
    op.drop_table('answer')
    op.drop_table('question')
    op.drop_table('question_set')
