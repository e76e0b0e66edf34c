"""A door tapped on the walk list takes the lean path (services/field/door_tap.py); every post it does not store
plainly is answered as before: the wrong person, a door elsewhere, a repeat, a login that has ended."""
import io
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import flask
import pytest
from flask_login.utils import _create_identifier
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from werkzeug.test import EnvironBuilder

from canvass import signing, typed
from canvass.extensions import db
from canvass.models import Address, Branch, BranchPostalCode, Login, Role, SyncEvent, User, Visit
from canvass.services.people import logins, people
from canvass.services.turf import actions
from canvass.web import door_tap_gate
from tests.conftest import csrf_token, daniels_turf_tonight, login_as_volunteer
from tests.test_field import JSON, door_form


def _tap(client, assignment_id: int, form: dict, **kwargs):
    return client.post(f"/felt/{assignment_id}/besok", data={"csrf_token": csrf_token(client, "/"), **form}, **kwargs)


def _visits() -> int:
    return db.session.scalar(select(func.count()).select_from(Visit))


@pytest.fixture
def phone(demo_app):
    """Daniel's phone, logged in with a login link, holding a turf in tonight's action."""
    turf, _action, daniel = daniels_turf_tonight()
    client = demo_app.test_client()
    login_as_volunteer(client, daniel)
    client.assignment, client.turf = actions.my_assignments(daniel)[0], turf
    return client


@pytest.fixture
def berit_phone(demo_app):
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    berit = people.create_user(daniel.organisation, Role.CANVASSER, "Berit", branch=daniel.memberships[0].branch)
    db.session.commit()
    client = demo_app.test_client()
    login_as_volunteer(client, berit)
    return client


def test_a_tap_on_another_volunteers_assignment_is_not_found_and_stores_nothing(phone, berit_phone):
    answer = _tap(berit_phone, phone.assignment.id, door_form(phone, outcome="not_home"), headers=JSON)
    assert answer.status_code == 404 and _visits() == 0


def test_a_tap_at_a_door_outside_the_branchs_territory_is_refused_with_the_reason(phone):
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    elsewhere = db.session.scalar(select(Address.id).where(Address.postnummer.not_in(
        select(BranchPostalCode.postnummer).where(BranchPostalCode.branch_id == sagene.id))).limit(1))
    form = {**door_form(phone, outcome="not_home"), "address_id": elsewhere}
    answer = _tap(phone, phone.assignment.id, form, headers=JSON)
    assert answer.status_code == 400 and answer.json == {"error": "Du kan ikke registrere besøk på denne adressen."}
    assert _visits() == 0 and db.session.scalar(select(func.count()).select_from(SyncEvent)) == 0


def test_an_unknown_outcome_is_refused_in_the_form_the_page_asked_for_and_stores_nothing(phone):
    """The outsider's `outcome=bogus` came back as an HTML page to a script that reads JSON beside the door."""
    form = {**door_form(phone, outcome="not_home"), "outcome": "bogus"}
    answer = _tap(phone, phone.assignment.id, form, headers=JSON)
    assert answer.status_code == 400 and answer.json == {"error": "Ukjent resultat «bogus»."}
    page = _tap(phone, phone.assignment.id, form)
    assert page.status_code == 400 and "Ukjent resultat «bogus»." in page.get_data(as_text=True)
    assert _visits() == 0


def test_a_double_post_is_one_record_and_the_same_id_with_another_outcome_is_a_conflict(phone):
    form = door_form(phone, outcome="not_home")
    assert _tap(phone, phone.assignment.id, form, headers=JSON).json["status"] == "stored"
    assert _tap(phone, phone.assignment.id, form, headers=JSON).json["status"] == "duplicate"
    other = _tap(phone, phone.assignment.id, {**form, "outcome": "refused"}, headers=JSON)
    assert other.status_code == 400 and other.json == {"error": "En annen registrering har samme id."}
    assert db.session.scalar(select(Visit.outcome)).value == "not_home" and _visits() == 1


def test_a_double_tap_without_script_is_one_record_and_both_land_on_the_door(phone):
    stop = next(s for s in phone.turf.stops if s.doors)
    form = {"page": str(uuid.uuid4()), "tap": f"not_home {stop.address_id} 1"}
    first, second = (_tap(phone, phone.assignment.id, form) for _ in range(2))
    assert first.status_code == second.status_code == 302
    assert first.location.endswith(f"/felt/{phone.assignment.id}#d-{stop.address_id}-1") and _visits() == 1
    assert "Registrert: Ikke hjemme" in phone.get(f"/felt/{phone.assignment.id}").get_data(as_text=True)


def test_a_tap_after_the_login_was_ended_on_the_server_is_told_so_and_stores_nothing(phone):
    form = door_form(phone, outcome="not_home")
    token = csrf_token(phone, "/")
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    logins.end_all(daniel)
    db.session.commit()
    answer = phone.post(f"/felt/{phone.assignment.id}/besok", data={"csrf_token": token, **form}, headers=JSON)
    # 401, not the login page: a script that followed the redirect took the page for an answer and the tap for
    # stored (the service worker keeps a 401's record in the outbox for its person).
    assert answer.status_code == 401 and answer.json["error"] == "Du er ikke logget inn lenger. Logg inn igjen."
    assert _visits() == 0


def test_a_tap_on_a_login_that_ran_out_is_told_so_not_handed_the_login_page(phone):
    form = door_form(phone, outcome="not_home")
    token = csrf_token(phone, "/")
    for record in db.session.scalars(select(Login)):
        record.expires_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1)
    db.session.commit()
    answer = phone.post(f"/felt/{phone.assignment.id}/besok", data={"csrf_token": token, **form}, headers=JSON)
    # 401, not the login page: a script that followed the redirect took the page for an answer and the tap for
    # stored (the service worker keeps a 401's record in the outbox for its person).
    assert answer.status_code == 401 and answer.json["error"] == "Du er ikke logget inn lenger. Logg inn igjen."
    assert _visits() == 0
    # The form sent without a script is told so on a page (the service worker keeps its record in the outbox),
    # not redirected to the login page, where the record was lost; a page opened is still sent to log in.
    page = phone.post(f"/felt/{phone.assignment.id}/besok", data={"csrf_token": token, **form})
    assert page.status_code == 401 and "Du er ikke logget inn lenger" in page.get_data(as_text=True)
    opened = phone.get(f"/felt/{phone.assignment.id}")
    assert opened.status_code == 302 and "/login" in opened.location and _visits() == 0


def test_a_tap_writes_no_session_cookie(phone):
    answer = _tap(phone, phone.assignment.id, door_form(phone, outcome="not_home"), headers=JSON)
    assert answer.status_code == 200 and "Set-Cookie" not in answer.headers


def test_a_tap_from_a_session_that_moved_to_another_browser_is_stored_and_the_session_marked_not_fresh(phone):
    form = door_form(phone, outcome="not_home")
    answer = _tap(phone, phone.assignment.id, form, headers={**JSON, "User-Agent": "Another browser"})
    assert answer.json["status"] == "stored" and "Set-Cookie" in answer.headers


def test_a_tap_of_a_conversation_still_opens_the_doors_page(phone):
    form = door_form(phone, outcome="conversation")
    answer = _tap(phone, phone.assignment.id, form)
    assert answer.status_code == 302 and "/samtale?address_id=" in answer.location and _visits() == 0


def _stored_nothing() -> bool:
    return _visits() == 0 and db.session.scalar(select(func.count()).select_from(SyncEvent)) == 0


def test_a_tap_without_the_forms_token_is_refused_as_an_expired_form_and_stores_nothing(phone):
    form = door_form(phone, outcome="not_home")
    answer = phone.post(f"/felt/{phone.assignment.id}/besok", data=form, headers=JSON)
    assert answer.status_code == 400 and answer.headers["Canvass-Refused"] == "form-token" and _stored_nothing()


@pytest.mark.parametrize("forged", ["forged", "ImFiYyI.aw_bpQ.cqDlHCWikKgDVBaQzmz3yHdVztc"])
def test_a_tap_with_a_forged_token_is_refused_and_stores_nothing(phone, forged):
    form = {"csrf_token": forged, **door_form(phone, outcome="not_home")}
    answer = phone.post(f"/felt/{phone.assignment.id}/besok", data=form, headers=JSON)
    assert answer.status_code == 400 and answer.headers["Canvass-Refused"] == "form-token" and _stored_nothing()


def test_a_tap_with_another_sessions_token_is_refused(phone, berit_phone):
    """A token signed by this server but for someone else's session does not match this session's."""
    form = {"csrf_token": csrf_token(berit_phone, "/"), **door_form(phone, outcome="not_home")}
    answer = phone.post(f"/felt/{phone.assignment.id}/besok", data=form, headers=JSON)
    assert answer.status_code == 400 and answer.headers["Canvass-Refused"] == "form-token" and _stored_nothing()


def test_a_tap_with_a_token_older_than_the_time_limit_is_refused(phone, demo_app):
    token = csrf_token(phone, "/")
    demo_app.config["WTF_CSRF_TIME_LIMIT"] = -1  # issued just now, so older than -1 s
    try:
        answer = phone.post(f"/felt/{phone.assignment.id}/besok",
                            data={"csrf_token": token, **door_form(phone, outcome="not_home")}, headers=JSON)
    finally:
        demo_app.config["WTF_CSRF_TIME_LIMIT"] = 12 * 3600
    assert answer.status_code == 400 and answer.headers["Canvass-Refused"] == "form-token" and _stored_nothing()


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
])
def test_a_tap_a_browser_sends_from_another_site_is_refused_even_with_a_valid_token(phone, headers):
    answer = _tap(phone, phone.assignment.id, door_form(phone, outcome="not_home"), headers={**JSON, **headers})
    assert answer.status_code == 400 and answer.headers["Canvass-Refused"] == "form-token" and _stored_nothing()


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    {"Origin": "http://localhost"},
    {"Sec-Fetch-Site": "same-origin"},
])
def test_a_tap_from_the_apps_own_page_is_stored(phone, headers):
    answer = _tap(phone, phone.assignment.id, door_form(phone, outcome="not_home"), headers={**JSON, **headers})
    assert answer.status_code == 200 and answer.json["status"] == "stored" and _visits() == 1


def test_a_session_signed_with_the_previous_secret_key_still_taps_after_the_key_is_rotated(phone, demo_app):
    old = demo_app.secret_key
    form = {"csrf_token": csrf_token(phone, "/"), **door_form(phone, outcome="not_home")}
    demo_app.config.update(SECRET_KEY="a-new-key", SECRET_KEY_FALLBACKS=[old], WTF_CSRF_SECRET_KEY=old)
    try:
        answer = phone.post(f"/felt/{phone.assignment.id}/besok", data=form, headers=JSON)
    finally:
        demo_app.config.update(SECRET_KEY=old, SECRET_KEY_FALLBACKS=[])
        demo_app.config.pop("WTF_CSRF_SECRET_KEY")
    assert answer.status_code == 200 and answer.json["status"] == "stored"


def test_a_session_cookie_signed_with_another_key_is_no_login(phone, demo_app):
    old = demo_app.secret_key
    form = {"csrf_token": csrf_token(phone, "/"), **door_form(phone, outcome="not_home")}
    demo_app.config["SECRET_KEY"] = "another-servers-key"
    try:
        answer = phone.post(f"/felt/{phone.assignment.id}/besok", data=form, headers=JSON)
    finally:
        demo_app.config["SECRET_KEY"] = old
    assert answer.status_code == 400 and _stored_nothing()


@pytest.fixture
def through_flask(demo_app):
    """The requests Flask's own cycle answered (the door tap's gate answers a plain tap without it)."""
    handled = []

    def started(sender, **_extra):
        handled.append(flask.request.path)

    flask.request_started.connect(started, demo_app)
    yield handled
    flask.request_started.disconnect(started, demo_app)


# As the walk list's script posts a tap (static/js/store.js): URL-encoded, from the app's own page.
SCRIPT = {"Accept": "application/json", "Sec-Fetch-Site": "same-origin", "Origin": "http://localhost",
          "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}


def _posted(phone, form: dict, **headers):
    return phone.post(f"/felt/{phone.assignment.id}/besok", data=urlencode(form), headers={**SCRIPT, **headers})


def test_a_plain_tap_from_the_walk_lists_script_is_stored_below_flask_with_the_views_own_answer(phone, through_flask):
    """The gate (web/door_tap_gate.py) and the view answer the same tap alike: status, JSON and headers."""
    token = csrf_token(phone, "/")
    through_flask.clear()
    below = _posted(phone, {"csrf_token": token, **door_form(phone, unit="1", outcome="not_home")})
    assert below.status_code == 200 and through_flask == []
    # "application/json" among others is still the script's wish to the view, but not the gate's exact shape.
    above = _posted(phone, {"csrf_token": token, **door_form(phone, unit="2", outcome="not_home")},
                    Accept="application/json, text/plain;q=0.5")
    assert above.status_code == 200 and len(through_flask) == 1
    assert below.json["status"] == above.json["status"] == "stored"
    assert below.json["event"].keys() == above.json["event"].keys() and below.json["event"]["unit"] == "1"
    assert {name: value for name, value in below.headers if name not in ("Content-Length",)} \
        == {name: value for name, value in above.headers if name not in ("Content-Length",)}
    assert _visits() == 2


def _hostile(phone, berit_phone, demo_app) -> dict:
    """What an outsider changes about a valid tap, each to be judged by Flask and never stored by the gate."""
    stop = next(s for s in phone.turf.stops if s.doors)
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    elsewhere = db.session.scalar(select(Address.id).where(Address.postnummer.not_in(
        select(BranchPostalCode.postnummer).where(BranchPostalCode.branch_id == sagene.id))).limit(1))
    return {
        "no session cookie": {"cookies": None},
        "another volunteer's cookie": {"cookies": berit_phone},
        "another browser": {"headers": {"User-Agent": "Another browser"}},
        "another network": {"headers": {"X-Forwarded-For": "203.0.113.9"}},
        "another site": {"headers": {"Sec-Fetch-Site": "cross-site"}},
        "another origin": {"headers": {"Sec-Fetch-Site": "", "Origin": "https://evil.example"}},
        "no token": {"form": {"csrf_token": ""}},
        "a forged token": {"form": {"csrf_token": "ImFiYyI.aw_bpQ.cqDlHCWikKgDVBaQzmz3yHdVztc"}},
        "another session's token": {"form": {"csrf_token": csrf_token(berit_phone, "/")}},
        "an undo": {"form": {"undo": f"{uuid.uuid4()} not_home {stop.address_id} 1"}},
        "a NUL": {"form": {"unit": "1\x00"}},
        "a conversation": {"form": {"outcome": "conversation"}},
        "a leaflet round's tap": {"form": {"outcome": "mailboxes"}},
        "an unknown outcome": {"form": {"outcome": "bogus"}},
        "a door elsewhere": {"form": {"address_id": str(elsewhere)}},
        "a query string": {"path": "?x=1"},
        "a charset not UTF-8": {"headers": {"Content-Type": "application/x-www-form-urlencoded;charset=latin-1"}},
    }


def test_every_tap_an_outsider_bends_is_judged_by_flask_not_stored_below_it(phone, berit_phone, demo_app,
                                                                            through_flask):
    token = csrf_token(phone, "/")
    for what, bent in _hostile(phone, berit_phone, demo_app).items():
        form = {"csrf_token": token, **door_form(phone, outcome="not_home"), **bent.get("form", {})}
        client = phone
        if "cookies" in bent:
            client = bent["cookies"] or demo_app.test_client()
            client.assignment, client.turf = phone.assignment, phone.turf
        before = _visits()
        through_flask.clear()
        answer = client.post(f"/felt/{phone.assignment.id}/besok{bent.get('path', '')}", data=urlencode(form),
                             headers={**SCRIPT, **bent.get("headers", {})})
        assert through_flask, what
        assert answer.status_code in (200, 302, 400, 404), (what, answer.status_code)
        if answer.status_code == 200:  # stored by Flask's own checks, as before the gate
            assert what in ("another browser", "another network", "a query string", "a charset not UTF-8"), what
        else:
            assert _visits() == before, what


def test_a_tap_on_a_leaflet_round_or_another_volunteers_assignment_is_left_to_flask(phone, berit_phone, through_flask):
    form = {"csrf_token": csrf_token(berit_phone, "/"), **door_form(phone, outcome="not_home")}
    through_flask.clear()
    answer = berit_phone.post(f"/felt/{phone.assignment.id}/besok", data=urlencode(form), headers=SCRIPT)
    assert answer.status_code == 404 and through_flask and _visits() == 0


@given(address=st.one_of(st.none(), st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255))),
       forwarded=st.one_of(st.none(), st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255))),
       agent=st.one_of(st.none(), st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255))))
def test_the_gates_session_mark_is_flask_logins_so_sessions_made_before_still_hold(address, forwarded, agent):
    environ = {key: value for key, value in (("REMOTE_ADDR", address), ("HTTP_X_FORWARDED_FOR", forwarded),
                                             ("HTTP_USER_AGENT", agent)) if value is not None}
    with flask.Flask(__name__).test_request_context(environ_base=environ):
        if agent is None:
            flask.request.environ.pop("HTTP_USER_AGENT", None)
        if address is None:
            flask.request.environ.pop("REMOTE_ADDR", None)
        assert door_tap_gate.session_identifier(flask.request.environ) == _create_identifier()


def test_a_tap_the_database_fails_below_flask_is_tried_again_by_flask_and_stored_once(phone, through_flask,
                                                                                     monkeypatch):
    def failed(*_args):
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(door_tap_gate.door_tap, "record", failed)
    token = csrf_token(phone, "/")
    through_flask.clear()
    answer = _posted(phone, {"csrf_token": token, **door_form(phone, outcome="not_home")})
    assert answer.status_code == 200 and answer.json["status"] == "stored" and through_flask and _visits() == 1


def test_a_tap_that_waited_out_a_locked_database_below_flask_is_not_waited_for_again(phone, through_flask,
                                                                                  monkeypatch):
    """Tester M6: while another process held SQLite's write lock, the gate waited its whole timeout, and then Flask
    tried the tap again and waited as long once more, holding a sync worker twice as long. Flask now answers at
    once that the server is busy; the phone keeps the tap and sends it again, and it is stored once."""
    tries = []

    def locked(*_args):
        tries.append(1)
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(door_tap_gate.door_tap, "record", locked)
    token = csrf_token(phone, "/")
    form = {"csrf_token": token, **door_form(phone, outcome="not_home")}
    through_flask.clear()
    answer = _posted(phone, form)
    assert answer.status_code == 503 and "opptatt" in answer.text and through_flask
    assert tries == [1] and _visits() == 0
    monkeypatch.undo()
    assert _posted(phone, form).json["status"] == "stored"
    assert _posted(phone, form).json["status"] == "duplicate" and _visits() == 1


def _counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_a_tap_stored_on_the_drivers_cursor_writes_what_the_ordinary_path_writes(phone, through_flask):
    """The lean tap stores a visit with sync's statements on the driver's cursor (services/driver_sql.py); the
    ordinary path through `sync.ingest`. The same tap on each must leave the same rows, in the same tables."""
    token = csrf_token(phone, "/")
    written = []
    for unit, accept in (("1", "application/json"), ("2", "application/json, text/plain;q=0.5")):
        before = _counts()
        through_flask.clear()
        form = {"csrf_token": token, **door_form(phone, unit=unit, outcome="refused")}
        assert _posted(phone, form, Accept=accept).json["status"] == "stored"
        after = _counts()
        db.session.expire_all()
        visit = db.session.scalar(select(Visit).where(Visit.client_uuid == form["id"]))
        kind = db.session.scalar(select(SyncEvent.kind).where(SyncEvent.client_uuid == form["id"]))
        written.append(({name: after[name] - before[name] for name in after if after[name] != before[name]},
                        {column.key: getattr(visit, column.key) for column in Visit.__table__.columns
                         if column.key not in ("id", "client_uuid", "unit", "recorded_at", "received_at")},
                        kind, visit.recorded_at.isoformat()[:19] == form["recorded_at"][:19], bool(through_flask)))
    assert written[0][:4] == written[1][:4] and written[0][0] == {"sync_event": 1, "visit": 1}
    assert (written[0][4], written[1][4]) == (False, True)


def _raw(phone, demo_app, body: bytes, **environ):
    """The app's answer (status, body) to a tap sent as raw bytes, the WSGI environ bent as an outsider bends it."""
    built = EnvironBuilder(path=f"/felt/{phone.assignment.id}/besok", method="POST", input_stream=io.BytesIO(body),
                           environ_base={**phone.environ_base, "REMOTE_ADDR": "127.0.0.1"},
                           headers={**SCRIPT, "Cookie": f"session={phone.get_cookie('session').value}"}).get_environ()
    built.update({"CONTENT_LENGTH": str(len(body)), **environ})
    answer = []
    out = b"".join(demo_app(built, lambda status, headers, exc_info=None: answer.append(status)))
    return answer[0], out


def test_a_tap_whose_body_is_framed_oddly_is_judged_by_flask_on_the_same_bytes(phone, demo_app, through_flask):
    """Outsider M: with `Transfer-Encoding: chunked` and a Content-Length, the gate judged only the first
    Content-Length bytes (a valid tap) and stored it, while Flask read the NUL and the undo after them and refused;
    a body shorter than its length was stored below Flask and refused by it; `Content-Length: ²` was a bare 500."""
    tap = urlencode({"csrf_token": csrf_token(phone, "/"), **door_form(phone, outcome="not_home")}).encode()
    for what, body, environ in (
            ("chunked", tap + b"&note=%00&undo=x", {"HTTP_TRANSFER_ENCODING": "chunked",
                                                    "CONTENT_LENGTH": str(len(tap)), "wsgi.input_terminated": True}),
            ("shorter than its length", tap, {"CONTENT_LENGTH": str(len(tap) + 200)}),
            ("a length that is no number", tap, {"CONTENT_LENGTH": "\u00b2"})):
        through_flask.clear()
        status, _ = _raw(phone, demo_app, body, **environ)
        assert through_flask and not status.startswith("5") and _visits() == 0, (what, status)


def test_a_number_field_in_another_scripts_digits_is_refused_not_a_server_error(phone):
    """Outsider M: `address_id=²` passed `isdigit()` and failed `int()`, a 500 on both paths (below Flask, the WSGI
    server's bare page without the app's headers)."""
    token = csrf_token(phone, "/")
    for accept in ("application/json", "application/json, text/plain;q=0.5"):
        form = {"csrf_token": token, **door_form(phone, outcome="not_home"), "address_id": "\u00b2"}
        answer = _posted(phone, form, Accept=accept)
        assert answer.status_code == 400 and answer.json == {"error": "Du kan ikke registrere besøk på denne adressen."}
    assert _visits() == 0


@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "9" * 20, "-1", "0", " 7"])
def test_an_id_read_from_a_form_or_a_link_is_ascii_digits_a_database_holds(value):
    assert typed.row_id(value) is None
    assert typed.row_id("7") == 7 and typed.row_id(str(2 ** 31 - 1)) == 2 ** 31 - 1


@pytest.mark.parametrize("origin", ["http://[", "https://localhost:99999/"])
def test_a_post_with_an_address_that_does_not_parse_is_refused_as_from_another_site(phone, origin, through_flask):
    """Outsider M: `Origin: http://[` made the cross-site check raise: a 500 on any post, logged in or not."""
    answer = _posted(phone, {"csrf_token": csrf_token(phone, "/"), **door_form(phone, outcome="not_home")},
                     **{"Sec-Fetch-Site": "", "Origin": origin})
    assert answer.status_code == 400 and answer.headers["Canvass-Refused"] == "form-token" and _visits() == 0
    assert signing.referrer_refusal(origin, "localhost") == "The referrer does not match the host."


def test_a_tap_with_an_id_in_another_spelling_is_answered_by_flask(phone, through_flask):
    """Outsider M: the answer echoes the id as sent, and `urn:uuid:{…}` made it long enough for Flask to compress."""
    form = door_form(phone, outcome="not_home")
    form["id"] = "urn:uuid:{{{" + form["id"] + "}}}"
    token = csrf_token(phone, "/")
    through_flask.clear()
    answer = _posted(phone, {"csrf_token": token, **form}, **{"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and through_flask and _visits() == 1
