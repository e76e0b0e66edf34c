"""Logins as server-side records, personal login links, and taking a volunteer's ways in away.

Flask-Login keeps whatever `User.get_id()` returns in the session and, signed, in the remember
cookie. Here that is the random token of one `Login` row, of which only a hash is stored, so every
login has cookies of its own and ending the row on the server ends them wherever copies of them are.
A device token (the phone's sync credential) belongs to the login it was issued in.
"""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from canvass import clock
from canvass.extensions import db
from canvass.models import Action, Assignment, Device, Login, LoginLink, Signup, User
from canvass.privacy import audit
from canvass.services.people import two_factor


def token_hash(token: str) -> str:
    """What is stored of a login's token, and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()



def start(user: User, lifetime: timedelta, second_factor: bool = False) -> str:
    """Record a new login for `user` and make it the one `user.get_id()` names; the caller commits."""
    token = secrets.token_urlsafe(32)
    now = clock.utcnow()
    db.session.add(Login(user_id=user.id, token_hash=token_hash(token), created_at=now, expires_at=now + lifetime,
                         second_factor_at=now if second_factor else None))
    user.login_token = token
    return token


def user_for(token: str, second_factor_days: int | None) -> User | None:
    """The user of a running login, or None when it was ended, ran out, or owes a new code.

    `second_factor_days`: how long a code from the authenticator app lasts for the roles that need one
    (None when two-factor login is switched off)."""
    # The memberships in the same query: every request asks the person what they may do.
    found = db.session.execute(select(Login, User).join(User, Login.user_id == User.id)
                               .where(Login.token_hash == token_hash(token))
                               .options(joinedload(User.memberships))).unique().first()
    if found is None:
        return None
    record, user = found
    if not _running(record, user, second_factor_days):
        return None
    user.login_token = token
    return user


def device_running(device: Device, second_factor_days: int | None) -> bool:
    """Whether a phone's sync credential still stands on a running login: it ends with its login, also when the
    login runs out or owes a new code. A phone set up before logins were recorded has none: a volunteer's
    still delivers its outbox; an admin's or coordinator's must log in again."""
    if device.login_id is None:
        return not two_factor.required(device.user)
    return _running(db.session.get(Login, device.login_id), device.user, second_factor_days)


def code_days(config) -> int | None:
    """How long a code from the authenticator app lasts, or None when two-factor login is switched off."""
    return config["TWO_FACTOR_REMEMBER_DAYS"] if config["TWO_FACTOR"] else None


def _running(record: Login, user: User, second_factor_days: int | None) -> bool:
    now = clock.utcnow()
    if record.ended_at is not None or record.expires_at <= now or user.removed_at is not None:
        return False
    return not (second_factor_days is not None and two_factor.required(user) and (
        record.second_factor_at is None or record.second_factor_at + timedelta(days=second_factor_days) <= now))


def login_id(user: User) -> int | None:
    """The id of the login `user` was loaded for, to tie a device token to it."""
    if not user.login_token:
        return None
    return db.session.scalar(select(Login.id).where(Login.token_hash == token_hash(user.login_token)))


def end(token: str) -> None:
    """Log out one login and the device token issued in it; the caller commits."""
    now = clock.utcnow()
    record = db.session.scalar(select(Login).where(Login.token_hash == token_hash(token)))
    if record is None:
        return
    record.ended_at = record.ended_at or now
    db.session.execute(update(Device).where(Device.login_id == record.id, Device.revoked_at.is_(None))
                       .values(revoked_at=now))


def end_all(user: User) -> None:
    """Every login, device token and unused login link of `user` stops working; the caller commits."""
    now = clock.utcnow()
    db.session.execute(update(Login).where(Login.user_id == user.id, Login.ended_at.is_(None)).values(ended_at=now))
    db.session.execute(update(Device).where(Device.user_id == user.id, Device.revoked_at.is_(None))
                       .values(revoked_at=now))
    db.session.execute(update(LoginLink).where(LoginLink.user_id == user.id, LoginLink.used_at.is_(None),
                                               LoginLink.revoked_at.is_(None)).values(revoked_at=now))


def revoke_device(device: Device, by: User) -> None:
    """A lost phone: its sync credential and the login it came with end; the person's other phones go on."""
    now = clock.utcnow()
    device.revoked_at = device.revoked_at or now
    if device.login_id is not None:
        db.session.execute(update(Login).where(Login.id == device.login_id, Login.ended_at.is_(None))
                           .values(ended_at=now))
    audit.log(by, audit.REVOKE, f"telefon for bruker {device.user_id}")
    db.session.commit()


def active_devices(user_ids: list[int]) -> dict[int, list[Device]]:
    devices: dict[int, list[Device]] = {}
    for device in db.session.scalars(select(Device).where(Device.user_id.in_(user_ids), Device.revoked_at.is_(None))
                                     .order_by(Device.created_at)):
        devices.setdefault(device.user_id, []).append(device)
    return devices


def remove_volunteer(user: User, by: User | None) -> None:
    """Take a person out: no roles, no more ways in, no place in actions still to come or under way
    (started in the last 12 hours, as the home page counts today's).

    The account stays, without a role, so the doors it recorded keep counting under the retention rules
    (docs/privacy.md); erasing the person is a separate request (privacy.subject)."""
    now = clock.utcnow()
    end_all(user)
    upcoming = select(Action.id).where(Action.starts_at > now - timedelta(hours=12))
    db.session.execute(delete(Assignment).where(Assignment.user_id == user.id, Assignment.action_id.in_(upcoming)))
    db.session.execute(delete(Signup).where(Signup.user_id == user.id, Signup.action_id.in_(upcoming)))
    user.removed_at = now
    user.memberships.clear()
    audit.log(by, audit.REMOVE, f"fjernet bruker {user.id} fra laget", organisation_id=user.organisation_id)
    db.session.commit()


def issue_link(user: User, by: User, lifetime: timedelta) -> tuple[LoginLink, str]:
    """A new personal login link for a volunteer; any earlier unused one stops working. Shown once."""
    now = clock.utcnow()
    db.session.execute(update(LoginLink).where(LoginLink.user_id == user.id, LoginLink.used_at.is_(None),
                                               LoginLink.revoked_at.is_(None)).values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    link = LoginLink(user_id=user.id, created_by_id=by.id, token_hash=token_hash(token), created_at=now,
                     expires_at=now + lifetime)
    db.session.add(link)
    audit.log(by, audit.LOGIN_LINK, f"innloggingslenke for bruker {user.id}")
    db.session.commit()
    return link, token


def _usable(now):
    return LoginLink.used_at.is_(None) & LoginLink.revoked_at.is_(None) & (LoginLink.expires_at > now)


def _usable_link(token: str) -> LoginLink | None:
    return db.session.scalar(select(LoginLink).where(LoginLink.token_hash == token_hash(token),
                                                     _usable(clock.utcnow())))


def _claim(link: LoginLink | None) -> User | None:
    """The link's account, once: two phones opening it at the same moment cannot both get in."""
    if link is None:
        return None
    now = clock.utcnow()
    claimed = db.session.execute(update(LoginLink).where(LoginLink.id == link.id, _usable(now)).values(used_at=now))
    return link.user if claimed.rowcount == 1 else None


def valid_link(token: str) -> LoginLink | None:
    link = _usable_link(token)
    # Only for people who log in with no password: a link would step around a coordinator's password and code.
    if link is None or link.user.removed_at is not None or link.user.needs_password() or not link.user.memberships:
        return None
    return link


def use_link(token: str) -> User | None:
    """The volunteer the link is for, once."""
    return _claim(valid_link(token))


def active_links(user_ids: list[int]) -> dict[int, LoginLink]:
    links = db.session.scalars(select(LoginLink).where(LoginLink.user_id.in_(user_ids), _usable(clock.utcnow())))
    return {link.user_id: link for link in links}


def revoke_link(link: LoginLink) -> None:
    link.revoked_at = link.revoked_at or clock.utcnow()
    db.session.commit()


def issue_password_link(user: User, lifetime: timedelta) -> str:
    """A one-time link where a new admin (or coordinator) chooses a password; two-factor setup follows at the
    first login. It is a LoginLink row like a volunteer's, but only the password page accepts it (valid_link
    takes volunteers only), and only while the account has no password. The caller commits; shown once."""
    now = clock.utcnow()
    db.session.execute(update(LoginLink).where(LoginLink.user_id == user.id, LoginLink.used_at.is_(None),
                                               LoginLink.revoked_at.is_(None)).values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    db.session.flush()
    db.session.add(LoginLink(user_id=user.id, created_by_id=user.id, token_hash=token_hash(token), created_at=now,
                             expires_at=now + lifetime))
    return token


def valid_password_link(token: str) -> LoginLink | None:
    link = _usable_link(token)
    if (link is None or link.user.removed_at is not None or not link.user.needs_password()
            or link.user.password_hash is not None):
        return None
    return link


def use_password_link(token: str) -> User | None:
    """The account the link is for, once; the caller sets the password and commits in the same transaction."""
    return _claim(valid_password_link(token))
