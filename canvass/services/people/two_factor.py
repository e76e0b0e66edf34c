"""Two-factor login with time-based codes (TOTP, RFC 6238) for the roles that see personal data.

Admins and coordinators see residents' contact details and volunteers' phone numbers, so a
password alone does not let them in. A code is accepted once: the step it belongs to is stored.
"""
import hmac
import re
import time

import pyotp

from canvass.models import User

ISSUER = "Canvass"
STEP = 30


def required(user: User) -> bool:
    return user.needs_two_factor()


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email or user.name, issuer_name=ISSUER)


def verify(user: User, code: str, secret: str | None = None, now: float | None = None) -> bool:
    """Whether `code` is right for this step or the one either side (a phone's clock drifts), and unused.

    On success the step is remembered, so the caller's commit makes the code worthless a second time."""
    totp = pyotp.TOTP(secret or user.totp_secret)
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return False
    current = int((time.time() if now is None else now) // STEP)
    for step in (current - 1, current, current + 1):
        if step > (user.totp_last_step or -1) and hmac.compare_digest(totp.at(step * STEP), code):
            user.totp_last_step = step
            return True
    return False
