"""How long each kind of personal data is kept, and the purge that deletes what has passed it.

`flask --app canvass privacy purge` runs `purge` (a timer runs it nightly, docs/deploy.md). Every
rule runs in one transaction: a purge that fails halfway deletes nothing. The committees' counts
are not personal data and are never purged.
"""
import hashlib
import hmac
import secrets
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, exists, insert, select, update

from canvass.extensions import db
from canvass.models import (
    AddressNote,
    AuditEntry,
    ConsentRecord,
    Contact,
    Conversation,
    Device,
    Login,
    LoginLink,
    Outcome,
    Visit,
)
from canvass.privacy import audit, consent
from canvass.refusal import N_
from canvass.services.committee import answer_counts

# What a conversation keeps after the purge, with its week, and is reordered within: the postal code and the
# day would narrow it to the few doors that opened there that day (committees read districts and weeks).
CELL = ("organisation_id", "branch_id", "action_id", "district_number")
# What moves with the resident's input when the rows of a cell are reordered.
CONTENT = ("topics", "words", "importance")
# A contact's resend key after the purge: random, and marked so it is replaced once (a hex HMAC never starts so).
REKEYED = "r"


@dataclass(frozen=True)
class Rule:
    key: str
    what: str
    kept: timedelta | None
    # Does the rule's work for a cut-off time (now minus `kept`, or now for rows that carry their own
    # deletion date) and says how many rows it touched.
    run: Callable[[datetime], int]


def _statement(build: Callable[[datetime], object]) -> Callable[[datetime], int]:
    return lambda cut: db.session.execute(build(cut).execution_options(synchronize_session=False)).rowcount


def _consents(purpose: str):
    return _statement(lambda now: delete(ConsentRecord).where(ConsentRecord.purpose == purpose,
                                                              ConsentRecord.delete_after <= now))


def unlink(cut: datetime) -> int:
    """Cut conversations older than `cut` loose from the door, the canvasser and the contact.

    The evening's link is there so the canvasser can correct a record; after that, anything that
    could join a conversation to a visit, a note, a device or a contact goes: the door, the visit's
    id (door conversations get a random one; the visit keeps deduplicating a resend), the time
    (only the Oslo week is kept, as its Monday at midnight UTC) and the postal code (the district stays),
    the wish for membership or contact (the consent records hold the action and the hour). The rows'
    ids keep the order they were stored in, which follows the visits' and contacts' ids, so the input
    of each cell (action, branch, district, week) is put among the cell's rows in the order of a keyed
    hash of the input, with everything that points at it. The
    visit stops saying a conversation was had: it says the door opened. What the committees count
    (cell and content) is unchanged, so their tallies stay right.
    """
    due = (Conversation.unlinked.is_(False), Conversation.recorded_at < cut)
    rows = db.session.execute(select(Conversation.id, Conversation.visit_uuid, Conversation.week,
                                     *(getattr(Conversation, c) for c in CELL + CONTENT)).where(*due)).all()
    db.session.execute(update(Visit).where(Visit.outcome == Outcome.CONVERSATION, Visit.recorded_at < cut)
                       .values(outcome=Outcome.OPENED).execution_options(synchronize_session=False))
    if not rows:
        return 0
    # Before the postal codes go: the answer counts move the same answers to postal code "".
    answer_counts.forget_postal_codes([row.id for row in rows])
    cells = defaultdict(list)
    for row in rows:
        cells[tuple(getattr(row, c) for c in CELL) + (row.week,)].append(row)
    door_uuids = set(db.session.scalars(select(Conversation.visit_uuid).where(
        *due, exists().where(Visit.client_uuid == Conversation.visit_uuid))))
    moved: dict[int, int] = {}
    values = []
    secret = current_app.config["SECRET_KEY"].encode()
    for key, members in cells.items():
        sources = sorted(members, key=lambda row: _keyed(secret, row))
        for target, source in zip(members, sources, strict=True):
            moved[source.id] = target.id
            values.append({"row_id": target.id, **{f"new_{c}": getattr(source, c) for c in CONTENT},
                           "new_uuid": str(uuid.uuid4()) if target.visit_uuid in door_uuids else target.visit_uuid,
                           "monday": datetime.combine(key[-1], time())})
    _move_references(moved)
    table = Conversation.__table__
    db.session.execute(update(table).where(table.c.id == bindparam("row_id")).values(
        address_id=None, postnummer=None, visit_uuid=bindparam("new_uuid"), recorded_at=bindparam("monday"),
        wants_membership=False, wants_contact=False, unlinked=True,
        **{c: bindparam(f"new_{c}") for c in CONTENT}), values)
    return len(rows)


def _keyed(secret: bytes, row) -> str:
    """A row's place in its cell after the purge: a keyed hash of its input, so the order says nothing of
    when it was stored (or of its visit), and the same input always lands in the same place."""
    content = repr([getattr(row, c) for c in CONTENT]).encode()
    return hmac.new(secret, content, hashlib.sha256).hexdigest()


def _move_references(moved: dict[int, int]) -> None:
    """Every row that points at a conversation (its topics, tags, themes, what a committee considered) follows
    the input it belongs to. Deleted and inserted again, because a row-by-row update would collide with
    the composite keys halfway."""
    moved = {source: target for source, target in moved.items() if source != target}
    if not moved:
        return
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is not Conversation.__table__:
                continue
            column = fk.parent
            referring = [dict(r._mapping) for chunk in _chunks(list(moved))
                         for r in db.session.execute(select(table).where(column.in_(chunk)))]
            if not referring:
                continue
            # All of them out before any comes back: a row may move to an id whose own rows are still there.
            for chunk in _chunks(list(moved)):
                db.session.execute(delete(table).where(column.in_(chunk)))
            db.session.execute(insert(table), [{**r, column.name: moved[r[column.name]]} for r in referring])


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def rekey_contacts(cut: datetime) -> int:
    """A contact's resend key is a keyed hash of the visit's id: with the server's secret it would join the
    contact to the door. Resends are long over by the time the conversation is unlinked; the key becomes random."""
    stale = db.session.scalars(select(Contact.id).where(
        ~Contact.event_key.startswith(REKEYED, autoescape=True),
        exists().where(ConsentRecord.contact_id == Contact.id, ConsentRecord.given_at < cut))).all()
    if stale:
        table = Contact.__table__
        db.session.execute(update(table).where(table.c.id == bindparam("row_id")).values(
            event_key=bindparam("new_key")), [{"row_id": contact_id, "new_key": REKEYED + secrets.token_hex(31)}
                            for contact_id in stale])
    return len(stale)


RULES = (
    Rule("consent_membership", N_("samtykker til medlemskap"), None, _consents(consent.MEMBERSHIP)),
    Rule("consent_follow_up", N_("samtykker til oppfølging"), None, _consents(consent.FOLLOW_UP)),
    # Contact details live only as long as a consent for them does.
    Rule("contact", N_("kontakter uten gyldig samtykke"), None, _statement(lambda now: delete(Contact).where(
        ~exists().where(ConsentRecord.contact_id == Contact.id)))),
    # The door a conversation was had at helps the canvasser correct it that evening; after that
    # the postal code and district are enough, and a house number could point to one household.
    Rule("conversation_door", N_("samtaler løst fra dør, tid og dørbanker"), timedelta(days=30), unlink),
    Rule("contact_key", N_("kontakter løst fra dørbesøket"), timedelta(days=30), rekey_contacts),
    Rule("door_note", N_("notater om dører"), timedelta(days=365), _statement(lambda cut: delete(AddressNote).where(
        AddressNote.recorded_at < cut))),
    # Two years covers one election to the next for "do not knock" and the turf maps.
    Rule("visit", N_("dørbesøk"), timedelta(days=730), _statement(lambda cut: delete(Visit).where(
        Visit.recorded_at < cut))),
    Rule("device", N_("tilbakekalte telefoner"), timedelta(days=90), _statement(lambda cut: delete(Device).where(
        Device.revoked_at < cut))),
    # A login that ended or ran out is kept a while to answer "was that phone logged out?"; one a phone's
    # sync credential still points to goes with that credential.
    Rule("login", N_("avsluttede innlogginger"), timedelta(days=90), _statement(lambda cut: delete(Login).where(
        (Login.ended_at < cut) | (Login.expires_at < cut), ~exists().where(Device.login_id == Login.id)))),
    Rule("login_link", N_("innloggingslenker"), timedelta(days=90), _statement(lambda cut: delete(LoginLink).where(
        LoginLink.expires_at < cut))),
    Rule("audit", N_("linjer i loggen over tilgang"), timedelta(days=730), _statement(
        lambda cut: delete(AuditEntry).where(AuditEntry.at < cut, AuditEntry.event != audit.PURGE))),
)


@dataclass
class Purged:
    rule: Rule
    count: int


def purge(now: datetime, dry_run: bool = False) -> list[Purged]:
    """Delete everything past its time, rule by rule, and log what went; with `dry_run`, only count."""
    done = [Purged(rule, rule.run(now - rule.kept if rule.kept else now)) for rule in RULES]
    if dry_run:
        db.session.rollback()
        return done
    for purged in done:
        if purged.count:
            audit.log(None, audit.PURGE, purged.rule.what, purged.count)
    db.session.commit()
    return done
