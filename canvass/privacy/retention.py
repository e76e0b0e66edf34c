"""How long each kind of personal data is kept, and the purge that deletes what has passed it.

`flask --app canvass privacy purge` runs `purge` (a timer runs it nightly, docs/deploy.md). Every
rule is one statement, all in one transaction: a purge that fails halfway deletes nothing. The
committees' counts are not personal data and are never purged.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, update

from canvass.extensions import db
from canvass.geo.errors import N_
from canvass.models import AddressNote, AuditEntry, ConsentRecord, Contact, Conversation, Device, Login, LoginLink, Visit
from canvass.privacy import audit, consent


@dataclass(frozen=True)
class Rule:
    key: str
    what: str
    kept: timedelta | None
    # The statement for a cut-off time: now minus `kept`, or now for rows that carry their own deletion date.
    statement: Callable[[datetime], object]


def _consents(purpose: str):
    return lambda now: delete(ConsentRecord).where(ConsentRecord.purpose == purpose, ConsentRecord.delete_after <= now)


RULES = (
    Rule("consent_membership", N_("samtykker til medlemskap"), None, _consents(consent.MEMBERSHIP)),
    Rule("consent_follow_up", N_("samtykker til oppfølging"), None, _consents(consent.FOLLOW_UP)),
    # Contact details live only as long as a consent for them does.
    Rule("contact", N_("kontakter uten gyldig samtykke"), None, lambda now: delete(Contact).where(
        ~exists().where(ConsentRecord.contact_id == Contact.id))),
    # The door a conversation was had at helps the canvasser correct it that evening; after that
    # the postal code and district are enough, and a house number could point to one household.
    Rule("conversation_door", N_("dører fra samtaler"), timedelta(days=30), lambda cut: update(Conversation).where(
        Conversation.address_id.is_not(None), Conversation.recorded_at < cut).values(address_id=None)),
    Rule("door_note", N_("notater om dører"), timedelta(days=365), lambda cut: delete(AddressNote).where(
        AddressNote.recorded_at < cut)),
    # Two years covers one election to the next for "do not knock" and the turf maps.
    Rule("visit", N_("dørbesøk"), timedelta(days=730), lambda cut: delete(Visit).where(Visit.recorded_at < cut)),
    Rule("device", N_("tilbakekalte telefoner"), timedelta(days=90), lambda cut: delete(Device).where(
        Device.revoked_at < cut)),
    # A login that ended or ran out is kept a while to answer "was that phone logged out?"; one a phone's
    # sync credential still points to goes with that credential.
    Rule("login", N_("avsluttede innlogginger"), timedelta(days=90), lambda cut: delete(Login).where(
        (Login.ended_at < cut) | (Login.expires_at < cut), ~exists().where(Device.login_id == Login.id))),
    Rule("login_link", N_("innloggingslenker"), timedelta(days=90), lambda cut: delete(LoginLink).where(
        LoginLink.expires_at < cut)),
    Rule("audit", N_("linjer i loggen over tilgang"), timedelta(days=730), lambda cut: delete(AuditEntry).where(
        AuditEntry.at < cut, AuditEntry.event != audit.PURGE)),
)


@dataclass
class Purged:
    rule: Rule
    count: int


def purge(now: datetime, dry_run: bool = False) -> list[Purged]:
    """Delete everything past its time, rule by rule, and log what went; with `dry_run`, only count."""
    done = [Purged(rule, db.session.execute(rule.statement(now - rule.kept if rule.kept else now)
                                            .execution_options(synchronize_session=False)).rowcount)
            for rule in RULES]
    if dry_run:
        db.session.rollback()
        return done
    for purged in done:
        if purged.count:
            audit.log(None, audit.PURGE, purged.rule.what, purged.count)
    db.session.commit()
    return done
