"""assignment ids: never given again on SQLite, as a phone keeps a walk list offline by its assignment's id

Revision ID: 0023_ids
Revises: 0022_forms
Create Date: 2026-12-03 17:30:00

SQLite gives a new row the largest id in the table plus one, so an assignment released (deleted) and the next one
made got the same id: the volunteer's phone found the old turf's walk list under the new one's address, said it
was downloaded, and filed a conversation under the old turf. AUTOINCREMENT never gives an id twice. PostgreSQL's
sequence never did.
"""
from alembic import op

revision = "0023_ids"
down_revision = "0022_forms"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("assignment", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("assignment", recreate="always", table_kwargs={"sqlite_autoincrement": False}):
            pass
