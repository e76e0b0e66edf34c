"""The admin gives each branch its territory of postal codes and sees coverage on a map."""
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Branch
from tests.conftest import login, post


def branch(name: str) -> Branch:
    return db.session.scalar(select(Branch).where(Branch.name == name))


def test_the_demo_gives_each_district_branch_the_postal_codes_of_its_bydel(demo_app):
    sagene = branch("Sagene")
    assert len(sagene.organisation.branches) == 16
    assert {"0460", "0473", "0483"} <= set(sagene.territory)
    assert "0562" in branch("Grünerløkka").territory
    assert branch("Studentlaget").territory == []


def test_baerum_divisions_split_its_29_postal_codes(demo_app):
    baerum = branch("Vestre Bærum").organisation
    assert len(baerum.branches) == 5
    codes = [c for b in baerum.branches for c in b.territory]
    assert len(codes) == len(set(codes)) == 29


def test_admin_creates_a_branch_and_picks_its_postal_codes(client):
    login(client, "admin@oslo.demo")
    response = post(client, "/lag/", {"name": "Torshov", "kind": "lokallag"})
    assert response.status_code == 302
    torshov = branch("Torshov")
    response = post(client, f"/lag/{torshov.id}/postnumre", {"postnummer": ["0476", "0477"]},
                    follow_redirects=True)
    assert "Torshov har nå 2 postnumre." in response.get_data(as_text=True)
    db.session.expire_all()
    assert branch("Torshov").territory == ["0476", "0477"]


def test_a_duplicate_branch_name_gets_a_clear_message(client):
    login(client, "admin@oslo.demo")
    response = post(client, "/lag/", {"name": "sagene", "kind": "lokallag"})
    assert response.status_code == 400
    assert "Det finnes allerede et lag med dette navnet." in response.get_data(as_text=True)


def test_postal_codes_outside_the_organisation_are_refused_and_nothing_changes(client):
    login(client, "admin@oslo.demo")
    sagene = branch("Sagene")
    before = list(sagene.territory)
    response = post(client, f"/lag/{sagene.id}/postnumre", {"postnummer": ["0462", "1337", "9999"]},
                    follow_redirects=True)
    assert "Ukjente postnumre for Oslo: 1337, 9999. Ingenting ble endret." in response.get_data(as_text=True)
    db.session.expire_all()
    assert branch("Sagene").territory == before


def test_territory_derived_from_a_district_polygon(client):
    login(client, "admin@oslo.demo")
    studentlaget = branch("Studentlaget")
    response = post(client, f"/lag/{studentlaget.id}/fra-bydel", {"district": "030103"}, follow_redirects=True)
    assert "fra bydel Sagene" in response.get_data(as_text=True)
    db.session.expire_all()
    assert branch("Studentlaget").territory == branch("Sagene").territory


def test_the_map_shows_contested_and_uncovered_postal_codes(client):
    login(client, "admin@oslo.demo")
    frogner = branch("Frogner")
    post(client, f"/lag/{frogner.id}/postnumre", {"postnummer": frogner.territory + ["0460"]})
    features = {f["properties"]["postnummer"]: f["properties"] for f in client.get("/lag/kart.geojson").get_json()["features"]}
    assert features["0460"]["status"] == "contested"
    assert features["0460"]["branches"] == ["Frogner", "Sagene"]
    assert features["0150"]["status"] == "uncovered"
    assert features["0473"]["status"] == "covered"
    page = client.get("/lag/").get_data(as_text=True)
    assert "0460: Frogner, Sagene" in page
