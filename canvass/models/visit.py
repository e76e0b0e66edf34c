"""What happened at a door: append-only events, each with the client's UUID, never edited in place."""
import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from canvass.clock import utcnow
from canvass.extensions import db


class Outcome(enum.StrEnum):
    NOT_HOME = "not_home"
    OPENED = "opened"
    CONVERSATION = "conversation"
    REFUSED = "refused"
    DO_NOT_KNOCK = "do_not_knock"
    INACCESSIBLE = "inaccessible"
    LEAFLET = "leaflet"
    # A leaflet round: a leaflet in every mailbox of the entrance (the address; `unit` is empty). Protocol 1.4.
    MAILBOXES = "mailboxes"


# Outcomes where someone answered the door: they count towards the contact rate.
CONTACT = {Outcome.OPENED, Outcome.CONVERSATION, Outcome.REFUSED}


class Visit(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)
    turf_id: Mapped[int | None] = mapped_column(ForeignKey("turf.id"), index=True)
    address_id: Mapped[int] = mapped_column(ForeignKey("address.id"), index=True)
    # The dwelling (H0101) or, where dwellings are estimated, the door's number at the address.
    unit: Mapped[str] = mapped_column(String(8), default="")
    outcome: Mapped[Outcome] = mapped_column(Enum(Outcome, native_enum=False, length=20))
    canvasser_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A correction (undo) names the event it cancels.
    corrects: Mapped[str | None] = mapped_column(String(36))
    # A leaflet round's entrance (MAILBOXES): mailboxes marked "Nei takk til reklame", and those out of reach
    # (a locked entrance). Reported beside the households reached, never subtracted from them.
    no_ads: Mapped[int | None] = mapped_column(Integer)
    locked: Mapped[int | None] = mapped_column(Integer)
