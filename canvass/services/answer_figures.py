"""Answers to the door questions as a committee reads them: each question's distribution, for the whole
scope, by area (postal code, district, branch) or by week, compared between two areas and on a map, under
the same filters and k rule as every other figure.

Answers are read through atoms, as input is (canvass.insight.cells): an atom is everyone who answered the
question in one cell (action, branch, district, week). An atom with fewer than k is held back everywhere,
and every figure is a sum of visible atoms chosen by whole-cell filters, so any two views (a filter
narrowed, an area compared with a larger one, an export) differ by nobody or by at least k. A postal code
is finer than a cell: by postal code, each visible atom is split once, the same way for every view, into
its postal codes of at least k and one rest of at least k (canvass.insight.suppress), and those pieces are
summed; a postal code too small in every atom shows nothing of its own, and an atom the purge has begun on
is all rest. Free-text answers are never shown,
only how many gave one: a free text can hold a name.
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from canvass.extensions import db
from canvass.insight.suppress import OTHER, suppress
from canvass.models import Action, AnswerCount, Campaign, Committee, Question, QuestionSet
from canvass.models.question import SCALE, YES_NO
from canvass.services import answer_counts
from canvass.services.committees import Filters, conditions

# A cell, as the answer counts name it (canvass.insight.cells): 0 or "" where unknown.
CELL = (AnswerCount.action_id, AnswerCount.branch_id, AnswerCount.district_number, AnswerCount.week)
# Which group of a `by` a cell falls in: every grouping but the postal code is a column of the cell.
BY = {"all": lambda cell: "", "postnummer": None, "district": lambda cell: cell[2] or "",
      "branch": lambda cell: cell[1] or "", "week": lambda cell: cell[3] or ""}


@dataclass
class Group:
    key: object
    residents: int
    counts: dict[str, int] = field(default_factory=dict)

    def share(self, value: str) -> float:
        return self.counts.get(value, 0) / self.residents if self.residents else 0.0

    @property
    def mean(self) -> float | None:
        """A scale's mean over those who answered it."""
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


def values_of(question: Question) -> list[str]:
    if question.kind == "yes_no":
        return list(YES_NO)
    if question.kind == "scale":
        return list(SCALE)
    if question.kind in ("one", "many"):
        return [value for value, _ in question.numbered_options]
    return []


def _scope(committee: Committee, filters: Filters, action_id: int | None) -> list:
    """The committee's scope and filters as conditions on the cells of the answer counts."""
    where = conditions(committee, filters, AnswerCount)
    if action_id:
        where.append(AnswerCount.action_id == action_id)
    return where


def questions_asked(committee: Committee, filters: Filters, action_id: int | None = None) -> list[Question]:
    """The questions the scope's actions asked (their own set or their campaign week's), set by set, in the
    sets' order. Read from the actions, never from the answers: whether a question is listed says nothing
    about whether anyone answered it, so narrowing to one action cannot show what one resident answered."""
    actions = select(Action).where(Action.organisation_id == committee.organisation_id)
    for column, value in ((Action.branch_id, committee.branch_id), (Action.branch_id, filters.branch_id),
                          (Action.campaign_id, filters.campaign_id), (Action.id, action_id)):
        if value:
            actions = actions.where(column == value)
    sets = {action.asked.id for action in db.session.scalars(actions) if action.asked is not None}
    return list(db.session.scalars(
        select(Question).join(QuestionSet).where(QuestionSet.id.in_(sets))
        .order_by(QuestionSet.name, QuestionSet.id, Question.position, Question.id)))


def question_in(committee: Committee, question_id: int) -> Question | None:
    """The question, if it is one of the committee's organisation's."""
    question = db.session.get(Question, question_id)
    if question is None or question.question_set.organisation_id != committee.organisation_id:
        return None
    return question


def _atoms(committee: Committee, question: Question, filters: Filters, action_id: int | None,
           postal: bool) -> dict[tuple, tuple[int, dict[str, int]]]:
    """Residents and their answers per visible atom, or per piece of one (cell, postal code or OTHER) with
    `postal`; atoms with fewer than k residents are left out. Read from the answer counts alone, one row per
    cell (and postal code) and value, never from the answers."""
    t = AnswerCount
    grain = answer_counts.POSTAL_GRAIN if postal else answer_counts.CELL_GRAIN
    where = [t.question_id == question.id, t.grain == grain, *_scope(committee, filters, action_id)]
    keys = [*CELL, t.postnummer] if postal else list(CELL)
    values: dict[tuple, dict[str, int]] = {}
    residents: dict[tuple, int] = {}
    # Each key is one row of the counts, in the order of their primary key: nothing to sum or sort.
    for *key, value, n in db.session.execute(select(*keys, t.value, t.n).where(*where)):
        if value == answer_counts.RESIDENTS:
            residents[tuple(key)] = n
        else:
            values.setdefault(tuple(key), {})[value] = n
    if not postal:
        return {cell: (n, values.get(cell, {})) for cell, n in residents.items() if n >= committee.k}
    by_cell: dict[tuple, dict[str, int]] = {}
    for key, n in residents.items():
        by_cell.setdefault(key[:-1], {})[key[-1]] = n
    pieces: dict[tuple, tuple[int, dict[str, int]]] = {}
    for cell, codes in by_cell.items():
        if sum(codes.values()) < committee.k:
            continue
        # The same split of this atom whatever is asked: each postal code of at least k, and a rest of at least k.
        # Once the purge has taken one postal code of the atom (or one was never known), the whole atom is the
        # rest: split by which of its residents were purged first, a day's difference would be one resident.
        kept = {} if "" in codes else suppress(codes, committee.k)
        for code, n in codes.items():
            piece = (cell, code if code in kept and code != OTHER else OTHER)
            total, counts = pieces.get(piece, (0, {}))
            for value, c in values.get((*cell, code), {}).items():
                counts[value] = counts.get(value, 0) + c
            pieces[piece] = (total + n, counts)
    return pieces


def distribution(committee: Committee, question: Question, filters: Filters, by: str = "all",
                 action_id: int | None = None) -> Distribution:
    """The question's answers in the scope, per group of `by`, summed from the visible atoms only."""
    postal = by == "postnummer"
    found: dict[object, Group] = {}
    for key, (n, counts) in _atoms(committee, question, filters, action_id, postal).items():
        group = found.setdefault(key[1] if postal else BY[by](key), Group(key[1] if postal else BY[by](key), 0))
        group.residents += n
        for value, c in counts.items():
            group.counts[value] = group.counts.get(value, 0) + c
    groups = list(found.values())
    if by == "week":
        groups.sort(key=lambda g: str(g.key))
    else:
        groups.sort(key=lambda g: (g.key == OTHER, -g.residents, str(g.key)))
    return Distribution(question, by, values_of(question), groups)


def compare(committee: Committee, question: Question, filters: Filters, side: str,
            action_id: int | None = None, postal: dict | None = None) -> Group | None:
    """One side of a comparison: the question's answers in an area ("d:<district>", "b:<branch>" or
    "p:<postal code>") under the other filters; None when nobody in a visible atom answered there.
    `postal` keeps the by-postal-code distribution for the other side of the same comparison."""
    kind, _, key = side.partition(":")
    narrowed = Filters(**{**vars(filters), "district": key if kind == "d" else None,
                          "branch_id": int(key) if kind == "b" and key.isdigit() else None})
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
