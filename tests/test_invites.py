"""A coordinator invites volunteers with a link and QR code; a volunteer joins without a password."""
import re
import threading
import uuid
from datetime import timedelta

from sqlalchemy import select

from canvass import clock
from canvass.extensions import db
from canvass.models import Branch, Invite, User
from canvass.services.people import people
from tests.conftest import csrf_token, form_id_in, login, post, roles_of
from tests.http import HttpClient


def invite_link(client) -> str:
    login(client, "sagene@oslo.demo")
    page = post(client, "/folk/invitasjon", {}).get_data(as_text=True)
    assert "Invitasjon til Sagene" in page and "<svg" in page
    link = re.search(r'value="(http://localhost/bli-med/[^"]+)"', page).group(1)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    return link.removeprefix("http://localhost")


def test_a_volunteer_joins_with_name_and_phone_and_stays_logged_in(demo_app):
    coordinator = demo_app.test_client()
    path = invite_link(coordinator)
    phone = demo_app.test_client()
    page = phone.get(path).get_data(as_text=True)
    assert "Bli med i Sagene" in page
    response = phone.post(path, data={"name": "Nora Ny", "phone": "912 34 568", "csrf_token": csrf_token(phone, path)})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    user = db.session.scalar(select(User).where(User.name == "Nora Ny"))
    assert (roles_of(user), user.phone, user.password_hash) == ([("canvasser", "Sagene")], "91234568", None)
    assert "remember_token" in {c.key for c in phone._cookies.values()}
    assert "Velkommen, Nora Ny!" in phone.get("/").get_data(as_text=True)


def test_joining_needs_a_phone_number_or_an_email(demo_app):
    path = invite_link(demo_app.test_client())
    phone = demo_app.test_client()
    response = phone.post(path, data={"name": "Uten Kontakt", "csrf_token": csrf_token(phone, path)})
    assert "Skriv mobilnummer eller e-post" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.name == "Uten Kontakt")) is None


def test_a_coordinators_email_at_an_invite_makes_a_volunteer_account_without_her_access(demo_app):
    path = invite_link(demo_app.test_client())
    phone = demo_app.test_client()
    response = phone.post(path, data={"name": "Inntrenger", "email": "sagene@oslo.demo",
                                      "csrf_token": csrf_token(phone, path)})
    assert response.status_code == 302
    assert phone.get("/folk/").status_code == 403
    intruder = db.session.scalar(select(User).where(User.name == "Inntrenger"))
    assert (roles_of(intruder), intruder.password_hash) == ([("canvasser", "Sagene")], None)


def test_an_expired_or_unknown_invite_says_so(demo_app):
    path = invite_link(demo_app.test_client())
    invite = db.session.scalar(select(Invite))
    invite.expires_at -= timedelta(days=365)
    db.session.commit()
    for link in (path, "/bli-med/finnes-ikke"):
        response = demo_app.test_client().get(link)
        assert response.status_code == 404
        assert "Invitasjonen gjelder ikke lenger" in response.get_data(as_text=True)


def test_an_admin_invites_to_any_branch_of_the_organisation(client):
    login(client, "admin@oslo.demo")
    frogner = db.session.scalar(select(Branch).where(Branch.name == "Frogner")).id
    page = post(client, "/folk/invitasjon", {"branch": frogner}).get_data(as_text=True)
    assert "Invitasjon til Frogner" in page


def test_active_invites_are_listed_and_their_qr_code_can_be_shown_again(client):
    login(client, "sagene@oslo.demo")
    post(client, "/folk/invitasjon", {})
    page = client.get("/folk/").get_data(as_text=True)
    link = re.search(r'href="(/folk/invitasjon/\d+)"', page).group(1)
    assert "Sagene: gjelder til" in page
    assert "<svg" in client.get(link).get_data(as_text=True)


def test_an_invite_of_another_branch_cannot_be_shown(client):
    login(client, "frogner@oslo.demo")
    post(client, "/folk/invitasjon", {})
    frogner_invite = db.session.scalar(select(Invite).order_by(Invite.id.desc())).id
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "sagene@oslo.demo")
    assert client.get(f"/folk/invitasjon/{frogner_invite}").status_code == 403


def test_a_double_tap_on_bli_med_or_the_form_sent_again_after_back_joins_once(demo_app):
    """Both taps carry the same form, with the cookie the page had: one volunteer, and both land logged in as her.
    After Back the same form sent again logs her in again; a form opened afresh is a new person joining."""
    path = invite_link(demo_app.test_client())
    phone = demo_app.test_client()
    page = phone.get(path).get_data(as_text=True)
    form = {"name": "Dina Dobbel", "phone": "912 34 570", "csrf_token": csrf_token(phone, path),
            "form_id": form_id_in(page)}
    cookies = {c.key: c.value for c in phone._cookies.values()}
    second = demo_app.test_client()
    for key, value in cookies.items():
        second.set_cookie(key, value)
    assert [phone.post(path, data=form).status_code, second.post(path, data=form).status_code] == [302, 302]
    joined = db.session.scalars(select(User).where(User.name == "Dina Dobbel")).all()
    assert len(joined) == 1
    assert "Velkommen, Dina Dobbel!" in second.get("/").get_data(as_text=True)
    # Back to the form, and "Bli med" again: still her.
    assert phone.post(path, data={**form, "csrf_token": csrf_token(phone, path)}).status_code == 302
    assert len(db.session.scalars(select(User).where(User.name == "Dina Dobbel")).all()) == 1
    # Someone else on the same phone opens the link afresh: a new form, a new volunteer.
    other = demo_app.test_client()
    fresh = other.get(path).get_data(as_text=True)
    again = {**form, "name": "Dina Dobbel", "csrf_token": csrf_token(other, path),
             "form_id": form_id_in(fresh)}
    assert again["form_id"] != form["form_id"]
    assert other.post(path, data=again).status_code == 302
    assert len(db.session.scalars(select(User).where(User.name == "Dina Dobbel")).all()) == 2


def test_the_join_form_sent_again_after_back_with_the_name_put_right_is_the_one_volunteer_renamed(demo_app):
    """Outsider G went Back, put their name right and pressed «Bli med» again: the account the first tap made stood
    as it was, and the new name was dropped without a word."""
    path = invite_link(demo_app.test_client())
    phone = demo_app.test_client()
    page = phone.get(path).get_data(as_text=True)
    form = {"name": "Nora Nordmnn", "phone": "912 34 574",
            "form_id": form_id_in(page)}
    assert phone.post(path, data={**form, "csrf_token": csrf_token(phone, path)}).status_code == 302
    again = phone.post(path, data={**form, "name": "Nora Nordmann", "phone": "", "email": "nora@example.org",
                                   "csrf_token": csrf_token(phone, path)}, follow_redirects=True)
    assert "Velkommen, Nora Nordmann!" in again.get_data(as_text=True)
    joined = db.session.scalars(select(User).where(User.name.like("Nora Nordm%"))).all()
    assert [(u.name, u.phone, u.email) for u in joined] == [("Nora Nordmann", None, "nora@example.org")]


def test_the_same_invite_form_sent_again_later_logs_nobody_in(demo_app, monkeypatch):
    """The outsider's replay: a form that joined, sent again from another phone, logged in as the person who joined
    with it. Within minutes it is still the double tap; after that the form is used up."""
    path = invite_link(demo_app.test_client())
    phone = demo_app.test_client()
    page = phone.get(path).get_data(as_text=True)
    form = {"name": "Rita Replay", "phone": "912 34 573",
            "form_id": form_id_in(page)}
    assert phone.post(path, data={**form, "csrf_token": csrf_token(phone, path)}).status_code == 302
    later = clock.utcnow() + people.SAME_FORM + timedelta(seconds=1)
    monkeypatch.setattr(people, "utcnow", lambda: later)
    other = demo_app.test_client()
    answer = other.post(path, data={**form, "csrf_token": csrf_token(other, path)}, follow_redirects=True)
    assert "Dette skjemaet er brukt allerede" in answer.get_data(as_text=True)
    assert "Rita Replay" not in other.get("/").get_data(as_text=True)
    assert len(db.session.scalars(select(User).where(User.name == "Rita Replay")).all()) == 1


def test_a_form_id_that_is_not_one_is_refused_in_norwegian_and_joins_nobody(demo_app):
    path = invite_link(demo_app.test_client())
    phone = demo_app.test_client()
    response = phone.post(path, data={"name": "Tom Tukl", "phone": "912 34 571", "csrf_token": csrf_token(phone, path),
                                      "form_id": "'; DROP TABLE user; --"})
    assert response.status_code == 200 and "Skjemaet er ødelagt. Last inn siden på nytt." in response.get_data(
        as_text=True)
    assert db.session.scalar(select(User).where(User.name == "Tom Tukl")) is None
    # A UUID in another spelling is the same form, stored in one spelling (the column holds 36 characters).
    spelled = "urn:uuid:" + str(uuid.uuid4()).upper()
    form = {"name": "Tom Tukl", "phone": "912 34 571", "form_id": spelled}
    for _ in range(2):
        assert phone.post(path, data={**form, "csrf_token": csrf_token(phone, path)}).status_code == 302
    assert [u.join_key for u in db.session.scalars(select(User).where(User.name == "Tom Tukl"))] == [
        spelled.removeprefix("urn:uuid:").lower()]


def test_two_taps_that_reach_the_server_at_the_same_moment_make_one_volunteer(demo_app, live_server):
    """Over real HTTP, the two requests of a double tap let go together, a few times over: whichever stores the form
    first, the other finds that account."""
    path = invite_link(demo_app.test_client())
    for attempt in range(4):
        phone = HttpClient(live_server)
        page = phone.get(path).get_data(as_text=True)
        form = {"name": f"Tvilling {attempt}", "phone": "912 34 572", "csrf_token": csrf_token(phone, path),
                "form_id": form_id_in(page)}
        twin = HttpClient(live_server)
        for cookie in phone.jar:
            twin.jar.set_cookie(cookie)
        together = threading.Barrier(2)
        answers = []

        def tap(client, form=form, together=together, answers=answers):
            together.wait()
            answers.append(client.post(path, data=form).status_code)

        taps = [threading.Thread(target=tap, args=(client,)) for client in (phone, twin)]
        for thread in taps:
            thread.start()
        for thread in taps:
            thread.join()
        assert answers == [302, 302]
        db.session.expire_all()
        assert len(db.session.scalars(select(User).where(User.name == f"Tvilling {attempt}")).all()) == 1
