"""People, their roles and invitations.

Volunteers join from an invite link with a name and a phone number or e-mail and no password;
coordinators and admins log in with an argon2-hashed password.

One person holds any number of roles, each a Membership: in a small lokallag the leader cuts turf
(coordinator), sits on the programme committee and knocks doors (canvasser), with one login. Every
check of who may do what asks the User's methods below, which read the memberships; nothing else
reads them.
"""
import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, Enum, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from canvass.clock import utcnow
from canvass.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    CANVASSER = "canvasser"
    COMMITTEE = "committee"


# Roles held in one branch; an admin's is the whole organisation's; a committee sits for a branch or, with no
# branch, for the organisation (the county committee).
BRANCH_ROLES = frozenset({Role.COORDINATOR, Role.CANVASSER})
# The roles that record doors and input (docs/sync.md); a committee member only reads.
RECORDING_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.CANVASSER})
# The roles that see residents' contact details and volunteers' phone numbers: a password and a second factor.
TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})
# Any role but canvasser logs in with a password; a personal login link would step around it.
PASSWORD_ROLES = frozenset(Role) - {Role.CANVASSER}
# The order roles are listed in, the widest first.
ROLE_ORDER = (Role.ADMIN, Role.COORDINATOR, Role.COMMITTEE, Role.CANVASSER)


class Membership(db.Model):
    """One role one person holds, in one branch or (branch None) for the whole organisation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user = relationship("User", back_populates="memberships")
    branch = relationship("Branch")

    # Two rows with no branch are not equal to SQL; services/people.add_role refuses those duplicates.
    __table_args__ = (UniqueConstraint("user_id", "role", "branch_id", name="uq_membership"),)

    @property
    def sort_key(self):
        return ROLE_ORDER.index(self.role), self.branch.name if self.branch else ""


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
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
    # A person whose last role was taken away: no membership and no way in; the doors they recorded stay.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The id of the invite form a volunteer joined with, made when the form opened: a second tap on "Bli med", or
    # the form sent again after Back, is the same person joining once (services/people/people.py, `join`).
    join_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    organisation = relationship("Organisation")
    # Loaded with the person: every request asks them what the logged-in user may do.
    memberships = relationship("Membership", back_populates="user", lazy="selectin", cascade="all, delete-orphan",
                               order_by="Membership.id")

    __table_args__ = (Index("uq_user_login_email", "email", unique=True, sqlite_where=text("password_hash IS NOT NULL"),
                            postgresql_where=text("password_hash IS NOT NULL")),)

    # The token of the login this object was loaded for (services/people/logins.py); Flask-Login stores it in the
    # session and the remember cookie instead of the user's id, so a login ended on the server loads nobody.
    login_token = None
    # The committee (its branch id, None for the organisation's) a person on several chose to read for; the web
    # layer sets it from the session (services/committees.committee_for).
    committee_scope = None

    def get_id(self) -> str:
        if not self.login_token:
            raise RuntimeError("log in through canvass.services.people.logins, which records the login")
        return self.login_token

    # What this person may do. Every role check in the app asks one of these.

    def holds(self, *roles: Role, branch_id: int | None = None) -> bool:
        """Whether the person holds one of `roles`, anywhere, or (given `branch_id`) in that branch."""
        return any(m.role in roles and (branch_id is None or m.branch_id == branch_id) for m in self.memberships)

    def roles(self) -> set[Role]:
        return {m.role for m in self.memberships}

    @property
    def is_admin(self) -> bool:
        return self.holds(Role.ADMIN)

    def branch_ids(self, *roles: Role) -> set[int]:
        """The branches where the person holds one of `roles` (an admin's reach is not counted here)."""
        return {m.branch_id for m in self.memberships if m.role in roles and m.branch_id is not None}

    def branches(self, *roles: Role) -> list:
        """The branches (objects, by name) where the person holds one of `roles`."""
        return sorted({m.branch for m in self.memberships if m.role in roles and m.branch is not None},
                      key=lambda b: b.name)

    def can_manage_branch(self, branch) -> bool:
        """Plan turf and actions and manage volunteers there: the organisation's admin, or the branch's coordinator."""
        if branch.organisation_id != self.organisation_id:
            return False
        return self.is_admin or self.holds(Role.COORDINATOR, branch_id=branch.id)

    def managed_branch_ids(self) -> set[int] | None:
        """The branches the person coordinates; None for an admin, who manages all of the organisation's."""
        return None if self.is_admin else self.branch_ids(Role.COORDINATOR)

    def may_record(self) -> bool:
        """Records doors and input, and so may hold a phone's sync credential."""
        return self.holds(*RECORDING_ROLES)

    def may_record_in_branch(self, branch_id: int | None) -> bool:
        """Records in a branch's turf and actions without signing up: the admin, its coordinators and canvassers."""
        return self.is_admin or (branch_id is not None and branch_id in self.branch_ids(*BRANCH_ROLES))

    def committee_scopes(self) -> list[int | None]:
        """The committees the person sits on, by branch (None: the organisation's); an admin reads the
        organisation's. The organisation's first."""
        scopes = {m.branch_id for m in self.memberships if m.role == Role.COMMITTEE}
        if self.is_admin:
            scopes.add(None)
        return sorted(scopes, key=lambda b: (b is not None, b or 0))

    def needs_two_factor(self) -> bool:
        return self.holds(*TWO_FACTOR_ROLES)

    def needs_password(self) -> bool:
        """Logs in with a password (and never with a personal login link): any role but canvasser."""
        return self.holds(*PASSWORD_ROLES)

    def is_volunteer_of(self, branch_id: int) -> bool:
        return self.holds(Role.CANVASSER, branch_id=branch_id)


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
