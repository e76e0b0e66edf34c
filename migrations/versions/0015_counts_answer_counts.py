"""counts: the answers counted per question, cell and postal code, so question views never read the answers

Revision ID: 0015_counts
Revises: 0014_themes
Create Date: 2026-12-02 06:00:00

The counts are derived from the answers and their conversations' postal codes, so they are counted here in
SQL from what is stored, as `canvass.services.committee.answer_counts.rebuild` does (written out, not imported, so a
later change to that module cannot change what this migration did).
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_counts"
down_revision = "0014_themes"
branch_labels = None
depends_on = None

KEY = ["question_id", "organisation_id", "grain", "week", "district_number", "branch_id", "action_id",
       "postnummer", "value"]
CELL = ("a.organisation_id, a.week, COALESCE(a.district_number, ''), COALESCE(a.branch_id, 0), "
        "COALESCE(a.action_id, 0)")


def upgrade():
    op.create_table(
        "answer_count",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("grain", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("district_number", sa.String(length=6), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("postnummer", sa.String(length=4), nullable=False),
        sa.Column("value", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_answer_count")),
        sqlite_with_rowid=False,
    )
    columns = ", ".join(KEY + ["n"])
    # Grain 0, the cell: each value (never a free text's words), then the residents under value "".
    op.execute(
        f"INSERT INTO answer_count ({columns}) SELECT a.question_id, a.organisation_id, 0, a.week,"
        " COALESCE(a.district_number, ''), COALESCE(a.branch_id, 0), COALESCE(a.action_id, 0), '', a.value,"
        " COUNT(*) FROM answer a JOIN question q ON q.id = a.question_id"
        f" WHERE q.kind != 'text' AND a.week IS NOT NULL GROUP BY a.question_id, {CELL}, a.value")
    op.execute(
        f"INSERT INTO answer_count ({columns}) SELECT a.question_id, a.organisation_id, 0, a.week,"
        " COALESCE(a.district_number, ''), COALESCE(a.branch_id, 0), COALESCE(a.action_id, 0), '', '',"
        f" COUNT(DISTINCT a.conversation_id) FROM answer a WHERE a.week IS NOT NULL GROUP BY a.question_id, {CELL}")
    # Grain 1, the cell by its conversations' postal codes ("" where the purge has taken it).
    op.execute(
        f"INSERT INTO answer_count ({columns}) SELECT a.question_id, a.organisation_id, 1, a.week,"
        " COALESCE(a.district_number, ''), COALESCE(a.branch_id, 0), COALESCE(a.action_id, 0),"
        " COALESCE(c.postnummer, ''), a.value, COUNT(*)"
        " FROM answer a JOIN question q ON q.id = a.question_id JOIN conversation c ON c.id = a.conversation_id"
        f" WHERE q.kind != 'text' AND a.week IS NOT NULL GROUP BY a.question_id, {CELL}, COALESCE(c.postnummer, ''),"
        " a.value")
    op.execute(
        f"INSERT INTO answer_count ({columns}) SELECT a.question_id, a.organisation_id, 1, a.week,"
        " COALESCE(a.district_number, ''), COALESCE(a.branch_id, 0), COALESCE(a.action_id, 0),"
        " COALESCE(c.postnummer, ''), '', COUNT(DISTINCT a.conversation_id)"
        " FROM answer a JOIN conversation c ON c.id = a.conversation_id"
        f" WHERE a.week IS NOT NULL GROUP BY a.question_id, {CELL}, COALESCE(c.postnummer, '')")
    # The answers were counted from this index; the counts serve every view now.
    op.drop_index("ix_answer_question_cell", table_name="answer")


def downgrade():
    op.create_index("ix_answer_question_cell", "answer", ["question_id", "organisation_id", "week",
                                                          "district_number", "branch_id", "action_id", "value",
                                                          "conversation_id"])
    op.drop_table("answer_count")
