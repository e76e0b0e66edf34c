"""In a real Chromium: a volunteer joins from an invite link on a phone; the admin sees the branch map."""
import pyotp
import pytest
from sqlalchemy import select

from canvass.extensions import db
from canvass.geo.geometry import from_geojson
from canvass.models import Branch, PostalArea, User
from canvass.services.geography import territory
from canvass.services.people import people

pytestmark = pytest.mark.browser


def sagene_invite_path() -> str:
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
    return f"/bli-med/{people.create_invite(sagene, coordinator, days=30).token}"


def log_in(page, base: str, email: str):
    page.goto(f"{base}/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill("demo-passord")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()
    if "/login/kode" in page.url:
        # First time: the page shows the key an authenticator app would read from the QR code.
        secret = page.locator("[data-secret]").get_attribute("data-secret")
        page.get_by_label("Kode fra appen").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Logg inn").click()


def test_a_volunteer_joins_by_invite_link_and_stays_logged_in(live_server, phone):
    page = phone.new_page()
    page.goto(live_server + sagene_invite_path())
    assert page.get_by_role("heading").first.inner_text() == "Bli med i Sagene"
    page.get_by_label("Navn").fill("Ola Nordmann")
    page.get_by_label("Mobilnummer").fill("912 34 000")
    page.get_by_role("button", name="Bli med").click()
    page.wait_for_url(live_server + "/")
    assert "Velkommen, Ola Nordmann! Du er nå med i Sagene." in page.inner_text("main")
    page.close()

    again = phone.new_page()
    again.goto(live_server + "/")
    assert "Du er dørbanker i Sagene" in again.inner_text("main")


def test_a_missing_contact_is_explained_next_to_the_field(live_server, phone):
    page = phone.new_page()
    page.goto(live_server + sagene_invite_path())
    page.get_by_label("Navn").fill("Uten Kontakt")
    page.get_by_role("button", name="Bli med").click()
    error = page.locator("#phone-error")
    assert "Skriv mobilnummer eller e-post" in error.inner_text()
    assert page.get_by_label("Mobilnummer").get_attribute("aria-invalid") == "true"


def test_the_admin_map_draws_every_branch_territory(live_server, phone):
    oslo = db.session.scalar(select(Branch).where(Branch.name == "Sagene")).organisation
    expected = len(territory.territory_geojson(oslo)["features"])
    page = phone.new_page()
    log_in(page, live_server, "admin@oslo.demo")
    page.goto(f"{live_server}/lag/")
    page.wait_for_selector("#map[data-loaded]")
    assert int(page.get_attribute("#map", "data-loaded")) == expected > 400
    assert page.locator(".leaflet-overlay-pane canvas").count() == 1
    assert "© Kartverket" in page.inner_text(".leaflet-control-attribution")


def test_tapping_the_map_ticks_the_postal_code(live_server, phone):
    page = phone.new_page()
    log_in(page, live_server, "admin@oslo.demo")
    studentlaget = db.session.scalar(select(Branch).where(Branch.name == "Studentlaget"))
    # The largest postal code no branch holds yet (a code belongs to one branch), easy to tap.
    areas = [db.session.get(PostalArea, c) for c in territory.coverage(studentlaget.organisation).uncovered]
    code = max((a for a in areas if a.geometry), key=lambda a: from_geojson(a.geometry).area).postnummer
    page.goto(f"{live_server}/lag/{studentlaget.id}")
    page.wait_for_selector("#map[data-loaded]")
    box = page.locator(f'input[name="postnummer"][value="{code}"]')
    assert not box.is_checked()
    inside = from_geojson(db.session.get(PostalArea, code).geometry).representative_point()
    point = page.evaluate(
        "([lat, lon]) => document.getElementById('map').leafletMap.latLngToContainerPoint([lat, lon])",
        [inside.y, inside.x],
    )
    page.locator("#map").click(position={"x": point["x"], "y": point["y"]})
    assert box.is_checked()
    page.get_by_role("button", name="Lagre området").click()
    assert "Studentlaget har nå 1 postnumre." in page.inner_text("main")


def test_the_geodata_map_labels_the_districts(live_server, phone):
    page = phone.new_page()
    log_in(page, live_server, "admin@oslo.demo")
    page.goto(f"{live_server}/admin/geodata")
    page.wait_for_selector("#map[data-overlay-loaded]")
    assert page.get_attribute("#map", "data-overlay-loaded") == "15"
    assert "Grünerløkka" in page.locator(".district-label").all_inner_texts()
