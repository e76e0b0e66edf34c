"""Branches by grunnkrets where there are no bydeler: each Matrikkel address names its grunnkrets (number and
name), and a postal code goes to the grunnkrets holding most of its addresses, shown on the territory map."""
import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Address, Branch
from canvass.services.geography import geodata_import
from canvass.services.people import organisations
from canvass.services.turf import turfs
from tests import elverum
from tests.conftest import login, post


@pytest.fixture
def elverum_app(app, geodata, tmp_path):
    """Elverum SV from `org create`, with Elverum's register, postal areas and Kartverket's Matrikkel sample."""
    created = organisations.create("Elverum SV", ["3420"], "Lene Leder", "leder@elverum-sv.no",
                                   password="lang-nok-passord")
    results = geodata_import.import_paths(elverum.files(geodata, tmp_path), scope=created.organisation.kommunenummer)
    assert all(r.stored for r in results)
    return app


@pytest.fixture
def admin(elverum_app):
    client = elverum_app.test_client()
    login(client, "leder@elverum-sv.no", "lang-nok-passord")
    return client


def test_each_matrikkel_address_keeps_the_grunnkrets_number_and_name_of_the_file(elverum_app):
    address = db.session.scalar(select(Address).where(Address.official_id == "matrikkel:399524883"))
    assert (address.grunnkretsnummer, address.grunnkretsnavn) == ("34200104", "Svanåsen")
    assert db.session.scalar(select(Address).where(Address.grunnkretsnummer.is_(None))) is None


def test_branches_by_grunnkrets_take_each_postal_code_where_most_of_its_addresses_lie(admin):
    page = admin.get("/lag/").get_data(as_text=True)
    assert "Ett lag per grunnkrets" in page and "Svanåsen, Grindalsmoen, Bergheim" in page
    page = post(admin, "/lag/inndeling", {"by": "grunnkrets"}, follow_redirects=True).get_data(as_text=True)
    assert "Opprettet 3 lag etter grunnkrets: Svanåsen, Grindalsmoen, Bergheim." in page
    # 2406 has addresses in Grindalsmoen (193), Terningen (56), Øksna (39) and Texas-Travbanen (1).
    assert "Disse postnumrene har adresser i flere grunnkretser og gikk til den med flest: 2406." in page
    db.session.expire_all()
    branches = {b.name: b.territory for b in db.session.scalars(select(Branch))}
    assert branches == {"Grindalsmoen": ["2406"], "Svanåsen": ["2410", "2411"], "Bergheim": ["2412", "2428"]}

    # The territory map names each code's branch.
    owners = {f["properties"]["postnummer"]: f["properties"]["branches"]
              for f in admin.get("/lag/kart.geojson").get_json()["features"]}
    assert owners == {"2406": ["Grindalsmoen"], "2410": ["Svanåsen"], "2411": ["Svanåsen"],
                      "2412": ["Bergheim"], "2428": ["Bergheim"]}


def test_a_branch_takes_the_postal_codes_of_a_grunnkrets_chosen_on_its_page(admin):
    post(admin, "/lag/", {"name": "Elverum sentrum", "kind": "lokallag"})
    branch = db.session.scalar(select(Branch).where(Branch.name == "Elverum sentrum"))
    page = admin.get(f"/lag/{branch.id}").get_data(as_text=True)
    assert "Legg til postnumrene i en grunnkrets" in page and 'value="3420-34200104"' in page
    post(admin, f"/lag/{branch.id}/fra-inndeling", {"by": "grunnkrets", "unit": "3420-34200104"})
    db.session.expire_all()
    assert db.session.get(Branch, branch.id).territory == ["2410", "2411"]


def test_a_grunnkrets_that_is_not_the_organisations_is_refused(admin):
    post(admin, "/lag/", {"name": "Elverum sentrum", "kind": "lokallag"})
    branch = db.session.scalar(select(Branch).where(Branch.name == "Elverum sentrum"))
    response = post(admin, f"/lag/{branch.id}/fra-inndeling", {"by": "grunnkrets", "unit": "0301-03010101"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Branch, branch.id).territory == []


def test_without_matrikkel_addresses_there_is_no_division_by_grunnkrets(app, geodata, tmp_path):
    created = organisations.create("Elverum SV", ["3420"], "Lene Leder", "leder@elverum-sv.no",
                                   password="lang-nok-passord")
    register, areas, _ = elverum.files(geodata, tmp_path)
    geodata_import.import_paths([register, areas], scope=created.organisation.kommunenummer)
    client = app.test_client()
    login(client, "leder@elverum-sv.no", "lang-nok-passord")
    page = post(client, "/lag/inndeling", {"by": "grunnkrets"}, follow_redirects=True).get_data(as_text=True)
    assert "Fant ingen postnumre å dele inn etter grunnkrets." in page
    assert db.session.scalar(select(Branch)) is None


def test_a_party_with_only_the_matrikkel_file_divides_by_valgkrets_and_cuts_turf(app, geodata, tmp_path):
    """The outside tester's new party: Elverum SV could not reach Geonorge, uploaded Kartverket's Matrikkel
    addresses alone, and was told to fetch the addresses it had just fetched."""
    created = organisations.create("Elverum SV", ["3420"], "Lene Leder", "leder@elverum-sv.no",
                                   password="lang-nok-passord")
    *_, matrikkel = elverum.files(geodata, tmp_path)
    assert all(r.stored for r in geodata_import.import_paths([matrikkel], scope=created.organisation.kommunenummer))
    client = app.test_client()
    login(client, "leder@elverum-sv.no", "lang-nok-passord")
    overview = client.get("/lag/").get_data(as_text=True)
    assert "hent adresser fra Matrikkelen først" not in overview
    page = post(client, "/lag/inndeling", {"by": "valgkrets"}, follow_redirects=True).get_data(as_text=True)
    assert "Opprettet" in page, page
    branches = db.session.scalars(select(Branch).order_by(Branch.name)).all()
    assert branches and all(b.postal_codes for b in branches)
    held = sorted(code.postnummer for b in branches for code in b.postal_codes)
    assert held == sorted(set(db.session.scalars(select(Address.postnummer))))
    biggest = max(branches, key=lambda b: len(b.postal_codes))
    own_page = client.get(f"/lag/{biggest.id}").get_data(as_text=True)
    assert all(code.postnummer in own_page for code in biggest.postal_codes)
    assert client.get("/lag/kart.geojson").status_code == 200
    cut = turfs.cut_turfs(biggest, [c.postnummer for c in biggest.postal_codes], target=40)
    assert cut and sum(len(t.stops) for t in cut) == db.session.scalar(
        select(func.count()).select_from(Address).where(Address.postnummer.in_(
            [c.postnummer for c in biggest.postal_codes])))
