"""The consent a resident gives before their contact details are written down, one record per purpose.

A changed text gets a new version; every consent record keeps the version and the words it was given under.
"""
import hashlib
import hmac
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from canvass.refusal import N_

VERSION = "2026-11-v1"
# Stored with every consent record as shown here; the canvasser's page shows its translation.
TEXT = N_("Jeg samtykker til at partiet lagrer navnet mitt og kontaktinformasjonen jeg oppgir, for å kontakte meg "
          "om det jeg har bedt om (medlemskap eller en samtale). Opplysningene lagres adskilt fra det jeg har sagt, "
          "brukes ikke til noe annet og slettes senest etter seks måneder. Jeg kan når som helst be om innsyn "
          "eller sletting.")

MEMBERSHIP, FOLLOW_UP = "membership", "follow_up"
# Long enough for the branch to enrol a new member or call back; the text promises six months at most.
RETENTION = {MEMBERSHIP: timedelta(days=90), FOLLOW_UP: timedelta(days=180)}
PURPOSE_NAMES = {MEMBERSHIP: _l("Medlemskap"), FOLLOW_UP: _l("Oppfølging")}


def purposes(wants_membership: bool, wants_contact: bool) -> list[str]:
    return [p for p, wanted in ((MEMBERSHIP, wants_membership), (FOLLOW_UP, wants_contact)) if wanted]


def event_key(secret: str, event_id: str) -> str:
    """The contact's resend key: stable for one event, but not the event id a visit and conversation carry."""
    return hmac.new(secret.encode(), f"contact:{event_id}".encode(), hashlib.sha256).hexdigest()


def given_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def record(*, contact_id: int, organisation_id: int, action_id: int | None, purpose: str,
           recorded_at: datetime) -> dict:
    """A consent record's row; its deletion date counts from the hour, so it gives away no finer time."""
    given_at = given_hour(recorded_at)
    return {"contact_id": contact_id, "organisation_id": organisation_id, "action_id": action_id,
            "purpose": purpose, "text_version": VERSION, "text": TEXT, "given_at": given_at,
            "delete_after": given_at + RETENTION[purpose]}
