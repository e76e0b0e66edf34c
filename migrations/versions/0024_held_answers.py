"""held answers: the stored pieces hold only the answers at least five gave, and each atom whole

Revision ID: 0024_held
Revises: 0023_ids
Create Date: 2026-12-04 11:00:00

"7 answered: 71 % yes, 14 % no, 14 % don't know" said what one resident answered. answer_piece now keeps what a
committee may see of each atom of answers (one question in one cell), as
`canvass.services.committee.answer_counts.split` decides: the whole atom under piece "*", read by the views by area,
week and in all, and its postal pieces, read by the views by postal code, each with only the answers a committee
may see (`canvass.insight.suppress.atom_answers`: all answers or none, and under "-" the residents whose answers
are held back). The rule is written out here, not imported, so a later change to
those modules cannot change what this migration did. The pieces are made again from answer_count's postal grain.
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_held"
down_revision = "0023_ids"
branch_labels = None
depends_on = None

K = 5
OTHER = "annet"
WHOLE = "*"
HELD = "-"
ATOM = ["question_id", "organisation_id", "week", "district_number", "branch_id", "action_id"]


def _merged(counts: dict) -> dict:
    """canvass.insight.suppress.suppress (the postal codes of an atom): the cells of at least K, the smallest of them
    joining the rest until it too has at least K."""
    cells = sorted(((key, n) for key, n in counts.items() if n > 0), key=lambda kv: (-kv[1], str(kv[0])))
    if sum(n for _, n in cells) < K:
        return {}
    kept = [(key, n) for key, n in cells if n >= K]
    held = sum(n for _, n in cells if n < K)
    while 0 < held < K:
        _, n = kept.pop()
        held += n
    return dict(kept)


def _shown(counts: dict, residents: int, single: bool) -> dict:
    """canvass.insight.suppress.answers_shown at k = 5: all answers or none."""
    if single:
        unanswered = residents - sum(counts.values())
        every = all(n == 0 or n >= K for n in (*counts.values(), unanswered))
    else:
        every = all(n >= K and (residents - n >= K or residents == n) for n in counts.values() if n)
    return {value: n for value, n in counts.items() if n} if every else {}


def split(rows, single: bool) -> dict:
    """(piece, value) → n for one atom's postal rows (postal code, value, n): whole and by piece, the answers shown."""
    codes = {code: n for code, value, n in rows if value == ""}
    if sum(codes.values()) < K:
        return {}
    kept = {} if "" in codes else _merged(codes)
    pieces: dict = {}
    for code, value, n in rows:
        residents, given = pieces.setdefault(code if code in kept else OTHER, (0, {}))
        if value == "":
            pieces[code if code in kept else OTHER] = (residents + n, given)
        else:
            given[value] = given.get(value, 0) + n
    whole: dict = {}
    for _, given in pieces.values():
        for value, n in given.items():
            whole[value] = whole.get(value, 0) + n
    total = sum(codes.values())
    shown = _shown(whole, total, single)
    alike = bool(shown) and all(_shown(given, n, single) for n, given in pieces.values())
    found = {}
    for piece, residents, answers in [(WHOLE, total, shown), *((piece, n, {v: c for v, c in given.items() if c}
                                                                  if alike else {})
                                                                 for piece, (n, given) in pieces.items())]:
        found[(piece, "")] = residents
        found.update({(piece, value): n for value, n in answers.items()})
        if not answers:
            found[(piece, HELD)] = residents
    return found


def upgrade():
    connection = op.get_bind()
    # Typed, so the week is a date on SQLite too.
    cell = [sa.column("question_id", sa.Integer), sa.column("organisation_id", sa.Integer), sa.column("week", sa.Date),
            sa.column("district_number", sa.String), sa.column("branch_id", sa.Integer),
            sa.column("action_id", sa.Integer)]
    counts = sa.table("answer_count", *cell, sa.column("grain", sa.Integer), sa.column("postnummer", sa.String),
                      sa.column("value", sa.String), sa.column("n", sa.Integer))
    pieces = sa.table("answer_piece", *(sa.column(c.name, c.type) for c in cell), sa.column("piece", sa.String),
                      sa.column("value", sa.String), sa.column("n", sa.Integer))
    questions = sa.table("question", sa.column("id", sa.Integer), sa.column("kind", sa.String))
    several = set(connection.scalars(sa.select(questions.c.id).where(questions.c.kind == "many")))
    atoms = [counts.c[name] for name in ATOM]
    found = connection.execute(sa.select(*atoms, counts.c.postnummer, counts.c.value, counts.c.n)
                               .where(counts.c.grain == 1).order_by(*atoms)).all()
    connection.execute(sa.delete(pieces))
    batch, atom, rows = [], None, []

    def flush():
        batch.extend({**dict(zip(ATOM, atom, strict=True)), "piece": piece, "value": value, "n": n}
                     for (piece, value), n in split(rows, atom[0] not in several).items())

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
    # The earlier code reads the postal pieces it finds; the whole atoms ("*") are not its and go. What is held back
    # stays held back.
    connection = op.get_bind()
    connection.execute(sa.text("DELETE FROM answer_piece WHERE piece = '*'"))
