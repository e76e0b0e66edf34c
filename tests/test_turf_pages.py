"""The coordinator's turf pages: cut, look, rename, split, merge and move, each checked for access."""
import re
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from canvass import clock
from canvass.extensions import db
from canvass.geo import geometry
from canvass.geo import turf as geo_turf
from canvass.models import Action, Assignment, Branch, Turf, User
from canvass.models.action import NOT_OVER_FOR
from canvass.services.field import field, sync
from canvass.services.turf import actions, held, progress, turfs
from tests.at_once import meanwhile
from tests.conftest import daniels_turf_tonight, login, post


def branch(name: str) -> Branch:
    return db.session.scalar(select(Branch).where(Branch.name == name))


def test_a_coordinator_cuts_turf_from_the_form(client):
    login(client, "sagene@oslo.demo")
    sagene = branch("Sagene")
    page = client.get(f"/lag/{sagene.id}/roder").get_data(as_text=True)
    assert 'value="0473"' in page
    response = post(client, f"/lag/{sagene.id}/roder", {"postnummer": ["0473", "0474"], "target": "60"},
                    follow_redirects=True)
    body = response.get_data(as_text=True)
    live = turfs.live_turfs(sagene)
    # The message says what the cut made (it balances walking time too), not the target asked for.
    doors = sorted(t.doors for t in live)
    times = sorted(5 * round(geo_turf.minutes(t.doors, t.walk_metres) / 5) for t in live)
    said = f"Delte inn i {len(live)} roder, {doors[0]}–{doors[-1]} dører, omtrent {times[0]}–{times[-1]} minutter hver."
    assert said in body.replace("&#8211;", "–")
    assert live and all(t.name[:4] in ("0473", "0474") for t in live)
    outlines = client.get(f"/lag/{sagene.id}/roder.geojson").get_json()["features"]
    assert len(outlines) == len(live)


def test_bad_input_to_the_cut_is_explained_and_changes_nothing(client):
    login(client, "sagene@oslo.demo")
    sagene = branch("Sagene")
    for data, message in [({"target": "70"}, "Velg minst ett postnummer."),
                          ({"postnummer": "0473", "target": "3"}, "Rodestørrelsen må være mellom 10 og 500 dører."),
                          ({"postnummer": "0552", "target": "70"}, "Postnumrene 0552 hører ikke til Sagene.")]:
        body = post(client, f"/lag/{sagene.id}/roder", data, follow_redirects=True).get_data(as_text=True)
        assert message in body
    assert db.session.scalar(select(Turf)) is None


def test_a_coordinator_cannot_cut_or_see_another_branchs_turf(client):
    grunerlokka = branch("Grünerløkka")
    other = turfs.cut_turfs(grunerlokka, ["0552"], target=70)[0]
    login(client, "sagene@oslo.demo")
    assert client.get(f"/lag/{grunerlokka.id}/roder").status_code == 403
    assert post(client, f"/lag/{grunerlokka.id}/roder", {"postnummer": "0552", "target": "70"}).status_code == 403
    assert client.get(f"/roder/{other.id}").status_code == 403
    assert post(client, f"/roder/{other.id}/del").status_code == 403


def test_turf_page_shows_the_walk_list_and_edits_it(client):
    sagene = branch("Sagene")
    first, second, *_ = turfs.cut_turfs(sagene, ["0473"], target=40)
    login(client, "sagene@oslo.demo")
    page = client.get(f"/roder/{first.id}").get_data(as_text=True)
    assert first.stops[0].address.label in page
    shape = client.get(f"/roder/{first.id}.geojson").get_json()["features"]
    assert len(shape) == 1 + len(first.stops) and shape[1]["properties"]["name"].startswith("1. ")

    post(client, f"/roder/{first.id}/navn", {"name": "Torshov park"})
    assert db.session.get(Turf, first.id).name == "Torshov park"
    moved = first.stops[-1].address_id
    body = post(client, f"/roder/{first.id}/flytt", {"destination": second.id, "address": [moved]},
                follow_redirects=True).get_data(as_text=True)
    assert "Adressene er flyttet til" in body or "er ikke en naborode" in body
    post(client, f"/roder/{first.id}/slå-sammen", {"other": second.id})
    db.session.expire_all()
    assert db.session.get(Turf, second.id).archived_at is not None
    response = post(client, f"/roder/{first.id}/del", follow_redirects=True)
    assert "Roden er delt i" in response.get_data(as_text=True)


def test_a_double_tap_on_flytt_adresser_moves_them_once_and_both_taps_say_they_moved(client):
    """Tester I's second tap said «Noen av adressene hører ikke til roden …» after the first had moved them."""
    sagene = branch("Sagene")
    cut = turfs.cut_turfs(sagene, ["0473"], target=40)
    source, destination = next((a, b) for a in cut for b in cut if a.id != b.id and geometry.metric_distance(
        geometry.from_geojson(a.geometry), geometry.from_geojson(b.geometry)) <= turfs.NEIGHBOUR_METRES)
    moved = [s.address_id for s in source.stops if not any(
        o.address.building_id and o.address.building_id == s.address.building_id
        for o in source.stops if o.address_id != s.address_id)][-1:]
    login(client, "sagene@oslo.demo")
    for _ in range(2):
        body = post(client, f"/roder/{source.id}/flytt", {"destination": destination.id, "address": moved},
                    follow_redirects=True).get_data(as_text=True)
        assert f"Adressene er flyttet til {destination.name}." in body and "hører ikke til" not in body
    db.session.expire_all()
    assert moved[0] in {s.address_id for s in db.session.get(Turf, destination.id).stops}
    assert moved[0] not in {s.address_id for s in db.session.get(Turf, source.id).stops}


def test_a_way_to_walk_the_streets_the_form_does_not_offer_is_refused_and_cuts_nothing(client):
    """Outsider G's «Gå gatene» of "diagonal" was cut as one side first, as if it had been asked for."""
    login(client, "sagene@oslo.demo")
    sagene = branch("Sagene")
    page = post(client, f"/lag/{sagene.id}/roder", {"postnummer": "0473", "target": "60", "style": "diagonal"},
                follow_redirects=True).get_data(as_text=True)
    assert "Velg hvordan gatene skal gås: én side først, så den andre, eller i sikksakk." in page
    assert turfs.live_turfs(sagene) == []
    assert post(client, f"/lag/{sagene.id}/roder", {"postnummer": "0473", "target": "60", "style": "zigzag"}
                ).status_code == 302 and turfs.live_turfs(sagene)


def test_a_turf_someone_is_walking_tonight_is_not_split_or_merged_under_them_until_it_is_released(client):
    """The outsider's coordinator pressed «Del i to» on a turf out in an action: the volunteer's walk list went
    to "0 av 0 dører" at the door and the action's progress to nothing, without a question."""
    turf, action, daniel = daniels_turf_tonight()
    neighbour = turfs.cut_turfs(turf.branch, ["0474"], target=70)[0]
    login(client, "sagene@oslo.demo")
    said = "er gitt til Daniel Dørbanker i aksjonen «Torshov». Frigi roden der først"
    for path, data in ((f"/roder/{turf.id}/del", {}), (f"/roder/{neighbour.id}/slå-sammen", {"other": turf.id}),
                       (f"/roder/{turf.id}/slå-sammen", {"other": neighbour.id})):
        assert said in post(client, path, data, follow_redirects=True).get_data(as_text=True), path
    db.session.expire_all()
    assert db.session.get(Turf, turf.id).archived_at is None and db.session.get(Turf, neighbour.id).archived_at is None
    walked = db.session.scalar(select(Assignment).where(Assignment.user_id == daniel.id))
    assert walked.turf_id == turf.id and len(walked.turf.stops) == len(turf.stops) > 1

    actions.release(action, turf)
    assert "Roden er delt i 2" in post(client, f"/roder/{turf.id}/del", follow_redirects=True).get_data(as_text=True)


def test_no_way_of_redrawing_turf_takes_a_turf_or_its_doors_from_under_the_volunteer_walking_it(client):
    """The re-test's variations: archiving it, cutting its postal code again, a later round replacing the one
    being walked, and moving its addresses to a neighbour all left the volunteer at "0 av 0 dører" or took doors
    from their list. Each is refused until the turf is released, and changes nothing."""
    turf, action, daniel = daniels_turf_tonight()
    sagene = turf.branch
    neighbour = next(t for t in turfs.live_turfs(sagene, 1) if t.id != turf.id)
    login(client, "sagene@oslo.demo")
    said = "er gitt til Daniel Dørbanker i aksjonen «Torshov». Frigi roden der først"
    stops = [s.address_id for s in turf.stops]
    for path, data in ((f"/roder/{turf.id}/arkiver", {}),
                       (f"/lag/{sagene.id}/roder", {"postnummer": "0473", "target": "70"}),
                       (f"/roder/{turf.id}/flytt", {"destination": neighbour.id, "address": stops[-1:]})):
        assert said in post(client, path, data, follow_redirects=True).get_data(as_text=True), path
    db.session.expire_all()
    assert db.session.get(Turf, turf.id).archived_at is None
    assert [s.address_id for s in db.session.get(Turf, turf.id).stops] == stops

    # Daniel goes round again on the doors nobody opened; a new second round would replace the one he walks.
    first = next(stop for stop in field.walk_list(turf, action.id) if stop.doors)
    assert sync.ingest(daniel, [{"id": str(uuid.uuid4()), "type": "visit", "outcome": "not_home", "turf_id": turf.id,
                          "action_id": action.id, "address_id": first.address_id, "unit": first.doors[0].unit,
                          "recorded_at": datetime.now(UTC).isoformat()}])[0].status == "stored"
    again = turfs.second_round(turf)
    actions.assign(action, again, [daniel])
    page = post(client, f"/aksjoner/{action.id}/ny-runde", {"turf": turf.id}, follow_redirects=True)
    assert said in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Turf, again.id).archived_at is None


def test_a_turf_split_while_another_coordinator_gives_it_out_is_never_given_out_split(client, demo_app, monkeypatch):
    """The re-tester's race: «Del i to» and «Tildel» on the same turf at the same moment put the volunteer on the
    turf the split had retired (5 of 5 tries). The assignment now waits for the split, and is refused."""
    turf, action, daniel = daniels_turf_tonight()
    actions.release(action, turf)
    ids = turf.id, action.id, daniel.id
    done = meanwhile(monkeypatch, demo_app, lambda: actions.assign(
        db.session.get(Action, ids[1]), db.session.get(Turf, ids[0]), [db.session.get(User, ids[2])]),
        at=(turfs, "_fill"))
    parts = turfs.split(turf)
    done["thread"].join(timeout=30)
    assert isinstance(done.get("raised"), held.TurfGone), done
    assert "er allerede delt, slått sammen eller arkivert" in done["raised"].message
    db.session.expire_all()
    assert db.session.scalars(select(Assignment.turf_id).where(Assignment.user_id == daniel.id)).all() == []
    assert len(parts) == 2 and all(db.session.get(Turf, p.id).archived_at is None for p in parts)


def test_two_coordinators_giving_one_volunteer_two_turfs_of_an_action_at_once_take_turns(client, demo_app,
                                                                                         monkeypatch):
    """Tester I, on PostgreSQL: «Tildel» of Daniel to two turfs of one action at the same moment gave the error page
    in 12 of 20 tries, as both inserted his one assignment in the action. The second now waits for the first, then
    moves him, and says from where."""
    turf, action, daniel = daniels_turf_tonight()
    other_turf = next(t for t in turfs.live_turfs(turf.branch, 1) if t.id != turf.id)
    ids = action.id, other_turf.id, daniel.id
    done = meanwhile(monkeypatch, demo_app, lambda: [(user.name, left.id) for user, left in actions.assign(
        db.session.get(Action, ids[0]), db.session.get(Turf, ids[1]), [db.session.get(User, ids[2])])],
        at=(actions, "volunteers"))
    actions.assign(action, turf, [daniel])
    done["thread"].join(timeout=30)
    assert done["finished_at_once"] is False  # it waited for this assignment's commit
    assert done["result"] == [("Daniel Dørbanker", turf.id)]
    db.session.expire_all()
    assert db.session.scalars(select(Assignment.turf_id).where(Assignment.user_id == daniel.id)).all() == [
        other_turf.id]


def test_a_double_tap_on_del_i_to_splits_once_and_the_second_tap_is_told_so(client, demo_app, monkeypatch):
    """The second request of a double tap got the error page: it split the same turf again over the first one's
    rows. Now it waits for the first and is told the turf is split already; after Back, the same."""
    turf, action, _daniel = daniels_turf_tonight()
    actions.release(action, turf)
    turf_id = turf.id
    done = meanwhile(monkeypatch, demo_app, lambda: turfs.split(db.session.get(Turf, turf_id)), at=(turfs, "_fill"))
    parts = turfs.split(turf)
    done["thread"].join(timeout=30)
    assert isinstance(done.get("raised"), held.TurfGone), done
    db.session.expire_all()
    assert [t.id for t in turfs.live_turfs(turf.branch) if t.name.startswith(turf.name)] == [p.id for p in parts]

    login(client, "sagene@oslo.demo")  # the same form sent again later: Back and «Del i to» once more
    response = post(client, f"/roder/{turf_id}/del")
    assert response.headers["Location"].endswith(f"/lag/{turf.branch_id}/roder")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{turf.name} er allerede delt, slått sammen eller arkivert, så ingenting ble endret." in page
    assert page.count("er allerede delt") == 1
    # Opening it later (an old link, the map's outline, its walk sheet) changes nothing, and says no more than that
    # it is gone: the outline a page's map asks for is simply not there, so no message waits for a later page.
    assert client.get(f"/roder/{turf_id}.geojson").status_code == 404
    opened = client.get(f"/roder/{turf_id}", follow_redirects=True).get_data(as_text=True)
    assert f"{turf.name} er delt, slått sammen eller arkivert. Her er rodene slik de er nå." in opened
    assert "ingenting ble endret" not in opened and opened.count("er delt, slått sammen") == 1
    # «Frigi» on it, from an action page opened before: released, and said at the top of the page.
    released = post(client, f"/aksjoner/{action.id}/frigi", {"turf": turf_id}, follow_redirects=True)
    assert f"{turf.name} er ledig igjen." in released.get_data(as_text=True)


def test_an_actions_progress_keeps_the_doors_knocked_in_a_turf_split_merged_or_cut_again_after_its_release(client):
    """The re-tester released a walked turf and split it, as the refusal says to: the action's «Dører banket på»
    went from 4 to 0, as its progress counted live turf only. A door's records now follow the door."""
    turf, action, daniel = daniels_turf_tonight()
    knocked = []
    for stop in field.walk_list(turf, action.id):
        for door in stop.doors:
            if len(knocked) < 4:
                knocked.append((stop.address_id, door.unit))
    assert sync.ingest(daniel, [{"id": str(uuid.uuid4()), "type": "visit", "outcome": outcome, "turf_id": turf.id,
                                 "action_id": action.id, "address_id": address_id, "unit": unit,
                                 "recorded_at": datetime.now(UTC).isoformat()}
                                for (address_id, unit), outcome in zip(knocked, ["not_home", "conversation",
                                                                                "not_home", "refused"], strict=True)
                                ]) and len(knocked) == 4
    sagene = turf.branch

    def counted() -> tuple[int, int, int]:
        live = turfs.live_turfs(sagene)
        total = progress.total(list(progress.by_turf(live, action.id).values()))
        return total.knocked, total.contacts, progress.by_canvasser(live, action.id)[daniel.id].knocked

    assert counted() == (4, 2, 4)
    actions.release(action, turf)
    parts = turfs.split(turf)
    assert counted() == (4, 2, 4)
    assert sum(progress.by_turf(parts, action.id)[p.id].knocked for p in parts) == 4
    turfs.merge(parts[0], parts[1])
    assert counted() == (4, 2, 4)
    turfs.cut_turfs(sagene, ["0473"], target=40)  # cut again, smaller
    assert counted() == (4, 2, 4)
    login(client, "sagene@oslo.demo")
    page = client.get(f"/aksjoner/{action.id}").get_data(as_text=True)
    assert re.search(r"<dt>Dører banket på</dt><dd>4</dd>", page)
    # Another action's progress is its own: none of tonight's doors count in it.
    other = actions.create_action(sagene, "Neste uke", "door", datetime.now() + timedelta(days=7))
    assert progress.total(list(progress.by_turf(turfs.live_turfs(sagene), other.id).values())).knocked == 0


def test_turf_is_listed_by_number_and_the_page_opens_on_the_turf_just_cut(client):
    login(client, "sagene@oslo.demo")
    sagene = branch("Sagene")
    response = post(client, f"/lag/{sagene.id}/roder", {"postnummer": "0473", "target": "40"})
    created = [t for t in turfs.live_turfs(sagene)]
    assert len(created) >= 11
    ids = sorted(t.id for t in created)
    assert response.headers["Location"].endswith(f"/lag/{sagene.id}/roder?ny={ids[0]}-{ids[-1]}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    names = re.findall(r"<strong>(0473-\d+) ", page)
    assert names.index("0473-2") < names.index("0473-10")
    assert [int(n[5:]) for n in names] == list(range(1, len(created) + 1))
    assert 'data-focus="[[59.' in page and "ca. 1 t" in page
    outlines = client.get(f"/lag/{sagene.id}/roder.geojson?ny={ids[0]}-{ids[-1]}").get_json()["features"]
    assert all(f["properties"]["fresh"] for f in outlines)
    assert not any(f["properties"]["fresh"] for f in client.get(f"/lag/{sagene.id}/roder.geojson").get_json()[
        "features"])


def test_a_made_up_focus_in_the_address_shows_the_whole_map(client):
    login(client, "sagene@oslo.demo")
    sagene = branch("Sagene")
    turfs.cut_turfs(sagene, ["0473"], target=70)
    for junk in ["1-", "x-y", "9" * 40 + "-1", "5-3", "<script>"]:
        page = client.get(f"/lag/{sagene.id}/roder", query_string={"ny": junk})
        assert page.status_code == 200 and "data-focus" not in page.get_data(as_text=True)


def test_a_turf_given_in_an_action_that_is_over_may_be_cut_again_for_the_next(client):
    """Twelve hours after an action began it is over, as the volunteer's round is: its turf can be cut again without
    releasing every turf of last month's action first."""
    turf, action, _daniel = daniels_turf_tonight()
    action.starts_at = clock.utcnow() - NOT_OVER_FOR - timedelta(minutes=1)
    db.session.commit()
    login(client, "sagene@oslo.demo")
    page = post(client, f"/lag/{turf.branch_id}/roder", {"postnummer": "0473", "target": "70"}, follow_redirects=True)
    assert "Delte inn i" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Turf, turf.id).archived_at is not None
