"""Answers to the door questions as a committee reads them: each question's distribution, for the whole
scope, by area (postal code, district, branch) or by week, compared between two areas and on a map, under
the same filters and k rule as every other figure.

Answers are read through atoms, as input is (canvass.insight.cells): an atom is everyone who answered the
question in one cell (action, branch, district, week). An atom with fewer than k is held back everywhere,
and every figure is a sum of visible atoms chosen by whole-cell filters, so any two views (a filter
narrowed, an area compared with a larger one, an export) differ by nobody or by at least k. Within an atom an
answer fewer than k gave is held back too, and by postal code (each visible atom split once, the same way for
every view, into its postal codes of at least k and one rest of at least k) an answer is shown only where every
piece shows it alike (canvass.insight.suppress.atom_answers), so a view by area less one by postal code leaves
no small group either. What may be shown of each atom, whole and by piece, is stored under the rule's k
(AnswerPiece, kept by answer_counts.resplit), so a view is one sum in the database; a committee that has raised
its k splits its atoms as it reads them (`_pieces`), the same way. Free-text answers are read as input is
(`free_texts`): masked, from the visible atoms only, never with who asked or where beyond the cell; the charts
and exports carry only how many gave one.
"""
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from canvass.extensions import db
from canvass.insight.suppress import OTHER, K
from canvass.models import Action, Answer, AnswerCount, AnswerPiece, Campaign, Committee, Question, QuestionSet
from canvass.models.question import SCALE, YES_NO
from canvass.services.committee import answer_counts
from canvass.services.committee.committee_input import scrubber
from canvass.services.committee.committees import Filters, conditions
from canvass.typed import row_id

# The free-text answers shown on a question's page, newest weeks first.
TEXTS = 50
# A cell, as the answer counts name it (canvass.insight.cells): 0 or "" where unknown.
CELL = (AnswerCount.action_id, AnswerCount.branch_id, AnswerCount.district_number, AnswerCount.week)
# Each grouping, with the column of the counts it groups on: None for everything as one group, and for the postal
# code, which splits each atom apart (`_pieces`).
BY = {"all": None, "postnummer": None, "district": "district_number", "branch": "branch_id", "week": "week"}


@dataclass
class Group:
    key: object
    residents: int
    counts: dict[str, int] = field(default_factory=dict)
    # How many residents' answers are held back (canvass.insight.suppress.answers_shown): whole pieces' residents,
    # each at least k, so any sum of them.
    held: int = 0

    def share(self, value: str) -> float:
        return self.counts.get(value, 0) / self.residents if self.residents else 0.0

    def hidden(self, value: str) -> bool:
        """Whether the answer is shown nowhere in the group while answers may be held back: its share is not 0, it is
        not known."""
        return self.held > 0 and not self.counts.get(value)

    @property
    def held_share(self) -> float:
        return self.held / self.residents if self.residents else 0.0

    @property
    def mean(self) -> float | None:
        """A scale's mean over those who answered it; not known while some of their answers are held back."""
        if self.held:
            return None
        answered = sum(self.counts.values())
        return sum(int(v) * n for v, n in self.counts.items() if v.isdigit()) / answered if answered else None


@dataclass
class Distribution:
    question: Question
    by: str
    # The values in the order the door shows them: "yes", "no", "dont_know"; "1"–"5"; option numbers.
    values: list[str]
    groups: list[Group]

    @property
    def shown(self) -> bool:
        return bool(self.groups)

    @property
    def holds(self) -> bool:
        """Whether the question's answers are counted by what they say, and so may be held back (not free text)."""
        return self.question.kind != "text"


def values_of(question: Question) -> list[str]:
    if question.kind == "yes_no":
        return list(YES_NO)
    if question.kind == "scale":
        return list(SCALE)
    if question.kind in ("one", "many"):
        return [value for value, _ in question.numbered_options]
    return []


def _scope(committee: Committee, filters: Filters, action_id: int | None, table=AnswerCount) -> list:
    """The committee's scope and filters as conditions on the cells of the answer counts (or pieces)."""
    where = conditions(committee, filters, table)
    if action_id:
        where.append(table.action_id == action_id)
    return where


def questions_asked(committee: Committee, filters: Filters, action_id: int | None = None) -> list[Question]:
    """The questions the scope's actions ask (their own set or their campaign week's), and any other question
    one of them has a visible atom of answers to (a set switched before switching was refused), set by set, in
    the sets' order. Never from answers below k: whether a question is listed says nothing about whether anyone
    answered it, so narrowing to one action cannot show what one resident answered."""
    actions = select(Action).where(Action.organisation_id == committee.organisation_id)
    for column, value in ((Action.branch_id, committee.branch_id), (Action.branch_id, filters.branch_id),
                          (Action.campaign_id, filters.campaign_id), (Action.id, action_id)):
        if value:
            actions = actions.where(column == value)
    in_scope = list(db.session.scalars(actions))
    sets = {action.asked.id for action in in_scope if action.asked is not None}
    questions = list(db.session.scalars(
        select(Question).join(QuestionSet).where(QuestionSet.organisation_id == committee.organisation_id)
        .order_by(QuestionSet.name, QuestionSet.id, Question.position, Question.id)))
    return [q for q in questions if q.set_id in sets or _answered_visibly(committee, q, [a.id for a in in_scope])]


def _answered_visibly(committee: Committee, question: Question, action_ids: list[int]) -> bool:
    """Whether one of the actions has a cell of at least k residents answering the question that the committee may
    read (the key's prefix, so a question nobody answered costs one index look-up): a cell still filling must not
    put a question on the list the moment its fifth resident answers, nor a closed one take it off."""
    if not action_ids:
        return False
    return db.session.scalar(select(AnswerCount.question_id).where(
        AnswerCount.question_id == question.id, *conditions(committee, Filters(), AnswerCount),
        AnswerCount.grain == 0, AnswerCount.value == "", AnswerCount.n >= committee.k,
        AnswerCount.action_id.in_(action_ids)).limit(1)) is not None


def question_in(committee: Committee, question_id: int) -> Question | None:
    """The question, if it is one of the committee's organisation's."""
    question = db.session.get(Question, question_id)
    if question is None or question.question_set.organisation_id != committee.organisation_id:
        return None
    return question


# The columns that name a row of the counts but its value.
ROW = ("question_id", "organisation_id", "grain", "week", "district_number", "branch_id", "action_id", "postnummer")


def _cell_of(t, cell, k: int) -> list:
    """Conditions that join `cell` to the residents of the visible atom `t`'s row lies in: the cell's own row of
    residents (grain 0, value ""), with at least k in it."""
    return [*(getattr(cell, c) == getattr(t, c) for c in ROW if c not in ("grain", "postnummer")),
            cell.grain == answer_counts.CELL_GRAIN, cell.postnummer == "", cell.value == answer_counts.RESIDENTS,
            cell.n >= k]


def _groups(committee: Committee, question: Question, filters: Filters, action_id: int | None,
            bys: list[str]) -> dict[str, dict[object, tuple[int, dict[str, int]]]]:
    """Residents and their answers per group of each of `bys` (none by postal code), summed from the visible atoms
    whole (`_piece_sums`): one read grouped by every column they need, each grouping then summed from its rows."""
    columns = list(dict.fromkeys(BY[by] for by in bys if BY[by]))
    found: dict[str, dict[object, tuple[int, dict[str, int]]]] = {by: {} for by in bys}
    for *key, value, n in _piece_sums(committee, question, filters, action_id, columns, whole=True):
        row = dict(zip(columns, key, strict=True))
        for by in bys:
            # Unknown is stored as 0 or "": shown as "" (no branch, no district), as before the counts.
            group = (row[BY[by]] or "") if BY[by] else ""
            found[by][group] = _added(found[by].get(group), value, n)
    return found


def _added(group: tuple[int, dict[str, int]] | None, value: str, n: int) -> tuple[int, dict[str, int]]:
    """A group's residents and answers with one summed row (residents, or one answer) added."""
    residents, counts = group or (0, {})
    if value == answer_counts.RESIDENTS:
        return residents + n, counts
    counts[value] = counts.get(value, 0) + n
    return residents, counts


# The columns of a cell, in the order `_pieces` names a cell.
CELL_COLUMNS = ("action_id", "branch_id", "district_number", "week")


def _piece_sums(committee: Committee, question: Question, filters: Filters, action_id: int | None,
                columns: list[str], whole: bool) -> list[tuple]:
    """What may be shown of the visible atoms, whole (`whole`) or by their pieces, summed per `columns` (of the
    cell, or "piece") and value: rows of (*key, value, n), the value RESIDENTS for the residents. Every figure is
    such a sum of what answer_counts.split lets through, so any two views differ by answers at least k gave. Under
    the rule's k that is stored (one sum in the database); a committee that raised its k splits its atoms as it
    reads them (`_pieces`)."""
    if committee.k == K:
        t = AnswerPiece
        keys = [getattr(t, column) for column in columns]
        which = t.piece == answer_counts.WHOLE if whole else t.piece != answer_counts.WHOLE
        return list(db.session.connection().execute(
            select(*keys, t.value, func.sum(t.n)).where(t.question_id == question.id, which,
                                                        *_scope(committee, filters, action_id, t))
            .group_by(*keys, t.value)))
    sums: dict[tuple, int] = {}
    for (cell, piece), (n, counts) in _pieces(committee, question, filters, action_id).items():
        if (piece == answer_counts.WHOLE) != whole:
            continue
        named = {**dict(zip(CELL_COLUMNS, cell, strict=True)), "piece": piece}
        key = tuple(named[column] for column in columns)
        for value, c in [(answer_counts.RESIDENTS, n), *counts.items()]:
            sums[(*key, value)] = sums.get((*key, value), 0) + c
    return [(*key, n) for key, n in sums.items()]


def _pieces(committee: Committee, question: Question, filters: Filters,
            action_id: int | None) -> dict[tuple, tuple[int, dict[str, int]]]:
    """What may be shown of each visible atom under the committee's own k, as answer_counts.split stores it under
    the rule's: (cell, piece) → residents and answers, the piece WHOLE for the whole atom."""
    t, cell = AnswerCount, aliased(AnswerCount)
    stmt = (select(*CELL, t.postnummer, t.value, t.n).join(cell, and_(*_cell_of(t, cell, committee.k)))
            .where(t.question_id == question.id, t.grain == answer_counts.POSTAL_GRAIN,
                   *_scope(committee, filters, action_id)))
    rows: dict[tuple, list] = {}
    for action, branch, district, week, code, value, n in db.session.connection().execute(stmt):
        rows.setdefault((action, branch, district, week), []).append((code, value, n))
    pieces: dict[tuple, tuple[int, dict[str, int]]] = {}
    for key, found in rows.items():
        for (piece, value), n in answer_counts.split(found, committee.k, question.kind == "many").items():
            pieces[(key, piece)] = _added(pieces.get((key, piece)), value, n)
    return pieces


def _by_postal_code(committee: Committee, question: Question, filters: Filters,
                    action_id: int | None) -> dict[object, tuple[int, dict[str, int]]]:
    found: dict[object, tuple[int, dict[str, int]]] = {}
    for code, value, n in _piece_sums(committee, question, filters, action_id, ["piece"], whole=False):
        found[code] = _added(found.get(code), value, n)
    return found


def _group(question: Question, key, residents: int, counts: dict[str, int]) -> Group:
    """A group as shown: the residents whose answers are held back apart from the answers shown."""
    held = counts.pop(answer_counts.HELD, 0)
    return Group(key, residents, counts, held)


def distributions(committee: Committee, question: Question, filters: Filters, bys: list[str],
                  action_id: int | None = None) -> dict[str, Distribution]:
    """The question's answers in the scope, per group of each of `bys`, summed from the visible atoms only. Read
    from the answer counts alone, never from the answers: the groupings but the postal code from one query."""
    others = [by for by in bys if by != "postnummer"]
    read = _groups(committee, question, filters, action_id, others) if others else {}
    if "postnummer" in bys:
        read["postnummer"] = _by_postal_code(committee, question, filters, action_id)
    found = {by: {key: _group(question, key, n, counts) for key, (n, counts) in groups.items()}
             for by, groups in read.items()}
    shown = {}
    for by in bys:
        groups = list(found[by].values())
        if by == "week":
            groups.sort(key=lambda g: str(g.key))
        else:
            groups.sort(key=lambda g: (g.key == OTHER, -g.residents, str(g.key)))
        shown[by] = Distribution(question, by, values_of(question), groups)
    return shown


def wholes(committee: Committee, asked: list[Question], filters: Filters,
           action_id: int | None = None) -> list[Distribution]:
    """Each question's answers in the whole scope, as `distribution` with "all", for many questions in one query
    (the page of every question) under the rule's k."""
    if asked and committee.k == K:
        t = AnswerPiece
        rows = list(db.session.connection().execute(
            select(t.question_id, t.value, func.sum(t.n)).where(t.question_id.in_([q.id for q in asked]),
                                                                t.piece == answer_counts.WHOLE,
                                                                *_scope(committee, filters, action_id, t))
            .group_by(t.question_id, t.value)))
    else:
        rows = [(q.id, value, n) for q in asked
                for value, n in _piece_sums(committee, q, filters, action_id, [], whole=True)]
    found: dict[int, tuple[int, dict[str, int]]] = {}
    for question_id, value, n in rows:
        found[question_id] = _added(found.get(question_id), value, n)
    return [Distribution(q, "all", values_of(q), [_group(q, "", *found[q.id])] if q.id in found else [])
            for q in asked]


def distribution(committee: Committee, question: Question, filters: Filters, by: str = "all",
                 action_id: int | None = None) -> Distribution:
    """The question's answers in the scope, per group of `by` (see `distributions`)."""
    return distributions(committee, question, filters, [by], action_id)[by]


def compare(committee: Committee, question: Question, filters: Filters, side: str,
            action_id: int | None = None, postal: dict | None = None) -> Group | None:
    """One side of a comparison: the question's answers in an area ("d:<district>", "b:<branch>" or
    "p:<postal code>") under the other filters; None when nobody in a visible atom answered there.
    `postal` keeps the by-postal-code distribution for the other side of the same comparison."""
    kind, _, key = side.partition(":")
    narrowed = Filters(**{**vars(filters), "district": key if kind == "d" else None,
                          "branch_id": row_id(key) if kind == "b" else None})
    if kind == "p":
        postal = {} if postal is None else postal
        if "shown" not in postal:
            postal["shown"] = distribution(committee, question, narrowed, "postnummer", action_id)
        return next((g for g in postal["shown"].groups if g.key == key), None)
    if kind not in ("d", "b"):
        return None
    shown = distribution(committee, question, narrowed, "all", action_id)
    return shown.groups[0] if shown.groups else None


def action_choices(committee: Committee) -> list[tuple[int, str]]:
    """The actions a committee can narrow answers to: the scope's actions that asked a question set, their own or
    their campaign week's (read from the actions, not from the answers, which are many)."""
    weeks = select(Campaign.id).where(Campaign.organisation_id == committee.organisation_id,
                                      Campaign.question_set_id.is_not(None))
    query = select(Action.id, Action.title, Action.starts_at).where(
        Action.organisation_id == committee.organisation_id,
        Action.question_set_id.is_not(None) | Action.campaign_id.in_(weeks))
    if committee.branch_id is not None:
        query = query.where(Action.branch_id == committee.branch_id)
    return [(i, f"{title} ({starts:%d.%m.%Y})") for i, title, starts in db.session.execute(
        query.order_by(Action.starts_at.desc()))]


def free_texts(committee: Committee, question: Question, filters: Filters, action_id: int | None = None,
               limit: int = TEXTS) -> tuple[list[str], int]:
    """A free-text question's answers as a committee reads input (canvass.services.committee.committee_input):
    names, numbers and addresses masked (canvass.insight.scrub), only from the visible atoms (cells where at least
    k residents answered the question) within the scope and filters, and nothing but the words: not who asked,
    not the address, not the time. The newest weeks first, at most `limit`; and how many there are in all."""
    if question.kind != "text":
        return [], 0
    a, cell = Answer, AnswerCount
    visible = and_(cell.question_id == a.question_id, cell.organisation_id == a.organisation_id,
                   cell.grain == answer_counts.CELL_GRAIN, cell.week == a.week,
                   cell.district_number == func.coalesce(a.district_number, ""),
                   cell.branch_id == func.coalesce(a.branch_id, 0), cell.action_id == func.coalesce(a.action_id, 0),
                   cell.postnummer == "", cell.value == answer_counts.RESIDENTS, cell.n >= committee.k)
    where = [a.question_id == question.id, a.value != "", *_scope(committee, filters, action_id, Answer)]
    total = db.session.scalar(select(func.count()).select_from(a).join(cell, visible).where(*where))
    # Ordered by week and then by the words: nothing in the order says which door or when in the week.
    words = db.session.scalars(select(a.value).join(cell, visible).where(*where)
                               .order_by(a.week.desc(), a.value).limit(limit))
    masked = scrubber()
    return [masked(text) for text in words], total
