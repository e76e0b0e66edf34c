"""A door or an address missing from the walk list, added at the door: it counts at once, is stored once,
refuses bad input in Norwegian, and only the coordinator of the branch confirms or rejects it."""
import uuid
from datetime import UTC, datetime

import pytest
from flask import render_template_string
from flask_babel import force_locale
from sqlalchemy import func, select

from canvass import formatting
from canvass.extensions import db
from canvass.models import Branch, Conversation, FieldDoor, Role, Turf, TurfAddress, User, Visit
from canvass.services.committee import committees, coverage
from canvass.services.field import field, sync
from canvass.services.people import people
from canvass.services.turf import actions, progress, turfs
from tests.conftest import login, login_as_volunteer, post


@pytest.fixture
def phone(demo_app):
    """Daniel's phone, holding a turf of Torshov in tonight's action."""
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    turf = turfs.cut_turfs(sagene, ["0473"], target=60)[0]
    action = actions.create_action(sagene, "Torshov", "door", datetime.now(), topics="bolig\nklima")
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    actions.assign(action, turf, [daniel])
    client = demo_app.test_client()
    login_as_volunteer(client, daniel)
    client.assignment = actions.my_assignments(daniel)[0]
    client.turf, client.action, client.user = turf, action, daniel
    client.stop = next(s for s in turf.stops if s.doors)
    return client


def add(phone, **form):
    return post(phone, f"/felt/{phone.assignment.id}/dor",
                {"address_id": phone.stop.address_id, "what": "door", "id": str(uuid.uuid4()),
                 "recorded_at": datetime.now(UTC).isoformat(), **form})


def doors_of(turf_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Turf, turf_id).doors


def test_a_door_added_at_a_stop_counts_in_the_walk_list_and_in_the_progress_at_once(phone):
    before = doors_of(phone.turf.id)
    response = add(phone, label="Kjeller")
    added = db.session.scalar(select(FieldDoor))
    assert response.status_code == 302
    assert response.location.endswith(f"/felt/{phone.assignment.id}#d-{phone.stop.address_id}-{added.unit}")
    assert (added.label, added.kind, added.status, added.added_by_id) == ("Kjeller", "door", "pending", phone.user.id)
    assert doors_of(phone.turf.id) == before + 1
    page = phone.get(f"/felt/{phone.assignment.id}").get_data(as_text=True)
    assert f'id="d-{phone.stop.address_id}-{added.unit}"' in page and ">Kjeller</span>" in page
    assert f"<b data-done-count>0</b> av <b data-total>{before + 1}</b> dører" in page
    # Recorded like any door, it is knocked in the progress the coordinator follows.
    post(phone, f"/felt/{phone.assignment.id}/besok", {"tap": f"not_home {phone.stop.address_id} {added.unit}"})
    tally = progress.by_turf([db.session.get(Turf, phone.turf.id)], phone.action.id)[phone.turf.id]
    assert (tally.doors, tally.knocked, tally.not_home) == (before + 1, 1, 1)


def test_the_same_added_door_sent_twice_is_one_door(phone):
    before = doors_of(phone.turf.id)
    event = {"id": str(uuid.uuid4()), "type": "door", "what": "door", "recorded_at": datetime.now(UTC).isoformat(),
             "turf_id": phone.turf.id, "action_id": phone.action.id, "address_id": phone.stop.address_id,
             "label": "H0203"}
    first = sync.ingest(phone.user, [event, dict(event)])
    again = sync.ingest(phone.user, [dict(event)])
    changed = sync.ingest(phone.user, [{**event, "label": "H0204"}])
    assert [r.status for r in first + again + changed] == ["stored", "duplicate", "duplicate", "conflict"]
    assert db.session.scalar(select(func.count()).select_from(FieldDoor)) == 1
    assert doors_of(phone.turf.id) == before + 1


def test_a_visit_at_an_added_door_may_arrive_before_the_door_itself(phone):
    door_id = str(uuid.uuid4())
    unit = "+" + door_id.replace("-", "")[:7]
    now = datetime.now(UTC).isoformat()
    visit = {"id": str(uuid.uuid4()), "type": "visit", "recorded_at": now, "turf_id": phone.turf.id,
             "action_id": phone.action.id, "address_id": phone.stop.address_id, "unit": unit, "outcome": "refused"}
    door = {"id": door_id, "type": "door", "what": "door", "recorded_at": now, "turf_id": phone.turf.id,
            "address_id": phone.stop.address_id, "label": "Loft"}
    assert [r.status for r in sync.ingest(phone.user, [visit, door])] == ["stored", "stored"]
    stop = next(s for s in field.walk_list(db.session.get(Turf, phone.turf.id), phone.action.id)
                if s.address_id == phone.stop.address_id)
    loft = next(d for d in stop.doors if d.unit == unit)
    assert (loft.label, loft.done, loft.added) == ("Loft", True, True)


@pytest.mark.parametrize(("form", "message"), [
    ({"label": ""}, "Skriv hva døra heter, for eksempel H0203 eller Kjeller."),
    ({"label": "   \t "}, "Skriv hva døra heter, for eksempel H0203 eller Kjeller."),
    ({"label": "x" * 41}, "Navnet på døra kan ha høyst 40 tegn."),
    ({"what": "address", "street": "", "number": "5"}, "Skriv gatenavn og husnummer, for eksempel Sagveien 5B."),
    ({"what": "address", "street": "Sagveien", "number": "fem"}, "Husnummeret «fem» er ikke et husnummer"),
    ({"what": "address", "street": "S" * 81, "number": "5"}, "Gatenavnet kan ha høyst 80 tegn."),
    # Bergen is not Torshov.
    ({"what": "address", "street": "Bryggen", "number": "1", "lat": "60.3971", "lon": "5.3245"},
     "Posisjonen er 305 km fra roden. Legg bare til adresser i roden du går."),
    ({"what": "address", "street": "Sagveien", "number": "5", "lat": "91", "lon": "10"}, "Posisjonen er ugyldig."),
    ({"what": "garage", "label": "Garasje"}, "Ukjent slags tillegg «garage»."),
])
def test_a_bad_door_or_address_gets_a_clear_message_and_changes_nothing(phone, form, message):
    before = doors_of(phone.turf.id)
    response = add(phone, **form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FieldDoor)) == 0
    assert doors_of(phone.turf.id) == before


def test_a_missing_address_hangs_on_its_stop_with_the_phones_position_rounded(phone):
    address = phone.stop.address
    response = add(phone, what="address", street="  Sandakerveien ", number="5b",
                   lat=str(address.lat + 0.0012345678), lon=str(address.lon))
    assert response.status_code == 302
    added = db.session.scalar(select(FieldDoor))
    assert (added.kind, added.label, added.address_id) == ("address", "Sandakerveien 5b", address.id)
    assert added.lat == round(address.lat + 0.0012345678, 5)


def test_hostile_text_in_an_added_door_is_text_on_every_page(phone, demo_app):
    hostile = '<img src=x onerror="alert(1)">'
    add(phone, label=hostile)
    coordinator = demo_app.test_client()
    login(coordinator, "sagene@oslo.demo")
    pages = [phone.get(f"/felt/{phone.assignment.id}"), coordinator.get(f"/aksjoner/{phone.action.id}"),
             coordinator.get(f"/roder/{phone.turf.id}")]
    for page in pages:
        body = page.get_data(as_text=True)
        assert hostile not in body and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in body


def test_only_someone_given_the_turf_may_add_to_it(phone, demo_app):
    sagene = phone.turf.branch
    berit = people.create_user(sagene.organisation, Role.CANVASSER, "Berit", branch=sagene)
    db.session.commit()
    other = demo_app.test_client()
    login_as_volunteer(other, berit)
    event = {"id": str(uuid.uuid4()), "type": "door", "what": "door", "recorded_at": datetime.now(UTC).isoformat(),
             "turf_id": phone.turf.id, "address_id": phone.stop.address_id, "label": "Kjeller"}
    result = sync.ingest(berit, [event])[0]
    assert (result.status, result.reason) == ("rejected", "Bare den som har fått roden, kan legge til dører og "
                                                          "adresser i den.")
    # A stop outside the turf, by the one who holds it, is refused too.
    outside = dict(event, id=str(uuid.uuid4()), address_id=999_999)
    assert sync.ingest(phone.user, [outside])[0].status == "rejected"
    # Berit's own walk list is not hers to post to.
    assert other.get(f"/felt/{phone.assignment.id}/mangler").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(FieldDoor)) == 0


def test_the_branch_coordinator_confirms_and_a_rejected_door_leaves_the_turf_but_what_was_said_stays(phone, demo_app):
    before = doors_of(phone.turf.id)
    add(phone, label="Kjeller")
    add(phone, label="Sokkel")
    kjeller, sokkel = db.session.scalars(select(FieldDoor).order_by(FieldDoor.id)).all()
    said = post(phone, f"/felt/{phone.assignment.id}/samtale",
                {"address_id": sokkel.address_id, "unit": sokkel.unit, "id": str(uuid.uuid4()),
                 "recorded_at": datetime.now(UTC).isoformat(), "topic": "bolig", "words": "For dyrt"})
    assert said.status_code == 302
    path = f"/roder/{phone.turf.id}/dorer"

    frogner = demo_app.test_client()
    login(frogner, "frogner@oslo.demo")
    assert post(frogner, f"{path}/{kjeller.id}", {"decision": "confirm"}).status_code in (403, 404)

    coordinator = demo_app.test_client()
    login(coordinator, "sagene@oslo.demo")
    page = coordinator.get(f"/aksjoner/{phone.action.id}").get_data(as_text=True)
    assert "2 lagt til fra feltet – se over" in page and "ny dør på" in page
    assert post(coordinator, f"{path}/{kjeller.id}", {"decision": "maybe"}).status_code == 400
    back = f"/aksjoner/{phone.action.id}#rode-{phone.turf.id}"
    answer = post(coordinator, f"{path}/{kjeller.id}", {"decision": "confirm", "next": back})
    assert answer.status_code == 302 and answer.location.endswith(back)
    answer = post(coordinator, f"{path}/{sokkel.id}", {"decision": "reject", "next": "https://evil.example/"})
    assert answer.location.endswith(f"/roder/{phone.turf.id}")
    db.session.expire_all()
    assert [d.status for d in db.session.scalars(select(FieldDoor).order_by(FieldDoor.id))] == ["confirmed", "rejected"]
    assert doors_of(phone.turf.id) == before + 1
    walk = phone.get(f"/felt/{phone.assignment.id}").get_data(as_text=True)
    assert ">Kjeller</span>" in walk and "Sokkel" not in walk
    tally = progress.by_turf([db.session.get(Turf, phone.turf.id)], phone.action.id)[phone.turf.id]
    assert (tally.doors, tally.knocked) == (before + 1, 0)
    # The conversation at the rejected door happened: it is kept, for the committee as for the record.
    assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.unit == sokkel.unit)) == 1
    assert db.session.scalar(select(Conversation.words)) == "For dyrt"
    assert "lagt til fra feltet" not in coordinator.get(f"/aksjoner/{phone.action.id}").get_data(as_text=True)
    # An admin of the organisation may decide too; rejecting twice changes the count once.
    admin = demo_app.test_client()
    login(admin, "admin@oslo.demo")
    assert post(admin, f"{path}/{sokkel.id}", {"decision": "reject"}).status_code == 302
    assert doors_of(phone.turf.id) == before + 1


@pytest.mark.parametrize(("lang", "day", "one", "two"), [
    ("nb", "tirsdag 1. desember", "1 ble ikke tatt imot av serveren", "0 av 1 dør"),
    ("nn", "tysdag 1. desember", "1 vart ikkje teken imot av serveren", "0 av 1 dør"),
    ("en", "Tuesday 1 December", "1 was turned down by the server", "0 of 1 door"),
])
def test_the_walk_list_writes_days_and_counts_in_each_languages_grammar(demo_app, lang, day, one, two):
    with demo_app.test_request_context(), force_locale(lang):
        assert formatting.format_day(datetime(2026, 12, 1, 17, 0)).startswith(day)
        page = render_template_string(
            "{{ ngettext('%(num)s ble ikke tatt imot av serveren', '%(num)s ble ikke tatt imot av serveren', 1) }}|"
            "{{ ngettext('%(done)s av %(num)s dør', '%(done)s av %(num)s dører', 1, done=0) }}")
    assert page == f"{one}|{two}"


def test_the_partners_phone_polls_the_undos_of_this_action_too(phone):
    stop = phone.stop
    done = {"id": str(uuid.uuid4()), "tap": None, "outcome": "not_home", "address_id": stop.address_id, "unit": "1",
            "recorded_at": datetime.now(UTC).isoformat()}
    post(phone, f"/felt/{phone.assignment.id}/besok", {k: v for k, v in done.items() if v is not None})
    undo = {"id": str(uuid.uuid4()), "corrects": done["id"], "outcome": "not_home", "address_id": stop.address_id,
            "unit": "1", "recorded_at": datetime.now(UTC).isoformat()}
    post(phone, f"/felt/{phone.assignment.id}/angre", undo)
    states = phone.get(f"/felt/{phone.assignment.id}/dorer.json").json
    assert [s[:3] + s[4:] for s in states] == [[stop.address_id, "1", "undone", undo["id"], done["id"]]]


def visit(phone, address_id: int, unit: str, outcome: str = "not_home") -> dict:
    return {"id": str(uuid.uuid4()), "type": "visit", "recorded_at": datetime.now(UTC).isoformat(),
            "turf_id": phone.turf.id, "action_id": phone.action.id, "address_id": address_id, "unit": unit,
            "outcome": outcome}


def coordinators_count(phone) -> int:
    db.session.expire_all()
    return progress.by_turf([db.session.get(Turf, phone.turf.id)], phone.action.id)[phone.turf.id].knocked


def walk_lists_count(phone) -> int:
    return field.evening(field.walk_list(db.session.get(Turf, phone.turf.id), phone.action.id)).done


@pytest.mark.parametrize("unit", ["H0101'--", "🚪🚪", "../../x", "-1", "1234", "+ABCDEFG", "h0101", " 1"])
def test_a_door_no_walk_list_could_show_is_refused_in_norwegian(phone, unit):
    """What an outsider sent through the sync API: each was stored as a door of its own and counted."""
    [result] = sync.ingest(phone.user, [visit(phone, phone.stop.address_id, unit)])
    assert result.status == "rejected" and result.reason.startswith("Ugyldig dør «"), result
    assert coordinators_count(phone) == 0 and db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_the_coordinator_counts_the_doors_the_walk_list_shows_done_whatever_a_phone_sends(phone):
    first, other = [stop for stop in field.walk_list(phone.turf) if stop.doors][:2]
    mine = {stop.address_id for stop in phone.turf.stops}
    beyond = db.session.scalar(select(TurfAddress.address_id).join(Turf).where(
        Turf.branch_id == phone.turf.branch_id, TurfAddress.address_id.not_in(mine)).limit(1))
    events = [visit(phone, first.address_id, first.doors[0].unit), visit(phone, other.address_id, other.doors[0].unit),
              # Doors of the right shape that the address does not have, and an address of another turf given as
              # this one's: stored, as nothing a phone records is thrown away, but no door of this turf.
              visit(phone, first.address_id, "999"), visit(phone, first.address_id, "0"),
              visit(phone, first.address_id, "H0909"), visit(phone, beyond, "1"),
              # A leaflet left at no door in particular: a door round's leaflet names its door.
              visit(phone, other.address_id, "", "leaflet")]
    assert [r.status for r in sync.ingest(phone.user, events)] == ["stored"] * 7
    assert walk_lists_count(phone) == coordinators_count(phone) == 2
    # The committee's "doors knocked" per area counts the same two, and the other turf's door, which is a door there.
    committee = committees.committee_for(db.session.scalar(select(User).where(User.email == "komite@oslo.demo")))
    knocked = coverage.coverage(committee, committees.Filters(start=datetime.now().date())).scope.knocked
    assert knocked == 3
