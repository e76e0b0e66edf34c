"""One branch never takes, changes or reads another branch's turf, even where a postal code changed hands.

Replays finding 10 of issue 13 over real HTTP: with 0473 given to Frogner as well as Sagene,
Frogner's coordinator cut 0473, which archived Sagene's turf (assigned ones too), and Frogner's
walk list then showed Sagene's door notes.
"""
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.models import AddressNote, Assignment, Branch, BranchPostalCode, Turf, TurfAddress, User
from canvass.services.field import sync
from canvass.services.turf import actions, turfs
from tests.conftest import _dispose, login, make_app, post
from tests.http import HttpClient
from tests.pdf import pdf_text

NOTE = "Dørkode 1234"
# The merge form's path as a browser sends it.
MERGE = quote("slå-sammen")


def branch(name: str) -> Branch:
    return db.session.scalar(select(Branch).where(Branch.name == name).execution_options(populate_existing=True))


def user(email_or_name: str) -> User:
    return db.session.scalar(select(User).where((User.email == email_or_name) | (User.name == email_or_name)))


def snapshot(b: Branch) -> dict:
    """Every turf of a branch with its state and its addresses in order, as stored."""
    db.session.expire_all()
    rows = db.session.execute(select(Turf.id, Turf.name, Turf.archived_at, Turf.doors).where(Turf.branch_id == b.id))
    stops = db.session.execute(select(TurfAddress.turf_id, TurfAddress.address_id, TurfAddress.position)
                               .join(Turf).where(Turf.branch_id == b.id)
                               .order_by(TurfAddress.turf_id, TurfAddress.position))
    return {"turfs": sorted(rows.all()), "stops": stops.all()}


@pytest.fixture
def sagene_at_work(demo_app):
    """Sagene has cut 0473; Daniel holds one turf tonight and left a door code and a "do not knock" there."""
    sagene = branch("Sagene")
    cut = turfs.cut_turfs(sagene, ["0473"], target=60)
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() - timedelta(hours=1))
    daniel = user("Daniel Dørbanker")
    actions.assign(action, cut[0], [daniel])
    stop = next(s for s in cut[0].stops if s.doors)
    now = datetime.now(UTC).isoformat()
    results = sync.ingest(daniel, [
        {"id": str(uuid.uuid4()), "type": "note", "turf_id": cut[0].id, "address_id": stop.address_id,
         "text": NOTE, "recorded_at": now},
        {"id": str(uuid.uuid4()), "type": "visit", "turf_id": cut[0].id, "action_id": action.id,
         "address_id": stop.address_id, "unit": "1", "outcome": "do_not_knock", "recorded_at": now}])
    assert [r.status for r in results] == ["stored", "stored"]
    return cut, stop.address_id


def other_organisations_turf(like: Turf) -> Turf:
    """A turf of Bærum's (the demo has no Bærum addresses to cut, so it is made by hand)."""
    vestre = branch("Vestre Bærum")
    t = Turf(organisation_id=vestre.organisation_id, branch_id=vestre.id, name="Bærum 1", geometry=like.geometry)
    db.session.add(t)
    db.session.commit()
    return t


def browser(live_server, email: str) -> HttpClient:
    client = HttpClient(live_server)
    login(client, email)
    return client


def give_0473_to_frogner(live_server, how: str) -> None:
    """0473 ends up in Frogner's territory while Sagene's turf there is live, in the two ways that can happen."""
    frogner, sagene = branch("Frogner"), branch("Sagene")
    if how == "shared before this release":
        # A database from before one-branch-per-code may still hold a code given to two branches.
        db.session.add(BranchPostalCode(branch_id=frogner.id, postnummer="0473"))
        db.session.commit()
        return
    admin = browser(live_server, "admin@oslo.demo")
    assert post(admin, f"/lag/{sagene.id}/postnumre",
                {"postnummer": [c for c in sagene.territory if c != "0473"]}).status_code == 302
    assert post(admin, f"/lag/{frogner.id}/postnumre", {"postnummer": frogner.territory + ["0473"]}).status_code == 302
    assert "0473" in branch("Frogner").territory


def test_giving_a_postal_code_another_branch_holds_asks_first_and_names_its_live_turf(live_server, sagene_at_work):
    frogner = branch("Frogner")
    before = list(frogner.territory)
    admin = browser(live_server, "admin@oslo.demo")
    response = post(admin, f"/lag/{frogner.id}/postnumre", {"postnummer": before + ["0473"]})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Flytte postnumre til Frogner?" in page and "Sagene: 0473" in page
    assert "roder i gang der" in page or "rode i gang der" in page
    assert branch("Frogner").territory == before
    # Adding a whole district does not take codes other branches hold either.
    page = post(admin, f"/lag/{frogner.id}/fra-bydel", {"district": "030103"}, follow_redirects=True).get_data(
        as_text=True)
    assert "hører allerede til Sagene" in page
    assert branch("Frogner").territory == before


@pytest.mark.parametrize("how", ["moved by the admin", "shared before this release"])
def test_cutting_a_postal_code_where_another_branch_has_turf_leaves_that_turf_alone(live_server, sagene_at_work, how):
    sagene_turfs, _ = sagene_at_work
    sagene, frogner = branch("Sagene"), branch("Frogner")
    before = snapshot(sagene)
    give_0473_to_frogner(live_server, how)
    coordinator = browser(live_server, "frogner@oslo.demo")
    page = post(coordinator, f"/lag/{frogner.id}/roder", {"postnummer": "0473", "target": "70"},
                follow_redirects=True).get_data(as_text=True)
    assert snapshot(sagene) == before
    assert "Alle adressene i 0473 ligger allerede i roder som Sagene har." in page
    assert all(t.archived_at is None for t in turfs.live_turfs(sagene))
    assert db.session.scalar(select(Assignment).where(Assignment.turf_id == sagene_turfs[0].id)) is not None
    assert turfs.live_turfs(frogner) == []


def test_a_branch_cuts_only_the_doors_no_other_branch_holds_and_hears_who_holds_the_rest(live_server, sagene_at_work):
    sagene_turfs, _ = sagene_at_work
    give_0473_to_frogner(live_server, "moved by the admin")
    sagene_coordinator = browser(live_server, "sagene@oslo.demo")
    released = sagene_turfs[-1]
    freed = {s.address_id for s in released.stops}
    page = post(sagene_coordinator, f"/roder/{released.id}/arkiver", follow_redirects=True).get_data(as_text=True)
    assert f"{released.name} er arkivert." in page
    before = snapshot(branch("Sagene"))

    frogner = branch("Frogner")
    page = post(browser(live_server, "frogner@oslo.demo"), f"/lag/{frogner.id}/roder",
                {"postnummer": "0473", "target": "70"}, follow_redirects=True).get_data(as_text=True)
    assert snapshot(branch("Sagene")) == before
    assert "adresser i 0473 ligger i roder som Sagene har, og ble ikke tatt med." in page
    taken = {s.address_id for t in turfs.live_turfs(frogner) for s in t.stops}
    assert taken == freed


def test_door_notes_and_earlier_results_stay_with_the_branch_that_wrote_them(live_server, sagene_at_work):
    sagene_turfs, noted = sagene_at_work
    give_0473_to_frogner(live_server, "shared before this release")
    # Sagene gave up the noted door's turf; the door is free for Frogner to cut.
    held = next(t for t in sagene_turfs if noted in {s.address_id for s in t.stops})
    held.archived_at = utcnow()
    held.stops = []
    db.session.commit()
    frogner = branch("Frogner")
    coordinator = browser(live_server, "frogner@oslo.demo")
    post(coordinator, f"/lag/{frogner.id}/roder", {"postnummer": "0473", "target": "70"})
    mine = next(t for t in turfs.live_turfs(branch("Frogner")) if noted in {s.address_id for s in t.stops})
    action = actions.create_action(frogner, "Torshov", "door", datetime.now() - timedelta(hours=1))
    fredrik = user("frogner@oslo.demo")
    actions.assign(action, mine, [fredrik])
    assignment = actions.my_assignments(fredrik)[0]

    walk = coordinator.get(f"/felt/{assignment.id}").get_data(as_text=True)
    assert mine.stops[0].address.label in walk
    assert NOTE not in walk and "Ikke bank på denne døra." not in walk and 'class="earlier"' not in walk
    for path in (f"/mine/roder/{assignment.id}/gaaliste.pdf", f"/roder/{mine.id}/gaaliste.pdf"):
        sheet = coordinator.get(path)
        # What the sheet draws, not its file's bytes: their random document id once held "1234".
        text = pdf_text(sheet.get_data())
        assert sheet.status_code == 200 and mine.stops[0].address.street in text and "1234" not in text


def test_no_turf_form_accepts_another_branchs_or_another_organisations_turf(live_server, sagene_at_work):
    sagene_turfs, _ = sagene_at_work
    give_0473_to_frogner(live_server, "shared before this release")
    frogner = branch("Frogner")
    own = turfs.cut_turfs(frogner, ["0354"], target=40)
    baerum = other_organisations_turf(sagene_turfs[0])
    before = snapshot(branch("Sagene"))
    coordinator = browser(live_server, "frogner@oslo.demo")
    theirs, ours = sagene_turfs[1].id, own[0].id
    for path, data, status in [
            (f"/roder/{ours}/{MERGE}", {"other": theirs}, 403),
            (f"/roder/{theirs}/{MERGE}", {"other": ours}, 403),
            (f"/roder/{ours}/flytt", {"destination": theirs, "address": own[0].stops[0].address_id}, 403),
            (f"/roder/{theirs}/del", {}, 403),
            (f"/roder/{theirs}/arkiver", {}, 403),
            (f"/roder/{theirs}/navn", {"name": "Frogners nå"}, 403),
            (f"/roder/{ours}/{MERGE}", {"other": baerum.id}, 404),
            (f"/roder/{baerum.id}/arkiver", {}, 404),
            (f"/roder/{baerum.id}/del", {}, 404)]:
        assert post(coordinator, path, data).status_code == status, path
    for path in (f"/roder/{theirs}", f"/roder/{theirs}.geojson", f"/roder/{theirs}/gaaliste.pdf"):
        assert coordinator.get(path).status_code == 403, path
    assert snapshot(branch("Sagene")) == before


def test_an_admin_cannot_merge_or_redraw_across_branches(live_server, sagene_at_work):
    sagene_turfs, _ = sagene_at_work
    give_0473_to_frogner(live_server, "shared before this release")
    own = turfs.cut_turfs(branch("Frogner"), ["0354"], target=40)
    before = snapshot(branch("Sagene"))
    admin = browser(live_server, "admin@oslo.demo")
    page = post(admin, f"/roder/{own[0].id}/{MERGE}", {"other": sagene_turfs[1].id},
                follow_redirects=True).get_data(as_text=True)
    assert "Bare to ulike roder i samme lag kan slås sammen." in page
    page = post(admin, f"/roder/{own[0].id}/flytt", {"destination": sagene_turfs[1].id,
                                                     "address": own[0].stops[0].address_id},
                follow_redirects=True).get_data(as_text=True)
    assert "Adresser kan bare flyttes mellom roder i samme lag." in page
    baerum = other_organisations_turf(sagene_turfs[0])
    assert post(admin, f"/roder/{own[0].id}/{MERGE}", {"other": baerum.id}).status_code == 404
    assert snapshot(branch("Sagene")) == before


def test_door_notes_from_before_the_upgrade_go_to_the_branch_whose_turf_they_were_written_in(databases_):
    """Notes did not record their turf: the author's visit to the door names it, else the author's branch."""
    app = make_app(databases_.create())
    with app.app_context():
        upgrade(revision="0009")
        for statement in [
                "INSERT INTO organisation (id, name) VALUES (1, 'Oslo')",
                "INSERT INTO branch (id, organisation_id, name, kind) VALUES (1, 1, 'Sagene', 'lokallag'),"
                " (2, 1, 'Frogner', 'lokallag')",
                "INSERT INTO postal_area (postnummer, poststed) VALUES ('0473', 'OSLO')",
                "INSERT INTO address (id, official_id, street, number, letter, postnummer, lat, lon)"
                " VALUES (1, 'a1', 'Vogts gate', 10, '', '0473', 59.93, 10.76)",
                "INSERT INTO \"user\" (id, organisation_id, branch_id, role, name, created_at) VALUES"
                " (1, 1, 2, 'CANVASSER', 'Daniel', '2026-10-01'), (2, 1, 2, 'CANVASSER', 'Frida', '2026-10-01'),"
                " (3, 1, NULL, 'ADMIN', 'Astrid', '2026-10-01')",
                "INSERT INTO turf (id, organisation_id, branch_id, name, round, doors, doors_estimated, walk_metres,"
                " created_at) VALUES (1, 1, 1, '0473-1', 1, 10, false, 100, '2026-10-01')",
                # Daniel, now in Frogner, wrote his note while walking Sagene's turf.
                "INSERT INTO visit (client_uuid, organisation_id, turf_id, address_id, unit, outcome, canvasser_id,"
                " recorded_at, received_at) VALUES ('00000000-0000-4000-8000-00000000000a', 1, 1, 1, '1',"
                " 'NOT_HOME', 1, '2026-10-02 18:00', '2026-10-02 18:00')",
                "INSERT INTO address_note (client_uuid, organisation_id, address_id, text, author_id, recorded_at,"
                " received_at) VALUES ('00000000-0000-4000-8000-0000000000a1', 1, 1, 'Dørkode 1234', 1,"
                " '2026-10-02 18:01', '2026-10-02 18:01'), ('00000000-0000-4000-8000-0000000000a2', 1, 1,"
                " 'Ringeklokka virker ikke', 2, '2026-10-02 18:02', '2026-10-02 18:02'),"
                " ('00000000-0000-4000-8000-0000000000a3', 1, 1, 'Hund', 3, '2026-10-02 18:03', '2026-10-02 18:03')"]:
            db.session.execute(text(statement))
        db.session.commit()
        upgrade()
        notes = dict(db.session.execute(select(AddressNote.text, AddressNote.branch_id)).all())
    _dispose(app)
    assert notes == {"Dørkode 1234": 1, "Ringeklokka virker ikke": 2, "Hund": None}
