"""A leaflet round in the field (one tap per entrance, exactly once) and the households reached, per turf,
branch and city, on both databases."""
import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import (
    Address,
    Assignment,
    Branch,
    Conversation,
    Organisation,
    Outcome,
    Turf,
    TurfAddress,
    User,
    Visit,
)
from canvass.services.field import mailboxes, sync
from canvass.services.turf import actions, drops, holders, turfs
from tests.conftest import login, login_as_volunteer, post


def _branch(name: str) -> Branch:
    return db.session.scalar(select(Branch).where(Branch.name == name))


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.name == name))


@pytest.fixture
def round_(demo_app):
    """Oslo's county drop over Sagene's turf of 0473 and Frogner's of its first postal code with addresses;
    Daniel holds Sagene's first turf."""
    sagene, frogner = _branch("Sagene"), _branch("Frogner")
    sagene_turf = turfs.cut_turfs(sagene, ["0473"], target=60)
    code = next(c for c in sorted(frogner.territory)
                if db.session.scalar(select(func.count()).select_from(Address).where(Address.postnummer == c)))
    frogner_turf = turfs.cut_turfs(frogner, [code], target=200)
    daniel = _user("Daniel Dørbanker")
    holders.set_holders(sagene_turf[0], [(daniel.id, None)])
    admin = db.session.scalar(select(User).where(User.email == "admin@oslo.demo"))
    for other in frogner.organisation.branches:
        if other.id not in (sagene.id, frogner.id):
            for t in turfs.live_turfs(other, 1):
                t.archived_at = datetime.now()
    db.session.commit()
    drop = drops.start(admin.organisation, None, "Valgavis", date.today(), date.today() + timedelta(days=2),
                       datetime.now() - timedelta(hours=1), [], admin)
    assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == daniel.id,
                                                            Assignment.turf_id == sagene_turf[0].id))
    return drop, assignment, sagene_turf, frogner_turf


def _stops(turf_id: int) -> list[TurfAddress]:
    return list(db.session.scalars(select(TurfAddress).where(TurfAddress.turf_id == turf_id)
                                   .order_by(TurfAddress.position)))


def _mark(client, assignment, address_id: int, page: str, **counts):
    return post(client, f"/felt/{assignment.id}/besok", {"tap": f"mailboxes {address_id} ", "page": page,
                                                         "turf_id": assignment.turf_id,
                                                         "action_id": assignment.action_id, **counts})


def _marks() -> int:
    return db.session.scalar(select(func.count()).select_from(Visit).where(Visit.outcome == Outcome.MAILBOXES))


def test_a_leaflet_walk_list_shows_entrances_with_mailboxes_and_no_door_buttons(round_, client):
    drop, assignment, sagene_turf, _ = round_
    login_as_volunteer(client, _user("Daniel Dørbanker"))
    page = client.get(f"/felt/{assignment.id}").get_data(as_text=True)
    first = _stops(sagene_turf[0].id)[0]
    assert f'value="mailboxes {first.address_id} "' in page
    assert "Lagt i alle postkasser" in page and "Nei takk til reklame" in page
    assert f"{first.doors} postkasse" in page
    # No door buttons and no way to the conversation form.
    for door_tap in ('value="not_home', 'value="conversation', 'value="refused', "/samtale"):
        assert door_tap not in page
    conversation = client.get(f"/felt/{assignment.id}/samtale?address_id={first.address_id}&unit=H0101")
    assert conversation.status_code == 302 and conversation.location.endswith(f"/felt/{assignment.id}")
    knocked = post(client, f"/felt/{assignment.id}/besok", {"tap": f"not_home {first.address_id} 1"})
    assert knocked.status_code == 400 and _marks() == 0


def test_marking_an_entrance_twice_or_after_back_is_one_record(round_, client):
    _, assignment, sagene_turf, _ = round_
    login_as_volunteer(client, _user("Daniel Dørbanker"))
    address_id = _stops(sagene_turf[0].id)[0].address_id
    page = str(uuid.uuid4())
    # Without script: a double tap of one button, then Back to the same page and the button again.
    for _ in range(3):
        assert _mark(client, assignment, address_id, page).status_code == 302
    # With script: the entrance's id made when it was shown, sent twice (a retry after a lost answer).
    other = _stops(sagene_turf[0].id)[1].address_id
    stamp = {"id": str(uuid.uuid4()), "recorded_at": datetime.now().astimezone().isoformat()}
    for _ in range(2):
        answer = post(client, f"/felt/{assignment.id}/besok", {**stamp, "tap": f"mailboxes {other} ", "no_ads": "1"},
                      headers={"Accept": "application/json"})
        assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["status"] == "duplicate"
    assert _marks() == 2
    assert db.session.scalar(select(Visit.no_ads).where(Visit.client_uuid == stamp["id"])) == 1
    # Undone, it is open again and can be marked anew.
    undo = post(client, f"/felt/{assignment.id}/besok", {"undo": f"{stamp['id']} mailboxes {other} "})
    assert undo.status_code == 302
    reach = mailboxes.by_turf([sagene_turf[0]], [assignment.action_id])[sagene_turf[0].id]
    assert reach.entrances_done == 1


def test_counts_above_the_mailboxes_or_not_numbers_are_refused_with_a_message(round_, client):
    _, assignment, sagene_turf, _ = round_
    login_as_volunteer(client, _user("Daniel Dørbanker"))
    stop = next(s for s in _stops(sagene_turf[0].id) if s.doors)
    json_ = {"Accept": "application/json"}
    too_many = post(client, f"/felt/{assignment.id}/besok",
                    {"id": str(uuid.uuid4()), "tap": f"mailboxes {stop.address_id} ", "no_ads": str(stop.doors),
                     "locked": "1"}, headers=json_)
    assert too_many.status_code == 400
    assert f"Oppgangen har {stop.doors} postkasser" in too_many.get_json()["error"]
    for bad in ("-1", "tre", "1.5"):
        answer = post(client, f"/felt/{assignment.id}/besok",
                      {"id": str(uuid.uuid4()), "tap": f"mailboxes {stop.address_id} ", "locked": bad}, headers=json_)
        assert answer.status_code == 400 and "helt tall" in answer.get_json()["error"]
    assert _marks() == 0
    # The sync API refuses the same, and a mark on a door round.
    daniel = _user("Daniel Dørbanker")
    event = {"id": str(uuid.uuid4()), "type": "visit", "recorded_at": datetime.now().astimezone().isoformat(),
             "turf_id": assignment.turf_id, "action_id": assignment.action_id, "address_id": stop.address_id,
             "unit": "", "outcome": "mailboxes", "mailboxes": {"no_ads": stop.doors + 1, "locked": 0}}
    assert sync.ingest(daniel, [event])[0].status == "rejected"
    event["mailboxes"] = {"no_ads": stop.doors, "locked": 0}
    # On a door round an entrance cannot be marked: there the doors are knocked.
    door_round = actions.create_action(_branch("Sagene"), "Dørbanking", "door", datetime.now())
    actions.assign(door_round, db.session.get(Turf, assignment.turf_id), [daniel])
    on_door_round = sync.ingest(daniel, [{**event, "id": str(uuid.uuid4()), "action_id": door_round.id}])[0]
    assert (on_door_round.status, on_door_round.reason) == ("rejected", mailboxes.NOT_LEAFLET)
    assert sync.ingest(daniel, [event])[0].status == "stored"
    # The same id with other counts is another record: a conflict, and the first stays.
    assert sync.ingest(daniel, [{**event, "mailboxes": {"no_ads": 0, "locked": 0}}])[0].status == "conflict"
    assert db.session.scalar(select(Visit.no_ads).where(Visit.client_uuid == event["id"])) == stop.doors


def test_coverage_equals_the_hand_counted_mailboxes_of_the_entrances_marked(round_, client):
    drop, assignment, sagene_turf, frogner_turf = round_
    daniel = _user("Daniel Dørbanker")
    stops = [s for s in _stops(sagene_turf[0].id) if s.doors][:3]
    now = datetime.now().astimezone()
    events = [{"id": str(uuid.uuid4()), "type": "visit", "recorded_at": (now + timedelta(seconds=i)).isoformat(),
               "turf_id": assignment.turf_id, "action_id": assignment.action_id, "address_id": s.address_id,
               "unit": "", "outcome": "mailboxes", "mailboxes": {"no_ads": 1 if i == 0 else 0, "locked": 0}}
              for i, s in enumerate(stops)]
    assert [r.status for r in sync.ingest(daniel, events)] == ["stored"] * 3
    # The third undone: it no longer counts.
    undo = {**events[2], "id": str(uuid.uuid4()), "corrects": events[2]["id"],
            "recorded_at": (now + timedelta(seconds=9)).isoformat()}
    del undo["mailboxes"]
    assert sync.ingest(daniel, [undo])[0].status == "stored"
    hand = stops[0].doors + stops[1].doors
    households = {t.id: t.doors for t in sagene_turf + frogner_turf}
    parts, whole = mailboxes.of_actions([p.action for p in drop.parts])
    assert whole.reached == hand and whole.no_ads == 1 and whole.entrances_done == 2
    assert whole.households == sum(households.values())
    sagene_part = next(p for p in parts if p.branch_name == "Sagene")
    assert sagene_part.total.reached == hand
    assert dict((t.id, r.reached) for t, r in sagene_part.turfs)[sagene_turf[0].id] == hand
    login(client, "admin@oslo.demo")
    page = client.get(f"/utdelinger/{drop.id}/dekning").get_data(as_text=True)
    assert f"{hand} av {whole.households} husstander nådd" in page
    assert "ikke trukket fra" in page
    shapes = client.get(f"/utdelinger/{drop.id}/dekning.geojson").get_json()
    assert any(f["properties"]["label"].startswith(f"{sagene_turf[0].name}: {hand} av") for f in shapes["features"])


def test_another_branch_or_organisation_cannot_see_the_coverage_or_mark_a_turf_not_theirs(round_, client):
    drop, assignment, sagene_turf, _ = round_
    sagene_action = next(p.action for p in drop.parts if p.action.branch.name == "Sagene")
    branch_drop = drops.start(sagene_action.branch.organisation, sagene_action.branch, "Sagene alene", date.today(),
                              date.today(), datetime.now(), [], _user("Daniel Dørbanker"))
    for email, allowed in (("admin@baerum.demo", False), ("frogner@oslo.demo", False), ("sagene@oslo.demo", True)):
        client.get("/logout")
        login(client, email)
        for path in (f"/utdelinger/{branch_drop.id}/dekning", f"/utdelinger/{branch_drop.id}/dekning.geojson",
                     f"/aksjoner/{sagene_action.id}/dekning", f"/aksjoner/{sagene_action.id}/dekning.geojson"):
            assert (client.get(path).status_code == 200) == allowed, (email, path)
    # Bærum's admin may record, but not in Oslo's turf.
    baerum = db.session.scalar(select(User).where(User.email == "admin@baerum.demo"))
    assert baerum.organisation_id != db.session.scalar(select(Organisation.id).where(Organisation.name.like("%Oslo%")))
    event = {"id": str(uuid.uuid4()), "type": "visit", "recorded_at": datetime.now().astimezone().isoformat(),
             "turf_id": assignment.turf_id, "action_id": assignment.action_id,
             "address_id": _stops(sagene_turf[0].id)[0].address_id, "unit": "", "outcome": "mailboxes"}
    assert sync.ingest(baerum, [event])[0].status == "rejected"
    assert _marks() == 0


def test_the_sync_api_refuses_doors_and_conversations_on_a_leaflet_round(round_):
    """The outside tester posted not_home, leaflet and a conversation to a leaflet action through the sync API,
    and all three were stored, a conversation on a leaflet round among them."""
    _, assignment, sagene_turf, _ = round_
    daniel = _user("Daniel Dørbanker")
    stop = next(s for s in _stops(sagene_turf[0].id) if s.doors)
    base = {"type": "visit", "recorded_at": datetime.now().astimezone().isoformat(), "turf_id": assignment.turf_id,
            "action_id": assignment.action_id, "address_id": stop.address_id, "unit": ""}
    sent = [{**base, "id": str(uuid.uuid4()), "outcome": "not_home"},
            {**base, "id": str(uuid.uuid4()), "outcome": "leaflet"},
            {**base, "id": str(uuid.uuid4()), "outcome": "conversation",
             "conversation": {"topics": ["klima"], "words": "hei", "importance": None}}]
    results = sync.ingest(daniel, sent)
    assert [(r.status, r.reason) for r in results] == [("rejected", mailboxes.NOT_DOORS)] * 3
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0
