"""What was said at a door, stored with its area and never with a name (contact details: models.privacy)."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import expression

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.insight.tally import week_of


class Conversation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)
    # Input from a stand or a street talk has no address, and an area only when the person gave one.
    address_id: Mapped[int | None] = mapped_column(ForeignKey("address.id"))
    postnummer: Mapped[str | None] = mapped_column(String(4), index=True)
    district_number: Mapped[str | None] = mapped_column(String(6), index=True)
    # One topic per line, from the action's list.
    topics: Mapped[str] = mapped_column(Text, default="")
    words: Mapped[str] = mapped_column(Text, default="")
    importance: Mapped[int | None] = mapped_column(Integer)
    wants_membership: Mapped[bool] = mapped_column(Boolean, default=False)
    wants_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    # Set by the purge after 30 days (canvass.privacy.retention.unlink): from then on the row has no door, its
    # time is the day, and nothing in it or in its place among its neighbours' ids leads back to a visit.
    unlinked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=expression.false())
    # The Monday of the Oslo week it was said in: with its action, branch and district, the cell a
    # committee reads it in (canvass.insight.cells). Filled from recorded_at on every insert.
    week: Mapped[date | None] = mapped_column(Date, index=True, default=lambda context: week_of(
        context.get_current_parameters()["recorded_at"]))


class AddressNote(db.Model):
    """A note about the door for the next canvasser (door code, broken bell), never about the people."""

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The branch whose turf it was written in: only that branch's walk lists show it.
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    address_id: Mapped[int] = mapped_column(ForeignKey("address.id"), index=True)
    text: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
