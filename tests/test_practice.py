"""The practice round (Øvingsrunde): real addresses of the volunteer's own branch, and no record anywhere.

Without script the practice forms post to the server; what they post must never become a visit, a
conversation, a contact, a consent, a note or an input, whatever the form says."""
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Address, Branch, BranchPostalCode, Membership, Organisation, Role, User
from canvass.privacy import consent
from canvass.services.field import practice
from canvass.services.people import people
from canvass.services.turf import actions, turfs
from tests.conftest import csrf_token, login_as_volunteer, post

JSON = {"Accept": "application/json"}


def every_row() -> dict[str, int]:
    """How many rows every table holds, apart from those a request writes whoever makes it (logins, limits)."""
    db.session.expire_all()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables if table.name not in ("login", "rate_limit")}


def volunteer(demo_app, branch_name: str = "Sagene", name: str = "Nora Ny"):
    """A new volunteer of the branch, with no turf and no action, logged in on a phone."""
    branch = db.session.scalar(select(Branch).where(Branch.name == branch_name))
    user = people.create_user(branch.organisation, Role.CANVASSER, name, phone="+4791234568", branch=branch)
    db.session.commit()
    client = demo_app.test_client()
    login_as_volunteer(client, user)
    client.user, client.branch = user, branch
    return client


def first_door(client) -> tuple[int, str]:
    stop = practice.walk_list(client.branch.id, {})[0]
    return stop.address_id, stop.doors[0].unit


def test_a_new_volunteer_finds_practice_on_the_invite_page_and_the_home_page_before_any_turf(demo_app):
    coordinator = demo_app.test_client()
    from tests.test_invites import invite_link
    path = invite_link(coordinator)
    phone = demo_app.test_client()
    assert "øve på dørbanking med en gang" in phone.get(path).get_data(as_text=True)
    response = phone.post(path, data={"name": "Nora Ny", "phone": "912 34 568", "csrf_token": csrf_token(phone, path)})
    assert response.status_code == 302
    home = phone.get("/").get_data(as_text=True)
    assert re.search(r'<a class="button primary" href="/felt/ovelse">Øv på dørbanking</a>', home)
    guide = phone.get("/felt/ovelse").get_data(as_text=True)
    assert guide.count("<section id=\"steg-") == 3 and consent.VERSION not in guide
    assert "Slik registrerer du en dør" in guide and "Samtykke: hva du sier, og hvorfor" in guide
    assert "Uten nett, og når nettet kommer tilbake" in guide and 'href="/felt/ovelse/runde"' in guide


def test_the_practice_round_is_marked_and_lists_only_real_addresses_of_the_volunteers_own_branch(demo_app):
    for branch_name in ("Sagene", "Frogner"):
        client = volunteer(demo_app, branch_name, f"Ny i {branch_name}")
        page = client.get("/felt/ovelse/runde").get_data(as_text=True)
        assert "<h1>Øvingsrunde</h1>" in page and "ingenting sendes eller lagres" in page
        ids = [int(i) for i in re.findall(r'<li id="a-(\d+)">', page)]
        assert len(ids) == practice.STOPS
        codes = {a.postnummer for a in db.session.scalars(select(Address).where(Address.id.in_(ids)))}
        assert codes and codes <= set(client.branch.territory)
        # Nothing of the real turf's world: no sync bar, no poll of a turf's doors, no real record route.
        assert "data-poll" not in page and "data-sync-status" not in page and 'action="/felt/ovelse/runde"' in page


def test_a_practice_tap_without_script_stores_nothing_and_shows_the_door_done_as_practice(demo_app):
    client = volunteer(demo_app)
    address_id, unit = first_door(client)
    before = every_row()
    response = post(client, "/felt/ovelse/runde", {"tap": f"not_home {address_id} {unit}"})
    assert response.status_code == 302 and response.location.endswith(f"/felt/ovelse/runde#d-{address_id}-{unit}")
    assert every_row() == before
    page = client.get("/felt/ovelse/runde").get_data(as_text=True)
    assert "Øving: Ikke hjemme. Ingenting er lagret." in page
    assert '<span class="what">Ikke hjemme ✓</span> <small class="when">øving, ikke lagret</small>' in page
    assert "<b data-done-count>1</b>" in page
    # Undone, the door is open again, and still nothing is stored.
    post(client, "/felt/ovelse/runde", {"undo": f"ovelse not_home {address_id} {unit}"})
    assert "<b data-done-count>0</b>" in client.get("/felt/ovelse/runde").get_data(as_text=True)
    assert every_row() == before


def test_a_practice_conversation_with_consent_and_contact_details_stores_no_conversation_contact_or_consent(demo_app):
    client = volunteer(demo_app)
    address_id, unit = first_door(client)
    before = every_row()
    form = {"address_id": address_id, "unit": unit, "topic": ["bolig", "klima"], "words": "Husleia er for høy",
            "importance": "3", "wants_contact": "1", "consent": consent.VERSION, "name": "Øvings Person",
            "phone": "91234599", "id": str(uuid.uuid4()), "recorded_at": datetime.now(UTC).isoformat()}
    response = post(client, "/felt/ovelse/samtale", form)
    assert response.status_code == 302
    assert every_row() == before
    page = client.get("/felt/ovelse/runde").get_data(as_text=True)
    assert "Øving: samtalen er registrert. Ingenting er lagret." in page
    assert '<b data-count="conversation">1</b>' in page
    # Consent without a way to reach them: the practice says what the real sync would refuse.
    response = post(client, "/felt/ovelse/samtale", {**form, "phone": "", "id": str(uuid.uuid4())},
                    follow_redirects=True)
    assert "Kontaktinformasjonen ville ikke blitt lagret: Kontaktinformasjonen er ufullstendig eller ugyldig." in \
        response.get_data(as_text=True)
    # An empty conversation is refused, as the real one is.
    response = post(client, "/felt/ovelse/samtale", {"address_id": address_id, "unit": unit})
    assert response.status_code == 400 and "Samtalen er tom" in response.get_data(as_text=True)
    assert every_row() == before


def test_a_practice_post_naming_a_real_turf_and_action_still_cannot_make_a_real_record(demo_app):
    """Daniel has a real turf tonight; a practice form carrying its ids, as data or as a page, stores nothing."""
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    turf = turfs.cut_turfs(sagene, ["0473"], target=60)[0]
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() - timedelta(hours=1))
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    actions.assign(action, turf, [daniel])
    client = demo_app.test_client()
    login_as_volunteer(client, daniel)
    client.branch = sagene
    assignment = actions.my_assignments(daniel)[0]
    address_id, unit = first_door(client)
    before = every_row()
    real = {"turf_id": turf.id, "action_id": action.id, "id": str(uuid.uuid4()),
            "recorded_at": datetime.now(UTC).isoformat()}
    for headers in ({}, JSON):
        post(client, "/felt/ovelse/runde", {**real, "tap": f"not_home {address_id} {unit}"}, headers=headers)
        post(client, "/felt/ovelse/runde", {**real, "outcome": "do_not_knock", "address_id": address_id,
                                            "unit": unit}, headers=headers)
        post(client, "/felt/ovelse/samtale", {**real, "address_id": address_id, "unit": unit, "words": "Øving"},
             headers=headers)
    assert every_row() == before
    client.get("/felt/ovelse/runde")  # where the practice's own messages are shown
    # The real walk list knows nothing of the practice: no door there is done.
    real_page = client.get(f"/felt/{assignment.id}").get_data(as_text=True)
    assert "<b data-done-count>0</b>" in real_page and "øving" not in real_page.lower()
    assert client.get(f"/felt/{assignment.id}/dorer.json").json == []


@pytest.mark.parametrize("where", ["frogner", "nowhere"])
def test_a_volunteer_practises_only_on_their_own_branchs_doors(demo_app, where):
    client = volunteer(demo_app)
    frogner = db.session.scalar(select(Branch).where(Branch.name == "Frogner"))
    address_id, unit = (practice.walk_list(frogner.id, {})[0].address_id, practice.walk_list(frogner.id, {})[0]
                        .doors[0].unit) if where == "frogner" else (2 ** 31 - 1, "1")
    before = every_row()
    for path, form in (("/felt/ovelse/runde", {"tap": f"not_home {address_id} {unit}"}),
                       ("/felt/ovelse/samtale", {"address_id": address_id, "unit": unit, "words": "Øving"})):
        response = post(client, path, form)
        assert response.status_code == 400 and "ikke med i øvingsrunden din" in response.get_data(as_text=True)
    assert every_row() == before
    assert "<b data-done-count>0</b>" in client.get("/felt/ovelse/runde").get_data(as_text=True)
    # The conversation page names no door outside the practice round.
    page = client.get(f"/felt/ovelse/samtale?address_id={address_id}&unit={unit}").get_data(as_text=True)
    assert '<p class="where" data-door-label></p>' in page and f'value="{address_id}"' not in page
    if where == "frogner":
        assert db.session.get(Address, address_id).label not in page


def test_someone_who_knocks_doors_for_two_branches_practises_on_the_one_they_choose_and_never_on_another(demo_app):
    sagene, frogner, grunerlokka = (db.session.scalar(select(Branch).where(Branch.name == name))
                                    for name in ("Sagene", "Frogner", "Grünerløkka"))
    user = people.create_user(sagene.organisation, Role.CANVASSER, "Siri To Lag", phone="+4791234569", branch=sagene)
    user.memberships.append(Membership(role=Role.CANVASSER, branch=frogner))
    db.session.commit()
    client = demo_app.test_client()
    login_as_volunteer(client, user)

    def practised_on() -> set[str]:
        page = client.get("/felt/ovelse/runde").get_data(as_text=True)
        ids = [int(i) for i in re.findall(r'<li id="a-(\d+)">', page)]
        return {a.postnummer for a in db.session.scalars(select(Address).where(Address.id.in_(ids)))}

    # Until they choose, the first of their branches by name; the guide offers both.
    guide = client.get("/felt/ovelse").get_data(as_text=True)
    assert "Øv på adressene til:" in guide and 'href="/felt/ovelse?lag=%d"' % sagene.id in guide
    assert practised_on() <= set(frogner.territory)
    assert client.get(f"/felt/ovelse?lag={sagene.id}").status_code == 200
    assert practised_on() and practised_on() <= set(sagene.territory)
    # A branch of someone else's is no choice: the last own choice stands.
    assert client.get(f"/felt/ovelse?lag={grunerlokka.id}").status_code == 200
    assert practised_on() <= set(sagene.territory)


def test_a_branch_without_addresses_says_so_plainly_and_the_guide_still_opens(demo_app):
    oslo = db.session.scalar(select(Organisation).where(Organisation.name == "Oslo"))
    empty = Branch(organisation=oslo, name="Nytt lag")
    db.session.add(empty)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(BranchPostalCode)
                             .where(BranchPostalCode.branch_id == empty.id)) == 0
    client = volunteer(demo_app, "Nytt lag")
    page = client.get("/felt/ovelse/runde").get_data(as_text=True)
    assert "Laget ditt har ingen adresser ennå, så det er ingen dører å øve på." in page
    assert 'id="doors"' not in page
    assert client.get("/felt/ovelse").status_code == 200


def test_practice_is_in_nynorsk_and_english_too(demo_app):
    client = volunteer(demo_app)
    for lang, heading in (("nn", "Øvingsrunde"), ("en", "Practice round")):
        client.post("/sprak", data={"lang": lang, "csrf_token": csrf_token(client, "/")})
        page = client.get("/felt/ovelse/runde").get_data(as_text=True)
        assert f"<h1>{heading}</h1>" in page
