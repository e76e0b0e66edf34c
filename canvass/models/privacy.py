"""Personal data kept apart from what was said: contact details with their consents, and the audit log.

A contact row holds a name and a way to reach the person, nothing about their views. Each purpose
the resident agreed to (membership, a follow-up talk) is its own consent record with the text and
version they were shown; when the last consent runs out, the contact goes (canvass.privacy.retention).
No column links a contact to a conversation or a visit: `event_key` is a keyed hash of the phone's
event id, so a resend is recognised but the database alone cannot join the two. Contact and consent
ids are drawn at random: sequential ids, handed out in the same order as the conversations', would
pair the n-th contact with the n-th conversation.
"""
import secrets
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from canvass.clock import utcnow
from canvass.extensions import db

# 53 bits: far from colliding at any party's size, and exact as a number in JavaScript too.
RandomId = BigInteger().with_variant(Integer(), "sqlite")


def random_id() -> int:
    return secrets.randbelow(2 ** 53 - 1) + 1


class Contact(db.Model):
    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False, default=random_id)
    event_key: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(200), index=True)
    # Set when a coordinator has followed the person up; the consents still decide when it goes.
    followed_up_at: Mapped[datetime | None] = mapped_column(DateTime)

    branch = relationship("Branch")
    consents: Mapped[list["ConsentRecord"]] = relationship(back_populates="contact", cascade="all, delete-orphan",
                                                            order_by="ConsentRecord.purpose")

    @property
    def purposes(self) -> list[str]:
        return [c.purpose for c in self.consents]


class ConsentRecord(db.Model):
    """One purpose a resident agreed to, with the words they were shown, when and at which action."""

    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False, default=random_id)
    contact_id: Mapped[int] = mapped_column(RandomId, ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    text_version: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    # To the hour: enough to show when consent was given, too coarse to match it to a door's record.
    given_at: Mapped[datetime] = mapped_column(DateTime)
    delete_after: Mapped[datetime] = mapped_column(DateTime, index=True)

    contact: Mapped[Contact] = relationship(back_populates="consents")
    action = relationship("Action")


class AuditEntry(db.Model):
    """Who viewed, exported or deleted personal data, and how much; never the data itself."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # None for the scheduled purge; the name is copied so the entry outlives an erased account.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(String(100))
    event: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer, default=0)
