"""Answers to the door questions as a committee reads them: each question's distribution, for the whole
scope, by district, branch or week, under the same filters and k rule as every other figure.

They are built as the dashboard's figures are (canvass.insight.cells): an *atom* is one question's
answers in one cell (action, branch, district, Oslo week), and an atom where fewer than k residents
answered is held back everywhere. Every filter (campaign, action, branch, district, period in whole weeks)
and every grouping chooses whole atoms, so every figure is a sum of visible atoms and any two views a
committee can ask for differ by none or by at least k residents: comparing requests isolates nobody.
Postal codes are finer than a cell and are not a grouping. Free-text answers are never shown, only how
many gave one: a free text can hold a name.
"""
from dataclasses import dataclass, field

from sqlalchemy import func, select, tuple_

from canvass.extensions import db
from canvass.models import Action, Answer, Campaign, Committee, Question, QuestionSet
from canvass.models.question import SCALE, YES_NO
from canvass.services.committees import Filters, conditions

# Every grouping is a column of the answer's cell, so a group is a union of whole atoms.
BY = {"all": None, "district": Answer.district_number, "branch": Answer.branch_id, "week": Answer.week}
# An answer's cell, with "" and 0 for unknown so that a cell with an unknown part still matches itself.
CELL = (func.coalesce(Answer.action_id, 0), func.coalesce(Answer.branch_id, 0),
        func.coalesce(Answer.district_number, ""), Answer.week)


@dataclass
class Group:
    key: object
    residents: int
    counts: dict[str, int] = field(default_factory=dict)

    def share(self, value: str) -> float:
        return self.counts.get(value, 0) / self.residents if self.residents else 0.0


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
    """The committee's scope and filters as conditions on the answers' copy of their conversation's cell."""
    where = conditions(committee, filters, Answer)
    if action_id:
        where.append(Answer.action_id == action_id)
    return where


def questions_asked(committee: Committee, filters: Filters, action_id: int | None = None) -> list[Question]:
    """The questions the scope's actions asked (their own set or their campaign week's), set by set, in the
    sets' order. Read from the actions, never from the answers: the list says nothing about who answered."""
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


def _visible(committee: Committee, question: Question, where: list):
    """A condition on `Answer`: its cell is an atom of the question where at least k residents answered."""
    atoms = (select(*CELL).where(Answer.question_id == question.id, *where).group_by(*CELL)
             .having(func.count(func.distinct(Answer.conversation_id)) >= committee.k))
    return tuple_(*CELL).in_(atoms)


def distribution(committee: Committee, question: Question, filters: Filters, by: str = "all",
                 action_id: int | None = None) -> Distribution:
    """The question's answers in the scope, per group of `by`, counted from visible atoms only."""
    column = BY[by]
    scope = _scope(committee, filters, action_id)
    where = [Answer.question_id == question.id, *scope, _visible(committee, question, scope)]
    keys = (column,) if column is not None else ()
    residents = {(row[0] if keys else ""): row[-1] for row in db.session.execute(
        select(*keys, func.count(func.distinct(Answer.conversation_id))).where(*where).group_by(*keys))}
    counts: dict = {}
    if question.kind != "text":
        for row in db.session.execute(select(*keys, Answer.value, func.count()).where(*where)
                                      .group_by(*keys, Answer.value)):
            counts.setdefault(row[0] if keys else "", {})[row[-2]] = row[-1]
    # Each group is a sum of atoms of at least k each; none is empty.
    groups = [Group(key, n, counts.get(key, {})) for key, n in residents.items() if n]
    groups.sort(key=lambda g: ("" if g.key is None else str(g.key)))
    return Distribution(question, by, values_of(question), groups)


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
