"""Coordinators plan actions and hand out turf on the web; volunteers sign up and see their turf."""
import re
import uuid
from datetime import datetime

import pytest
from sqlalchemy import select

from canvass import clock
from canvass.extensions import db
from canvass.models import Action, Assignment, Branch, Role, User
from canvass.services import same_form
from canvass.services.people import people
from canvass.services.turf import actions, turfs
from tests.conftest import csrf_token, form_id_in, login, login_as_volunteer, post


def branch(name: str) -> Branch:
    return db.session.scalar(select(Branch).where(Branch.name == name))


def test_a_coordinator_plans_an_action_in_a_campaign_week(client):
    login(client, "sagene@oslo.demo")
    sagene = branch("Sagene")
    post(client, f"/lag/{sagene.id}/kampanjer", {"name": "Høstkampanjen", "starts_on": "2026-11-23",
                                                  "ends_on": "2026-11-29"})
    campaign = actions.campaigns(sagene)[0]
    response = post(client, f"/lag/{sagene.id}/aksjoner", {
        "title": "Dørbank på Torshov", "kind": "door", "day": "2026-11-26", "time": "17:30",
        "meeting_point": "Torshovparken", "campaign": str(campaign.id), "topics": "bolig\nklima\n\nskole"})
    assert response.status_code == 302
    action = db.session.scalar(select(Action))
    # Entered in Oslo time (UTC+1 in November), stored in UTC.
    assert (action.starts_at, action.topic_list, action.campaign_id) == (datetime(2026, 11, 26, 16, 30),
                                                                        ["bolig", "klima", "skole"], campaign.id)
    page = client.get(response.location).get_data(as_text=True)
    assert "Dørbank på Torshov" in page and re.search(r"torsdag 26\. november (2026 )?17:30", page) and "<svg" in page


def test_a_double_tap_on_opprett_aksjon_or_the_form_sent_again_after_back_creates_one_action(client):
    """The outsider sent the same «Opprett aksjon» form twice at once and got the action twice."""
    login(client, "sagene@oslo.demo")
    sagene = branch("Sagene")
    page = client.get(f"/lag/{sagene.id}/aksjoner").get_data(as_text=True)
    form = {"title": "Dørbank Grünerløkka 🏠", "kind": "door", "day": "2026-12-10", "time": "17:30",
            "form_id": form_id_in(page)}
    answers = [post(client, f"/lag/{sagene.id}/aksjoner", form) for _ in range(2)]
    assert [a.status_code for a in answers] == [302, 302] and answers[0].location == answers[1].location
    assert len(db.session.scalars(select(Action)).all()) == 1
    # A new form (the page opened again) is a new action.
    assert post(client, f"/lag/{sagene.id}/aksjoner", {**form, "form_id": str(uuid.uuid4())}).status_code == 302
    assert len(db.session.scalars(select(Action)).all()) == 2


def test_the_action_form_sent_again_after_back_with_a_change_changes_nothing_says_so_and_then_makes_a_new_one(client):
    """The re-tester pressed Back, changed the day and sent «Opprett aksjon» again: the change was dropped without a
    word. A second tester did the same to copy an action for another day, and the first was overwritten. Neither
    is guessed: the action stands, the page says so, and the form sent once more is a new action."""
    login(client, "sagene@oslo.demo")
    sagene = branch("Sagene")
    page = client.get(f"/lag/{sagene.id}/aksjoner").get_data(as_text=True)
    form = {"title": "Dørbank tirsdag", "kind": "door", "day": "2026-12-08", "time": "17:30", "topics": "bolig",
            "form_id": form_id_in(page)}
    first = post(client, f"/lag/{sagene.id}/aksjoner", form)
    changed = {**form, "title": "Dørbank torsdag", "day": "2026-12-10"}
    again = post(client, f"/lag/{sagene.id}/aksjoner", changed)
    body = again.get_data(as_text=True)
    assert again.status_code == 400
    assert ("Dette skjemaet har allerede laget aksjonen «Dørbank tirsdag», og den er ikke endret. Vil du lage en ny "
            "aksjon med det som står i skjemaet nå, trykker du «Opprett aksjon» igjen.") in body
    assert 'value="Dørbank torsdag"' in body  # what was typed is kept
    fresh = form_id_in(body)
    assert fresh != form["form_id"]
    assert [(a.title, a.starts_at) for a in db.session.scalars(select(Action))] == [
        ("Dørbank tirsdag", datetime(2026, 12, 8, 16, 30))]
    # The same form once more as it first was (a late double tap) is still just the first action.
    assert post(client, f"/lag/{sagene.id}/aksjoner", form).location == first.location
    # Sent from the page as shown again: a new action for Thursday, and Tuesday's stands.
    assert post(client, f"/lag/{sagene.id}/aksjoner", {**changed, "form_id": fresh}).status_code == 302
    assert sorted(a.title for a in db.session.scalars(select(Action))) == ["Dørbank tirsdag", "Dørbank torsdag"]


def test_a_form_sent_twice_at_the_same_moment_with_different_contents_says_so_for_the_one_not_stored(demo_app,
                                                                                                     monkeypatch):
    """Tester I's two different first sends of one form at once: both got the one action, one content dropped."""
    sagene, key = branch("Sagene"), str(uuid.uuid4())
    actions.create_action(sagene, "Tirsdag", "door", datetime(2026, 12, 8, 16, 30), key=key)
    looked = []
    real = same_form.made_with
    monkeypatch.setattr(same_form, "made_with", lambda column, k: real(column, k) if looked else looked.append(k))
    with pytest.raises(same_form.FormUsed, match="allerede laget aksjonen «Tirsdag»"):
        actions.create_action(sagene, "Torsdag", "door", datetime(2026, 12, 10, 16, 30), key=key)
    assert [a.title for a in db.session.scalars(select(Action))] == ["Tirsdag"]


def test_an_action_has_at_most_twenty_topics_each_a_checkbox_on_the_phone(client):
    """500 topics made the volunteer's conversation form 9,636 px tall. Twenty is what one conversation may tick
    (the sync protocol's limit), so a volunteer who ticks them all is never refused."""
    login(client, "sagene@oslo.demo")
    sagene = branch("Sagene")
    form = {"title": "Temaer", "kind": "door", "day": "2026-12-10", "time": "17:30"}
    response = post(client, f"/lag/{sagene.id}/aksjoner",
                    {**form, "topics": "\n".join(f"tema {n}" for n in range(500))})
    assert response.status_code == 400
    assert "En aksjon kan ha høyst 20 temaer; listen har 500." in response.get_data(as_text=True)
    assert db.session.scalar(select(Action)) is None
    twenty = "\n".join(f"tema {n}" for n in range(20)) + "\nTEMA 0"  # the same topic twice counts once
    assert post(client, f"/lag/{sagene.id}/aksjoner", {**form, "topics": twenty}).status_code == 302
    assert len(db.session.scalar(select(Action)).topic_list) == 20


def test_two_taps_stored_at_the_same_moment_are_one_action(demo_app, monkeypatch):
    """The race the page's own check cannot see: the other tap's request stores the form between this one's look
    and its commit. The unique form id settles it, and this request answers with the action the other made."""
    sagene, key = branch("Sagene"), str(uuid.uuid4())
    first = actions.create_action(sagene, "Torshov", "door", datetime(2026, 12, 10, 16, 30), key=key)
    looked = []
    real = same_form.made_with
    monkeypatch.setattr(same_form, "made_with", lambda column, k: real(column, k) if looked else looked.append(k))
    again = actions.create_action(sagene, "Torshov", "door", datetime(2026, 12, 10, 16, 30), key=key)
    assert looked == [key] and again.id == first.id and len(db.session.scalars(select(Action)).all()) == 1


def test_an_actions_topics_are_trimmed_listed_once_whatever_their_case_and_short_enough_for_a_phone(client):
    login(client, "sagene@oslo.demo")
    sagene = branch("Sagene")
    form = {"title": "Temaer", "kind": "door", "day": "2026-12-10", "time": "17:30"}
    post(client, f"/lag/{sagene.id}/aksjoner", {**form, "topics": "bolig\n Bolig \nklima\nskole  😀\nBOLIG\n\n"
                                                        "Eldreomsorg\nEldre\u200bomsorg\nårsmøte\na\u030arsmøte"})
    assert db.session.scalar(select(Action)).topic_list == ["bolig", "klima", "skole 😀", "Eldreomsorg", "årsmøte"]
    long = "x" * 300
    response = post(client, f"/lag/{sagene.id}/aksjoner", {**form, "topics": f"bolig\n{long}"})
    assert response.status_code == 400 and "Et tema kan ha høyst 60 tegn" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Action)).all()) == 1


def test_a_campaign_week_that_is_not_one_is_refused_and_makes_no_action(client):
    """Tester I's crafted «campaign=abc» gave the error page, and «campaign=999» an action without its week."""
    login(client, "sagene@oslo.demo")
    sagene = branch("Sagene")
    form = {"title": "Torshov", "kind": "door", "day": "2026-12-10", "time": "17:30"}
    for campaign in ("abc", "999999", "-1"):
        response = post(client, f"/lag/{sagene.id}/aksjoner", {**form, "campaign": campaign})
        assert response.status_code == 400 and "Velg en kampanjeuke fra listen." in response.get_data(as_text=True)
    assert db.session.scalar(select(Action)) is None


def test_an_assignment_given_after_one_was_taken_back_never_has_its_id(demo_app):
    """Tester J, on SQLite: Daniel's turf was released and another given; the new assignment got the old one's id,
    so his phone opened the old turf's walk list it had kept under that address, and filed a door under it."""
    sagene = branch("Sagene")
    first, second = turfs.cut_turfs(sagene, ["0473"], target=60)[:2]
    action = actions.create_action(sagene, "Torshov", "door", datetime(2026, 12, 10, 16, 30))
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    actions.assign(action, first, [daniel])
    before = actions.my_assignments(daniel)[0].id
    actions.release(action, first)
    actions.assign(action, second, [daniel])
    after = actions.my_assignments(daniel)[0]
    assert after.turf_id == second.id and after.id != before


def test_an_action_in_another_year_shows_its_year_and_one_this_year_does_not(client):
    """The outsider's action of 1 January 2020 was listed as «onsdag 1. januar 17:30», beside next month's."""
    sagene = branch("Sagene")
    this_year = clock.utcnow().year
    actions.create_action(sagene, "Gammel", "door", datetime(2020, 1, 1, 16, 30))
    actions.create_action(sagene, "I år", "door", datetime(this_year, 6, 3, 16, 30))
    login(client, "sagene@oslo.demo")
    page = client.get(f"/lag/{sagene.id}/aksjoner").get_data(as_text=True)
    assert "onsdag 1. januar 2020 17:30" in page
    assert re.search(r"\w+ 3\. juni 18:30", page) and f"juni {this_year}" not in page


def test_a_bad_action_form_says_what_is_missing_and_creates_nothing(client):
    login(client, "sagene@oslo.demo")
    sagene = branch("Sagene")
    response = post(client, f"/lag/{sagene.id}/aksjoner", {"title": "", "kind": "door", "day": "", "time": "25:00"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Skriv et navn." in body and "Velg en dato." in body
    response = post(client, f"/lag/{sagene.id}/kampanjer", {"name": "Baklengs", "starts_on": "2026-11-29",
                                                             "ends_on": "2026-11-23"}, follow_redirects=True)
    assert "Kampanjeuka kan ikke slutte før den begynner." in response.get_data(as_text=True)
    assert db.session.scalar(select(Action)) is None


def test_moving_one_of_a_pair_to_another_turf_says_who_left_which_turf(demo_app):
    """The outsider moved Ørjan from the turf he walked with Kari: the message named only his new turf, and
    nothing said Kari was now alone."""
    sagene = branch("Sagene")
    first, second = turfs.cut_turfs(sagene, ["0473"], target=60)[:2]
    action = actions.create_action(sagene, "Torshov", "door", datetime(2026, 11, 26, 17, 30))
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    kari = people.create_user(sagene.organisation, Role.CANVASSER, "Kari Nordmann", branch=sagene)
    db.session.commit()
    actions.assign(action, first, [daniel, kari])
    coordinator = demo_app.test_client()
    login(coordinator, "sagene@oslo.demo")
    page = post(coordinator, f"/aksjoner/{action.id}/tildel", {"turf": second.id, "user": [daniel.id]},
                follow_redirects=True).get_data(as_text=True)
    assert f"{second.name} er tildelt Daniel Dørbanker. Daniel Dørbanker går ikke lenger {first.name}." in page
    assert {(a.user.name, a.turf_id) for a in db.session.scalars(select(Assignment))} == {
        ("Kari Nordmann", first.id), ("Daniel Dørbanker", second.id)}


def test_assign_a_turf_and_the_volunteer_sees_it(demo_app):
    sagene = branch("Sagene")
    cut = turfs.cut_turfs(sagene, ["0473"], target=60)
    action = actions.create_action(sagene, "Torshov", "door", datetime(2026, 11, 26, 17, 30), "Torshovparken")
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    coordinator = demo_app.test_client()
    login(coordinator, "sagene@oslo.demo")
    response = post(coordinator, f"/aksjoner/{action.id}/tildel", {"turf": cut[0].id, "user": [daniel.id, ""]},
                    follow_redirects=True)
    assert f"{cut[0].name} er tildelt Daniel Dørbanker." in response.get_data(as_text=True)
    coverage = coordinator.get(f"/aksjoner/{action.id}/kart.geojson").get_json()["features"]
    assert coverage[0]["properties"]["label"].endswith(": 0 %")

    assignment = db.session.scalar(select(Assignment))
    volunteer = demo_app.test_client()
    # The volunteer logs in on a phone and then sees the turf on the start page.
    login_as_volunteer(volunteer, db.session.scalar(select(User).where(User.name == "Daniel Dørbanker")))
    home = volunteer.get("/").get_data(as_text=True)
    assert "Mine roder" in home and cut[0].name in home
    page = volunteer.get(f"/felt/{assignment.id}").get_data(as_text=True)
    assert cut[0].stops[0].address.label in page and "Torshovparken" in page
    assert len(volunteer.get(f"/mine/roder/{assignment.id}.geojson").get_json()["features"]) == 1 + len(cut[0].stops)


def test_someone_elses_turf_is_not_found(client):
    sagene = branch("Sagene")
    cut = turfs.cut_turfs(sagene, ["0473"], target=60)
    action = actions.create_action(sagene, "Torshov", "door", datetime(2026, 11, 26, 17, 30))
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    actions.assign(action, cut[0], [daniel])
    login(client, "frogner@oslo.demo")
    assignment = db.session.scalar(select(Assignment))
    assert client.get(f"/felt/{assignment.id}").status_code == 404
    assert client.get(f"/aksjoner/{action.id}").status_code == 403


def test_sign_up_from_the_action_link(client):
    sagene = branch("Sagene")
    action = actions.create_action(sagene, "Torshov", "door", datetime(2026, 11, 26, 17, 30))
    login(client, "frogner@oslo.demo")
    page = client.get(f"/aksjon/{action.signup_token}").get_data(as_text=True)
    assert "Meld meg på" in page
    response = client.post(f"/aksjon/{action.signup_token}",
                           data={"csrf_token": csrf_token(client, f"/aksjon/{action.signup_token}")})
    assert response.status_code == 302
    assert [s.user.email for s in db.session.get(Action, action.id).signups] == ["frogner@oslo.demo"]
    assert re.search("Du er påmeldt", client.get(f"/aksjon/{action.signup_token}").get_data(as_text=True))
