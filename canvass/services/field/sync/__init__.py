"""Exactly-once ingest of records made on a phone, online or replayed later from its outbox.

Every record carries the UUID the phone gave it. A record is stored once whatever number of
times it arrives: a repeat with the same content is reported as a duplicate (success for the
phone), a repeat with different content as a conflict (never stored). The protocol is described in
docs/sync.md.

The package holds the checks (`checks`: an event and the batch's context in, a row or a refusal out), the
context they are given (`context`), the storage (`storage`: insert-then-compare, withdraw) and the phones'
credentials (`devices`); `ingest` puts them together.
"""

from sqlalchemy.dialects import postgresql, sqlite

from canvass.extensions import db
from canvass.models import SyncEvent, User
from canvass.services.field.sync.checks import (
    LABEL_MAX,
    MAX_BATCH,
    MAX_DEPTH,
    NOT_YOURS,
    NOT_YOURS_TO_UNDO,
    PROTOCOL,
    PROTOCOL_VERSION,
    STREET_MAX,
    Result,
    _checked,
    _echo,
    _is_id,
    _rejected,
    _said,
    _storable,
    contact_refusal,
    known_topics,
    parse_batch,
)
from canvass.services.field.sync.context import _allowed, _recordable_actions
from canvass.services.field.sync.devices import device_for, issue_device, may_record
from canvass.services.field.sync.storage import (
    _compare,
    _insert_new,
    _store,
    _stored,
    _undone_already,
    _wrong_corrections,
)

# What callers use: the protocol's limits and messages, the result, the checks the field pages share, devices.
__all__ = [
    "LABEL_MAX", "MAX_BATCH", "MAX_DEPTH", "NOT_YOURS", "NOT_YOURS_TO_UNDO", "PROTOCOL", "PROTOCOL_VERSION",
    "STREET_MAX", "Result", "contact_refusal", "device_for", "ingest", "ingest_within", "issue_device",
    "known_topics", "may_record", "parse_batch",
]


def ingest(user: User, events: list) -> list[Result]:
    """Store a batch of events (visits, door notes, input without a door, doors added) once each, in one transaction.

    One result per event, in order. An id names one record of one type for ever: the ledger
    (SyncEvent) is claimed first, and an id claimed before, in this batch or earlier, is compared
    with what it names: the same content is a duplicate, anything else a conflict."""
    if not may_record(user):
        return [_rejected(_echo(event), NOT_YOURS) for event in events]
    dicts = [e for e in events if isinstance(e, dict)]
    actions = _recordable_actions(user, {e.get("action_id") for e in dicts if _is_id(e.get("action_id"))})
    allowed = _allowed(
        user,
        {e.get("turf_id") for e in dicts if _is_id(e.get("turf_id"))},
        {e.get("address_id") for e in dicts if _is_id(e.get("address_id"))},
    )
    return ingest_within(user, events, allowed, actions)


def ingest_within(user, events: list, allowed: dict[int, set[int]], actions: dict) -> list[Result]:
    """`ingest` once the batch's context is known: the user (who may record), for each turf the addresses they
    may record at (`_allowed`), and the actions they may record under (`_recordable_actions`).

    A new plain door tap is stored on the lean path (services/field/door_tap.py) with the same checks and statements;
    a tap it leaves (a repeat, a refusal) comes here through `ingest`."""
    results: list[Result | None] = [None] * len(events)
    claims: dict[str, tuple] = {}  # id: (type, row, conversation and contact, index)
    repeats: list[tuple[int, str, str, dict]] = []
    partial: dict[int, list] = {}  # index: the parts of a visit refused (it is stored without them), and why
    storable = _storable(events)
    asked_by_id: dict = {}  # each action's questions by id, worked out at its first answers in the batch
    for index, event in enumerate(events):
        checked = _checked(event, user, allowed, actions, storable, asked_by_id)
        if isinstance(checked, Result):
            results[index] = checked
            continue
        kind, event_id, row = checked
        extras = (row.pop("_conversation"), row.pop("_contact")) if kind == "visit" else (None, None)
        refused = row.pop("_refused", None)
        if refused:
            partial[index] = refused
        if event_id in claims:
            repeats.append((index, event_id, kind, _said(kind, row, *extras)))
        else:
            claims[event_id] = (kind, row, extras, index)
    for key in _wrong_corrections(user, claims):
        index = claims.pop(key)[3]
        results[index] = _rejected(_echo(events[index]), NOT_YOURS_TO_UNDO)
        for repeat in [r for r in repeats if r[1] == key]:
            results[repeat[0]] = _rejected(_echo(events[repeat[0]]), NOT_YOURS_TO_UNDO)
            repeats.remove(repeat)
    for key in _undone_already(claims):
        index = claims.pop(key)[3]
        for at in [index] + [r[0] for r in repeats if r[1] == key]:
            results[at] = Result(_echo(events[at]), "duplicate")
        repeats = [r for r in repeats if r[1] != key]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    new = (
        _insert_new(
            dialect,
            SyncEvent.__table__,
            "client_uuid",
            # In the order of the ids: the same records sent twice at once (two tabs, a retry) claim them in one
            # order, and the second waits for the first instead of each for the other.
            [{"client_uuid": key, "kind": claims[key][0]} for key in sorted(claims)],
        )
        if claims
        else set()
    )
    earlier = _stored(set(claims) - new) if set(claims) - new else {}
    # What a claim says is worked out only where it is compared: with a record stored before, or with a repeat of it
    # in this batch. A batch of new records (nearly every batch) compares nothing.
    repeated = {r[1] for r in repeats}
    for key, (kind, row, extras, index) in claims.items():
        if key in new:
            if key in repeated:
                earlier[key] = (kind, _said(kind, row, *extras))
            results[index] = Result(_echo(events[index]), "stored")
        else:
            results[index] = _compare(_echo(events[index]), kind, _said(kind, row, *extras),
                                      earlier.get(key, (kind, None)))
    there = _store(dialect, user, {key: claim for key, claim in claims.items() if key in new})
    if there:
        earlier.update(_stored(there))
        for key in there:
            kind, row, extras, index = claims[key]
            results[index] = _compare(_echo(events[index]), kind, _said(kind, row, *extras), earlier[key])
    for index, key, kind, said in repeats:
        results[index] = _compare(_echo(events[index]), kind, said, earlier[key])
    for index, parts in partial.items():
        if results[index].status in ("stored", "duplicate"):
            results[index].refused, results[index].refused_parts = parts[0], parts
    db.session.commit()
    return results
