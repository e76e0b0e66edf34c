"""Who logs in as whom: invite links make new accounts only, personal login links bring a volunteer back,
and every login is a server-side record that logout, removal, erasure and a new password end.

The attacks are replayed over real HTTP against the live server, as the outside tester sent them.
"""
import copy
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from canvass import clock
from canvass.extensions import db
from canvass.models import AuditEntry, Branch, Device, Organisation, User, Visit
from canvass.services.people import people
from tests.conftest import PASSWORD, csrf_token, daniels_turf_tonight, login, post, roles_of
from tests.http import HttpClient


def one(model, **where):
    return db.session.scalar(select(model).filter_by(**where).order_by(model.id).execution_options(
        populate_existing=True))


def invite_token(branch_name: str, by_email: str) -> str:
    branch = one(Branch, name=branch_name)
    return people.create_invite(branch, one(User, email=by_email), 30).token


def join(base: str, token: str, **fields) -> HttpClient:
    """A phone that opens the invite link and sends the form."""
    phone = HttpClient(base)
    path = f"/bli-med/{token}"
    phone.last = phone.post(path, data={"csrf_token": csrf_token(phone, path), **fields})
    return phone


def device_token(client) -> str:
    answer = client.post("/api/sync/v1/device", headers={"X-CSRFToken": csrf_token(client, "/")})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json()["token"]


def syncs(base: str, token: str) -> int:
    return HttpClient(base).post("/api/sync/v1/events", json={"events": []},
                                 headers={"Authorization": f"Bearer {token}"}).status_code


def carrying(base: str, *cookies) -> HttpClient:
    """Another browser that holds only copies of the given cookies."""
    client = HttpClient(base)
    for cookie in cookies:
        client.jar.set_cookie(copy.copy(cookie))
    return client


def logged_in_name(client) -> str | None:
    found = re.search(r'class="account" href="/logout"><span>([^<]+)</span> · Logg ut',
                      client.get("/").get_data(as_text=True))
    return found.group(1) if found else None


# Finding 2: account takeover through any invite link.

DANIEL_SPELLINGS = ["+47 912 34 567", "+4791234567", "91234567", "912 34 567", "0047 91234567", "0047 912 34 567",
                    " 91234567 ", "+47 91 23 45 67"]


@pytest.mark.parametrize("spelling", DANIEL_SPELLINGS)
def test_an_invite_link_with_daniels_phone_number_makes_a_new_account_and_leaves_daniel_alone(live_server, spelling):
    frogner = invite_token("Frogner", "frogner@oslo.demo")
    daniel = one(User, name="Daniel Dørbanker")
    hacker = join(live_server, frogner, name="Hacker", phone=spelling)
    assert hacker.last.status_code == 302, hacker.last.get_data(as_text=True)[-800:]
    assert logged_in_name(hacker) == "Hacker"
    device_token(hacker)
    daniel = one(User, name="Daniel Dørbanker")
    assert roles_of(daniel) == [("canvasser", "Sagene")]
    assert db.session.scalar(select(func.count()).select_from(Device).where(Device.user_id == daniel.id)) == 0
    new = one(User, name="Hacker")
    assert (roles_of(new), new.password_hash) == ([("canvasser", "Frogner")], None)


@pytest.mark.parametrize("spelling", ["CANVB@example.no", "canvb@example.no", "CanvB@Example.NO", " canvb@example.no "])
def test_an_invite_link_with_beritss_email_in_any_case_makes_a_new_account(live_server, spelling):
    berit = join(live_server, invite_token("Sagene", "sagene@oslo.demo"), name="Berit", email="canvb@example.no")
    assert logged_in_name(berit) == "Berit"
    hacker = join(live_server, invite_token("Frogner", "frogner@oslo.demo"), name="Hacker", email=spelling)
    assert logged_in_name(hacker) == "Hacker"
    assert roles_of(one(User, name="Berit")) == [("canvasser", "Sagene")]
    assert logged_in_name(berit) == "Berit", "Berit's own login goes on"


def test_another_organisations_invite_neither_takes_over_nor_moves_an_oslo_volunteer(live_server):
    baerum = people.create_invite(
        db.session.scalar(select(Branch).join(Organisation).where(Organisation.name == "Bærum")),
        one(User, email="admin@baerum.demo"),
        30,
    ).token
    hacker = join(live_server, baerum, name="Hacker", phone="+47 912 34 567")
    assert logged_in_name(hacker) == "Hacker"
    daniel = one(User, name="Daniel Dørbanker")
    assert (daniel.organisation.name, roles_of(daniel)) == ("Oslo", [("canvasser", "Sagene")])


def test_an_invite_answers_the_same_whether_or_not_the_contact_has_an_account(live_server):
    token = invite_token("Frogner", "frogner@oslo.demo")
    answers = []
    for fields in (
        {"phone": "+47 912 34 567"},
        {"phone": "+47 900 00 099"},
        {"email": "sagene@oslo.demo"},
        {"email": "SAGENE@oslo.demo"},
        {"email": "ingen@example.no"},
        {"email": "admin@baerum.demo"},
    ):
        phone = join(live_server, token, name="Samme Navn", **fields)
        page = phone.get("/").get_data(as_text=True)
        answers.append((phone.last.status_code, phone.last.location, "Velkommen, Samme Navn!" in page))
        assert "allerede en konto" not in phone.last.get_data(as_text=True) + page
    assert set(answers) == {(302, "/", True)}


def test_a_coordinators_email_given_at_an_invite_neither_logs_in_as_her_nor_locks_her_out(live_server):
    intruder = join(
        live_server, invite_token("Sagene", "sagene@oslo.demo"), name="Inntrenger", email="SAGENE@oslo.demo"
    )
    assert intruder.get("/folk/").status_code == 403
    coordinator = HttpClient(live_server)
    login(coordinator, "sagene@oslo.demo")
    assert coordinator.get("/folk/").status_code == 200


def issue_login_link(coordinator, volunteer: User) -> str:
    page = post(coordinator, f"/folk/{volunteer.id}/innloggingslenke").get_data(as_text=True)
    assert "<svg" in page, page[-1500:]
    return re.search(r'value="https?://[^/"]+(/inn/[^"]+)"', page).group(1)


def test_a_volunteer_whose_phone_lost_its_login_gets_back_in_with_a_personal_link_once(live_server):
    coordinator = HttpClient(live_server)
    login(coordinator, "sagene@oslo.demo")
    daniel = one(User, name="Daniel Dørbanker")
    path = issue_login_link(coordinator, daniel)
    phone = HttpClient(live_server)
    assert "Daniel Dørbanker" in phone.get(path).get_data(as_text=True)
    assert logged_in_name(phone) is None, "opening the link (or a link preview) does not use it up"
    used = phone.post(path, data={"csrf_token": csrf_token(phone, path)})
    assert used.status_code == 302
    assert logged_in_name(phone) == "Daniel Dørbanker"
    assert device_token(phone)
    again = HttpClient(live_server)
    assert again.get(path).status_code == 404
    assert again.post(path, data={"csrf_token": csrf_token(again, "/")}).status_code == 404
    assert logged_in_name(again) is None
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert (entry.event, entry.user_name) == ("login_link", "Sigrid Sagene")


def test_a_login_link_runs_out_and_can_be_withdrawn(live_server, monkeypatch):
    coordinator = HttpClient(live_server)
    login(coordinator, "sagene@oslo.demo")
    daniel = one(User, name="Daniel Dørbanker")
    withdrawn = issue_login_link(coordinator, daniel)
    page = coordinator.get("/folk/").get_data(as_text=True)
    revoke = re.search(r'action="(/folk/innloggingslenke/\d+/trekk-tilbake)"', page).group(1)
    assert post(coordinator, revoke).status_code == 302
    late = issue_login_link(coordinator, daniel)
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(hours=25))
    for path in (withdrawn, late):
        phone = HttpClient(live_server)
        assert phone.get(path).status_code == 404
        assert "Lenken virker ikke lenger" in phone.get(path).get_data(as_text=True)
        phone.post(path, data={"csrf_token": csrf_token(phone, "/")})
        assert logged_in_name(phone) is None


def test_a_new_login_link_replaces_the_one_before(live_server):
    coordinator = HttpClient(live_server)
    login(coordinator, "sagene@oslo.demo")
    daniel = one(User, name="Daniel Dørbanker")
    first, second = issue_login_link(coordinator, daniel), issue_login_link(coordinator, daniel)
    assert HttpClient(live_server).get(first).status_code == 404
    assert HttpClient(live_server).get(second).status_code == 200


@pytest.mark.parametrize("email", ["frogner@oslo.demo", "admin@baerum.demo"])
def test_only_the_volunteers_own_coordinator_or_admin_issues_a_login_link(live_server, email):
    other = HttpClient(live_server)
    login(other, email)
    daniel = one(User, name="Daniel Dørbanker")
    assert post(other, f"/folk/{daniel.id}/innloggingslenke").status_code in (403, 404)
    sagene = HttpClient(live_server)
    login(sagene, "sagene@oslo.demo")
    admin = one(User, email="admin@oslo.demo")
    assert post(sagene, f"/folk/{admin.id}/innloggingslenke").status_code in (403, 404)


# Finding 4: logins cannot be revoked.


def test_after_logout_the_old_remember_cookie_and_session_open_nothing(live_server):
    admin = HttpClient(live_server)
    login(admin, "admin@oslo.demo")
    assert admin.get("/personvern/kontakter").status_code == 200
    remember, session = copy.copy(admin.get_cookie("remember_token")), copy.copy(admin.get_cookie("session"))
    assert post(admin, "/logout").status_code == 302
    for kept in ((remember,), (session,), (remember, session)):
        stale = carrying(live_server, *kept)
        answer = stale.get("/personvern/kontakter")
        assert answer.status_code == 302 and answer.location.startswith("/login"), kept


def test_every_login_gets_its_own_remember_cookie(live_server):
    cookies = set()
    for _ in range(2):
        client = HttpClient(live_server)
        login(client, "komite@oslo.demo")
        cookies.add(client.get_cookie("remember_token").value)
    assert len(cookies) == 2
    assert not any(value.startswith(f"{one(User, email='komite@oslo.demo').id}|") for value in cookies)


def test_logging_out_on_one_phone_leaves_the_other_logged_in(live_server):
    first, second = HttpClient(live_server), HttpClient(live_server)
    login(first, "komite@oslo.demo")
    login(second, "komite@oslo.demo")
    post(first, "/logout")
    assert logged_in_name(first) is None and logged_in_name(second) == "Kari Komité"


def test_logout_ends_the_device_token_issued_with_that_login(live_server):
    phone = join(live_server, invite_token("Sagene", "sagene@oslo.demo"), name="Nora Ny", phone="90000001")
    token = device_token(phone)
    assert syncs(live_server, token) == 200
    post(phone, "/logout")
    assert syncs(live_server, token) == 401


def test_after_erasure_the_old_session_cookie_and_device_load_nothing(live_server):
    phone = join(live_server, invite_token("Sagene", "sagene@oslo.demo"), name="Nora Ny", phone="90000002")
    token = device_token(phone)
    remember, session = copy.copy(phone.get_cookie("remember_token")), copy.copy(phone.get_cookie("session"))
    admin = HttpClient(live_server)
    login(admin, "admin@oslo.demo")
    erased = post(admin, "/personvern/innsyn/slett", {"phone": "900 00 002", "confirm": "1"})
    assert erased.status_code == 302
    assert one(User, name="Slettet") is not None
    for client in (phone, carrying(live_server, remember), carrying(live_server, session)):
        assert logged_in_name(client) is None
        assert client.get("/felt/innspill").status_code == 302
    assert syncs(live_server, token) == 401


def people_page_form(coordinator, what: str) -> str:
    page = coordinator.get("/folk/").get_data(as_text=True)
    found = re.search(rf'action="(/folk/[^"]*{what}[^"]*)"', page)
    assert found, page[-3000:]
    return found.group(1)


def test_a_coordinator_removes_a_volunteer_whose_doors_stay_counted(live_server):
    turf, action, daniel = daniels_turf_tonight()
    db.session.commit()
    coordinator = HttpClient(live_server)
    login(coordinator, "sagene@oslo.demo")
    phone = HttpClient(live_server)
    phone_path = issue_login_link(coordinator, daniel)
    phone.post(phone_path, data={"csrf_token": csrf_token(phone, phone_path)})
    token = device_token(phone)
    recorded = db.session.scalar(select(func.count()).select_from(Visit).where(Visit.canvasser_id == daniel.id))
    removed = post(coordinator, f"/folk/{daniel.id}/fjern")
    assert removed.status_code == 302
    assert ">Daniel Dørbanker</td>" not in coordinator.get("/folk/").get_data(as_text=True)
    assert logged_in_name(phone) is None
    assert syncs(live_server, token) == 401
    daniel = one(User, name="Daniel Dørbanker")
    assert daniel.memberships == [] and daniel.removed_at is not None
    assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.canvasser_id == daniel.id)) == recorded
    # Tonight's action, under way since an hour, no longer has him walking his turf: it is free to give again.
    page = coordinator.get(f"/aksjoner/{action.id}").get_data(as_text=True)
    assert "Daniel Dørbanker" not in page and "Ledig" in page
    # His phone, logged out, is told how to get back in if he was removed by mistake.
    assert "kan koordinatoren gi deg en personlig innloggingslenke" in phone.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("email", ["frogner@oslo.demo", "admin@baerum.demo", "komite@oslo.demo"])
def test_nobody_outside_the_branch_removes_its_volunteer(live_server, email):
    other = HttpClient(live_server)
    login(other, email)
    daniel = one(User, name="Daniel Dørbanker")
    assert post(other, f"/folk/{daniel.id}/fjern").status_code in (403, 404)
    assert roles_of(one(User, name="Daniel Dørbanker")) == [("canvasser", "Sagene")]


def test_a_coordinator_cannot_remove_another_coordinator(live_server):
    admin = one(User, email="admin@oslo.demo")
    sagene = HttpClient(live_server)
    login(sagene, "sagene@oslo.demo")
    for target in (admin, one(User, email="sagene@oslo.demo")):
        assert post(sagene, f"/folk/{target.id}/fjern").status_code in (403, 404)
    assert one(User, email="admin@oslo.demo").removed_at is None


def test_a_coordinator_logs_out_one_lost_phone_and_the_other_keeps_working(live_server):
    coordinator = HttpClient(live_server)
    login(coordinator, "sagene@oslo.demo")
    daniel = one(User, name="Daniel Dørbanker")
    lost, kept = HttpClient(live_server), HttpClient(live_server)
    for phone in (lost, kept):
        path = issue_login_link(coordinator, daniel)
        phone.post(path, data={"csrf_token": csrf_token(phone, path)}, headers={"User-Agent": f"phone-{id(phone)}"})
    lost_token, kept_token = device_token(lost), device_token(kept)
    lost_device = db.session.scalar(select(Device).order_by(Device.id).limit(1))
    assert post(coordinator, f"/folk/telefon/{lost_device.id}/logg-ut").status_code == 302
    assert syncs(live_server, lost_token) == 401 and logged_in_name(lost) is None
    assert syncs(live_server, kept_token) == 200 and logged_in_name(kept) == "Daniel Dørbanker"
    frogner = HttpClient(live_server)
    login(frogner, "frogner@oslo.demo")
    kept_device = db.session.scalar(select(Device).order_by(Device.id.desc()).limit(1))
    assert post(frogner, f"/folk/telefon/{kept_device.id}/logg-ut").status_code in (403, 404)
    assert syncs(live_server, kept_token) == 200


def test_a_coordinator_whose_last_code_is_fifteen_days_old_gives_a_code_again(live_server, monkeypatch):
    coordinator = HttpClient(live_server)
    login(coordinator, "sagene@oslo.demo")
    remember = copy.copy(coordinator.get_cookie("remember_token"))
    phone = device_token(coordinator)
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(days=13))
    assert coordinator.get("/folk/").status_code == 200
    assert syncs(live_server, phone) == 200
    monkeypatch.setattr(clock, "utcnow", lambda: real() + timedelta(days=15))
    for client in (coordinator, carrying(live_server, remember)):
        answer = client.get("/folk/")
        assert answer.status_code == 302 and answer.location.startswith("/login")
    assert syncs(live_server, phone) == 401, "the phone's sync credential ends with the login it was issued in"
    step = coordinator.post(
        "/login", data={"email": "sagene@oslo.demo", "password": PASSWORD, "csrf_token": csrf_token(coordinator)}
    )
    assert step.location.startswith("/login/kode")


def test_a_new_password_ends_every_login_of_that_person(demo_app, live_server):
    first, second = HttpClient(live_server), HttpClient(live_server)
    login(first, "komite@oslo.demo")
    login(second, "komite@oslo.demo")
    result = demo_app.test_cli_runner().invoke(
        args=["user", "password", "--email", "komite@oslo.demo"], input="nytt-passord-123\nnytt-passord-123\n"
    )
    assert result.exit_code == 0, result.output
    assert logged_in_name(first) is None and logged_in_name(second) is None
    fresh = HttpClient(live_server)
    login(fresh, "komite@oslo.demo", "nytt-passord-123")
    assert logged_in_name(fresh) == "Kari Komité"
