"""People, their roles and invitations.

Volunteers join from an invite link with a name and a phone number or e-mail and no password;
coordinators and admins log in with an argon2-hashed password.
"""
import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from canvass.clock import utcnow
from canvass.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    CANVASSER = "canvasser"
    COMMITTEE = "committee"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # Branch-level roles have a branch; an admin or a county committee member has none.
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # Two-factor: the TOTP secret once set up, and the last time step used, so a code works only once.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    organisation = relationship("Organisation")
    branch = relationship("Branch")

    def can_manage_branch(self, branch) -> bool:
        if branch.organisation_id != self.organisation_id:
            return False
        if self.role == Role.ADMIN:
            return True
        return self.role == Role.COORDINATOR and self.branch_id == branch.id


class Invite(db.Model):
    """A link (and QR code) that lets a volunteer join a branch without a password."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    branch = relationship("Branch")
