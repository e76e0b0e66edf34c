"""counts2: the postal split of each atom of answers stored (answer_piece), so views by postal code only sum

Revision ID: 0016_counts2
Revises: 0015_counts
Create Date: 2026-12-02 09:00:00

The pieces are derived from answer_count's postal grain (grain 1) under the rule's k = 5, as
`canvass.services.committee.answer_counts.resplit` derives them; the split is written out here, not imported, so a
later change to that module cannot change what this migration did.
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_counts2"
down_revision = "0015_counts"
branch_labels = None
depends_on = None

K = 5
OTHER = "annet"
ATOM = ["question_id", "organisation_id", "week", "district_number", "branch_id", "action_id"]


def _pieces(rows):
    """(piece, value) → n for one atom's postal rows (postal code, value, n); nothing below K residents."""
    codes = {code: n for code, value, n in rows if value == ""}
    if sum(codes.values()) < K:
        return {}
    shown = {}
    if "" not in codes:
        # canvass.insight.suppress: codes of at least K, the rest together, and the smallest shown codes join the
        # rest until it has at least K.
        cells = sorted(((c, n) for c, n in codes.items() if n > 0), key=lambda kv: (-kv[1], str(kv[0])))
        kept = [(c, n) for c, n in cells if n >= K]
        other = sum(n for _, n in cells if n < K)
        while 0 < other < K:
            _, n = kept.pop()
            other += n
        shown = dict(kept)
    found = {}
    for code, value, n in rows:
        piece = code if code in shown else OTHER
        found[(piece, value)] = found.get((piece, value), 0) + n
    return found


def upgrade():
    pieces = op.create_table(
        "answer_piece",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("district_number", sa.String(length=6), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("piece", sa.String(length=5), nullable=False),
        sa.Column("value", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*ATOM, "piece", "value", name=op.f("pk_answer_piece")),
        sqlite_with_rowid=False,
    )
    # A view sums one question's pieces per piece and value: in this order the sum needs no sort.
    op.create_index("ix_answer_piece_summed", "answer_piece", ["question_id", "organisation_id", "piece", "value",
                                                               "week", "district_number", "branch_id", "action_id",
                                                               "n"])
    connection = op.get_bind()
    # Typed columns, so the week comes back a date on SQLite too.
    counts = sa.table("answer_count", sa.column("question_id", sa.Integer), sa.column("organisation_id", sa.Integer),
                      sa.column("grain", sa.Integer), sa.column("week", sa.Date),
                      sa.column("district_number", sa.String), sa.column("branch_id", sa.Integer),
                      sa.column("action_id", sa.Integer), sa.column("postnummer", sa.String),
                      sa.column("value", sa.String), sa.column("n", sa.Integer))
    atoms = [counts.c[name] for name in ATOM]
    found = connection.execute(sa.select(*atoms, counts.c.postnummer, counts.c.value, counts.c.n)
                               .where(counts.c.grain == 1).order_by(*atoms)).all()
    batch, atom, rows = [], None, []

    def flush():
        batch.extend({**dict(zip(ATOM, atom, strict=True)), "piece": piece, "value": value, "n": n}
                     for (piece, value), n in _pieces(rows).items())

    for *key, code, value, n in found:
        if tuple(key) != atom:
            if atom is not None:
                flush()
            atom, rows = tuple(key), []
        rows.append((code, value, n))
    if atom is not None:
        flush()
    for start in range(0, len(batch), 5000):
        op.bulk_insert(pieces, batch[start:start + 5000])


def downgrade():
    op.drop_index("ix_answer_piece_summed", table_name="answer_piece")
    op.drop_table("answer_piece")
