"""Turf (roder): a set of addresses in walking order, cut from a branch's postal codes."""
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.geo import turf as geo_turf


class Turf(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # 1 for turf cut from postal codes; 2, 3 … for rounds built from the "not home" doors of a turf.
    round: Mapped[int] = mapped_column(Integer, default=1)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("turf.id"))
    geometry: Mapped[str | None] = mapped_column(Text)
    doors: Mapped[int] = mapped_column(Integer, default=0)
    doors_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    walk_metres: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Replaced turf is kept (visits refer to it) but leaves the map and the lists.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)

    branch = relationship("Branch")
    stops: Mapped[list["TurfAddress"]] = relationship(order_by="TurfAddress.position", cascade="all, delete-orphan")

    @property
    def minutes(self) -> int:
        """Estimated time to walk the turf at the stated pace (see canvass.geo.turf)."""
        return round(geo_turf.minutes(self.doors or 0, self.walk_metres or 0))


class TurfAddress(db.Model):
    """An address in a turf at its place in the walk; an address is in one live turf per round."""

    turf_id: Mapped[int] = mapped_column(ForeignKey("turf.id", ondelete="CASCADE"), primary_key=True)
    address_id: Mapped[int] = mapped_column(ForeignKey("address.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    round: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    doors: Mapped[int] = mapped_column(Integer)

    address = relationship("Address")

    __table_args__ = (UniqueConstraint("organisation_id", "round", "address_id"),)


class FieldDoor(db.Model):
    """A door, or an address, a canvasser found missing from the walk list and added at the door.

    It counts as a door of its turf at once; the branch's coordinator confirms or rejects it. A rejected
    one leaves the turf's doors, but what was recorded at it stays (the visits and what was said are real).
    An address the Matrikkel lacks hangs on the stop it was added at (`address_id`), whose area it shares.
    """

    __tablename__ = "field_door"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    turf_id: Mapped[int] = mapped_column(ForeignKey("turf.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id", ondelete="SET NULL"))
    address_id: Mapped[int] = mapped_column(ForeignKey("address.id"), index=True)
    # "door": a dwelling missing at this address; "address": an address missing near it.
    kind: Mapped[str] = mapped_column(String(8))
    # The door's key in visits: "+" and the start of the record's id, so the phone knows it offline.
    unit: Mapped[str] = mapped_column(String(8))
    label: Mapped[str] = mapped_column(String(100))
    # Where the phone was, when the canvasser let it say so (an address only), for the coordinator's map.
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # "pending", "confirmed" or "rejected"
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    address = relationship("Address")
    added_by = relationship("User", foreign_keys=[added_by_id])
