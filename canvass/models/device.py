"""A phone's sync credential (issued to a logged-in person, used to replay records made offline) and the ledger
of the ids its records used."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from canvass.clock import utcnow
from canvass.extensions import db


class Device(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # The login it was issued in: logging out there ends this credential too.
    login_id: Mapped[int | None] = mapped_column(ForeignKey("login.id"), index=True)
    # Only a hash is kept: a database leak must not let anyone post records as this phone.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User")


class SyncEvent(db.Model):
    """One row per id a phone ever used: an id names one record of one type, for ever (docs/sync.md).

    The record itself lives in its own table (visit, address_note, conversation); this row holds only the
    id and the type, so a replay under another type is a conflict, and a record that was purged or erased
    is not stored again when an old outbox is replayed.
    """

    __tablename__ = "sync_event"

    client_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
