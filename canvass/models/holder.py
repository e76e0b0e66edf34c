"""Standing turf holders (rodeansvarlige) and leaflet drops (løpeseddelutdeling) that reach every mailbox.

A holder keeps a turf between actions; a drop gives every held turf to its holder in one step, as a
leaflet action per branch, and leaves the rest listed for the coordinator to assign.
"""
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Select, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from canvass.clock import utcnow
from canvass.extensions import db

# The elected bodies a holder may sit in; Oslo Ap's plan gives their members turf of their own.
ELECTED_BODIES = ("bystyret", "bydelsutvalg", "kommunestyre")
MAX_HOLDERS = 2


class TurfHolder(db.Model):
    """One person holding a turf; a pair is two rows. A person holds at most one turf."""

    __tablename__ = "turf_holder"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    turf_id: Mapped[int] = mapped_column(ForeignKey("turf.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    # One of ELECTED_BODIES when the holder is an elected representative, else None.
    elected: Mapped[str | None] = mapped_column(String(20))
    since: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    turf = relationship("Turf")
    user = relationship("User")


class LeafletDrop(db.Model):
    """A leaflet drop over a date range, started by the county (no branch) or a branch."""

    __tablename__ = "leaflet_drop"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # The district numbers chosen, comma-separated; empty for all the turf.
    districts: Mapped[str] = mapped_column(String(400), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    branch = relationship("Branch")
    parts: Mapped[list["LeafletDropAction"]] = relationship(cascade="all, delete-orphan")


class LeafletDropAction(db.Model):
    """The leaflet action a drop made in one branch: its turf, and who walks it, are the action's."""

    __tablename__ = "leaflet_drop_action"

    drop_id: Mapped[int] = mapped_column(ForeignKey("leaflet_drop.id", ondelete="CASCADE"), primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)

    action = relationship("Action")

    __table_args__ = (UniqueConstraint("action_id"),)


def running_drop_actions(today: date) -> Select:
    """The ids of the actions of every leaflet drop not yet over on `today` (Norway's date): a drop runs to the end
    of its last day, however many days that is."""
    return select(LeafletDropAction.action_id).join(LeafletDrop).where(LeafletDrop.ends_on >= today)
