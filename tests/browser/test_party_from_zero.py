"""In a real Chromium, no demo anywhere: an empty database, setup with the one-time code the server printed,
the admin's two-factor, Elverum's geodata, branches by valgkrets, an invite, and a volunteer who joins.

Set CANVASS_SCREENSHOTS to a folder to keep the screenshots docs/getting-started.md shows."""
import os
import re
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Branch, Organisation, User
from canvass.services import geodata_import
from tests import elverum
from tests.browser.conftest import PHONE
from tests.conftest import serve

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CANVASS_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


@pytest.fixture
def empty_server(app):
    yield from serve(app)


def test_a_party_goes_from_an_empty_database_to_a_volunteer_in_a_branch(app, empty_server, browser, geodata,
                                                                       tmp_path):
    base = empty_server
    printed = app.test_cli_runner().invoke(args=["setup", "code"]).output
    code = re.search(r"engangskoden (\S+)", printed).group(1)

    laptop = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nb-NO")
    page = laptop.new_page()
    page.goto(base + "/")
    page.get_by_role("link", name=re.compile("Ny installasjon")).click()
    page.wait_for_url(base + "/oppsett")
    page.get_by_label("Engangskode fra serveren").fill(code)
    page.get_by_label("Organisasjonens navn").fill("Elverum SV")
    page.get_by_label("Parti").fill("SV")
    # The list filters as one types; the ticked kommune stays.
    page.get_by_label(re.compile("Søk etter kommune")).fill("elverum")
    assert page.locator("li[data-search]:visible").count() == 1
    page.get_by_label("3420 Elverum").check()
    shot(page, "oppsett")
    page.get_by_label("Ditt navn").fill("Lene Leder")
    page.get_by_label("Din e-post").fill("leder@elverum-sv.no")
    page.get_by_label("Passord (minst 10 tegn)").fill("et langt passord")
    page.get_by_label("Passordet en gang til").fill("et langt passord")
    page.get_by_role("button", name="Opprett organisasjonen").click()

    page.wait_for_url(re.compile(r"/login/kode"))
    secret = page.locator("[data-secret]").get_attribute("data-secret")
    shot(page, "tofaktor")
    page.get_by_label("Kode fra appen").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(base + "/oppsett/ferdig")
    assert "Elverum SV er klar" in page.inner_text("main")
    shot(page, "klar")
    # The code is used up: setup is closed.
    assert page.goto(base + "/oppsett").status == 404

    # Elverum's geodata, through the import the geodata page and `geodata download` use.
    organisation = db.session.scalar(select(Organisation))
    results = geodata_import.import_paths(elverum.files(geodata, tmp_path), scope=organisation.kommunenummer)
    assert all(r.stored for r in results)

    page.goto(base + "/lag/")
    page.wait_for_selector("#map[data-loaded]")
    assert page.get_attribute("#map", "data-loaded") == "5"
    page.get_by_role("button", name="Ett lag per valgkrets").click()
    page.wait_for_load_state()
    assert "Opprettet 2 lag etter valgkrets: Leiret, Hernes." in page.inner_text("main")
    page.wait_for_selector("#map[data-loaded]")
    shot(page, "lag")

    page.goto(base + "/folk/")
    page.locator("select#branch").select_option(label="Leiret")
    page.get_by_role("button", name="Lag invitasjonslenke").click()
    link = page.get_by_label("Invitasjonslenke").input_value()
    assert "/bli-med/" in link
    shot(page, "invitasjon")

    phone = browser.new_context(**PHONE)
    volunteer = phone.new_page()
    volunteer.goto(link)
    volunteer.get_by_label("Navn").fill("Vilde Frivillig")
    volunteer.get_by_label("Mobilnummer").fill("912 34 567")
    volunteer.get_by_role("button", name="Bli med").click()
    volunteer.wait_for_url(base + "/")
    assert "Velkommen, Vilde Frivillig! Du er nå med i Leiret." in volunteer.inner_text("main")
    phone.close()
    laptop.close()
    joined = db.session.scalar(select(User).where(User.name == "Vilde Frivillig"))
    assert joined.branch_id == db.session.scalar(select(Branch.id).where(Branch.name == "Leiret"))
