"""Keeping the answer counts (`AnswerCount`) in step with the answers, in the same transaction as the answers' write.

Every place answers come and go calls one function here: sync's ingest (`record`), an undone or corrected
visit (`withdraw`) and the purge that takes the postal code from a conversation after 30 days
(`forget_postal_codes`: the conversation's counts move to postal code "", as its answers lose theirs with the
conversation). Erasure on request masks what the person is named in and deletes no answer, so it changes no
count. `rebuild` counts every stored answer afresh (`flask counts rebuild-answers`, and the migration that made
the table); a test holds it equal to the incremental counts after any mix of the above.

What a committee may see of each atom (`AnswerPiece`) is kept here too: whenever an atom's postal counts change,
that one atom (one question in one cell, a handful of postal codes) is split again (`resplit`) under the rule's k,
whole and by postal code, with only the answers at least k gave (canvass.insight.suppress.atom_answers), so every
view sums stored pieces and never splits in Python.

Flask-free apart from the database session.
"""
from collections import Counter
from collections.abc import Iterable, Mapping

from sqlalchemy import bindparam, delete, distinct, func, insert, literal_column, select

from canvass.extensions import db
from canvass.insight.suppress import OTHER, K, atom_answers, suppress
from canvass.models import Answer, AnswerCount, AnswerPiece, Conversation, Question
from canvass.services import bulk
from canvass.services.committee import held_counts

CELL_GRAIN, POSTAL_GRAIN = 0, 1
# The residents of a key: the distinct conversations that answered the question.
RESIDENTS = ""
KEY = ("question_id", "organisation_id", "grain", "week", "district_number", "branch_id", "action_id",
       "postnummer", "value")
CELL = ("organisation_id", "week", "district_number", "branch_id", "action_id")
# An atom: everyone who answered one question in one cell.
ATOM = ("question_id", "organisation_id", "week", "district_number", "branch_id", "action_id")
# The stored piece that is the whole atom: what views by area, week and in all read (never a postal code or OTHER).
WHOLE = "*"
# The value under which a piece counts its residents whose answers are held back (never an answer's value).
HELD = "-"
CHUNK = 500


def _of_kind(question_ids: Iterable[int], kind: str, connection=None) -> set[int]:
    """The questions of this kind among these: "text" (their answers are counted as residents only, never by what
    they say) or "many" (a resident may give several answers)."""
    ids = set(question_ids)
    if not ids:
        return set()
    connection = connection if connection is not None else db.session
    return set(connection.scalars(select(Question.id).where(Question.id.in_(ids), Question.kind == kind)))


def deltas(answers: Iterable[Mapping], text: set[int], sign: int = 1) -> Counter:
    """What answers add to the counts (or take from them, with sign -1), key by key.

    Each answer is a mapping with conversation_id, question_id, value, the cell (organisation_id, week,
    district_number, branch_id, action_id) and its conversation's postnummer (None when not known)."""
    counted: Counter = Counter()
    seen = set()
    for a in answers:
        question = a["question_id"]
        cell = (question, a["organisation_id"], a["week"], a["district_number"] or "", a["branch_id"] or 0,
                a["action_id"] or 0)
        place = ((CELL_GRAIN, ""), (POSTAL_GRAIN, a["postnummer"] or ""))
        values = [] if question in text else [a["value"]]
        if (a["conversation_id"], question) not in seen:
            seen.add((a["conversation_id"], question))
            values.append(RESIDENTS)
        for grain, code in place:
            for value in values:
                counted[(cell[0], cell[1], grain, *cell[2:], code, value)] += sign
    return counted


def _apply(counted: Counter, connection=None) -> None:
    """Add each key's change to its row; a row left with nothing in it goes."""
    changes = [{**dict(zip(KEY, key, strict=True)), "n": n} for key, n in counted.items() if n]
    if not changes:
        return
    session = connection if connection is not None else db.session
    if connection is None:
        held_counts.hold(change["organisation_id"] for change in changes)
    table = AnswerCount.__table__
    # Every key's change added to its row in one statement (services/bulk.py).
    bulk.insert(connection if connection is not None else db.session.connection(), table, changes, key=KEY,
                add=("n",))
    emptied = [{f"k_{name}": change[name] for name in KEY} for change in changes if change["n"] < 0]
    if emptied:
        session.execute(delete(table).where(*(table.c[name] == bindparam(f"k_{name}") for name in KEY),
                                            table.c.n <= 0), emptied)
    resplit({tuple(change[name] for name in ATOM) for change in changes if change["grain"] == POSTAL_GRAIN})


def pieces_of(codes: Mapping[str, int], k: int = K) -> dict[str, str]:
    """Which piece each postal code of an atom is counted in, from its residents per code: the code itself when
    it is one of the codes of at least k that canvass.insight.suppress shows, else the rest, OTHER. Once the purge
    has taken one postal code of the atom (or one was never known), the whole atom is the rest: split by which of
    its residents were purged first, a day's difference would be one resident."""
    kept = {} if "" in codes else suppress(codes, k)
    return {code: code if code in kept and code != OTHER else OTHER for code in codes}


def split(rows: Iterable[tuple[str, str, int]], k: int = K, many: bool = False) -> dict[tuple[str, str], int]:
    """What may be shown of an atom, from its postal rows (postal code, value, n): (piece, value) → n, for the whole
    atom (piece WHOLE) and for each of its pieces, their residents and the answers shown
    (canvass.insight.suppress.atom_answers; `many` for a question that takes several answers each), or under HELD
    the residents whose answers are held back. Nothing for an atom of fewer than k residents, which no view shows."""
    rows = list(rows)
    codes = {code: n for code, value, n in rows if value == RESIDENTS}
    if sum(codes.values()) < k:
        return {}
    piece = pieces_of(codes, k)
    pieces: dict[str, tuple[int, dict[str, int]]] = {}
    for code, value, n in rows:
        residents, given = pieces.setdefault(piece[code], (0, {}))
        if value == RESIDENTS:
            pieces[piece[code]] = (residents + n, given)
        else:
            given[value] = given.get(value, 0) + n
    whole, by_piece = atom_answers(pieces, not many, k)
    found: dict[tuple[str, str], int] = {}
    for name, residents, shown in [(WHOLE, sum(codes.values()), whole),
                                   *((name, residents, by_piece[name]) for name, (residents, _) in pieces.items())]:
        found[(name, RESIDENTS)] = residents
        found.update({(name, value): n for value, n in shown.items()})
        if not shown:
            found[(name, HELD)] = residents
    return found


def _piece_rows(atom: tuple, pieces: Mapping[tuple[str, str], int]) -> list[dict]:
    return [{**dict(zip(ATOM, atom, strict=True)), "piece": piece, "value": value, "n": n}
            for (piece, value), n in pieces.items()]


def resplit(atoms: set[tuple]) -> None:
    """Split these atoms (tuples of ATOM) again from their postal counts, replacing their stored pieces."""
    if not atoms:
        return
    t, pieces = AnswerCount.__table__, AnswerPiece.__table__
    at = [{f"a_{name}": value for name, value in zip(ATOM, atom, strict=True)} for atom in sorted(atoms)]
    db.session.execute(delete(pieces).where(*(pieces.c[name] == bindparam(f"a_{name}") for name in ATOM)), at)
    # One look-up per atom, on the counts' key prefix: an atom has a few postal codes and values.
    read = select(t.c.postnummer, t.c.value, t.c.n).where(
        t.c.grain == POSTAL_GRAIN, *(t.c[name] == bindparam(f"a_{name}") for name in ATOM))
    rows = []
    several = _of_kind((atom[0] for atom in atoms), "many")
    for atom, params in zip(sorted(atoms), at, strict=True):
        rows += _piece_rows(atom, split(db.session.execute(read, params), many=atom[0] in several))
    if rows:
        db.session.execute(insert(pieces), rows)


def record(answers: list[dict], postal_codes: Mapping[int, str | None]) -> None:
    """Count answers just stored (rows of the `answer` table), each under its conversation's postal code."""
    if not answers:
        return
    text = _of_kind({a["question_id"] for a in answers}, "text")
    _apply(deltas(({**a, "postnummer": postal_codes.get(a["conversation_id"])} for a in answers), text))


def _stored(conversation_ids: list[int]) -> list[dict]:
    """The stored answers of these conversations, with their conversation's postal code."""
    columns = [Answer.conversation_id, Answer.question_id, Answer.value, *(getattr(Answer, c) for c in CELL),
               Conversation.postnummer]
    found = []
    for start in range(0, len(conversation_ids), CHUNK):
        chunk = conversation_ids[start:start + CHUNK]
        found += [dict(row._mapping) for row in db.session.execute(
            select(*columns).join(Conversation, Conversation.id == Answer.conversation_id)
            .where(Answer.conversation_id.in_(chunk)))]
    return found


def withdraw(conversation_ids: list[int]) -> None:
    """Take the answers of these conversations out of the counts; called before the answers are deleted."""
    answers = _stored(list(conversation_ids))
    _apply(deltas(answers, _of_kind({a["question_id"] for a in answers}, "text"), sign=-1))


def forget_postal_codes(conversation_ids: list[int]) -> None:
    """The purge is about to take these conversations' postal codes: their answers are counted under "" from now
    on, as the figures read an answer whose conversation has no postal code. Called before the codes go."""
    answers = [a for a in _stored(list(conversation_ids)) if a["postnummer"]]
    if not answers:
        return
    text = _of_kind({a["question_id"] for a in answers}, "text")
    # Only the postal grain changes: the cell's own counts are the same before and after.
    moved = deltas(answers, text, sign=-1)
    moved.update(deltas(({**a, "postnummer": None} for a in answers), text))
    _apply(Counter({key: n for key, n in moved.items() if key[2] == POSTAL_GRAIN}))


def rebuild(connection=None) -> int:
    """Count every stored answer afresh, in the database; how many rows of counts there are now."""
    session = connection if connection is not None else db.session
    table = AnswerCount.__table__
    session.execute(delete(table))
    a, c, q = Answer.__table__.c, Conversation.__table__.c, Question.__table__.c
    cell = [a.organisation_id, a.week, func.coalesce(a.district_number, ""), func.coalesce(a.branch_id, 0),
            func.coalesce(a.action_id, 0)]
    for grain, code in ((CELL_GRAIN, None), (POSTAL_GRAIN, func.coalesce(c.postnummer, ""))):
        grouped = [a.question_id, *cell, *([code] if code is not None else [])]
        keys = [a.question_id, cell[0], literal_column(str(grain)), *cell[1:],
                code if code is not None else literal_column("''")]
        # The postal code is the conversation's: the answers never copy it (canvass.models.question.Answer).
        source = Answer.__table__.join(Conversation.__table__, c.id == a.conversation_id) if code is not None \
            else Answer.__table__
        session.execute(insert(table).from_select(list(KEY) + ["n"], select(
            *keys, a.value, func.count()).select_from(source.join(Question.__table__, q.id == a.question_id))
            .where(q.kind != "text", a.week.is_not(None)).group_by(*grouped, a.value)))
        session.execute(insert(table).from_select(list(KEY) + ["n"], select(
            *keys, literal_column("''"), func.count(distinct(a.conversation_id))).select_from(source)
            .where(a.week.is_not(None)).group_by(*grouped)))
    _resplit_all(session)
    return session.scalar(select(func.count()).select_from(table))


def _resplit_all(session) -> None:
    """Split every atom again from the postal counts, in key order so each atom's rows arrive together."""
    t, pieces = AnswerCount.__table__, AnswerPiece.__table__
    session.execute(delete(pieces))
    several = set(session.scalars(select(Question.id).where(Question.kind == "many")))
    rows, atom, batch = [], None, []
    for *key, code, value, n in session.execute(select(*(t.c[name] for name in ATOM), t.c.postnummer, t.c.value,
                                                       t.c.n).where(t.c.grain == POSTAL_GRAIN)
                                                .order_by(*(t.c[name] for name in ATOM))).all():
        if tuple(key) != atom:
            if atom is not None:
                batch += _piece_rows(atom, split(rows, many=atom[0] in several))
            atom, rows = tuple(key), []
        rows.append((code, value, n))
        if len(batch) >= 5000:
            session.execute(insert(pieces), batch)
            batch = []
    if atom is not None:
        batch += _piece_rows(atom, split(rows, many=atom[0] in several))
    if batch:
        session.execute(insert(pieces), batch)


def answered(question_ids: Iterable[int]) -> dict[int, int]:
    """How many conversations answered each question, from the counts."""
    t = AnswerCount
    ids = list(question_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(t.question_id, func.sum(t.n)).where(
        t.question_id.in_(ids), t.grain == CELL_GRAIN, t.value == RESIDENTS).group_by(t.question_id)).all())
