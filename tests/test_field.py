"""At the door: one tap records a door, a conversation keeps what was said apart from who said it."""
import html
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from canvass.extensions import db
from canvass.models import Branch, Contact, Conversation, Outcome, Role, User, Visit
from canvass.privacy import consent
from canvass.services.driver_sql import Prepared
from canvass.services.field import field
from canvass.services.people import people
from canvass.services.turf import actions, progress, turfs
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


JSON = {"Accept": "application/json"}


def test_the_walk_list_is_one_form_with_a_row_of_buttons_for_every_door(phone):
    page = phone.get(f"/felt/{phone.assignment.id}").get_data(as_text=True)
    first = phone.turf.stops[0]
    doors = sum(max(s.doors, 0) for s in phone.turf.stops)
    assert first.address.label in page
    assert page.count('name="tap" value="not_home ') == doors and page.count("<form") == 2  # and the language
    assert page.count('name="csrf_token"') == 2 and "Alt er sendt" in page
    assert f"<b data-done-count>0</b> av <b data-total>{doors}</b> dører" in page


def test_one_tap_records_a_door_and_the_pages_script_gets_it_as_data(phone):
    form = door_form(phone, outcome="not_home")
    response = post(phone, f"/felt/{phone.assignment.id}/besok", form, headers=JSON)
    assert response.status_code == 200 and response.json["status"] == "stored"
    assert response.json["event"] == {"id": form["id"], "outcome": "not_home", "address_id": form["address_id"],
                                      "unit": "1", "recorded_at": form["recorded_at"], "corrects": None}
    visit = db.session.scalar(select(Visit))
    assert (visit.client_uuid, visit.outcome, visit.unit) == (form["id"], Outcome.NOT_HOME, "1")
    # The same post again (a double tap, or a retry) is still one record.
    assert post(phone, f"/felt/{phone.assignment.id}/besok", form, headers=JSON).json["status"] == "duplicate"
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1



def _statements(app, request) -> list[str]:
    """The SQL statements one request sends, through SQLAlchemy or on the driver's cursor (services/driver_sql.py)."""
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def counted(prepared, cursor, values):
        statements.append(prepared.sql)
        return rows(prepared, cursor, values)

    rows = Prepared.rows
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        Prepared.rows = counted
        try:
            assert request().status_code == 200
        finally:
            Prepared.rows = rows
            event.remove(db.engine, "before_cursor_execute", count)
    return statements


def test_a_door_record_costs_three_queries(phone, demo_app):
    """Who is asking, their assignment and whether they may record at that door, in one query; claiming its id
    (unique across record types); the insert: a door at a time keeps the server light."""
    form = {**door_form(phone, outcome="not_home"), "csrf_token": csrf_token(phone, "/")}
    statements = _statements(demo_app, lambda: phone.post(f"/felt/{phone.assignment.id}/besok", data=form,
                                                         headers=JSON))
    assert len(statements) == 3, statements


def test_the_walk_list_costs_the_same_queries_however_long_the_turf(phone, demo_app):
    """Who is asking, the assignment and its turf, the stops with their addresses, doors, the doors added in
    the field, visits and notes; which data the map credits is asked once per organisation, not per page."""
    assert len(phone.turf.stops) > 5
    first = _statements(demo_app, lambda: phone.get(f"/felt/{phone.assignment.id}"))
    statements = _statements(demo_app, lambda: phone.get(f"/felt/{phone.assignment.id}"))
    assert len(first) == 9 and len(statements) == 8, statements


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
    assert response.status_code == 302 and response.location.endswith(f"#d-{form['address_id']}-1")
    assert db.session.scalar(select(Visit)).outcome == Outcome.LEAFLET


def first_door(phone):
    stop = next(s for s in field.walk_list(phone.turf) if s.doors)
    return stop.address_id, stop.doors[0].unit


def test_earlier_results_show_on_the_walk_list_and_a_door_not_to_knock_is_folded(phone):
    address_id, unit = first_door(phone)
    post(phone, f"/felt/{phone.assignment.id}/besok", {**door_form(phone, outcome="do_not_knock"),
                                                       "address_id": address_id, "unit": unit})
    page = phone.get(f"/felt/{phone.assignment.id}").get_data(as_text=True)
    row = re.search(rf'<li id="d-{address_id}-{unit}" class="door done"[^>]*data-o="do_not_knock".*?</li>', page, re.S)
    assert row and "Ikke bank på igjen ✓" in row.group(0) and "<b data-done-count>1</b>" in page


def test_a_conversation_is_stored_without_a_name(phone):
    page = phone.get(f"/felt/{phone.assignment.id}/samtale?address_id={phone.turf.stops[0].address_id}&unit=1")
    assert "Med beboerens egne ord" in page.get_data(as_text=True)
    form = door_form(phone, topic=["bolig", "skole", "ukjent tema"], words="Husleia er for høy.", importance="3")
    post(phone, f"/felt/{phone.assignment.id}/samtale", form)
    conversation = db.session.scalar(select(Conversation))
    assert (conversation.topics, conversation.words, conversation.importance) == (
        "bolig\nskole", "Husleia er for høy.", 3)
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
        assert record.given_at.minute == 0
        assert record.delete_after - record.given_at == consent.RETENTION[record.purpose]
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
    response = post(phone, f"/felt/{phone.assignment.id}/notat", form, follow_redirects=True)
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



def test_input_past_the_length_limit_is_refused_with_the_limit_not_as_empty(phone):
    form = {"id": str(uuid.uuid4()), "recorded_at": datetime.now(UTC).isoformat(), "topic": ["klima"],
            "words": "Mer sykkelvei. " * 334}
    refused = post(phone, "/felt/innspill", form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Teksten kan være høyst 4000 tegn (denne har 5010)." in text
    assert "tema eller noen ord" not in text and db.session.scalar(select(Conversation)) is None
    # The same limit at a door.
    door = post(phone, f"/felt/{phone.assignment.id}/samtale", door_form(phone, topic="klima", words="x" * 4001))
    assert door.status_code == 400 and "høyst 4000 tegn (denne har 4001)" in door.get_data(as_text=True)
    # Tester J's 100 lines that filled the box: a form sends each line break as two characters, the box counts one.
    lines = "\r\n".join(["x" * 39] * 100) + "x"
    assert len(lines.replace("\r\n", "\n")) == 4000 and len(lines) == 4099
    kept = post(phone, f"/felt/{phone.assignment.id}/samtale", door_form(phone, topic="klima", words=lines))
    assert kept.status_code in (200, 302), kept.get_data(as_text=True)[:300]
    assert db.session.scalar(select(Conversation.words)) == lines.replace("\r\n", "\n")


def test_the_service_worker_controls_every_page_and_is_renamed_by_each_release(client, tmp_path):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/" and response.headers["Cache-Control"] == "no-cache"
    source = response.get_data(as_text=True)
    assert "canvass-dev" not in source and re.search(r'var VERSION ?= ?"canvass-[0-9a-f]{12}"', source)

    # A release that changes any static file gets a new worker, which replaces the phone's cached files.
    (tmp_path / "sw.js").write_text('var VERSION = "canvass-dev";')
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.css").write_text("body { color: black }")
    before = pwa._worker_source.__wrapped__(str(tmp_path))
    (tmp_path / "css" / "app.css").write_text("body { color: navy }")
    assert pwa._worker_source.__wrapped__(str(tmp_path)) != before


def test_every_page_names_the_apps_icon_and_the_browsers_own_favicon_request_finds_it(client):
    """Outsider G saw a 404 for /favicon.ico beside every page a browser opened."""
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<link rel="icon" type="image/png" href="/static/icons/icon-192\.png', page)
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/png" and icon.data.startswith(b"\x89PNG")
    assert "max-age=" in icon.headers["Cache-Control"]


def walk_page(phone, query="") -> str:
    return phone.get(f"/felt/{phone.assignment.id}{query}").get_data(as_text=True)


def test_without_javascript_a_double_tap_on_one_page_is_one_record(phone):
    address_id, unit = first_door(phone)
    page_id = re.search(r'name="page" value="([^"]+)"', walk_page(phone)).group(1)
    tap = {"tap": f"not_home {address_id} {unit}", "page": page_id}
    for _ in range(2):
        response = post(phone, f"/felt/{phone.assignment.id}/besok", tap)
        assert response.status_code == 302 and response.location.endswith(f"#d-{address_id}-{unit}")
    visit = db.session.scalar(select(Visit))
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
    assert (visit.address_id, visit.unit, visit.outcome) == (address_id, unit, Outcome.NOT_HOME)


def test_a_done_door_folds_into_one_line_with_an_undo_and_the_count_and_next_door_follow(phone):
    address_id, unit = first_door(phone)
    form = {**door_form(phone, outcome="refused"), "address_id": address_id, "unit": unit}
    post(phone, f"/felt/{phone.assignment.id}/besok", form)
    page = walk_page(phone)
    row = re.search(rf'<li id="d-{address_id}-{unit}" class="door done".*?</li>', page, re.S).group(0)
    assert "Nei takk ✓" in row and f'name="undo" value="{form["id"]} refused {address_id} {unit}"' in row
    assert "<b data-done-count>1</b>" in page
    doors = [(s.address_id, d.unit) for s in field.walk_list(phone.turf) for d in s.doors]
    following = doors[1]
    assert re.search(rf'href="#d-{following[0]}-{following[1]}" data-next', page)
    # The undo button of the folded door, without script: the door is open again.
    response = post(phone, f"/felt/{phone.assignment.id}/besok", {"undo": f"{form['id']} refused {address_id} {unit}"})
    assert response.status_code == 302
    assert progress.effective(db.session.scalars(select(Visit)).all()) == []
    assert "<b data-done-count>0</b>" in walk_page(phone)


def test_an_earlier_actions_record_is_shown_but_the_door_is_open_tonight(phone):
    address_id, unit = first_door(phone)
    post(phone, f"/felt/{phone.assignment.id}/besok", {**door_form(phone, outcome="not_home"),
                                                       "address_id": address_id, "unit": unit})
    db.session.execute(Visit.__table__.update().values(action_id=None))
    db.session.commit()
    row = re.search(rf'<li id="d-{address_id}-{unit}" class="door".*?</li>', walk_page(phone), re.S).group(0)
    assert 'class="earlier">Ikke hjemme' in row and 'name="tap"' in row


def test_the_second_round_opens_the_doors_that_were_not_home(phone):
    address_id, unit = first_door(phone)
    post(phone, f"/felt/{phone.assignment.id}/besok", {**door_form(phone, outcome="not_home"),
                                                       "address_id": address_id, "unit": unit})
    assert "<b data-done-count>1</b>" in walk_page(phone)
    assert "<b data-done-count>0</b>" in walk_page(phone, "?runde=2")


def test_a_second_round_turf_in_the_same_action_opens_the_doors_nobody_answered(phone, demo_app):
    """The re-tester's round-2 turf, given in the same action, said "3 av 3 dører" before its volunteer had knocked
    anywhere: the first round's "not home" counted as done there. On the second round's list those doors are
    open, on the partner poll too; a door knocked in the second round is done on the first round's list."""
    address_id, unit = first_door(phone)
    post(phone, f"/felt/{phone.assignment.id}/besok", {**door_form(phone, outcome="not_home"),
                                                       "address_id": address_id, "unit": unit})
    again = turfs.second_round(phone.turf)
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    berit = people.create_user(daniel.organisation, Role.CANVASSER, "Berit", branch=daniel.memberships[0].branch)
    db.session.commit()
    actions.assign(phone.assignment.action, again, [berit])
    partner = demo_app.test_client()
    login_as_volunteer(partner, berit)
    hers = actions.my_assignments(berit)[0]
    page = partner.get(f"/felt/{hers.id}").get_data(as_text=True)
    assert re.search(r"<b data-done-count>0</b> av <b data-total>\d+</b> dør", page)
    assert partner.get(f"/felt/{hers.id}/dorer.json").json == []
    form = {**door_form(phone, outcome="conversation"), "address_id": address_id, "unit": unit}
    post(partner, f"/felt/{hers.id}/besok", {**form, "outcome": "refused"})
    assert "<b data-done-count>1</b>" in partner.get(f"/felt/{hers.id}").get_data(as_text=True)
    assert "<b data-done-count>1</b>" in walk_page(phone)


def test_the_partners_phone_polls_the_doors_done_in_this_action(phone, demo_app):
    address_id, unit = first_door(phone)
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    berit = people.create_user(daniel.organisation, Role.CANVASSER, "Berit", branch=daniel.memberships[0].branch)
    db.session.commit()
    actions.assign(phone.assignment.action, phone.turf, [daniel, berit])
    partner = demo_app.test_client()
    login_as_volunteer(partner, berit)
    mine = actions.my_assignments(berit)[0]
    form = {**door_form(phone, outcome="leaflet"), "address_id": address_id, "unit": unit}
    post(partner, f"/felt/{mine.id}/besok", form)
    # Pairing gives Daniel a new assignment too.
    states = phone.get(f"/felt/{actions.my_assignments(daniel)[0].id}/dorer.json")
    assert states.headers["Cache-Control"] == "no-store"
    assert [s[:3] + s[4:] for s in states.json] == [[address_id, unit, "leaflet", form["id"]]]


def test_a_conversation_with_a_refused_contact_part_is_stored_and_the_phone_is_told_why(phone):
    form = door_form(phone, words="Vil bli med", wants_membership="1", consent=consent.VERSION, name="")
    form["phone"] = "12"
    response = post(phone, f"/felt/{phone.assignment.id}/samtale", form, headers=JSON)
    assert response.status_code == 200 and response.json["status"] == "stored"
    assert response.json["refused"] == {"part": "contact",
                                        "reason": "Kontaktinformasjonen er ufullstendig eller ugyldig."}
    assert db.session.scalar(select(Conversation)).words == "Vil bli med"
    assert db.session.scalar(select(Contact)) is None
    without_script = post(phone, f"/felt/{phone.assignment.id}/samtale", {**form, "id": str(uuid.uuid4()), "unit": "2"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Samtalen er lagret, men ikke kontaktinformasjonen: Kontaktinformasjonen er ufullstendig" in without_script


def test_an_empty_conversation_is_not_saved_and_says_why(phone):
    response = post(phone, f"/felt/{phone.assignment.id}/samtale", door_form(phone), headers=JSON)
    assert response.status_code == 400 and "Samtalen er tom" in response.json["error"]
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_a_refusal_answers_the_pages_script_with_the_reason_and_only_an_expired_form_is_marked(phone, demo_app):
    refused = post(phone, f"/felt/{phone.assignment.id}/besok", door_form(phone, outcome="not_home", unit="x" * 9),
                   headers=JSON)
    assert refused.status_code == 400 and refused.json == {"error": f"Ugyldig dør «{'x' * 9}»."}
    assert "Canvass-Refused" not in refused.headers
    expired = phone.post(f"/felt/{phone.assignment.id}/besok", data=door_form(phone, outcome="not_home"))
    assert expired.status_code == 400 and expired.headers["Canvass-Refused"] == "form-token"


def test_the_conversation_page_says_which_address_and_door(phone):
    address_id, unit = first_door(phone)
    stop = next(s for s in phone.turf.stops if s.address_id == address_id)
    page = phone.get(f"/felt/{phone.assignment.id}/samtale?address_id={address_id}&unit={unit}").get_data(as_text=True)
    assert f'data-door-label>{stop.address.label}, ' in page and 'name="outcome" value="do_not_knock"' in page


def test_the_home_page_shows_an_action_signed_up_for_before_a_turf_is_given(phone):
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    later = actions.create_action(daniel.memberships[0].branch, "Lørdagsaksjon på Torshov", "door",
                                  datetime.now() + timedelta(days=2))
    later.meeting_point = "Torshovparken"
    actions.sign_up(later, daniel)
    page = phone.get("/").get_data(as_text=True)
    assert "Aksjoner du er påmeldt" in page and "Lørdagsaksjon på Torshov" in page and "Torshovparken" in page
    actions.assign(later, phone.turf, [daniel])
    home = phone.get("/").get_data(as_text=True)
    assert "Lørdagsaksjon på Torshov" not in home.split("Mine roder")[0]
    # With a turf in hand, the page no longer tells him one will come.
    assert "Når koordinatoren har fordelt roder" not in home


def test_logging_out_asks_first_and_says_how_to_get_back_in(phone):
    page = phone.get("/logout").get_data(as_text=True)
    assert "ny personlig innloggingslenke fra dørbankansvarlig" in page and "Ja, logg ut" in page
    assert phone.get("/").status_code == 200
    assert post(phone, "/logout").status_code == 302 and phone.get("/").status_code == 302


@pytest.mark.parametrize("lang, one, many", [
    ("nb", "Kartet til roden: {count} kartrute, ca. {size} MB", "Kartet til roden: {count} kartruter, ca. {size} MB"),
    ("nn", "Kartet er lagra på telefonen: {count} kartrute, {size} MB",
     "Kartet er lagra på telefonen: {count} kartruter, {size} MB"),
    ("en", "The turf is downloaded, but {failed} of {total} map tiles is missing",
     "The turf is downloaded, but {failed} of {total} map tiles are missing"),
])
def test_the_map_download_texts_come_in_one_and_many_for_the_script_to_pick(phone, lang, one, many):
    """tiles.js picks data-…-one for 1 and data-…-many otherwise: "1 kartrute", "2 kartruter", "1 map tile"."""
    post(phone, "/sprak", {"lang": lang})
    page = html.unescape(walk_page(phone))
    name = re.search(r'data-(\w+)-one="' + re.escape(one), page)
    assert name, page[:200]
    assert re.search(rf'data-{name[1]}-many="' + re.escape(many), page)
