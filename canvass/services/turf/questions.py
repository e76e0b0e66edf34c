"""Question sets: built and copied by coordinators, asked at the door, answered in a conversation.

Who may edit: a branch coordinator their branch's sets, an admin (the county) every set of the
organisation. A branch may use its own sets and the organisation-wide ones.

A question's meaning (text, kind, options, scale ends) is fixed once it may be on a phone: once it is
answered, or once an action asking it (its own set, or its campaign week's when it has none) has been sent
out to volunteers. A phone offline keeps the questions it downloaded and sends option "1" meaning what
option 1 meant then, so a fixed question can be retired and replaced, never edited; and the set an action
asks cannot be switched once it is out, since the server checks answers against the set the action asks.
Together: no answer made on a phone is lost or changes meaning because of what a coordinator does later,
and every question an action had answers to is still one it asks (what a committee's list is built from).
"""
from sqlalchemy import exists, or_, select

from canvass.extensions import db
from canvass.models import Action, ActionTurf, Answer, Assignment, Branch, Campaign, Question, QuestionSet, Role, User
from canvass.models.question import QUESTION_KINDS, SCALE, YES_NO
from canvass.refusal import N_
from canvass.services.committee import answer_counts as counted
from canvass.services.turf.turfs import TurfError

MAX_QUESTIONS = 20
MAX_OPTIONS = 12
OPTION_MAX = 80
TEXT_MAX = 200
LABEL_MAX = 60
ANSWER_TEXT_MAX = 200
GUIDE_MAX = 2000


class QuestionError(TurfError):
    """A refusal with a Norwegian message and its values (shown with flash_error)."""


def usable_in(question_set: QuestionSet, branch: Branch) -> bool:
    """Whether an action of the branch may ask the set: the branch's own, or the organisation's."""
    return question_set.organisation_id == branch.organisation_id and question_set.branch_id in (None, branch.id)


def may_edit(user: User, question_set: QuestionSet) -> bool:
    if question_set.organisation_id != user.organisation_id:
        return False
    if user.is_admin:
        return True
    return question_set.branch_id is not None and question_set.branch_id in user.branch_ids(Role.COORDINATOR)


def may_read(user: User, question_set: QuestionSet) -> bool:
    """Editors, and a coordinator reading the organisation's sets to use or copy them."""
    if question_set.organisation_id != user.organisation_id:
        return False
    return may_edit(user, question_set) or (user.holds(Role.COORDINATOR) and question_set.branch_id is None)


def sets_for(user: User) -> list[QuestionSet]:
    """The sets the manager may read: an admin every set of the organisation, a coordinator their branch's and
    the organisation's."""
    query = select(QuestionSet).where(QuestionSet.organisation_id == user.organisation_id)
    if not user.is_admin:
        query = query.where((QuestionSet.branch_id.is_(None))
                            | (QuestionSet.branch_id.in_(user.branch_ids(Role.COORDINATOR))))
    return list(db.session.scalars(query.order_by(QuestionSet.name, QuestionSet.id)))


def usable_sets(branch: Branch) -> list[QuestionSet]:
    return list(db.session.scalars(select(QuestionSet).where(
        QuestionSet.organisation_id == branch.organisation_id,
        (QuestionSet.branch_id.is_(None)) | (QuestionSet.branch_id == branch.id)).order_by(QuestionSet.name)))


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise QuestionError(N_("Skriv et navn på spørsmålssettet."))
    if len(name) > 120:
        raise QuestionError(N_("Navnet kan være høyst %(limit)s tegn."), limit=120)
    return name


def create_set(user: User, name: str, branch_id: int | None) -> QuestionSet:
    """A new empty set: a coordinator's always in their own branch; an admin's in a branch or organisation-wide."""
    if not user.is_admin:
        branch_id = _own_branch(user, branch_id)
    elif branch_id is not None:
        branch = db.session.get(Branch, branch_id)
        if branch is None or branch.organisation_id != user.organisation_id:
            raise QuestionError(N_("Ukjent lag."))
    question_set = QuestionSet(organisation_id=user.organisation_id, branch_id=branch_id, name=_name(name))
    db.session.add(question_set)
    db.session.commit()
    return question_set


def _own_branch(user: User, wanted: int | None) -> int | None:
    """Where a coordinator's set goes: the branch wanted if they coordinate it, else the first they do."""
    coordinated = sorted(user.branch_ids(Role.COORDINATOR))
    return wanted if wanted in coordinated else (coordinated[0] if coordinated else None)


def rename_set(question_set: QuestionSet, name: str) -> None:
    question_set.name = _name(name)
    db.session.commit()


def copy_set(user: User, question_set: QuestionSet, name: str | None = None) -> QuestionSet:
    """A copy to adapt (a coordinator's in their own branch): the questions still asked, without answers."""
    copy = QuestionSet(organisation_id=question_set.organisation_id,
                       branch_id=question_set.branch_id if user.is_admin else _own_branch(user, question_set.branch_id),
                       name=_name(name or f"{question_set.name} (kopi)"[:120]))
    for position, q in enumerate(question_set.live_questions, 1):
        copy.questions.append(Question(position=position, kind=q.kind, text=q.text, options=q.options,
                                       low_label=q.low_label, high_label=q.high_label))
    db.session.add(copy)
    db.session.commit()
    return copy


def _checked(kind: str, text: str, options: str, low: str, high: str) -> dict:
    """A question's meaning as typed, tidied; a QuestionError says what is wrong with it."""
    if kind not in QUESTION_KINDS:
        raise QuestionError(N_("Velg hva slags spørsmål det er."))
    text = " ".join((text or "").split())
    if not text:
        raise QuestionError(N_("Skriv spørsmålet."))
    if len(text) > TEXT_MAX:
        raise QuestionError(N_("Spørsmålet kan være høyst %(limit)s tegn."), limit=TEXT_MAX)
    listed = list(dict.fromkeys(" ".join(o.split()) for o in (options or "").splitlines() if o.strip()))
    if kind in ("one", "many"):
        if not 2 <= len(listed) <= MAX_OPTIONS:
            raise QuestionError(N_("Skriv mellom 2 og %(limit)s svaralternativer, ett per linje."), limit=MAX_OPTIONS)
        if any(len(o) > OPTION_MAX for o in listed):
            raise QuestionError(N_("Et svaralternativ kan være høyst %(limit)s tegn."), limit=OPTION_MAX)
    else:
        listed = []
    low, high = " ".join((low or "").split()), " ".join((high or "").split())
    if kind == "scale":
        if not low or not high:
            raise QuestionError(N_("Skriv hva 1 og 5 betyr på skalaen."))
        if len(low) > LABEL_MAX or len(high) > LABEL_MAX:
            raise QuestionError(N_("Endepunktene kan være høyst %(limit)s tegn."), limit=LABEL_MAX)
    else:
        low = high = ""
    return {"kind": kind, "text": text, "options": "\n".join(listed), "low_label": low, "high_label": high}


def add_question(question_set: QuestionSet, kind: str, text: str, options: str = "", low: str = "",
                 high: str = "") -> Question:
    if len(question_set.live_questions) >= MAX_QUESTIONS:
        raise QuestionError(N_("Et spørsmålssett kan ha høyst %(limit)s spørsmål."), limit=MAX_QUESTIONS)
    position = max((q.position for q in question_set.questions), default=0) + 1
    question = Question(position=position, **_checked(kind, text, options, low, high))
    question_set.questions.append(question)
    db.session.commit()
    return question


def answered(question: Question) -> bool:
    return db.session.scalar(select(exists().where(Answer.question_id == question.id)))


# Refusals shown to the coordinator: what happened, why, and what to do instead.
FIXED_ANSWERED = N_("Spørsmålet er besvart og kan ikke endres. Trekk det tilbake og lag et nytt.")
FIXED_SENT_OUT = N_("Spørsmålet er sendt ut til frivillige og kan ikke endres: svar som ligger på telefonene, må "
                    "bety det samme som da de ble gitt. Trekk det tilbake og lag et nytt.")
ACTION_OUT = N_("Aksjonen er sendt ut til frivillige, så spørsmålssettet kan ikke byttes: svar som ligger på "
                "telefonene, ville gått tapt. Legg heller til spørsmål i settet og trekk tilbake dem dere ikke vil "
                "stille lenger, eller lag en ny aksjon med det andre settet.")
WEEK_OUT = N_("Aksjoner i kampanjeuka er sendt ut til frivillige (%(actions)s), så spørsmålssettet kan ikke "
              "byttes: svar som ligger på telefonene, ville gått tapt. Legg heller til spørsmål i settet og trekk "
              "tilbake dem dere ikke vil stille lenger, eller lag en ny aksjon med det andre settet.")


def _out():
    """A condition on Action: it may be on a phone. It has given turf to a volunteer (the ActionTurf row stays
    when the turf is released or re-assigned, as the phone keeps its copy), or answers came from it."""
    return or_(exists().where(Assignment.action_id == Action.id), exists().where(ActionTurf.action_id == Action.id),
               exists().where(Answer.action_id == Action.id))


def is_out(action: Action) -> bool:
    """Whether the action's questions may be on a volunteer's phone."""
    return action.id is not None and db.session.scalar(select(exists().where(Action.id == action.id, _out())))


def sent_out_with(question_set: QuestionSet) -> list[Action]:
    """The actions out with the set on their phones: asking it as their own, or as their week's without one."""
    weeks = select(Campaign.id).where(Campaign.question_set_id == question_set.id)
    return list(db.session.scalars(select(Action).where(
        (Action.question_set_id == question_set.id)
        | (Action.question_set_id.is_(None) & Action.campaign_id.in_(weeks)), _out())
        .order_by(Action.starts_at, Action.id)))


def fixed(question_set: QuestionSet) -> dict[int, str]:
    """Each question whose meaning is fixed, and why: "answered", or "sent_out" when on phones, not yet answered."""
    answered_ids = set(answer_counts(question_set))
    out = bool(sent_out_with(question_set))
    return {q.id: "answered" if q.id in answered_ids else "sent_out"
            for q in question_set.questions if q.id in answered_ids or out}


def _refusal_if_fixed(question: Question) -> str | None:
    if answered(question):
        return FIXED_ANSWERED
    if sent_out_with(question.question_set):
        return FIXED_SENT_OUT
    return None


def ask(action: Action, question_set: QuestionSet | None) -> None:
    """The action asks its own set (None: its week's, if any). Refused once out if what it asks would change:
    the phones' answers are checked against it, and the committee lists what it asks."""
    before = action.asked
    after = question_set if question_set is not None else (action.campaign.question_set if action.campaign else None)
    if before is not None and after is not before and is_out(action):
        raise QuestionError(ACTION_OUT)
    action.question_set = question_set


def ask_in_week(week: Campaign, question_set: QuestionSet | None) -> None:
    """The week's set, asked by its actions without their own. Refused while any of those is out."""
    if week.question_set is not None and question_set is not week.question_set:
        out = [a for a in week.actions if a.question_set_id is None and is_out(a)]
        if out:
            raise QuestionError(WEEK_OUT, actions=", ".join(a.title for a in out))
    week.question_set = question_set


def answer_counts(question_set: QuestionSet) -> dict[int, int]:
    """How many conversations answered each question of the set (from the counts, not the answers)."""
    return counted.answered([q.id for q in question_set.questions])


def edit_question(question: Question, kind: str, text: str, options: str = "", low: str = "",
                  high: str = "") -> None:
    """Change a question not yet on any phone; a fixed one must be retired and replaced."""
    refusal = _refusal_if_fixed(question)
    if refusal:
        raise QuestionError(refusal)
    for key, value in _checked(kind, text, options, low, high).items():
        setattr(question, key, value)
    db.session.commit()


def retire(question: Question) -> None:
    """No longer asked; its answers stay and are still counted under it."""
    question.retired = True
    db.session.commit()


def replace(question: Question, kind: str, text: str, options: str = "", low: str = "", high: str = "") -> Question:
    """Retire a question and put a new one in its place, in one transaction."""
    checked = _checked(kind, text, options, low, high)
    question.retired = True
    new = Question(position=question.position, **checked)
    question.question_set.questions.append(new)
    db.session.commit()
    return new


def remove(question: Question) -> None:
    """Delete a question not yet on any phone; a fixed one is retired instead (its answers, those on the server
    and those still on phones, are counted under it)."""
    if _refusal_if_fixed(question):
        question.retired = True
    else:
        db.session.delete(question)
    db.session.commit()


def move(question: Question, step: int) -> None:
    """Move a question one place up (-1) or down (+1) among the set's questions."""
    ordered = list(question.question_set.questions)
    index = ordered.index(question)
    other = index + step
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, q in enumerate(ordered, 1):
            q.position = position
        db.session.commit()


def set_guide(guide: str) -> str:
    guide = (guide or "").strip()
    if len(guide) > GUIDE_MAX:
        raise QuestionError(N_("Samtaleguiden kan være høyst %(limit)s tegn."), limit=GUIDE_MAX)
    return guide


def by_id(question_set: QuestionSet | None) -> dict[str, Question] | None:
    """A set's questions by their id as a phone sends it (JSON's keys are text); None without a set. Sync works
    this out once per action in a batch, not for each of its conversations."""
    return None if question_set is None else {str(q.id): q for q in question_set.questions}


def check_answers(question_set: QuestionSet | None, data,
                  listed: dict[str, Question] | None = None) -> tuple[list[tuple[int, str]], str | None]:
    """The answers a phone sent, as (question id, value) rows, and why any were refused (None if none were).

    `data` maps a question's id (as text, JSON's keys are) to a value: "yes" / "no" / "dont_know", a
    number 1–5, an option's number, a list of option numbers, or a short text. An answer to an unknown
    question, or out of its range, is left out and the reason says so; the other answers are kept, and
    the conversation is stored either way. `listed`: the set's questions `by_id`, when worked out already."""
    if data is None or data == {}:
        return [], None
    if not isinstance(data, dict) or question_set is None:
        return [], N_("Svarene ble ikke lagret: aksjonen har ikke disse spørsmålene.")
    questions = listed if listed is not None else by_id(question_set)
    rows: list[tuple[int, str]] = []
    refused = None
    for key, value in list(data.items())[:MAX_QUESTIONS * 3]:
        question = questions.get(key)
        values = _values(question, value) if question is not None else None
        if values is None:
            refused = N_("Et svar ble ikke lagret: spørsmålet finnes ikke i aksjonen, eller svaret er utenfor det "
                         "spørsmålet tillater.")
            continue
        rows += [(question.id, v) for v in values]
    return rows, refused


def _values(question: Question, value) -> list[str] | None:
    """An answer's stored values, [] for no answer, None if it is not an answer to this question."""
    if value is None or value == "" or value == []:
        return []
    if question.kind == "yes_no":
        return [value] if value in YES_NO else None
    if question.kind == "scale":
        value = str(value) if type(value) is int else value
        return [value] if value in SCALE else None
    options = [str(n) for n in range(1, len(question.option_list) + 1)]
    if question.kind == "one":
        value = str(value) if type(value) is int else value
        return [value] if value in options else None
    if question.kind == "many":
        if not isinstance(value, list) or len(value) > len(options):
            return None
        chosen = [str(v) if type(v) is int else v for v in value]
        return list(dict.fromkeys(chosen)) if all(v in options for v in chosen) else None
    if not isinstance(value, str) or len(value) > ANSWER_TEXT_MAX:
        return None
    text = " ".join(value.split())
    return [text] if text else []
