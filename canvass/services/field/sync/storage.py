"""The storage of sync: insert-then-compare. Every record is inserted with ON CONFLICT DO NOTHING under its id
(the ledger first, then its own table); an id that was there already is read back and compared, so a resend is a
duplicate and a different record under a used id a conflict. Visits, notes, input without a door and doors added
in the field all go this way; an undo withdraws what the undone visit said (`_withdraw`)."""
import functools
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, select, update

from canvass import clock
from canvass.extensions import db
from canvass.insight import cells
from canvass.models import (
    Address,
    AddressNote,
    Answer,
    Assignment,
    ConsentRecord,
    ConsideredInput,
    Contact,
    Conversation,
    FieldDoor,
    InputTag,
    SectionLink,
    SyncEvent,
    ThemeMember,
    Turf,
    User,
    Visit,
)
from canvass.privacy import consent
from canvass.services import bulk
from canvass.services.committee import answer_counts, tallies
from canvass.services.field.sync.checks import CONFLICT, Result, _said


def _store_extras(dialect, user: User, rows: dict[str, dict], extras: dict, now: datetime) -> None:
    """Conversations beside their visits (with area, never a name); contact details apart, with consent."""
    rows = {key: row for key, row in rows.items() if any(extras[key])}
    if not rows:
        return
    # Only the area is needed: plain rows, not ORM objects (a batch of conversations names up to 200 addresses).
    addresses = {
        a.id: a
        for a in db.session.execute(select(Address.id, Address.postnummer, Address.district_number).where(
            Address.id.in_({row["address_id"] for row in rows.values()})))
    }
    branches = dict(
        db.session.execute(
            select(Turf.id, Turf.branch_id).where(Turf.id.in_({row["turf_id"] for row in rows.values()}))
        ).all()
    )
    conversations, contacts = [], []
    answers: dict[str, list] = {}
    for key, row in rows.items():
        conversation, contact = extras[key]
        branch_id = branches.get(row["turf_id"])
        if conversation:
            address = addresses[row["address_id"]]
            answers[key] = conversation.get("_answers") or []
            conversations.append(
                {
                    **{name: value for name, value in conversation.items() if name != "_answers"},
                    "visit_uuid": key,
                    "organisation_id": user.organisation_id,
                    "branch_id": branch_id,
                    "action_id": row["action_id"],
                    "address_id": address.id,
                    "postnummer": address.postnummer,
                    "district_number": address.district_number,
                    "recorded_at": row["recorded_at"],
                }
            )
        if contact:
            contacts.append(
                {
                    **contact,
                    "event_key": consent.event_key(current_app.secret_key, key),
                    "organisation_id": user.organisation_id,
                    "branch_id": branch_id,
                    "action_id": row["action_id"],
                    "recorded_at": row["recorded_at"],
                }
            )
    if conversations:
        # The week is given, not left to the column's default: it is the week the record arrived in when its own
        # was over (cells.filed_week), and the rows go as one document (`_inserted`), for which an INSERT … SELECT
        # would work out a Python default once for the whole batch.
        for conversation in conversations:
            conversation["week"] = cells.filed_week(conversation["recorded_at"], now)
        stored = _inserted(Conversation.__table__, "visit_uuid", conversations, ("id", "visit_uuid"))
        by_key = {c["visit_uuid"]: c for c in conversations}
        tallies.record([{**by_key[key], "id": conversation_id} for conversation_id, key in stored])
        cell = ("organisation_id", "branch_id", "action_id", "district_number", "week")
        given = [{"conversation_id": conversation_id, "question_id": question_id, "value": value,
                  **{c: by_key[key][c] for c in cell}}
                 for conversation_id, key in stored for question_id, value in answers[key]]
        if given:
            bulk.insert(db.session.connection(), Answer.__table__, given)
            answer_counts.record(given, {cid: by_key[key]["postnummer"] for cid, key in stored})
    if contacts:
        _store_contacts(dialect, contacts)


def _store_contacts(dialect, contacts: list[dict]) -> None:
    """Contact details and one consent record per purpose; nothing in either names the visit."""
    columns = ("event_key", "organisation_id", "branch_id", "name", "phone", "email")
    stored = dict(
        db.session.execute(
            dialect.insert(Contact.__table__)
            .on_conflict_do_nothing(index_elements=["event_key"])
            .returning(Contact.event_key, Contact.id),
            [{c: contact[c] for c in columns} for contact in contacts],
        ).all()
    )
    consents = [
        consent.record(
            contact_id=stored[c["event_key"]],
            organisation_id=c["organisation_id"],
            action_id=c["action_id"],
            purpose=purpose,
            recorded_at=c["recorded_at"],
        )
        for c in contacts
        if c["event_key"] in stored
        for purpose in c["purposes"]
    ]
    if consents:
        db.session.execute(ConsentRecord.__table__.insert(), consents)


@functools.cache
def _insert_new_statement(dialect, table, key: str):
    """Built once per table: SQLAlchemy then finds it compiled in its cache without building it again."""
    return dialect.insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])


def _insert_new(dialect, table, key: str, rows: list[dict]) -> set[str]:
    """Insert the rows whose key is not stored yet; the keys of those that were new."""
    if len(rows) == 1:
        # One row (a door tapped on the walk list) goes as a plain INSERT: the same text every time, prepared once.
        connection = db.session.connection()
        return set(connection.scalars(_insert_new_statement(dialect, table, key), rows[0]))
    return {row[0] for row in _inserted(table, key, rows, (key,))}


def _inserted(table, key: str, rows: list[dict], returning: tuple[str, ...]) -> list:
    """Insert the rows whose key is not stored yet, ON CONFLICT DO NOTHING; `returning` of those that were new.

    The batch goes as one JSON document (services/bulk.py): a statement whose text is the same for every batch,
    and no per-value work in SQLAlchemy or the driver. Rows must name the same columns, and every column whose
    default is worked out in Python from the row (INSERT … SELECT works a default out once for the batch)."""
    return bulk.insert(db.session.connection(), table, rows, key=(key,), returning=returning)


def _stored(keys: set[str]) -> dict[str, tuple[str, dict | None]]:
    """For ids used before: their type and what the stored record says (None once the record was deleted)."""
    kinds = dict(
        db.session.execute(select(SyncEvent.client_uuid, SyncEvent.kind).where(SyncEvent.client_uuid.in_(keys))).all()
    )
    conversations = {
        c.visit_uuid: c
        for c in db.session.scalars(
            select(Conversation).where(
                Conversation.visit_uuid.in_([k for k, kind in kinds.items() if kind in ("visit", "input")])
            )
        )
    }
    visits = {
        v.client_uuid: v
        for v in db.session.scalars(
            select(Visit).where(Visit.client_uuid.in_([k for k, kind in kinds.items() if kind == "visit"]))
        )
    }
    notes = {
        n.client_uuid: n
        for n in db.session.scalars(
            select(AddressNote).where(AddressNote.client_uuid.in_([k for k, kind in kinds.items() if kind == "note"]))
        )
    }
    doors = {
        d.client_uuid: d
        for d in db.session.scalars(
            select(FieldDoor).where(FieldDoor.client_uuid.in_([k for k, kind in kinds.items() if kind == "door"]))
        )
    }
    event_keys = {consent.event_key(current_app.secret_key, key): key for key in visits}
    contacts = (
        {
            event_keys[c.event_key]: c
            for c in db.session.scalars(select(Contact).where(Contact.event_key.in_(event_keys)))
        }
        if event_keys
        else {}
    )
    # Visits an undo has withdrawn since (`_withdraw`): read only for resent ids, which are few.
    undone = set(db.session.scalars(select(Visit.corrects).where(Visit.corrects.in_(list(visits))))) if visits \
        else set()
    answers: dict[int, list] = {}
    for conversation_id, question_id, value in db.session.execute(
            select(Answer.conversation_id, Answer.question_id, Answer.value)
            .where(Answer.conversation_id.in_([c.id for key, c in conversations.items() if key in visits]))):
        answers.setdefault(conversation_id, []).append((question_id, value))
    stored = {}
    for key, kind in kinds.items():
        row = {"visit": visits, "note": notes, "input": conversations, "door": doors}[kind].get(key)
        conversation = conversations.get(key)
        stored[key] = (kind, row and _said(kind, row, conversation, contacts.get(key),
                                           answers.get(conversation.id, []) if conversation else ()))
        if key in undone and stored[key][1]:
            stored[key][1]["undone"] = True
    return stored


def _compare(event_id, kind: str, said: dict, earlier: tuple[str, dict | None]) -> Result:
    """A repeat: a duplicate if it says what the record under its id says, else a conflict."""
    earlier_kind, earlier_said = earlier
    if earlier_kind != kind:
        return Result(event_id, "conflict", CONFLICT)
    if earlier_said is None:
        # Stored once and deleted since: the phone may let go of it, and it is never stored again.
        return Result(event_id, "duplicate")
    if kind == "visit" and earlier_said.get("undone"):
        # An undone visit's conversation and contact were withdrawn (`_withdraw`): a resend of it is the same
        # record, and must not bring them back.
        said = {**said, "conversation": None, "contact": None, "undone": True}
    if kind == "visit" and earlier_said["contact"] is None:
        # Contact details are deleted when consent is withdrawn or runs out; a replay must not bring them back
        # nor keep them on the phone as a conflict.
        said = {**said, "contact": None}
    return Result(event_id, "duplicate") if said == earlier_said else Result(event_id, "conflict", CONFLICT)


def _wrong_corrections(user: User, claims: dict[str, tuple]) -> set[str]:
    """The undos in the batch that name no visit the user may correct.

    An undo cancels one visit at the same door: the canvasser's own, or one on the turf they are given in
    the same action (a pair shares a turf and a walk list, and either may undo a wrong tap). A random id,
    another turf's or branch's visit, or an undo of an undo (which would not bring the door back) is refused:
    an undo withdraws what was said at the door (`_withdraw`), so it must be the door's own."""
    undos = {key: claim[1] for key, claim in claims.items() if claim[0] == "visit" and claim[1]["corrects"]}
    if not undos:
        return set()
    columns = ("client_uuid", "organisation_id", "canvasser_id", "turf_id", "action_id", "address_id", "unit",
               "corrects")
    targets = {row.client_uuid: row._asdict() for row in db.session.execute(
        select(*(Visit.__table__.c[c] for c in columns)).where(
            Visit.client_uuid.in_({row["corrects"] for row in undos.values()})))}
    # A visit in this batch can be undone in it too (sent from the outbox together).
    targets.update({key: {**claim[1], "client_uuid": key} for key, claim in claims.items()
                    if claim[0] == "visit" and key not in targets})
    assigned = None
    wrong = set()
    for key, undo in undos.items():
        target = targets.get(undo["corrects"])
        if (target is None or target["organisation_id"] != user.organisation_id or target["corrects"]
                or (target["address_id"], target["unit"]) != (undo["address_id"], undo["unit"])):
            wrong.add(key)
            continue
        if target["canvasser_id"] == user.id:
            continue
        if assigned is None:
            assigned = {(turf_id, action_id) for turf_id, action_id in db.session.execute(
                select(Assignment.turf_id, Assignment.action_id).where(Assignment.user_id == user.id))}
        same_turf = target["action_id"] is not None and (target["turf_id"], target["action_id"]) == (
            undo["turf_id"], undo["action_id"])
        if not (same_turf and (undo["turf_id"], undo["action_id"]) in assigned):
            wrong.add(key)
    return wrong


def _undone_already(claims: dict[str, tuple]) -> set[str]:
    """The undos in the batch of a visit another undo cancelled already: a double tap on «Angre» in a page
    without script (each post a new id), the partner's undo of the same mark, or two in one batch. The door is
    open as each asks, so each is a duplicate, not a second cancel. A resend under its own id is left to the
    ledger, as every resend is."""
    undos = {key: claim[1]["corrects"] for key, claim in claims.items() if claim[0] == "visit" and claim[1]["corrects"]}
    if not undos:
        return set()
    seen = set(db.session.scalars(select(Visit.corrects).where(
        Visit.corrects.in_(set(undos.values())), Visit.client_uuid.not_in(list(undos)))))
    repeats = set()
    for key, target in undos.items():
        if target in seen:
            repeats.add(key)
        seen.add(target)
    return repeats


def _store(dialect, user: User, claims: dict[str, tuple]) -> set[str]:
    """The records of ids claimed just now, each in its own table; the ids whose table held them already
    (written before the ledger existed, or by a path other than sync) are returned to be compared."""
    visits = {key: {**row, "client_uuid": key} for key, (kind, row, *_) in claims.items() if kind == "visit"}
    notes = {key: {**row, "client_uuid": key} for key, (kind, row, *_) in claims.items() if kind == "note"}
    inputs = {key: {**row, "visit_uuid": key} for key, (kind, row, *_) in claims.items() if kind == "input"}
    doors = {key: {**row, "client_uuid": key} for key, (kind, row, *_) in claims.items() if kind == "door"}
    # One moment for the batch: its records are filed under the weeks of one transaction (cells.filed_week).
    now = clock.utcnow()
    stored = set()
    if doors:
        new = _insert_new(dialect, FieldDoor.__table__, "client_uuid", list(doors.values()))
        # A door added is a door of its turf at once: the walk list, the progress and the coverage count it.
        for turf_id in {doors[key]["turf_id"] for key in new}:
            added = sum(1 for key in new if doors[key]["turf_id"] == turf_id)
            db.session.execute(update(Turf).where(Turf.id == turf_id).values(doors=Turf.doors + added))
        stored |= new
    if visits:
        new = _insert_new(dialect, Visit.__table__, "client_uuid", list(visits.values()))
        _store_extras(dialect, user, {key: visits[key] for key in new}, {key: claims[key][2] for key in new}, now)
        _withdraw({visits[key]["corrects"] for key in new if visits[key]["corrects"]})
        stored |= new
    if notes:
        stored |= _insert_new(dialect, AddressNote.__table__, "client_uuid", list(notes.values()))
    if inputs:
        # Input without a door is a conversation of its own: inserted as one statement like the visits, its counts
        # and topic index kept for those that were new. The week given, as for the conversations at a door.
        rows = {key: {**row, "week": cells.filed_week(row["recorded_at"], now)} for key, row in inputs.items()}
        new = dict(_inserted(Conversation.__table__, "visit_uuid", list(rows.values()), ("visit_uuid", "id")))
        tallies.record([{**rows[key], "id": conversation_id} for key, conversation_id in new.items()])
        stored |= set(new)
    return set(claims) - stored


def _withdraw(undone: set[str]) -> None:
    """What undone visits said at the door leaves with them: the conversation goes from the committees'
    reading, its counts from their tallies (every cell it was counted in, so small groups stay small and
    are still held back by k), and the contact and consent given in it are deleted. The resident may have
    said "don't write that down", and a door recorded again after an undo must count once.

    Found by the visit's id, which a conversation keeps for 30 days (docs/privacy.md); the contact by the
    keyed hash of that id. Rows that point at the conversation go first: SQLite does not cascade."""
    if not undone:
        return
    conversations = [dict(row._mapping) for row in db.session.execute(
        select(*(Conversation.__table__.c[name] for name in tallies.COLUMNS))
        .where(Conversation.visit_uuid.in_(undone)))]
    if conversations:
        ids = [c["id"] for c in conversations]
        tallies.withdraw(conversations)
        answer_counts.withdraw(ids)
        for model in (Answer, ThemeMember, InputTag, ConsideredInput, SectionLink):
            db.session.execute(delete(model).where(model.conversation_id.in_(ids)))
        db.session.execute(delete(Conversation).where(Conversation.id.in_(ids)))
    contacts = list(db.session.scalars(select(Contact.id).where(
        Contact.event_key.in_([consent.event_key(current_app.secret_key, key) for key in undone]))))
    if contacts:
        db.session.execute(delete(ConsentRecord).where(ConsentRecord.contact_id.in_(contacts)))
        db.session.execute(delete(Contact).where(Contact.id.in_(contacts)))
