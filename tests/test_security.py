"""What a hostile tester tries first: guessing passwords and codes, old invite links, and injected scripts."""
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Branch, Invite, User
from canvass.services.people import people, two_factor
from canvass.web.security import content_security_policy
from tests.conftest import PASSWORD, csrf_token, login, post, two_factor_code

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def one(model, **where):
    return db.session.scalar(select(model).filter_by(**where))


def password_step(client, email: str, password: str = PASSWORD):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})


def test_an_admin_needs_the_code_from_the_app_after_the_password(client):
    response = password_step(client, "admin@oslo.demo")
    assert response.location.startswith("/login/kode")
    assert client.get("/folk/").status_code == 302, "the password alone lets nobody in"
    setup = client.get("/login/kode").get_data(as_text=True)
    assert "Skann QR-koden" in setup and "<svg" in setup
    wrong = client.post("/login/kode", data={"code": "000000", "csrf_token": csrf_token(client, "/login/kode")})
    assert "Feil kode" in wrong.get_data(as_text=True)
    assert one(User, email="admin@oslo.demo").totp_secret is None, "set up only with a right code"
    code = two_factor_code(client, "admin@oslo.demo")
    assert client.post("/login/kode", data={"code": code, "csrf_token": csrf_token(client, "/login/kode")}
                       ).status_code == 302
    assert client.get("/folk/").status_code == 200
    assert one(User, email="admin@oslo.demo").totp_secret is not None


def test_a_code_works_once(client, demo_app):
    login(client, "sagene@oslo.demo")
    user = one(User, email="sagene@oslo.demo")
    used = pyotp.TOTP(user.totp_secret).at(user.totp_last_step * two_factor.STEP)
    other = demo_app.test_client()
    password_step(other, "sagene@oslo.demo")
    again = other.post("/login/kode", data={"code": used, "csrf_token": csrf_token(other, "/login/kode")})
    assert "Feil kode" in again.get_data(as_text=True)


def test_a_coordinator_stays_logged_in_for_two_weeks_and_a_canvassers_phone_for_a_year(client, demo_app):
    login(client, "sagene@oslo.demo")
    coordinator = client.get_cookie("remember_token").expires - datetime.now(UTC)
    phone = demo_app.test_client()
    invite = people.create_invite(one(Branch, name="Sagene"), one(User, email="sagene@oslo.demo"), 30)
    post(phone, f"/bli-med/{invite.token}", {"name": "Kari Dørbanker", "phone": "+4790000001"})
    canvasser = phone.get_cookie("remember_token").expires - datetime.now(UTC)
    assert timedelta(days=13) < coordinator <= timedelta(days=14)
    assert canvasser > timedelta(days=360)


def test_a_committee_member_sees_no_personal_data_and_logs_in_with_the_password(client):
    assert password_step(client, "komite@oslo.demo").location == "/"


def test_an_unfinished_login_runs_out(client, monkeypatch):
    password_step(client, "admin@oslo.demo")
    later = time.time() + 11 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/login/kode").location == "/login"


def test_password_guessing_is_slowed_down_in_norwegian(client):
    answers = [password_step(client, "admin@oslo.demo", "gjett").status_code for _ in range(11)]
    assert answers[:10] == [200] * 10 and answers[10] == 429
    refused = password_step(client, "admin@oslo.demo", "gjett")
    assert "For mange forsøk" in refused.get_data(as_text=True) and refused.headers["Retry-After"]


def test_a_revoked_invite_link_stops_working_at_once(client):
    sagene = one(Branch, name="Sagene")
    invite = people.create_invite(sagene, one(User, email="sagene@oslo.demo"), 30)
    assert client.get(f"/bli-med/{invite.token}").status_code == 200
    login(client, "sagene@oslo.demo")
    assert invite.token and "Trekk tilbake" in client.get("/folk/").get_data(as_text=True)
    assert post(client, f"/folk/invitasjon/{invite.id}/trekk-tilbake").status_code == 302
    assert db.session.get(Invite, invite.id).revoked_at is not None
    stranger = client.application.test_client()
    assert stranger.get(f"/bli-med/{invite.token}").status_code == 404
    assert stranger.post(f"/bli-med/{invite.token}", data={"name": "Snik", "phone": "90000000",
                                                          "csrf_token": csrf_token(stranger)}).status_code == 404
    assert one(User, name="Snik") is None


def test_a_coordinator_cannot_revoke_another_branchs_invite(client):
    frogner = one(Branch, name="Frogner")
    invite = people.create_invite(frogner, one(User, email="frogner@oslo.demo"), 30)
    login(client, "sagene@oslo.demo")
    assert post(client, f"/folk/invitasjon/{invite.id}/trekk-tilbake").status_code == 403
    assert db.session.get(Invite, invite.id).revoked_at is None


def test_every_answer_carries_a_strict_content_security_policy(client):
    for path in ("/login", "/manifest.webmanifest", "/static/css/app.css", "/finnes-ikke"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    headers = client.get("/login").headers
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"


def test_no_image_comes_from_elsewhere_as_map_tiles_come_through_our_own_route():
    assert "img-src 'self' data:;" in content_security_policy()


def test_session_cookies_are_secure_behind_https(monkeypatch, databases_, schema_template):
    from tests.conftest import _dispose, make_app
    monkeypatch.setenv("CANVASS_HTTPS", "1")
    app = make_app(databases_.create(schema_template))
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.test_client().get("/login").headers["Strict-Transport-Security"].startswith("max-age=")
    _dispose(app)


def test_no_template_has_inline_script_style_or_event_handler():
    """The policy would block them in the browser; this finds them before anyone opens the page."""
    found = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        found += [f"{template.name}: {m.group()}" for m in re.finditer(
            r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", text)]
    assert found == []


def test_a_compressed_page_leaves_the_date_to_the_server_so_a_phone_reads_one_date(client):
    """Outsider L: Flask-Compress set a Date on every page it compressed and gunicorn added its own; Chromium gave
    the walk list the two joined, which it could not read, so it never learned the server's clock. The app now
    sends no Date of its own (the server adds one), compressed or not, file or page."""
    for path in ("/uten-nett", "/static/js/store.js", "/favicon.ico"):
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers.getlist("Date") == [], (path, response.headers)
    assert client.get("/uten-nett", headers={"Accept-Encoding": "gzip"}).headers.get("Content-Encoding") == "gzip"
