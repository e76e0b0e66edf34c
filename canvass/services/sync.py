"""Exactly-once ingest of records made on a phone, online or replayed later from its outbox.

Every record carries the UUID the phone gave it. A record is stored once whatever number of
times it arrives: a repeat with the same content is reported as a duplicate (success for the
phone), a repeat with different content as a conflict (never stored). The protocol is described in
docs/sync.md.
"""
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import Enum, String, bindparam, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.geo.errors import N_
from canvass.models import (Action, Address, AddressNote, Assignment, BranchPostalCode, ConsentRecord, Contact,
                            Conversation, Device, Outcome, Role, Signup, Turf, User, Visit)
from canvass.privacy import consent
from canvass.services import tallies

PROTOCOL = 1
MAX_BATCH = 200
# A phone's clock may be a little ahead; anything further in the future is a mistake.
CLOCK_SKEW = timedelta(hours=1)
OLDEST = timedelta(days=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_device(user: User, label: str = "", login_id: int | None = None) -> str:
    """A new sync credential for one phone; only its hash is stored, the token is shown once.

    `login_id`: the login it is issued in, whose logout ends it too (services/logins.py)."""
    token = secrets.token_urlsafe(32)
    db.session.add(Device(user_id=user.id, token_hash=_hash(token), label=label[:200], login_id=login_id))
    db.session.commit()
    return token


def device_for(token: str) -> Device | None:
    device = db.session.scalar(select(Device).where(Device.token_hash == _hash(token)))
    if device is None or device.revoked_at is not None:
        return None
    return device


@dataclass
class Result:
    id: str
    status: str
    reason: str | None = None
    params: dict | None = None


def _is_id(value) -> bool:
    """A row id as the phone must send it: a whole number (not true/false, text or a list) the database can hold."""
    return type(value) is int and 0 < value < 2 ** 31


def _rejected(event_id, message, **params) -> Result:
    return Result(str(event_id), "rejected", message, params)


def _parse_time(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _recorded_at(event: dict) -> datetime | None:
    """When the phone says it was recorded, if that is a time with a zone, not too old and not ahead of now."""
    moment = _parse_time(event.get("recorded_at"))
    now = utcnow()
    return moment if moment is not None and now - OLDEST <= moment <= now + CLOCK_SKEW else None


def _visit_row(event: dict, user: User, allowed: dict[int, set[int]], actions: set[int]) -> dict | Result:
    """The Visit row an event asks for, or why it cannot be stored."""
    event_id = _event_id(event)
    if event_id is None:
        return _rejected(event.get("id"), N_("Ugyldig id på registreringen."))
    if event.get("type") != "visit":
        return _rejected(event_id, N_("Ukjent type registrering."))
    return _checked_visit(event_id, event, user, allowed, actions)


def _event_id(event: dict) -> str | None:
    try:
        return str(uuid.UUID(str(event.get("id"))))
    except ValueError:
        return None


def _note_row(event: dict, user: User, allowed: dict[int, set[int]]) -> dict | Result:
    """A note about a door (door code, broken bell) for the next canvasser."""
    event_id = _event_id(event)
    if event_id is None:
        return _rejected(event.get("id"), N_("Ugyldig id på registreringen."))
    text = event.get("text")
    recorded_at = _recorded_at(event)
    if not isinstance(text, str) or not 0 < len(text.strip()) <= 200 or recorded_at is None:
        return _rejected(event_id, N_("Notatet må ha mellom 1 og 200 tegn."))
    turf_id, address_id = event.get("turf_id"), event.get("address_id")
    if not _is_id(turf_id) or not _is_id(address_id) or address_id not in allowed.get(turf_id, ()):
        return _rejected(event_id, N_("Du kan ikke registrere besøk på denne adressen."))
    # Filed under the turf's branch, whose walk lists alone show it (one look-up per note; notes are few).
    return {"client_uuid": event_id, "organisation_id": user.organisation_id, "address_id": event["address_id"],
            "branch_id": db.session.get(Turf, turf_id).branch_id,
            "text": text.strip(), "author_id": user.id, "recorded_at": recorded_at, "received_at": utcnow()}


def _input_row(event: dict, user: User) -> dict | Result:
    """Input not tied to a door (a stand, a street talk): what was said, and the area if the person gave one."""
    event_id = _event_id(event)
    if event_id is None:
        return _rejected(event.get("id"), N_("Ugyldig id på registreringen."))
    conversation = _conversation(event.get("conversation"), Outcome.CONVERSATION)
    recorded_at = _recorded_at(event)
    if recorded_at is None:
        return _rejected(event_id, N_("Tidspunktet for registreringen er ugyldig."))
    if not isinstance(conversation, dict) or not (conversation["topics"] or conversation["words"]):
        return _rejected(event_id, N_("Innspillet må ha et tema eller noen ord."))
    postnummer = event.get("postnummer") or None
    if postnummer is not None and (not isinstance(postnummer, str) or not re.fullmatch(r"\d{4}", postnummer)):
        return _rejected(event_id, N_("Ugyldig postnummer «%(value)s»."), value=str(postnummer))
    action = db.session.get(Action, event["action_id"]) if _is_id(event.get("action_id")) else None
    if event.get("action_id") is not None and (action is None or action.organisation_id != user.organisation_id):
        return _rejected(event_id, N_("Ukjent aksjon."))
    return {**conversation, "visit_uuid": event_id, "organisation_id": user.organisation_id,
            "branch_id": action.branch_id if action else user.branch_id, "action_id": action.id if action else None,
            "address_id": None, "postnummer": postnummer, "district_number": None, "recorded_at": recorded_at}


def _checked_visit(event_id: str, event: dict, user: User, allowed: dict[int, set[int]], actions: set[int]
                   ) -> dict | Result:
    try:
        outcome = Outcome(event.get("outcome"))
    except ValueError:
        return _rejected(event_id, N_("Ukjent resultat «%(value)s»."), value=str(event.get("outcome")))
    recorded_at = _recorded_at(event)
    if recorded_at is None:
        return _rejected(event_id, N_("Tidspunktet for registreringen er ugyldig."))
    now = utcnow()
    turf_id, address_id = event.get("turf_id"), event.get("address_id")
    if not _is_id(turf_id) or not _is_id(address_id) or address_id not in allowed.get(turf_id, ()):
        return _rejected(event_id, N_("Du kan ikke registrere besøk på denne adressen."))
    action_id = event.get("action_id")
    if action_id is not None and (not _is_id(action_id) or action_id not in actions):
        return _rejected(event_id, N_("Ukjent aksjon."))
    corrects = event.get("corrects")
    if corrects is not None:
        try:
            corrects = str(uuid.UUID(str(corrects)))
        except ValueError:
            return _rejected(event_id, N_("Ugyldig id på registreringen som angres."))
    conversation = _conversation(event.get("conversation"), outcome)
    if isinstance(conversation, str):
        return _rejected(event_id, conversation)
    contact = _contact(event.get("contact"), conversation)
    if isinstance(contact, str):
        return _rejected(event_id, contact)
    return {"_conversation": conversation, "_contact": contact, "client_uuid": event_id, "organisation_id": user.organisation_id, "action_id": event.get("action_id"),
            "turf_id": turf_id, "address_id": address_id, "unit": str(event.get("unit") or "")[:8],
            "outcome": outcome, "canvasser_id": user.id, "recorded_at": recorded_at, "received_at": now,
            "corrects": corrects}


def _conversation(data, outcome: Outcome) -> dict | str | None:
    """The conversation's content, checked; a string says what is wrong with it."""
    if data is None:
        return None
    if outcome != Outcome.CONVERSATION or not isinstance(data, dict):
        return N_("Samtaleinnholdet hører bare til en samtale.")
    topics = data.get("topics") or []
    words = data.get("words") or ""
    importance = data.get("importance")
    if (not isinstance(topics, list) or len(topics) > 20 or not all(isinstance(t, str) and 0 < len(t) <= 60 for t in topics)
            or not isinstance(words, str) or len(words) > 4000
            or importance not in (None, 1, 2, 3)):
        return N_("Samtaleinnholdet er ugyldig.")
    return {"topics": "\n".join(t.strip() for t in topics), "words": words.strip(), "importance": importance,
            "wants_membership": bool(data.get("wants_membership")), "wants_contact": bool(data.get("wants_contact"))}


def _contact(data, conversation: dict | None) -> dict | str | None:
    """Contact details, accepted only with the current consent text ticked and a reason to contact."""
    if data is None:
        return None
    if not isinstance(data, dict) or conversation is None or not (
            conversation["wants_membership"] or conversation["wants_contact"]):
        return N_("Kontaktinformasjon kan bare lagres når beboeren vil bli medlem eller kontaktet.")
    if data.get("consent_version") != consent.VERSION or data.get("consent") is not True:
        return N_("Kontaktinformasjon kan bare lagres med samtykke.")
    name = str(data.get("name") or "").strip()
    phone = re.sub(r"\s", "", str(data.get("phone") or "")) or None
    email = str(data.get("email") or "").strip() or None
    if not name or len(name) > 100 or not (phone or email) or (phone and not re.fullmatch(r"\+?\d{8,15}", phone)) \
            or (email and (len(email) > 200 or "@" not in email)):
        return N_("Kontaktinformasjonen er ufullstendig eller ugyldig.")
    return {"name": name, "phone": phone, "email": email,
            "purposes": consent.purposes(conversation["wants_membership"], conversation["wants_contact"])}


# Built once: these run for every batch, and a prebuilt statement skips most of the compiling.
_ALLOWED_ANY_BRANCH = (
    select(Turf.id, Address.id)
    .join(BranchPostalCode, BranchPostalCode.branch_id == Turf.branch_id)
    .join(Address, Address.postnummer == BranchPostalCode.postnummer)
    .where(Turf.id.in_(bindparam("turfs", expanding=True)), Turf.organisation_id == bindparam("organisation"),
           Address.id.in_(bindparam("addresses", expanding=True))))
_ALLOWED = _ALLOWED_ANY_BRANCH.where(or_(
    Turf.branch_id == bindparam("branch"),
    Turf.branch_id.in_(select(Action.branch_id).join(Signup).where(Signup.user_id == bindparam("user"))),
    Turf.id.in_(select(Assignment.turf_id).where(Assignment.user_id == bindparam("user")))))


def _allowed(user: User, turf_ids: set, address_ids: set) -> dict[int, set[int]]:
    """For each turf the user may record in, the addresses of the events that lie in its branch's territory.

    A volunteer may record in their own branch's turf and in turf of branches whose actions they
    signed up for or were given turf in; a coordinator in their branch's, an admin in the organisation's.
    This holds for turf that was replaced or released while the phone was offline, so nothing recorded
    at the door is lost; the territory check stops a tampered request from recording anywhere else.
    """
    if not turf_ids or not address_ids:
        return {}
    query = _ALLOWED_ANY_BRANCH if user.role == Role.ADMIN else _ALLOWED
    rows = db.session.execute(query, {"turfs": list(turf_ids), "addresses": list(address_ids), "user": user.id,
                                      "organisation": user.organisation_id, "branch": user.branch_id})
    allowed: dict[int, set[int]] = {}
    for turf_id, address_id in rows:
        allowed.setdefault(turf_id, set()).add(address_id)
    return allowed


def _known_actions(user: User, action_ids: set[int]) -> set[int]:
    """The batch's action ids that are actions of the user's organisation.

    A batch names one action or two, and a page recording a door has its action loaded already,
    so looking each up through the session costs no query there."""
    return {action_id for action_id in action_ids
            if (action := db.session.get(Action, action_id)) is not None
            and action.organisation_id == user.organisation_id}


def _store_extras(dialect, user: User, rows: dict[str, dict], extras: dict) -> None:
    """Conversations beside their visits (with area, never a name); contact details apart, with consent."""
    rows = {key: row for key, row in rows.items() if any(extras[key])}
    if not rows:
        return
    addresses = {a.id: a for a in db.session.scalars(select(Address).where(
        Address.id.in_({row["address_id"] for row in rows.values()})))}
    branches = dict(db.session.execute(select(Turf.id, Turf.branch_id).where(
        Turf.id.in_({row["turf_id"] for row in rows.values()}))).all())
    conversations, contacts = [], []
    for key, row in rows.items():
        conversation, contact = extras[key]
        branch_id = branches.get(row["turf_id"])
        if conversation:
            address = addresses[row["address_id"]]
            conversations.append({**conversation, "visit_uuid": key, "organisation_id": user.organisation_id,
                                  "branch_id": branch_id, "action_id": row["action_id"], "address_id": address.id,
                                  "postnummer": address.postnummer, "district_number": address.district_number,
                                  "recorded_at": row["recorded_at"]})
        if contact:
            contacts.append({**contact, "event_key": consent.event_key(current_app.secret_key, key),
                             "organisation_id": user.organisation_id, "branch_id": branch_id,
                             "action_id": row["action_id"], "recorded_at": row["recorded_at"]})
    if conversations:
        stored = db.session.execute(dialect.insert(Conversation.__table__).on_conflict_do_nothing(
            index_elements=["visit_uuid"]).returning(Conversation.id, Conversation.visit_uuid), conversations)
        by_key = {c["visit_uuid"]: c for c in conversations}
        tallies.record([{**by_key[key], "id": conversation_id} for conversation_id, key in stored])
    if contacts:
        _store_contacts(dialect, contacts)


def _store_contacts(dialect, contacts: list[dict]) -> None:
    """Contact details and one consent record per purpose; nothing in either names the visit."""
    columns = ("event_key", "organisation_id", "branch_id", "name", "phone", "email")
    stored = dict(db.session.execute(dialect.insert(Contact.__table__).on_conflict_do_nothing(
        index_elements=["event_key"]).returning(Contact.event_key, Contact.id),
        [{c: contact[c] for c in columns} for contact in contacts]).all())
    consents = [consent.record(contact_id=stored[c["event_key"]], organisation_id=c["organisation_id"],
                               action_id=c["action_id"], purpose=purpose, recorded_at=c["recorded_at"])
                for c in contacts if c["event_key"] in stored for purpose in c["purposes"]]
    if consents:
        db.session.execute(ConsentRecord.__table__.insert(), consents)


def _insert_new(dialect, table, key: str, rows: list[dict]) -> set[str]:
    """Insert the rows whose key is not stored yet; the keys of those that were new.

    On PostgreSQL the batch goes as one array per column through unnest(), so the statement's text
    is the same for every batch and is parsed and planned once, not once per batch.
    """
    if dialect is not postgresql:
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])
        return set(db.session.scalars(stmt, rows))
    names = list(rows[0])
    arrays = []
    for name in names:
        kind = table.c[name].type
        values = [row[name] for row in rows]
        if isinstance(kind, Enum):
            kind, values = String(), [value.name for value in values]
        arrays.append(bindparam(f"each_{name}", values, type_=postgresql.ARRAY(kind)))
    source = func.unnest(*arrays).table_valued(*names).render_derived()
    stmt = postgresql.insert(table).from_select(names, select(*(source.c[name] for name in names))) \
        .on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])
    return set(db.session.scalars(stmt))


SAME = ("organisation_id", "action_id", "turf_id", "address_id", "unit", "outcome", "canvasser_id", "recorded_at",
        "corrects")


def ingest(user: User, events: list[dict]) -> list[Result]:
    """Store a batch of events (visits, door notes, input without a door) once each, in one transaction."""
    events_ok = [e for e in events if isinstance(e, dict)]
    actions = _known_actions(user, {e.get("action_id") for e in events_ok if _is_id(e.get("action_id"))})
    allowed = _allowed(user, {e.get("turf_id") for e in events_ok if _is_id(e.get("turf_id"))},
                       {e.get("address_id") for e in events_ok if _is_id(e.get("address_id"))})
    results: dict[str, Result] = {}
    rows: dict[str, dict] = {}
    others: dict[str, tuple] = {}
    for event in events:
        kind = event.get("type") if isinstance(event, dict) else None
        if kind == "note":
            row, table, key = _note_row(event, user, allowed), AddressNote.__table__, "client_uuid"
        elif kind == "input":
            row, table, key = _input_row(event, user), Conversation.__table__, "visit_uuid"
        elif isinstance(event, dict):
            row, table, key = _visit_row(event, user, allowed, actions), None, None
        else:
            row = _rejected(None, N_("Ugyldig registrering."))
        if isinstance(row, Result):
            results[row.id] = row
        elif table is not None:
            others[row[key]] = (table, key, row)
        elif row["client_uuid"] not in rows:
            rows[row["client_uuid"]] = row
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    for event_id, (table, key, row) in others.items():
        stmt = dialect.insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c.id)
        stored = db.session.scalars(stmt, [row]).all()
        if stored and table is Conversation.__table__:
            tallies.record([{**row, "id": stored[0]}])
        results[event_id] = Result(event_id, "stored" if stored else "duplicate")
    if rows:
        extras = {key: (row.pop("_conversation"), row.pop("_contact")) for key, row in rows.items()}
        stored = _insert_new(dialect, Visit.__table__, "client_uuid", list(rows.values()))
        _store_extras(dialect, user, {key: rows[key] for key in stored}, extras)
        for event_id in stored:
            results[event_id] = Result(event_id, "stored")
        repeated = set(rows) - stored
        earlier = {v.client_uuid: v for v in db.session.scalars(
            select(Visit).where(Visit.client_uuid.in_(repeated)))} if repeated else {}
        for event_id, visit in earlier.items():
            same = all(getattr(visit, key) == rows[event_id][key] for key in SAME)
            results[event_id] = Result(event_id, "duplicate") if same else \
                Result(event_id, "conflict", N_("En annen registrering har samme id."))
    db.session.commit()
    return [results[_key(e)] for e in events if _key(e) in results]


def _key(event) -> str:
    """The key an event's result is filed under: its id as the rows have it, or as it came."""
    if not isinstance(event, dict):
        return "None"
    return _event_id(event) or str(event.get("id"))
