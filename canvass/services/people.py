"""People and invitations: passwords for coordinators and admins, invite links for volunteers."""
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.models import Invite, Role, User
from canvass.services import logins

_hasher = PasswordHasher()


def create_user(organisation, role: Role, name: str, email: str | None = None, phone: str | None = None,
                password: str | None = None, branch=None) -> User:
    user = User(organisation=organisation, role=role, name=name, email=email.lower() if email else None,
                phone=phone, branch=branch, password_hash=_hasher.hash(password) if password else None)
    db.session.add(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    # Only password accounts log in here; a volunteer may have given the same address at an invite.
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower(),
                                                User.password_hash.is_not(None)))
    if user is None or not user.password_hash:
        _hasher.hash(password)  # same work whether or not the user exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        db.session.commit()
    return user


def create_invite(branch, created_by: User, days: int) -> Invite:
    invite = Invite(token=secrets.token_urlsafe(24), organisation_id=branch.organisation_id, branch=branch,
                    created_by_id=created_by.id, created_at=utcnow(), expires_at=utcnow() + timedelta(days=days))
    db.session.add(invite)
    db.session.commit()
    return invite


def _usable():
    return (Invite.expires_at > utcnow()) & Invite.revoked_at.is_(None)


def active_invites(branch_ids: list[int]) -> list[Invite]:
    return list(db.session.scalars(select(Invite).where(Invite.branch_id.in_(branch_ids), _usable())
                                   .order_by(Invite.created_at.desc())))


def current_invite(branch) -> Invite | None:
    """The branch's invite that stays valid longest, if any is still valid."""
    return db.session.scalar(select(Invite).where(Invite.branch_id == branch.id, _usable())
                             .order_by(Invite.expires_at.desc()).limit(1))


def valid_invite(token: str) -> Invite | None:
    return db.session.scalar(select(Invite).where(Invite.token == token, _usable()))


def revoke_invite(invite: Invite) -> None:
    """The link stops working at once (shared too widely, or a QR code left on a noticeboard)."""
    invite.revoked_at = invite.revoked_at or utcnow()
    db.session.commit()


def join(invite: Invite, name: str, phone: str | None, email: str | None) -> User:
    """A volunteer joins the invite's branch as a canvasser, always with a new account.

    An invite link is shared widely, so what is typed into it never picks an existing account, whatever
    phone number or e-mail it gives: that would let anyone holding the link log in as someone else, and a
    refusal would tell them who has an account. A volunteer whose phone lost its login gets a personal
    login link from the coordinator instead (services/logins.py).
    """
    user = create_user(invite.branch.organisation, Role.CANVASSER, name, email=email, phone=phone,
                       branch=invite.branch)
    invite.uses += 1
    db.session.commit()
    return user


def set_password(user: User, password: str) -> None:
    """A new password ends every login of the person: whoever knew the old one is out."""
    user.password_hash = _hasher.hash(password)
    logins.end_all(user)
    db.session.commit()
