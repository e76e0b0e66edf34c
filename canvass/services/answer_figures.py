"""Answers to the door questions as a committee reads them: each question's distribution, for the whole
scope, by area (postal code, district, branch) or by week, under the same filters and k rule as every
other figure.

A group (an area, a week, or the whole filtered scope) is shown only when at least k residents
answered the question in it; smaller groups join "annet" (canvass.insight.suppress), and when everything
together is below k there is no distribution at all. Free-text answers are never shown, only how many
gave one: a free text can hold a name.
"""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from canvass.extensions import db
from canvass.insight.suppress import OTHER, suppress
from canvass.models import Action, Answer, Campaign, Committee, Conversation, Question, QuestionSet
from canvass.models.question import SCALE, YES_NO
from canvass.services.committees import Filters, conditions

# Every grouping is a column of the answer (its conversation's cell), but the postal code, which only the
# conversation holds (and loses after 30 days: canvass.privacy.retention.unlink).
BY = {"all": None, "postnummer": Conversation.postnummer, "district": Answer.district_number,
      "branch": Answer.branch_id, "week": Answer.week}


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


def questions_answered(committee: Committee, filters: Filters, action_id: int | None = None) -> list[Question]:
    """The organisation's questions with answers in the scope, set by set, in the sets' order."""
    answered = select(Answer.question_id).where(*_scope(committee, filters, action_id)).distinct()
    return list(db.session.scalars(
        select(Question).join(QuestionSet).where(QuestionSet.organisation_id == committee.organisation_id,
                                                 Question.id.in_(answered))
        .order_by(QuestionSet.name, QuestionSet.id, Question.position, Question.id)))


def question_in(committee: Committee, question_id: int) -> Question | None:
    """The question, if it is one of the committee's organisation's."""
    question = db.session.get(Question, question_id)
    if question is None or question.question_set.organisation_id != committee.organisation_id:
        return None
    return question


def distribution(committee: Committee, question: Question, filters: Filters, by: str = "all",
                 action_id: int | None = None) -> Distribution:
    """The question's answers in the scope, per group of `by`, with every group below k held back."""
    column = BY.get(by)
    where = [Answer.question_id == question.id, *_scope(committee, filters, action_id)]
    keys = (column,) if column is not None else ()
    joined = select().select_from(Answer)
    if by == "postnummer":
        joined = joined.join(Conversation, Conversation.id == Answer.conversation_id)
    residents = {(row[0] if keys else ""): row[-1] for row in db.session.execute(
        joined.add_columns(*keys, func.count(func.distinct(Answer.conversation_id))).where(*where).group_by(*keys))}
    counts: dict = {}
    if question.kind != "text":
        for row in db.session.execute(joined.add_columns(*keys, Answer.value, func.count()).where(*where)
                                      .group_by(*keys, Answer.value)):
            counts.setdefault(row[0] if keys else "", {})[row[-2]] = row[-1]
    k = committee.k
    shown = suppress({("" if g is None else g): n for g, n in residents.items()}, k)
    if by == "all":
        shown = {"": sum(residents.values())} if sum(residents.values()) >= k else {}
    groups = []
    merged = [g for g in residents if ("" if g is None else g) not in shown]
    for group, n in shown.items():
        if group == OTHER and by != "all":
            cells: dict[str, int] = {}
            for small in merged:
                for value, c in counts.get(small, {}).items():
                    cells[value] = cells.get(value, 0) + c
            groups.append(Group(OTHER, n, cells))
        else:
            original = None if group == "" and None in residents else group
            groups.append(Group(group, n, counts.get(original, {})))
    if by == "week":
        groups.sort(key=lambda g: (g.key == OTHER, str(g.key)))
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
