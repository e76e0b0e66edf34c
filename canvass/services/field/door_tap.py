"""A door tapped on the walk list, on the lean path: who is tapping, on which assignment, at which door, in one query.

The walk list posts one outcome at one door hundreds of times an evening, and each post used to load the person
(with their roles), the assignment with its action, and then the same again inside sync's checks, each through
the ORM. Here one Core statement, built once, answers every question those loads answered:

- the login the session names is running (not ended, not run out, the person not removed, and for a role that
  needs a second factor, one given recently enough), and its person holds a role that records;
- the assignment is that person's, and its action is their organisation's;
- the door's address lies in the territory of the turf's branch, as `sync._allowed` requires.

With that context the event goes through sync's own checks (`checks._checked`) and is claimed and stored with
sync's own statements, on the driver's cursor (services/driver_sql.py). Anything else (no such login, another
person's assignment, a door elsewhere, a leaflet round, an undo, an id used before, which the ordinary path compares
with what it names) gets None: the caller takes the ordinary path, which answers it as it always has.
"""
import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from canvass import clock
from canvass.extensions import db
from canvass.models import (
    Action,
    Address,
    Assignment,
    BranchPostalCode,
    Login,
    Membership,
    Outcome,
    SyncEvent,
    Turf,
    User,
    Visit,
)
from canvass.models.people import RECORDING_ROLES, TWO_FACTOR_ROLES
from canvass.services.driver_sql import Prepared
from canvass.services.field import sync
from canvass.services.field.sync import checks, storage
from canvass.services.people import logins


@dataclass(frozen=True)
class Recorder:
    """The person recording, as far as a visit's checks and storage ask: who, and in which organisation."""

    id: int
    organisation_id: int


@dataclass(frozen=True)
class Round:
    """An action as a visit without a conversation asks it: only which kind of round it is (mailboxes.wrong_round)."""

    id: int
    kind: str


# The outcomes one tap records; a conversation opens the door's page, a leaflet round's entrances have counts.
TAPS = frozenset(outcome.value for outcome in Outcome) - {Outcome.CONVERSATION.value, Outcome.MAILBOXES.value}
_ROLE = select(Membership.id).where(Membership.user_id == User.id)


def _any_of(roles) -> ColumnElement[bool]:
    """`role IN (...)` as plain equalities: an IN list is an expanding parameter, re-rendered into the SQL text on
    every execution (a third of the query's time); equalities are compiled once."""
    return or_(*(Membership.role == role for role in sorted(roles, key=lambda role: role.value)))


# Built once: compiled once per process and then found in SQLAlchemy's cache by its shape.
_TAP = (
    select(
        User.id, User.organisation_id, User.removed_at, Login.expires_at, Login.ended_at, Login.second_factor_at,
        Assignment.turf_id, Assignment.action_id, Action.kind, Action.organisation_id.label("action_organisation"),
        _ROLE.where(_any_of(RECORDING_ROLES)).exists().label("records"),
        _ROLE.where(_any_of(TWO_FACTOR_ROLES)).exists().label("two_factor"),
        exists().where(
            Turf.id == Assignment.turf_id, Turf.organisation_id == User.organisation_id,
            BranchPostalCode.branch_id == Turf.branch_id, Address.id == bindparam("address"),
            Address.postnummer == BranchPostalCode.postnummer,
        ).label("allowed"),
    )
    .select_from(Login)
    .join(User, User.id == Login.user_id)
    .join(Assignment, and_(Assignment.id == bindparam("assignment"), Assignment.user_id == User.id))
    .join(Action, Action.id == Assignment.action_id)
    .where(Login.token_hash == bindparam("token"))
)


def _running(row: dict, second_factor_days: int | None, now: datetime) -> bool:
    """`logins._running`, on the query's columns."""
    if row["ended_at"] is not None or row["expires_at"] <= now or row["removed_at"] is not None:
        return False
    return not (second_factor_days is not None and row["two_factor"] and (
        row["second_factor_at"] is None or row["second_factor_at"] + timedelta(days=second_factor_days) <= now))


@functools.cache
def _tap_statement(dialect) -> Prepared:
    return Prepared.of(_TAP, dialect)


@functools.cache
def _claim(dialect, table, columns: tuple[str, ...]) -> Prepared:
    """Sync's own INSERT … ON CONFLICT DO NOTHING RETURNING for `table` (storage.py), for these columns."""
    module = postgresql if dialect.name == "postgresql" else sqlite
    return Prepared.of(storage._insert_new_statement(module, table, "client_uuid"), dialect, list(columns))


def record(token: str, assignment_id: int, event: dict, second_factor_days: int | None) -> sync.Result | None:
    """Store one tapped door (a visit with no conversation) for the login `token` on its assignment; None when
    anything about it is not the plain case of a new record, for the ordinary path to answer (a refusal, and a
    repeat of an id, which that path compares with what was stored).

    The event is filed under the assignment's turf and action whatever the form says, as the walk list's
    ordinary path files it. Checked by sync's own checks; claimed in the ledger and stored as sync stores a visit
    (`ingest_within`, storage.py), on the driver's cursor (services/driver_sql.py): the claim, the visit and the
    commit follow each other with nothing between, so a SQLite writer holds the database as briefly as it can."""
    if (event.get("type") != "visit" or event.get("outcome") not in TAPS or event.get("corrects")
            or "conversation" in event or "contact" in event or not isinstance(event.get("address_id"), int)):
        return None
    engine = db.engine
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        found = _tap_statement(engine.dialect).rows(cursor, {
            "token": logins.token_hash(token), "assignment": assignment_id, "address": event["address_id"]})
        row = found[0] if found else None
        if (row is None or not row["records"] or not _running(row, second_factor_days, clock.utcnow())
                or row["action_organisation"] != row["organisation_id"] or row["kind"] == "leaflet"):
            return None
        event = {**event, "turf_id": row["turf_id"], "action_id": row["action_id"]}
        allowed = {row["turf_id"]: {event["address_id"]}} if row["allowed"] else {}
        checked = checks._checked(event, Recorder(row["id"], row["organisation_id"]), allowed,
                                  {row["action_id"]: Round(row["action_id"], row["kind"])})
        if isinstance(checked, sync.Result):
            return None
        _kind, key, visit = checked
        if visit.pop("_conversation") or visit.pop("_contact") or visit.pop("_refused") or visit["corrects"]:
            return None
        visit["client_uuid"] = key
        ledger = {"client_uuid": key, "kind": "visit"}
        # A used id (a double tap, a resend) inserts nothing here and is compared on the ordinary path.
        if not (_claim(engine.dialect, SyncEvent.__table__, tuple(ledger)).rows(cursor, ledger)
                and _claim(engine.dialect, Visit.__table__, tuple(visit)).rows(cursor, visit)):
            connection.rollback()
            return None
        connection.commit()
        return sync.Result(checks._echo(event), "stored")
    finally:
        # Back to the pool, which rolls back whatever was left open.
        connection.close()
