"""Actions (aksjoner) and campaign weeks: planning, sign-up, and who walks which turf."""
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Action, ActionTurf, Assignment, Branch, Campaign, QuestionSet, Role, Signup, Turf, User
from canvass.models.action import ACTION_KINDS, TOPIC_MAX, TOPICS_MAX
from canvass.refusal import N_
from canvass.services import row_locks, same_form
from canvass.services.turf import held, questions
from canvass.services.turf.turfs import TurfError
from canvass.typed import one_spelling

MAX_PER_TURF = 3


def create_campaign(branch: Branch, name: str, starts_on: date, ends_on: date) -> Campaign:
    if ends_on < starts_on:
        raise TurfError(N_("Kampanjeuka kan ikke slutte før den begynner."))
    campaign = Campaign(organisation_id=branch.organisation_id, branch_id=branch.id, name=name.strip(),
                        starts_on=starts_on, ends_on=ends_on)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def campaigns(branch: Branch) -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).where(Campaign.branch_id == branch.id)
                                   .order_by(Campaign.starts_on.desc())))


def create_action(branch: Branch, title: str, kind: str, starts_at: datetime, meeting_point: str = "",
                  meeting_lat: float | None = None, meeting_lon: float | None = None, topics: str | None = None,
                  campaign: Campaign | None = None, question_set: QuestionSet | None = None,
                  guide: str = "", key: str | None = None) -> Action:
    """A new action of the branch. `key`: the id its form was given when it opened; the same form sent again
    (a double tap on «Opprett aksjon», or again after Back) is the action it created, not a second one."""
    if kind not in ACTION_KINDS:
        raise TurfError(N_("Velg om aksjonen er dørbanking eller løpeseddelutdeling."))
    if campaign is not None and campaign.branch_id != branch.id:
        raise TurfError(N_("Kampanjeuka hører til et annet lag."))
    if question_set is not None and not questions.usable_in(question_set, branch):
        raise TurfError(N_("Spørsmålssettet hører til et annet lag."))
    fields = {"title": title.strip(), "kind": kind, "starts_at": starts_at, "meeting_point": meeting_point.strip(),
              "meeting_lat": meeting_lat, "meeting_lon": meeting_lon, "campaign": campaign,
              "question_set": question_set, "guide": guide.strip()}
    if topics is not None:
        fields["topics"] = "\n".join(topic_list(topics))
    if key is not None and (made := same_form.made_with(Action.form_key, key)) is not None:
        if made.branch_id == branch.id:
            return _sent_again(made, fields)
        key = None  # another branch's form sent here: a new action, as any form would make
    action = Action(organisation_id=branch.organisation_id, branch=branch, signup_token=secrets.token_urlsafe(16),
                    form_key=key, **fields)
    db.session.add(action)
    stored = same_form.committed(action, Action.form_key, key)
    return stored if stored is action else _sent_again(stored, fields)


def _sent_again(made: Action, fields: dict) -> Action:
    """The action a form made, when the form is sent again. The same (a double tap) is that action. Changed (Back,
    then another day or title) may be a correction or a copy for another day, so neither is guessed: the action
    stands as it was, and the coordinator is asked to send the form again as a new action."""
    if not same_form.as_sent(made, fields):
        raise same_form.FormUsed(N_("Dette skjemaet har allerede laget aksjonen «%(title)s», og den er ikke endret. "
                                    "Vil du lage en ny aksjon med det som står i skjemaet nå, trykker du «Opprett "
                                    "aksjon» igjen."), title=made.title)
    return made


def topic_list(topics: str) -> list[str]:
    """The topics of a coordinator's list, one per line: each in one spelling (canvass/typed.py), and once whatever
    its case (the first spelling kept), since the door's checkboxes and the committees' counts go by topic."""
    listed: dict[str, str] = {}
    for line in topics.splitlines():
        topic = one_spelling(line)
        if len(topic) > TOPIC_MAX:
            raise TurfError(N_("Et tema kan ha høyst %(max)s tegn: %(topic)s …"), max=TOPIC_MAX, topic=topic[:30])
        if topic:
            listed.setdefault(topic.casefold(), topic)
    if len(listed) > TOPICS_MAX:
        # Each topic is a checkbox in the conversation form on the volunteer's phone.
        raise TurfError(N_("En aksjon kan ha høyst %(max)s temaer; listen har %(count)s."), max=TOPICS_MAX,
                        count=len(listed))
    return list(listed.values())


def actions(branch: Branch) -> list[Action]:
    return list(db.session.scalars(select(Action).where(Action.branch_id == branch.id)
                                   .order_by(Action.starts_at.desc())))


def by_signup_token(token: str) -> Action | None:
    return db.session.scalar(select(Action).where(Action.signup_token == token))


def sign_up(action: Action, user: User) -> None:
    """A volunteer of the same organisation signs up; signing up twice changes nothing."""
    if user.organisation_id != action.organisation_id:
        raise TurfError(N_("Du kan bare melde deg på aksjoner i din egen organisasjon."))
    row_locks.take(action)  # a double tap's two sign-ups: the second finds the first
    if db.session.get(Signup, (action.id, user.id)) is None:
        db.session.add(Signup(action_id=action.id, user_id=user.id))
        db.session.commit()


def volunteers(action: Action) -> list[User]:
    """Who can be given turf: everyone who signed up for the action first, then the branch's other canvassers
    and coordinators; by name within each."""
    signed = {s.user_id for s in action.signups}
    query = select(User).where(User.organisation_id == action.organisation_id, User.removed_at.is_(None))
    people = [u for u in db.session.scalars(query)
              if u.id in signed or u.holds(Role.CANVASSER, Role.COORDINATOR, branch_id=action.branch_id)]
    return sorted(people, key=lambda u: (u.id not in signed, u.name.lower(), u.id))


def assign(action: Action, turf: Turf, users: list[User]) -> list[tuple[User, Turf]]:
    """Give a turf to one volunteer or a pair; they leave any other turf they had in this action, and whoever had
    this turf and is not among them leaves it. Who left which turf, for the coordinator to be told."""
    # The action first, then the turf (every request takes them in that order): two coordinators giving the same
    # volunteer two turfs of one action at once take turns, and the second moves them.
    row_locks.take(action)
    held.hold(turf)
    if turf.branch_id != action.branch_id:
        raise TurfError(N_("Roden hører ikke til aksjonens lag."))
    if not users or len(users) > MAX_PER_TURF:
        raise TurfError(N_("Velg én til tre dørbankere for roden."))
    allowed = {u.id for u in volunteers(action)}
    for outside in (u for u in users if u.id not in allowed):
        raise TurfError(N_("%(name)s kan ikke få en rode i denne aksjonen: bare lagets dørbankere og de som har "
                           "meldt seg på den, kan det."), name=outside.name)
    if db.session.get(ActionTurf, (action.id, turf.id)) is None:
        db.session.add(ActionTurf(action_id=action.id, turf_id=turf.id))
    wanted, kept, left = {u.id for u in users}, set(), []
    for old in db.session.scalars(select(Assignment).where(
            Assignment.action_id == action.id,
            (Assignment.turf_id == turf.id) | Assignment.user_id.in_(wanted))):
        if old.turf_id == turf.id and old.user_id in wanted:
            # Already walking this turf: the walk list open on their phone (its address names this
            # assignment) must keep working when a partner is added.
            kept.add(old.user_id)
        else:
            left.append((old.user, old.turf))
            db.session.delete(old)
    db.session.flush()
    for user in users:
        if user.id not in kept:
            db.session.add(Assignment(action_id=action.id, turf_id=turf.id, user_id=user.id))
    db.session.commit()
    return left


def release(action: Action, turf: Turf) -> None:
    """Take a turf back from its volunteers; what they recorded stays."""
    for old in db.session.scalars(select(Assignment).where(Assignment.action_id == action.id,
                                                           Assignment.turf_id == turf.id)):
        db.session.delete(old)
    db.session.commit()


def assignments(action: Action) -> dict[int, list[User]]:
    """Who walks each turf of the action; a volunteer removed from the branch walks nothing."""
    result: dict[int, list[User]] = {}
    for a in db.session.scalars(select(Assignment).join(User, Assignment.user_id == User.id)
                                .where(Assignment.action_id == action.id, User.removed_at.is_(None))):
        result.setdefault(a.turf_id, []).append(a.user)
    return result


def waiting_signups(user: User) -> list[Action]:
    """Actions the person signed up for that have no turf for them yet, from earlier today on."""
    given = select(Assignment.action_id).where(Assignment.user_id == user.id)
    return list(db.session.scalars(select(Action).join(Signup, Signup.action_id == Action.id).where(
        Signup.user_id == user.id, Action.id.not_in(given), Action.starts_at >= datetime.now() - timedelta(hours=12))
        .order_by(Action.starts_at)))


def my_assignments(user: User) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).join(Action).where(Assignment.user_id == user.id)
                                   .order_by(Action.starts_at.desc())))
