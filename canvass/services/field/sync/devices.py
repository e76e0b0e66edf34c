"""A phone's sync credential: issued once per phone (only its hash is stored), found again by its token."""
import hashlib
import secrets

from sqlalchemy import select

from canvass.extensions import db
from canvass.models import (
    Device,
    User,
)


def may_record(user: User) -> bool:
    """Whether this person records doors and input, and so may hold a phone's sync credential."""
    return user.may_record()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_device(user: User, label: str = "", login_id: int | None = None) -> str:
    """A new sync credential for one phone; only its hash is stored, the token is shown once.

    `login_id`: the login it is issued in, whose logout ends it too (services/people/logins.py)."""
    if not may_record(user):
        raise PermissionError(user.id)
    token = secrets.token_urlsafe(32)
    db.session.add(Device(user_id=user.id, token_hash=_hash(token), label=label[:200], login_id=login_id))
    db.session.commit()
    return token


def device_for(token: str) -> Device | None:
    device = db.session.scalar(select(Device).where(Device.token_hash == _hash(token)))
    if device is None or device.revoked_at is not None:
        return None
    return device
