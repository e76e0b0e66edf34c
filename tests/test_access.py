"""Every view checks the role and the branch; forms need a CSRF token."""
import pytest
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Branch
from tests.conftest import login, post

PROTECTED = ["/lag/", "/lag/kart.geojson", "/folk/", "/admin/geodata", "/admin/geodata/kart.geojson"]


def branch_id(name: str) -> int:
    return db.session.scalar(select(Branch.id).where(Branch.name == name))


@pytest.mark.parametrize("path", PROTECTED)
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.location.startswith("/login")


def test_a_wrong_password_is_refused_in_norwegian(client):
    from tests.conftest import csrf_token
    response = client.post("/login", data={"email": "admin@oslo.demo", "password": "feil",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 200
    assert "Feil e-post eller passord." in response.get_data(as_text=True)


def test_a_form_without_csrf_token_is_refused_and_changes_nothing(client):
    login(client, "admin@oslo.demo")
    response = client.post("/lag/", data={"name": "Snikelaget", "kind": "lokallag"})
    assert response.status_code == 400
    assert "Skjemaet er utløpt eller ugyldig" in response.get_data(as_text=True)
    assert db.session.scalar(select(Branch).where(Branch.name == "Snikelaget")) is None


def test_htmx_requests_carry_the_csrf_token_in_a_header(client):
    from tests.conftest import csrf_token
    login(client, "admin@oslo.demo")
    token = csrf_token(client, "/lag/")
    response = client.post("/lag/", data={"name": "Htmx-laget", "kind": "lokallag"},
                           headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 302


def test_a_sagene_coordinator_cannot_see_or_change_frogner(client):
    login(client, "sagene@oslo.demo")
    frogner = branch_id("Frogner")
    assert client.get(f"/lag/{branch_id('Sagene')}").status_code == 200
    assert client.get(f"/lag/{frogner}").status_code == 403
    assert post(client, f"/lag/{frogner}/postnumre", {"postnummer": ["0460"]}).status_code == 403
    assert post(client, "/folk/invitasjon", {"branch": frogner}).status_code == 403


def test_a_coordinator_cannot_change_their_own_territory_only_the_admin_can(client):
    login(client, "sagene@oslo.demo")
    sagene = branch_id("Sagene")
    before = db.session.get(Branch, sagene).territory
    assert post(client, f"/lag/{sagene}/postnumre", {"postnummer": ["0460"]}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Branch, sagene).territory == before


def test_the_coordinator_map_holds_only_their_own_branch(client):
    login(client, "sagene@oslo.demo")
    features = client.get("/lag/kart.geojson").get_json()["features"]
    assert features and all(f["properties"]["branches"] == ["Sagene"] for f in features)


def test_a_baerum_admin_never_sees_oslo(client):
    login(client, "admin@baerum.demo")
    assert client.get(f"/lag/{branch_id('Sagene')}").status_code == 404
    codes = {f["properties"]["postnummer"] for f in client.get("/lag/kart.geojson").get_json()["features"]}
    assert codes and all(code.startswith("13") for code in codes)
    page = client.get("/folk/").get_data(as_text=True)
    assert "Bjørn Bærum" in page and "Astrid Admin" not in page


@pytest.mark.parametrize("email", ["sagene@oslo.demo", "komite@oslo.demo"])
def test_only_admins_load_geodata(client, email):
    login(client, email)
    assert client.get("/admin/geodata").status_code == 403


def test_canvassers_and_committee_members_do_not_manage_branches(client):
    login(client, "komite@oslo.demo")
    assert client.get("/lag/").status_code == 403
    assert client.get("/folk/").status_code == 403
