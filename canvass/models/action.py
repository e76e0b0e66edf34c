"""Door-knocking actions (aksjoner), campaign weeks, sign-ups and who walks which turf."""
from datetime import datetime, timedelta

from sqlalchemy import Date, DateTime, Float, ForeignKey, String, Text, UniqueConstraint, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.insight.tally import local_day
from canvass.models.holder import running_drop_actions

ACTION_KINDS = ("door", "leaflet")
# An action is not over, for whoever is given a turf in it, until this long after it began: an evening's round.
NOT_OVER_FOR = timedelta(hours=12)
# An action's topics, each a checkbox in the conversation form on the volunteer's phone, which may tick them all:
# as many, and as long, as the sync protocol takes in one conversation (services/field/sync/checks.py).
TOPICS_MAX = 20
TOPIC_MAX = 60
DEFAULT_TOPICS = ["bolig", "klima", "skole", "helse", "kollektivtransport", "eldreomsorg", "arbeidsliv",
                  "barnehage", "økonomi", "innvandring og integrering"]


class Campaign(db.Model):
    """A campaign week (kampanjeuke) grouping actions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[datetime] = mapped_column(Date)
    ends_on: Mapped[datetime] = mapped_column(Date)
    # The questions asked at every door of the week, unless an action names its own.
    question_set_id: Mapped[int | None] = mapped_column(ForeignKey("question_set.id", ondelete="SET NULL"))

    question_set = relationship("QuestionSet")

    actions: Mapped[list["Action"]] = relationship(back_populates="campaign")


class Action(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"))
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10), default="door")
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    meeting_point: Mapped[str] = mapped_column(String(200), default="")
    meeting_lat: Mapped[float | None] = mapped_column(Float)
    meeting_lon: Mapped[float | None] = mapped_column(Float)
    # One topic per line: the campaign's list, editable per action.
    topics: Mapped[str] = mapped_column(Text, default="\n".join(DEFAULT_TOPICS))
    # The questions asked at every door (canvass.models.question), and the conversation guide
    # (samtaleguide) the volunteer reads before the first door.
    question_set_id: Mapped[int | None] = mapped_column(ForeignKey("question_set.id", ondelete="SET NULL"))
    guide: Mapped[str] = mapped_column(Text, default="", server_default="")
    signup_token: Mapped[str] = mapped_column(String(64), unique=True)
    # The id of the form it was created with (canvass/web/form_ids.py): the same form sent again is this action.
    form_key: Mapped[str | None] = mapped_column(String(36), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    branch = relationship("Branch")
    campaign = relationship("Campaign", back_populates="actions")
    question_set = relationship("QuestionSet")
    turfs: Mapped[list["ActionTurf"]] = relationship(cascade="all, delete-orphan")
    signups: Mapped[list["Signup"]] = relationship(cascade="all, delete-orphan")

    @classmethod
    def not_over(cls, now: datetime):
        """The actions still planned or going on at `now`: an evening's round until NOT_OVER_FOR after it began, a
        leaflet drop's until the end of the drop's last day (a week's drop is walked all week)."""
        return or_(cls.starts_at > now - NOT_OVER_FOR, cls.id.in_(running_drop_actions(local_day(now))))

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.splitlines() if t.strip()]

    @property
    def asked(self):
        """The question set asked at its doors: its own, or its campaign week's."""
        if self.question_set is not None:
            return self.question_set
        return self.campaign.question_set if self.campaign is not None else None


class ActionTurf(db.Model):
    """A turf planned for an action; released turf goes back to the pool unfinished."""

    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    turf_id: Mapped[int] = mapped_column(ForeignKey("turf.id"), primary_key=True)

    turf = relationship("Turf")
    assignments: Mapped[list["Assignment"]] = relationship(
        primaryjoin="and_(ActionTurf.action_id == foreign(Assignment.action_id), "
                    "ActionTurf.turf_id == foreign(Assignment.turf_id))",
        viewonly=True)


class Assignment(db.Model):
    """A volunteer walking a turf in an action; a pair is two rows for the same turf."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    turf_id: Mapped[int] = mapped_column(ForeignKey("turf.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User")
    turf = relationship("Turf")
    action = relationship("Action")

    # Its id names the volunteer's walk list (/felt/<id>), which the phone keeps offline: never given again, as
    # SQLite would give a deleted row's id to the next assignment without AUTOINCREMENT.
    __table_args__ = (UniqueConstraint("action_id", "user_id"), {"sqlite_autoincrement": True})


class Signup(db.Model):
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User")
