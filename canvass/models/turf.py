"""Turf (roder): a set of addresses in walking order, cut from a branch's postal codes."""
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
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
