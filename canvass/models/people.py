"""People, their roles and invitations.

Volunteers join from an invite link with a name and a phone number or e-mail and no password;
coordinators and admins log in with an argon2-hashed password.
"""
import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, Enum, ForeignKey, Index, Integer, String, text
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
    # Unique only among password accounts (the index below): a volunteer's e-mail is a way to reach them, not a
    # way in, and an invite must not be able to tell whether someone else already gave the same address.
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # Two-factor: the TOTP secret once set up, and the last time step used, so a code works only once.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A volunteer a coordinator removed: no branch and no way in; the doors they recorded stay.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)

    organisation = relationship("Organisation")
    branch = relationship("Branch")

    __table_args__ = (Index("uq_user_login_email", "email", unique=True, sqlite_where=text("password_hash IS NOT NULL"),
                            postgresql_where=text("password_hash IS NOT NULL")),)

    # The token of the login this object was loaded for (services/logins.py); Flask-Login stores it in the
    # session and the remember cookie instead of the user's id, so a login ended on the server loads nobody.
    login_token = None

    def get_id(self) -> str:
        if not self.login_token:
            raise RuntimeError("log in through canvass.services.logins, which records the login")
        return self.login_token

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


class Login(db.Model):
    """One login on one browser or phone: what the session and the remember cookie stand for.

    Only a hash of its token is kept. Ending it (logout, removal, erasure, a new password, a lost phone)
    makes every copy of the cookies worthless at once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    # When the code from the authenticator app was last given in this login; the server asks again after
    # TWO_FACTOR_REMEMBER_DAYS whatever the cookie says.
    second_factor_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User")


class LoginLink(db.Model):
    """A personal one-time link (and QR code) a coordinator gives a volunteer whose phone lost its login."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    user = relationship("User", foreign_keys=[user_id])
