"""Two bare WSGI apps for bench/door_record_parts.py: a door tap under gunicorn with less and less around it.

- `raw`: only a tap-shaped transaction on the bench's SQLite database through plain sqlite3 (with the app's writers'
  queue, canvass/sqlite_writes.py): the login found by its token, a row in the ledger and a visit under a new id, a
  durable commit in the write-ahead log. Neither Flask nor SQLAlchemy is on its way: what any door record with a
  durable commit costs.
- `record`: the tap's own storage, `door_tap.record` (its query, sync's checks, the ledger, the visit, the commit) in
  the app's context, without the session, the form token, the form or the answer around it.

Every request, whatever its method and path, records one door and answers 200 with an empty JSON object. Set up by
the environment: DATABASE_URL (a `sqlite:///` file, as for the app), BARE_TAP_TOKEN (the login's token, as the
session carries it) and BARE_TAP_DOOR (assignment, turf, action and address ids, comma-separated).
"""
import os
import sqlite3
import uuid
from datetime import UTC, datetime

from werkzeug.datastructures import MultiDict

from canvass import create_app
from canvass.services.field import door_record, door_tap
from canvass.services.people import logins
from canvass.sqlite_writes import QueuedConnection

TOKEN = os.environ["BARE_TAP_TOKEN"]
ASSIGNMENT, TURF, ACTION, ADDRESS = (int(part) for part in os.environ["BARE_TAP_DOOR"].split(","))
DATABASE = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
ANSWER = [b"{}"]
HEADERS = [("Content-Type", "application/json"), ("Content-Length", "2")]

_FIND = ('SELECT login.user_id, "user".organisation_id FROM login JOIN "user" ON "user".id = login.user_id '
         "WHERE login.token_hash = ?")
_CLAIM = "INSERT INTO sync_event (client_uuid, kind) VALUES (?, 'visit') ON CONFLICT DO NOTHING RETURNING client_uuid"
_VISIT = ("INSERT INTO visit (client_uuid, organisation_id, action_id, turf_id, address_id, unit, outcome, "
          "canvasser_id, recorded_at, received_at) VALUES (?, ?, ?, ?, ?, '1', 'not_home', ?, ?, ?) "
          "ON CONFLICT DO NOTHING RETURNING id")
_connection = None


def raw(environ, start_response):
    """One tap-shaped SQLite transaction, on one connection per worker (made in the worker, not before the fork)."""
    global _connection
    if _connection is None:
        _connection = sqlite3.connect(DATABASE, factory=QueuedConnection)
    environ["wsgi.input"].read()
    cursor = _connection.cursor()
    user, organisation = cursor.execute(_FIND, (logins.token_hash(TOKEN),)).fetchone()
    key, now = str(uuid.uuid4()), datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    cursor.execute(_CLAIM, (key,)).fetchall()
    cursor.execute(_VISIT, (key, organisation, ACTION, TURF, ADDRESS, user, now, now)).fetchall()
    _connection.commit()
    start_response("200 OK", HEADERS)
    return ANSWER


app = create_app()
DAYS = logins.code_days(app.config)


def record(environ, start_response):
    """One door through `door_tap.record`, as the walk list's tap reaches it after the gate's checks."""
    environ["wsgi.input"].read()
    form = MultiDict({"id": str(uuid.uuid4()), "recorded_at": datetime.now(UTC).isoformat(), "turf_id": str(TURF),
                      "action_id": str(ACTION), "address_id": str(ADDRESS), "unit": "1", "outcome": "not_home"})
    with app.app_context():
        stored = door_tap.record(TOKEN, ASSIGNMENT, door_record.event_from(form, "besok"), DAYS)
    start_response("200 OK" if stored is not None else "500 INTERNAL SERVER ERROR", HEADERS)
    return ANSWER
