"""One person, several roles, one login: what each role gives, and that no combination gives more.

In a small lokallag the leader cuts turf, sits on the programme committee and knocks doors. Each role
is a membership in a branch (or the whole organisation); these tests hold every check to the role and
branch it is for.
"""
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from canvass import clock
from canvass.extensions import db
from canvass.models import Action, AuditEntry, Branch, Conversation, Organisation, Role, Signup, User
from canvass.services.committee import tallies
from canvass.services.people import logins, people
from canvass.services.turf import actions, turfs
from tests.conftest import PASSWORD, csrf_token, login, login_as_volunteer, post, roles_of


def person(**where) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).filter_by(**where))


def branch(name: str) -> Branch:
    return db.session.scalar(select(Branch).where(Branch.name == name))


def logged_in(client) -> bool:
    response = client.get("/")
    return not (response.status_code == 302 and response.location.startswith("/login"))


def frida() -> User:
    """A volunteer of Frogner, the branch next door."""
    frogner = branch("Frogner")
    volunteer = people.create_user(frogner.organisation, Role.CANVASSER, "Frida Frogner", phone="+4790000001",
                                   email="frida@example.no", branch=frogner)
    db.session.commit()
    return volunteer


def test_a_coordinator_of_one_branch_who_knocks_doors_in_another_does_not_coordinate_it(demo_app):
    frogner, sagene = branch("Frogner"), branch("Sagene")
    volunteer = frida()
    frogner_turf = turfs.cut_turfs(frogner, ["0254"], target=60)[0]
    people.add_role(person(email="sagene@oslo.demo"), Role.CANVASSER, frogner, None)
    sigrid = demo_app.test_client()
    login(sigrid, "sagene@oslo.demo")

    assert sigrid.get(f"/lag/{sagene.id}/aksjoner").status_code == 200
    for page in (f"/lag/{frogner.id}/aksjoner", f"/lag/{frogner.id}/roder", f"/roder/{frogner_turf.id}",
                 f"/lag/{frogner.id}", f"/folk/{volunteer.id}/kontakt"):
        assert sigrid.get(page).status_code == 403, page
    for action in (f"/folk/{volunteer.id}/fjern", f"/folk/{volunteer.id}/innloggingslenke"):
        assert post(sigrid, action).status_code == 403, action
    people_page = sigrid.get("/folk/").get_data(as_text=True)
    assert "Daniel Dørbanker" in people_page and "Frida Frogner" not in people_page
    assert roles_of(person(name="Frida Frogner")) == [("canvasser", "Frogner")]
    home = sigrid.get("/").get_data(as_text=True)
    assert "Du er dørbankansvarlig i Sagene." in home and "Du er dørbanker i Frogner." in home
    assert f"/lag/{frogner.id}/roder" not in home


def test_a_coordinator_of_two_branches_manages_both_and_picks_one_on_the_start_page(demo_app):
    people.add_role(person(email="sagene@oslo.demo"), Role.COORDINATOR, branch("Frogner"), None)
    volunteer = frida()
    sigrid = demo_app.test_client()
    login(sigrid, "sagene@oslo.demo")
    assert sigrid.get("/lag/").location == "/"
    home = sigrid.get("/").get_data(as_text=True)
    for name in ("Sagene", "Frogner"):
        assert f"/lag/{branch(name).id}/roder" in home and sigrid.get(f"/lag/{branch(name).id}").status_code == 200
    assert "Frida Frogner" in sigrid.get("/folk/").get_data(as_text=True)
    assert post(sigrid, f"/folk/{volunteer.id}/innloggingslenke").status_code == 200


def test_one_login_shows_the_turf_the_coordinator_pages_and_the_committee_on_one_start_page(demo_app):
    turf, action, daniel = daniels_turf_tonight_for("sagene@oslo.demo")
    leader = person(email="sagene@oslo.demo")
    people.add_role(leader, Role.COMMITTEE, branch("Sagene"), None)
    client = demo_app.test_client()
    login(client, "sagene@oslo.demo")
    home = client.get("/").get_data(as_text=True)
    assert "Du er dørbankansvarlig i Sagene." in home and f"/lag/{branch('Sagene').id}/roder" in home
    assert "Du er dørbanker i Sagene." in home and "Mine roder" in home and turf.name in home
    assert "Du er medlem av programkomiteen i Sagene." in home and "/komite/" in home
    assert client.get("/komite/").status_code == 200
    assert client.get(f"/felt/{actions.my_assignments(leader)[0].id}").status_code == 200


def daniels_turf_tonight_for(email: str):
    """A turf of 0473 in a Sagene action that began an hour ago, given to `email`, who also knocks doors there."""
    sagene = branch("Sagene")
    people.add_role(person(email=email), Role.CANVASSER, sagene, None)
    turf = turfs.cut_turfs(sagene, ["0473"], target=60)[0]
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() - timedelta(hours=1))
    walker = person(email=email)
    actions.assign(action, turf, [walker])
    return turf, action, walker


def test_an_admin_takes_one_role_and_the_others_stay_and_taking_the_last_removes_the_person(demo_app):
    people.add_role(person(email="sagene@oslo.demo"), Role.CANVASSER, branch("Sagene"), None)
    admin, sigrid = demo_app.test_client(), demo_app.test_client()
    login(admin, "admin@oslo.demo")
    login(sigrid, "sagene@oslo.demo")
    canvassing = next(m for m in person(email="sagene@oslo.demo").memberships if m.role == Role.CANVASSER)
    page = post(admin, f"/folk/roller/{canvassing.id}/fjern", follow_redirects=True).get_data(as_text=True)
    assert "Sigrid Sagene har ikke lenger rollen Dørbanker i Sagene." in page
    assert roles_of(person(email="sagene@oslo.demo")) == [("coordinator", "Sagene")]
    assert logged_in(sigrid) and sigrid.get("/folk/").status_code == 200

    last = person(email="sagene@oslo.demo").memberships[0]
    page = post(admin, f"/folk/roller/{last.id}/fjern", follow_redirects=True).get_data(as_text=True)
    assert "Sigrid Sagene hadde ingen andre roller og er fjernet" in page
    sigrid_now = person(email="sagene@oslo.demo")
    assert sigrid_now.memberships == [] and sigrid_now.removed_at is not None
    assert not logged_in(sigrid) and ">Sigrid Sagene</td>" not in admin.get("/folk/").get_data(as_text=True)


def test_a_coordinator_removing_a_volunteer_from_the_branch_leaves_their_committee_seat(demo_app):
    daniel = person(name="Daniel Dørbanker")
    daniel.email = "daniel@example.no"
    people.add_role(daniel, Role.COMMITTEE, None, None)
    sigrid = demo_app.test_client()
    login(sigrid, "sagene@oslo.demo")
    assert "Daniel Dørbanker blir tatt ut som dørbanker her og av lagets kommende aksjoner. De andre rollene består." \
        in sigrid.get("/folk/").get_data(as_text=True)
    page = post(sigrid, f"/folk/{daniel.id}/fjern", follow_redirects=True).get_data(as_text=True)
    assert "Daniel Dørbanker er tatt ut som dørbanker i Sagene. De andre rollene består." in page
    daniel = person(name="Daniel Dørbanker")
    assert roles_of(daniel) == [("committee", None)] and daniel.removed_at is None
    # No longer Sagene's: the coordinator neither sees nor removes them again.
    assert ">Daniel Dørbanker</td>" not in sigrid.get("/folk/").get_data(as_text=True)
    assert post(sigrid, f"/folk/{daniel.id}/fjern").status_code == 404


def test_the_last_admin_cannot_take_away_their_own_role(demo_app):
    admin = demo_app.test_client()
    login(admin, "admin@oslo.demo")
    own = person(email="admin@oslo.demo").memberships[0]
    page = post(admin, f"/folk/roller/{own.id}/fjern", follow_redirects=True).get_data(as_text=True)
    assert "Organisasjonen må ha minst én administrator." in page
    assert roles_of(person(email="admin@oslo.demo")) == [("admin", None)]


def test_a_volunteer_made_coordinator_must_log_in_with_a_password_and_a_code(demo_app):
    phone = demo_app.test_client()
    daniel = person(name="Daniel Dørbanker")
    login_as_volunteer(phone, daniel)
    admin = demo_app.test_client()
    login(admin, "admin@oslo.demo")
    sagene = branch("Sagene")
    refused = post(admin, f"/folk/{daniel.id}/roller", {"role": "coordinator", "branch": sagene.id},
                   follow_redirects=True).get_data(as_text=True)
    assert "Daniel Dørbanker trenger en e-postadresse for å logge inn med passord." in refused
    assert roles_of(person(name="Daniel Dørbanker")) == [("canvasser", "Sagene")] and logged_in(phone)
    # The address goes in with the role, on the same form (a new party had nowhere to put it).
    assert f'id="role-email-{daniel.id}" name="email"' in admin.get("/folk/").get_data(as_text=True)
    for email, message in (("daniel@", "«daniel@» er ikke en gyldig e-postadresse."),
                           ("Admin@Oslo.demo", "admin@oslo.demo er allerede brukt av en annen konto med passord.")):
        refused = post(admin, f"/folk/{daniel.id}/roller", {"role": "coordinator", "branch": sagene.id,
                                                             "email": email}, follow_redirects=True)
        assert message in refused.get_data(as_text=True)
        db.session.expire_all()
        assert person(name="Daniel Dørbanker").email is None and logged_in(phone)
        assert roles_of(person(name="Daniel Dørbanker")) == [("canvasser", "Sagene")]

    page = post(admin, f"/folk/{daniel.id}/roller", {"role": "coordinator", "branch": sagene.id,
                                                      "email": " Daniel@Example.no "}).get_data(as_text=True)
    assert "Passordlenke for Daniel Dørbanker" in page
    token = re.search(r'/passord/([\w-]+)"', page).group(1)
    assert roles_of(person(name="Daniel Dørbanker")) == [("coordinator", "Sagene"), ("canvasser", "Sagene")]
    # The phone's link login gave no coordinator's code: it is over, and no new link steps around the password.
    assert not logged_in(phone)
    assert post(admin, f"/folk/{daniel.id}/innloggingslenke").status_code == 404
    new = demo_app.test_client()
    path = f"/passord/{token}"
    chosen = new.post(path, data={"password": PASSWORD, "password_again": PASSWORD,
                                  "csrf_token": csrf_token(new, path)})
    assert chosen.status_code == 302, chosen.get_data(as_text=True)[-1500:]
    login(new, "daniel@example.no")
    assert new.get(f"/lag/{sagene.id}/roder").status_code == 200


def test_one_email_logs_in_one_person_whoever_typed_it_first(demo_app):
    """An outsider gave a phone-only volunteer coordinator with the e-mail another volunteer had joined with, then
    gave her coordinator too: both got password links, and the second to choose a password got a 500."""
    admin = demo_app.test_client()
    login(admin, "admin@oslo.demo")
    sagene = branch("Sagene")
    rita = people.create_user(sagene.organisation, Role.CANVASSER, "Rita", email="rita@example.no", branch=sagene)
    db.session.commit()
    daniel = person(name="Daniel Dørbanker")
    given = post(admin, f"/folk/{daniel.id}/roller", {"role": "coordinator", "branch": sagene.id,
                                                       "email": "Rita@Example.no"})
    assert "Passordlenke for Daniel Dørbanker" in given.get_data(as_text=True)
    refused = post(admin, f"/folk/{rita.id}/roller", {"role": "coordinator", "branch": sagene.id},
                   follow_redirects=True).get_data(as_text=True)
    assert "rita@example.no er allerede brukt av en annen konto med passord." in refused
    assert roles_of(person(name="Rita")) == [("canvasser", "Sagene")]
    # Data from before the check: two with the address and a password role each. The second is told, not a 500.
    rita.memberships[0].role = Role.COORDINATOR
    db.session.commit()
    people.set_password(person(name="Daniel Dørbanker"), PASSWORD)
    with pytest.raises(people.RoleRefused) as refusal:
        people.set_password(person(name="Rita"), PASSWORD)
    assert refusal.value.params == {"email": "rita@example.no"}
    db.session.rollback()
    assert person(name="Rita").password_hash is None


def test_a_role_given_twice_or_in_another_organisation_is_refused_and_changes_nothing(demo_app):
    admin = demo_app.test_client()
    login(admin, "admin@oslo.demo")
    daniel = person(name="Daniel Dørbanker")
    sagene = branch("Sagene")
    again = post(admin, f"/folk/{daniel.id}/roller", {"role": "canvasser", "branch": sagene.id},
                 follow_redirects=True).get_data(as_text=True)
    assert "Daniel Dørbanker har den rollen allerede." in again
    no_branch = post(admin, f"/folk/{daniel.id}/roller", {"role": "coordinator", "branch": ""},
                     follow_redirects=True).get_data(as_text=True)
    assert "Velg laget rollen gjelder i." in no_branch
    baerum = db.session.scalar(select(Branch).join(Organisation).where(Organisation.name == "Bærum"))
    if baerum is not None:
        assert post(admin, f"/folk/{daniel.id}/roller", {"role": "canvasser", "branch": baerum.id}).status_code == 404
    assert post(admin, f"/folk/{daniel.id}/roller", {"role": "king", "branch": sagene.id}).status_code == 400
    other = demo_app.test_client()
    login(other, "admin@baerum.demo")
    assert post(other, f"/folk/{daniel.id}/roller", {"role": "admin"}).status_code == 404
    assert roles_of(person(name="Daniel Dørbanker")) == [("canvasser", "Sagene")]


def test_roles_are_given_and_taken_on_the_command_line(demo_app):
    runner = demo_app.test_cli_runner()
    added = runner.invoke(args=["user", "role", "add", "--email", "komite@oslo.demo", "--role", "coordinator",
                                "--branch", "Sagene"])
    assert added.exit_code == 0, added.output
    assert "coordinator (Sagene)" in added.output and "committee (Oslo)" in added.output
    assert roles_of(person(email="komite@oslo.demo")) == [("coordinator", "Sagene"), ("committee", None)]
    refused = runner.invoke(args=["user", "role", "add", "--email", "komite@oslo.demo", "--role", "coordinator",
                                  "--branch", "Atlantis"])
    assert refused.exit_code != 0 and "Fant ikke laget Atlantis." in refused.output
    removed = runner.invoke(args=["user", "role", "remove", "--email", "komite@oslo.demo", "--role", "committee"])
    assert removed.exit_code == 0, removed.output
    assert roles_of(person(email="komite@oslo.demo")) == [("coordinator", "Sagene")]
    last = runner.invoke(args=["user", "role", "remove", "--email", "komite@oslo.demo", "--role", "coordinator",
                               "--branch", "Sagene"])
    assert last.exit_code == 0 and "fjernet" in last.output
    assert person(email="komite@oslo.demo").removed_at is not None
    entries = db.session.scalars(select(AuditEntry.subject).where(AuditEntry.event.in_(["role", "remove"]))).all()
    assert len(entries) == 3


def test_a_coordinator_sees_a_volunteers_phone_and_email_and_each_look_is_logged(demo_app):
    sigrid = demo_app.test_client()
    login(sigrid, "sagene@oslo.demo")
    daniel = person(name="Daniel Dørbanker")
    before = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.event == "view"))
    people_page = sigrid.get("/folk/").get_data(as_text=True)
    assert "+4791234567" not in people_page and f"/folk/{daniel.id}/kontakt" in people_page
    for headers in ({}, {"HX-Request": "true"}):
        response = sigrid.get(f"/folk/{daniel.id}/kontakt", headers=headers)
        assert response.status_code == 200 and "+4791234567" in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"
    looks = db.session.scalars(select(AuditEntry).where(AuditEntry.event == "view").order_by(AuditEntry.id)).all()
    assert len(looks) == before + 2
    assert (looks[-1].user_name, looks[-1].subject) == ("Sigrid Sagene", f"telefon og e-post til bruker {daniel.id}")
    # Another branch's coordinator and the committee learn nothing, and nothing is logged for them.
    for email in ("frogner@oslo.demo", "komite@oslo.demo"):
        other = demo_app.test_client()
        login(other, email)
        assert other.get(f"/folk/{daniel.id}/kontakt").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.event == "view")) == \
        before + 2


def test_signed_up_volunteers_come_first_when_assigning(demo_app):
    sagene = branch("Sagene")
    turf = turfs.cut_turfs(sagene, ["0473"], target=60)[0]
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() + timedelta(days=1))
    late = people.create_user(sagene.organisation, Role.CANVASSER, "Åse Åsen", phone="+4790000002",
                              branch=branch("Frogner"))
    early = people.create_user(sagene.organisation, Role.CANVASSER, "Anders Andersen", phone="+4790000003",
                               branch=sagene)
    db.session.commit()
    actions.sign_up(action, late)
    names = [u.name for u in actions.volunteers(action)]
    assert names[0] == "Åse Åsen" and names.index("Anders Andersen") < names.index("Daniel Dørbanker")
    sigrid = demo_app.test_client()
    login(sigrid, "sagene@oslo.demo")
    page = sigrid.get(f"/aksjoner/{action.id}").get_data(as_text=True)
    choices = page[page.index(f'id="user-{turf.id}-1"'):]
    choices = choices[:choices.index("</select>")]
    assert choices.index('label="Påmeldt"') < choices.index("Åse Åsen") < choices.index('label="Andre i laget"') \
        < choices.index("Anders Andersen") < choices.index("Daniel Dørbanker")
    assert early.id != late.id


def test_after_assigning_the_page_opens_at_the_turf_and_says_there_what_happened(demo_app):
    sagene = branch("Sagene")
    cut = turfs.cut_turfs(sagene, ["0473", "0474"], target=60)
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() + timedelta(days=1))
    daniel = person(name="Daniel Dørbanker")
    sigrid = demo_app.test_client()
    login(sigrid, "sagene@oslo.demo")
    turf = cut[-1]
    response = post(sigrid, f"/aksjoner/{action.id}/tildel", {"turf": turf.id, "user": [daniel.id, ""]})
    assert response.status_code == 303 and response.location.endswith(f"/aksjoner/{action.id}#rode-{turf.id}")
    page = sigrid.get(response.location).get_data(as_text=True)
    section = page[page.index(f'id="rode-{turf.id}"'):]
    section = section[:section.index("</section>")]
    assert f"{turf.name} er tildelt Daniel Dørbanker." in section and 'role="status"' in section
    # Said once: reloading the page does not say it again.
    assert "er tildelt" not in sigrid.get(f"/aksjoner/{action.id}").get_data(as_text=True)
    refused = post(sigrid, f"/aksjoner/{action.id}/tildel", {"turf": turf.id, "user": [""]})
    assert refused.location.endswith(f"#rode-{turf.id}")
    page = sigrid.get(refused.location).get_data(as_text=True)
    section = page[page.index(f'id="rode-{turf.id}"'):]
    section = section[:section.index("</section>")]
    assert "Velg én til tre dørbankere for roden." in section and 'role="alert"' in section
    # Outsider G picked the admin, who knocks no doors in Sagene: the refusal says who may not, and why.
    admin = person(email="admin@oslo.demo")
    page = sigrid.get(post(sigrid, f"/aksjoner/{action.id}/tildel",
                           {"turf": turf.id, "user": [daniel.id, admin.id]}).location).get_data(as_text=True)
    assert (f"{admin.name} kan ikke få en rode i denne aksjonen: bare lagets dørbankere og de som har meldt seg på "
            "den, kan det.") in page


def test_a_committee_member_who_knocked_doors_reads_their_own_doors_only_among_five(demo_app):
    """The committee sees no group smaller than k, whoever recorded it: their own doors are no exception."""
    turf, action, kari = daniels_turf_tonight_for("komite@oslo.demo")
    stops = [s.address for s in turf.stops[:5]]
    reader = demo_app.test_client()
    login(reader, "komite@oslo.demo")
    for n, address in enumerate(stops):
        row = {"visit_uuid": f"00000000-0000-4000-8000-00000000010{n}", "organisation_id": action.organisation_id,
               "branch_id": action.branch_id, "action_id": action.id, "address_id": None,
               "postnummer": address.postnummer, "district_number": "030103", "topics": "karis-tema",
               "words": f"Hørt i {address.label}", "importance": 2,
               "wants_membership": False, "wants_contact": False,
               # Stored straight into last week, which a committee reads, one at a time.
               "recorded_at": datetime.now() - timedelta(days=7)}
        said = Conversation(**row)
        db.session.add(said)
        db.session.flush()
        tallies.record([{**row, "id": said.id}])
        db.session.commit()
        page = reader.get("/komite/innspill").get_data(as_text=True)
        assert reader.get("/komite/").status_code == 200
        assert not any(a.label in page for a in stops)
        assert ("karis-tema" in page) == (n + 1 >= 5), f"{n + 1} residents"


def test_someone_on_the_county_and_a_branch_committee_chooses_which_to_read_for(demo_app):
    sagene = branch("Sagene")
    people.add_role(person(email="komite@oslo.demo"), Role.COMMITTEE, sagene, None)
    kari = demo_app.test_client()
    login(kari, "komite@oslo.demo")
    home = kari.get("/").get_data(as_text=True)
    assert "Du er medlem av programkomiteen i Oslo." in home and "Du er medlem av programkomiteen i Sagene." in home
    assert "Les innspill for denne komiteen" in home
    chosen = post(kari, "/komite", {"committee": str(sagene.id)})
    assert chosen.status_code == 303 and chosen.location.endswith("/komite/")
    assert "Sagene" in kari.get("/komite/").get_data(as_text=True)
    assert post(kari, "/komite", {"committee": str(branch("Frogner").id)}).status_code == 403
    assert post(kari, "/komite", {"committee": ""}).status_code == 303
    daniel = demo_app.test_client()
    login_as_volunteer(daniel, person(name="Daniel Dørbanker"))
    assert post(daniel, "/komite", {"committee": ""}).status_code == 403


def test_a_volunteer_who_left_is_not_offered_for_turf(demo_app):
    sagene = branch("Sagene")
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() + timedelta(days=1))
    daniel = person(name="Daniel Dørbanker")
    logins.remove_volunteer(daniel, None)
    assert "Daniel Dørbanker" not in [u.name for u in actions.volunteers(action)]


def test_leaving_a_branch_takes_one_off_tonights_action_under_way_but_keeps_the_other_roles(demo_app):
    sagene = branch("Sagene")
    tonight = actions.create_action(sagene, "Torshov i kveld", "door", clock.utcnow() - timedelta(hours=1))
    daniel = person(name="Daniel Dørbanker")
    daniel.email = "daniel@example.no"
    people.add_role(daniel, Role.COMMITTEE, None, None)
    db.session.add(Signup(action_id=tonight.id, user_id=daniel.id))
    db.session.commit()
    canvassing = [m for m in daniel.memberships if m.role == Role.CANVASSER]
    assert people.remove_roles(daniel, canvassing, None) is False
    daniel = person(name="Daniel Dørbanker")
    assert roles_of(daniel) == [("committee", None)]
    assert db.session.scalar(select(func.count()).select_from(Signup).where(Signup.user_id == daniel.id)) == 0
    assert "Daniel Dørbanker" not in [u.name for u in actions.volunteers(db.session.get(Action, tonight.id))]
