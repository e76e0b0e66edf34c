"""Actions: plan, sign up, assign turf to a volunteer or a pair, release, follow progress, second round."""
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Branch, Outcome, Role, User, Visit
from canvass.services.people import people
from canvass.services.turf import actions, progress, turfs
from canvass.services.turf.turfs import TurfError


def branch(name: str) -> Branch:
    return db.session.scalar(select(Branch).where(Branch.name == name))


def user_named(name: str) -> User:
    return db.session.scalar(select(User).where(User.name == name))


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture
def sagene_action(demo_app):
    sagene = branch("Sagene")
    cut = turfs.cut_turfs(sagene, ["0473", "0474"], target=60)
    action = actions.create_action(sagene, "Dørbank på Torshov", "door", datetime(2026, 11, 26, 17, 30),
                                   "Torshovparken, ved lekeplassen", 59.9355, 10.7640)
    return sagene, cut, action


def canvasser(name: str, organisation, branch_):
    volunteer = people.create_user(organisation, Role.CANVASSER, name, phone=f"+479{abs(hash(name)) % 10**7:07d}",
                                   branch=branch_)
    db.session.commit()
    return volunteer


def record(turf, volunteer, action, outcome, address_index=0, unit="1", minutes=0, corrects=None):
    stop = turf.stops[address_index]
    visit = Visit(client_uuid=str(uuid.uuid4()), organisation_id=turf.organisation_id, action_id=action.id,
                  turf_id=turf.id, address_id=stop.address_id, unit=unit, outcome=outcome,
                  canvasser_id=volunteer.id, recorded_at=action.starts_at + timedelta(minutes=minutes),
                  corrects=corrects)
    db.session.add(visit)
    db.session.commit()
    return visit


def test_the_default_topic_list_is_the_campaigns(sagene_action):
    _, _, action = sagene_action
    assert action.topic_list[:3] == ["bolig", "klima", "skole"]


def test_an_action_is_door_knocking_or_a_leaflet_drop_and_nothing_else(demo_app):
    sagene = branch("Sagene")
    before = len(actions.actions(sagene))
    with pytest.raises(TurfError) as refused:
        actions.create_action(sagene, "Stand på Torshov", "stand", datetime(2026, 11, 26, 17, 30))
    assert refused.value.message == "Velg om aksjonen er dørbanking eller løpeseddelutdeling."
    db.session.rollback()
    assert len(actions.actions(sagene)) == before


def test_a_pair_gets_a_turf_and_a_reassignment_moves_them(sagene_action):
    sagene, cut, action = sagene_action
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    nora = canvasser("Nora Ny", sagene.organisation, sagene)
    actions.assign(action, cut[0], [daniel, nora])
    assert sorted(u.name for u in actions.assignments(action)[cut[0].id]) == ["Daniel Dørbanker", "Nora Ny"]
    actions.assign(action, cut[1], [nora])
    assigned = actions.assignments(action)
    assert [u.name for u in assigned[cut[0].id]] == ["Daniel Dørbanker"]
    assert [u.name for u in assigned[cut[1].id]] == ["Nora Ny"]
    actions.release(action, cut[0])
    assert cut[0].id not in actions.assignments(action)
    assert [a.turf_id for a in actions.my_assignments(nora)] == [cut[1].id]


def test_adding_a_partner_keeps_the_walk_list_already_open_on_the_first_phone(sagene_action):
    sagene, cut, action = sagene_action
    daniel = user_named("Daniel Dørbanker")
    partner = canvasser("Petra Partner", sagene.organisation, sagene)
    actions.assign(action, cut[0], [daniel])
    first = actions.my_assignments(daniel)[0].id
    # Someone else is given a turf next, so a re-made assignment could not get the same number again.
    actions.assign(action, cut[2], [canvasser("Nina Neste", sagene.organisation, sagene)])
    actions.assign(action, cut[0], [daniel, partner])
    assert actions.my_assignments(daniel)[0].id == first
    assert {u.id for u in actions.assignments(action)[cut[0].id]} == {daniel.id, partner.id}
    # Moving Daniel to another turf does end that assignment.
    actions.assign(action, cut[1], [daniel])
    assert [a.turf_id for a in actions.my_assignments(daniel)] == [cut[1].id]


def test_volunteers_of_another_branch_need_to_sign_up_first(sagene_action):
    sagene, cut, action = sagene_action
    frogner_volunteer = canvasser("Fia Frogner", sagene.organisation, branch("Frogner"))
    with pytest.raises(turfs.TurfError):
        actions.assign(action, cut[0], [frogner_volunteer])
    actions.sign_up(action, frogner_volunteer)
    actions.sign_up(action, frogner_volunteer)
    actions.assign(action, cut[0], [frogner_volunteer])
    assert len(action.signups) == 1


def test_another_organisation_cannot_sign_up(sagene_action):
    _, _, action = sagene_action
    baerum = branch("Vestre Bærum")
    outsider = canvasser("Bo Bærum", baerum.organisation, baerum)
    with pytest.raises(turfs.TurfError):
        actions.sign_up(action, outsider)


def test_progress_counts_doors_contacts_and_what_is_left(sagene_action):
    sagene, cut, action = sagene_action
    volunteer = canvasser("Nora Ny", sagene.organisation, sagene)
    t = cut[0]
    record(t, volunteer, action, Outcome.NOT_HOME, 0, "1", 1)
    record(t, volunteer, action, Outcome.CONVERSATION, 0, "2", 2)
    record(t, volunteer, action, Outcome.REFUSED, 1, "1", 3)
    wrong = record(t, volunteer, action, Outcome.DO_NOT_KNOCK, 1, "2", 4)
    record(t, volunteer, action, Outcome.NOT_HOME, 1, "2", 5, corrects=wrong.client_uuid)
    # A second canvasser knocking the same door later: both count, the latest result is the door's state.
    other = canvasser("Ola Nordmann", sagene.organisation, sagene)
    record(t, other, action, Outcome.OPENED, 0, "1", 30)

    tally = progress.by_turf([t], action.id)[t.id]
    assert (tally.knocked, tally.contacts, tally.conversations, tally.not_home) == (3, 3, 1, 0)
    assert tally.left == t.doors - 3
    assert tally.contact_rate == 1.0
    per_person = progress.by_canvasser([t], action.id)
    assert (per_person[volunteer.id].knocked, per_person[other.id].knocked) == (3, 1)


def test_second_round_from_the_not_home_doors(sagene_action):
    sagene, cut, action = sagene_action
    volunteer = canvasser("Nora Ny", sagene.organisation, sagene)
    t = cut[0]
    record(t, volunteer, action, Outcome.NOT_HOME, 0, "1")
    record(t, volunteer, action, Outcome.NOT_HOME, 0, "2")
    record(t, volunteer, action, Outcome.NOT_HOME, 2, "1")
    record(t, volunteer, action, Outcome.CONVERSATION, 3, "1")
    again = turfs.second_round(t)
    assert again.round == 2 and again.parent_id == t.id and again.name.endswith("runde 2")
    assert {s.address_id: s.doors for s in again.stops} == {t.stops[0].address_id: 2, t.stops[2].address_id: 1}
    assert again.doors == 3
    rebuilt = turfs.second_round(t)
    assert again.archived_at is not None and rebuilt.doors == 3


def test_a_turf_with_no_unanswered_doors_has_no_second_round(sagene_action):
    _, cut, _ = sagene_action
    with pytest.raises(turfs.TurfError, match="ikke hjemme"):
        turfs.second_round(cut[0])


def test_the_campaign_page_adds_up_its_actions(sagene_action, demo_app):
    from tests.conftest import login
    sagene, cut, action = sagene_action
    from datetime import date
    week = actions.create_campaign(sagene, "Høstkampanjen", date(2026, 11, 23), date(2026, 11, 29))
    action.campaign = week
    later = actions.create_action(sagene, "Runde to", "door", datetime(2026, 11, 28, 11, 0), campaign=week)
    volunteer = canvasser("Nora Ny", sagene.organisation, sagene)
    record(cut[0], volunteer, action, Outcome.CONVERSATION, 0, "1")
    record(cut[0], volunteer, later, Outcome.NOT_HOME, 1, "1")
    client = demo_app.test_client()
    login(client, "sagene@oslo.demo")
    page = client.get(f"/kampanjer/{week.id}").get_data(as_text=True)
    assert "Høstkampanjen" in page and "Runde to" in page
    assert '<dt>Dører banket på</dt><dd>2</dd>' in page and '<dt>Samtaler</dt><dd>1</dd>' in page
    fragment = client.get(f"/aksjoner/{action.id}/framdrift", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and "HX-Request" in fragment.headers["Vary"]
    login_other = demo_app.test_client()
    login(login_other, "frogner@oslo.demo")
    assert login_other.get(f"/kampanjer/{week.id}").status_code == 403
