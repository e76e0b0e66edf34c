"""At the door: one tap records a door, a conversation keeps what was said apart from who said it."""
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from canvass.extensions import db
from canvass.models import Branch, Contact, Conversation, Outcome, User, Visit
from canvass.privacy import consent
from canvass.services import actions, progress, turfs
from canvass.web import pwa
from tests.conftest import csrf_token, login_as_volunteer, post


@pytest.fixture
def phone(demo_app):
    """Daniel's phone, logged in with a login link, holding a turf in tonight's action."""
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    turf = turfs.cut_turfs(sagene, ["0473"], target=60)[0]
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() - timedelta(hours=1),
                                   topics="bolig\nklima\nskole")
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    actions.assign(action, turf, [daniel])
    client = demo_app.test_client()
    login_as_volunteer(client, daniel)
    client.assignment = actions.my_assignments(daniel)[0]
    client.turf = turf
    return client


def door_form(phone, unit="1", **extra):
    """A door of the first address that has doors (offices at the start of a walk have none)."""
    stop = next(s for s in phone.turf.stops if s.doors)
    return {"address_id": stop.address_id, "unit": unit, "id": str(uuid.uuid4()),
            "recorded_at": datetime.now(UTC).isoformat(), **extra}


def test_the_walk_list_has_a_row_of_buttons_for_every_door(phone):
    page = phone.get(f"/felt/{phone.assignment.id}").get_data(as_text=True)
    first = phone.turf.stops[0]
    assert first.address.label in page
    assert page.count('name="outcome" value="not_home"') == sum(max(s.doors, 0) for s in phone.turf.stops)
    assert "0</span> venter på å bli sendt" in page


def test_one_tap_records_a_door_and_htmx_gets_an_undo(phone):
    form = door_form(phone, outcome="not_home")
    response = post(phone, f"/felt/{phone.assignment.id}/besok", form, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Registrert: Ikke hjemme" in body and "Angre" in body
    assert "<html" not in body
    visit = db.session.scalar(select(Visit))
    assert (visit.client_uuid, visit.outcome, visit.unit) == (form["id"], Outcome.NOT_HOME, "1")
    # The same post again (a double tap, or a retry) is still one record.
    post(phone, f"/felt/{phone.assignment.id}/besok", form, headers={"HX-Request": "true"})
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1



def _statements(app, request) -> list[str]:
    """The SQL statements one request sends."""
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert request().status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    return statements


def test_a_door_record_costs_five_queries(phone, demo_app):
    """Who is asking, their assignment, may they record there, claiming its id (unique across record types),
    the insert: a door at a time keeps the server light."""
    form = {**door_form(phone, outcome="not_home"), "csrf_token": csrf_token(phone, "/")}
    statements = _statements(demo_app, lambda: phone.post(f"/felt/{phone.assignment.id}/besok", data=form,
                                                         headers={"HX-Request": "true"}))
    assert len(statements) == 5, statements


def test_the_walk_list_costs_the_same_queries_however_long_the_turf(phone, demo_app):
    """Who is asking, the assignment and its turf, the stops with their addresses, doors, visits and notes."""
    assert len(phone.turf.stops) > 5
    statements = _statements(demo_app, lambda: phone.get(f"/felt/{phone.assignment.id}"))
    assert len(statements) == 7, statements


def test_undo_is_a_correction_event_and_the_door_is_open_again(phone):
    form = door_form(phone, outcome="refused")
    post(phone, f"/felt/{phone.assignment.id}/besok", form)
    post(phone, f"/felt/{phone.assignment.id}/angre", door_form(phone, outcome="refused", corrects=form["id"]))
    visits = db.session.scalars(select(Visit)).all()
    assert len(visits) == 2 and visits[1].corrects == form["id"]
    assert progress.effective(visits) == []


def test_without_javascript_the_server_gives_the_id_and_time(phone):
    form = door_form(phone, outcome="leaflet")
    del form["id"], form["recorded_at"]
    response = post(phone, f"/felt/{phone.assignment.id}/besok", form)
    assert response.status_code == 302 and response.location.endswith(f"#adresse-{form['address_id']}")
    assert db.session.scalar(select(Visit)).outcome == Outcome.LEAFLET


def test_earlier_results_show_on_the_walk_list(phone):
    post(phone, f"/felt/{phone.assignment.id}/besok", door_form(phone, outcome="do_not_knock"))
    page = phone.get(f"/felt/{phone.assignment.id}").get_data(as_text=True)
    assert "Ikke bank på igjen" in page and "Ikke bank på denne døra." in page


def test_a_conversation_is_stored_without_a_name(phone):
    page = phone.get(f"/felt/{phone.assignment.id}/samtale?address_id={phone.turf.stops[0].address_id}&unit=1")
    assert "Med beboerens egne ord" in page.get_data(as_text=True)
    form = door_form(phone, topic=["bolig", "skole", "ukjent tema"], words="Husleia er for høy.", importance="3")
    post(phone, f"/felt/{phone.assignment.id}/samtale", form)
    conversation = db.session.scalar(select(Conversation))
    assert (conversation.topics, conversation.words, conversation.importance) == (
        "bolig\nskole",
        "Husleia er for høy.",
        3,
    )
    assert conversation.postnummer == "0473" and conversation.visit_uuid == form["id"]
    assert conversation.address_id == form["address_id"]
    assert db.session.scalar(select(Visit)).outcome == Outcome.CONVERSATION
    assert db.session.scalar(select(Contact)) is None


def test_contact_details_need_the_consent_and_are_stored_apart(phone):
    details = {"wants_membership": "1", "wants_contact": "1", "name": "Kari Nordmann", "email": "kari@example.org"}
    post(phone, f"/felt/{phone.assignment.id}/samtale", door_form(phone, words="Vil bli med", **details))
    assert db.session.scalar(select(Contact)) is None
    form = door_form(phone, unit="2", words="Vil bli med", consent=consent.VERSION, **details)
    post(phone, f"/felt/{phone.assignment.id}/samtale", form)
    contact = db.session.scalar(select(Contact))
    assert (contact.name, contact.email) == ("Kari Nordmann", "kari@example.org")
    assert [(r.purpose, r.text_version, r.text, r.action_id) for r in contact.consents] == [
        (purpose, consent.VERSION, consent.TEXT, phone.assignment.action_id)
        for purpose in sorted((consent.FOLLOW_UP, consent.MEMBERSHIP))
    ]
    for record in contact.consents:
        assert (
            record.given_at.minute == 0 and record.delete_after - record.given_at == consent.RETENTION[record.purpose]
        )
    # Nothing stored with the contact names the visit, the door or the conversation.
    stored = {column.name: getattr(contact, column.name) for column in Contact.__table__.columns}
    assert form["id"] not in stored.values() and not {"visit_uuid", "address_id", "conversation_id"} & set(stored)


def test_another_volunteers_turf_is_not_found(phone, demo_app):
    other = demo_app.test_client()
    from tests.conftest import login

    login(other, "frogner@oslo.demo")
    assert other.get(f"/felt/{phone.assignment.id}").status_code == 404


def test_a_note_about_the_door_shows_for_the_next_canvasser(phone):
    form = door_form(phone, text="Dørkode 1234, ringeklokka virker ikke")
    del form["unit"]
    response = post(phone, f"/felt/{phone.assignment.id}/notat", form, headers={"HX-Request": "true"})
    assert "Notatet er lagret." in response.get_data(as_text=True)
    page = phone.get(f"/felt/{phone.assignment.id}").get_data(as_text=True)
    assert "Dørkode 1234, ringeklokka virker ikke" in page
    too_long = post(phone, f"/felt/{phone.assignment.id}/notat", door_form(phone, text="x" * 201))
    assert too_long.status_code == 400 and "Notatet må ha mellom 1 og 200 tegn." in too_long.get_data(as_text=True)


def test_input_from_a_stand_has_no_address(phone):
    page = phone.get("/felt/innspill").get_data(as_text=True)
    assert "Innspill fra stand eller gate" in page and 'value="klima"' in page
    post(
        phone,
        "/felt/innspill",
        {
            "id": str(uuid.uuid4()),
            "recorded_at": datetime.now(UTC).isoformat(),
            "topic": ["klima"],
            "words": "Mer sykkelvei langs Ring 2.",
            "postnummer": "0473",
            "action_id": str(phone.assignment.action_id),
        },
    )
    conversation = db.session.scalar(select(Conversation))
    assert (conversation.address_id, conversation.postnummer, conversation.topics) == (None, "0473", "klima")
    assert conversation.action_id == phone.assignment.action_id
    empty = post(phone, "/felt/innspill", {"id": str(uuid.uuid4()), "recorded_at": datetime.now(UTC).isoformat()})
    assert empty.status_code == 400 and "Innspillet må ha et tema eller noen ord." in empty.get_data(as_text=True)


def test_the_service_worker_controls_every_page_and_is_renamed_by_each_release(client, tmp_path):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/" and response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    assert "canvass-dev" not in source and re.search(r'var VERSION = "canvass-[0-9a-f]{12}"', source)

    # A release that changes any static file gets a new worker, which replaces the phone's cached files.
    (tmp_path / "sw.js").write_text('var VERSION = "canvass-dev";')
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.css").write_text("body { color: black }")
    before = pwa._worker_source.__wrapped__(str(tmp_path))
    (tmp_path / "css" / "app.css").write_text("body { color: navy }")
    assert pwa._worker_source.__wrapped__(str(tmp_path)) != before
