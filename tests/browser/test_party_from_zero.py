"""In a real Chromium, no demo anywhere: a party starts from an empty database and ends its first evening with a
door recorded on a volunteer's phone.

Setup with the one-time code the server printed and the admin's two-factor; Elverum's geodata fetched on the
geodata page from a Geonorge stand-in serving files shaped as the national ones (the national Postnummerområder
GeoJSON with two layers and a code split over two features, Kartverket's Matrikkel CSV), run by a real queue
consumer while the page shows its progress; branches by valgkrets; an invite; a volunteer who joins on a phone;
turf cut in the branch, an action, the volunteer assigned; a door recorded that the server stores.

Set CANVASS_SCREENSHOTS to a folder to keep the screenshots docs/getting-started.md shows."""
import os
import re
from datetime import datetime
from pathlib import Path

import pyotp
import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import func, select

from canvass import queue
from canvass.extensions import db
from canvass.geo.geometry import from_geojson
from canvass.models import Address, Branch, Organisation, Outcome, PostalArea, Role, User, Visit
from tests import elverum, geonorge_standin
from tests.browser.conftest import PHONE, wait_until
from tests.conftest import roles_of, serve
from tests.test_jobs import Consumers

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CANVASS_SCREENSHOTS")
# A busy machine (a test run in parallel, a consumer starting) gets this long for each step, not 30 s.
SLOW = 120_000
TO_UTM = Transformer.from_crs(4326, 25833, always_xy=True)


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


@pytest.fixture
def gate():
    return geonorge_standin.Gate(hold="MatrikkelenAdresse_CSV")


@pytest.fixture
def geonorge(tmp_path, geodata, gate):
    yield from geonorge_standin.serve_files(tmp_path / "geonorge", elverum.geonorge_files(geodata), gate)


@pytest.fixture
def jobs_on_a_queue(app, tmp_path, geonorge):
    """The app's jobs go to a Huey SQLite queue as with `make run`, and a `flask jobs worker` runs them."""
    app.config.update(QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite'}", GEONORGE_BASE_URL=geonorge)
    queue.close(app)
    consumers = Consumers(app, tmp_path)
    consumers.start()
    yield consumers
    consumers.stop()
    queue.close(app)


@pytest.fixture
def empty_server(app, jobs_on_a_queue):
    yield from serve(app)


def set_up_the_organisation(app, browser, base):
    printed = app.test_cli_runner().invoke(args=["setup", "code"]).output
    code = re.search(r"engangskoden (\S+)", printed).group(1)

    laptop = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nb-NO")
    laptop.set_default_timeout(SLOW)
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
    return laptop, page


def fetch_the_geodata(page, gate, jobs_on_a_queue):
    """From the geodata page, as the admin finds it in the menu: the kommune is named from the kommune list,
    the job's progress shows while the consumer works, and each file's result when it is done."""
    page.get_by_role("link", name="Geodata").click()
    assert page.get_by_label("Kommune", exact=True).locator("option:checked").inner_text() == "3420 Elverum"
    page.get_by_role("button", name="Hent fra Geonorge").click()
    # The postal-area file is fetched; the consumer waits for the address file, and the page says so.
    assert gate.held.wait(240), f"the consumer never asked for the addresses:\n{jobs_on_a_queue.logs()}"
    status = page.locator("#job-status")
    status.locator('[data-state="running"]').wait_for(timeout=120000)
    status.locator(".step", has_text="Del 2 av 3").wait_for(timeout=120000)
    assert "Matrikkelen – Adresse" in status.inner_text()
    page.locator("#import-result").scroll_into_view_if_needed()  # #job-status is swapped every second
    shot(page, "geodata-jobb")
    gate.open()
    status.locator('[data-state="done"]').wait_for(timeout=300000)
    result = status.inner_text()
    # Of the national file's split codes only Elverum's 2406 was kept, and only it is counted.
    assert ("5 postnummerområder lagt til, 0 endret, 0 uendret, 0 avvist (1 postnummer satt sammen av flere deler). "
            "8 postnummerområder i andre kommuner ble hoppet over") in result, result
    assert "Leste kartlaget «postnummeromrader.postnummeromrade»" in result, result
    assert "300 adresser lagt til" in result, result
    page.locator("#import-result").scroll_into_view_if_needed()  # #job-status is swapped every second
    shot(page, "geodata-ferdig")
    # The job is listed on the page with how it ended, and has a page of its own.
    page.reload()
    page.locator("table.jobs a", has_text="Nedlasting fra Geonorge").click()
    assert "Ferdig" in page.inner_text("#job-status")
    assert "300 adresser lagt til" in page.inner_text("main")


def test_a_party_goes_from_an_empty_database_to_a_door_recorded_on_a_volunteers_phone(
        app, empty_server, browser, gate, jobs_on_a_queue, geodata):
    base = empty_server
    laptop, page = set_up_the_organisation(app, browser, base)
    fetch_the_geodata(page, gate, jobs_on_a_queue)

    db.session.rollback()
    organisation = db.session.scalar(select(Organisation))
    assert db.session.scalar(select(func.count()).select_from(Address).where(Address.kommunenummer == "3420")) == 300
    # Only the postal areas touching Elverum came from the national file, and 2406 is the union of its two parts.
    codes = set(db.session.scalars(select(PostalArea.postnummer).where(PostalArea.geometry.is_not(None))))
    assert codes == {"2406", "2410", "2411", "2412", "2428"}
    hull = next(p for code, _, p in elverum.postal_areas(geodata / elverum.MATRIKKEL) if code == elverum.SPLIT)
    stored = shapely.transform(from_geojson(db.session.get(PostalArea, elverum.SPLIT).geometry),
                               TO_UTM.transform, interleaved=False)
    assert abs(stored.area - hull.area) / hull.area < 0.001

    page.get_by_role("link", name="Lag og områder").click()
    page.wait_for_selector("#map[data-loaded]")
    assert page.get_attribute("#map", "data-loaded") == "5"
    page.get_by_role("button", name="Ett lag per valgkrets").click()
    page.wait_for_load_state()
    assert "Opprettet 2 lag etter valgkrets: Leiret, Hernes." in page.inner_text("main")
    page.wait_for_selector("#map[data-loaded]")
    shot(page, "lag")

    page.get_by_role("link", name="Folk").click()
    page.locator("select#branch").select_option(label="Leiret")
    page.get_by_role("button", name="Lag invitasjonslenke").click()
    link = page.get_by_label("Invitasjonslenke").input_value()
    assert "/bli-med/" in link
    shot(page, "invitasjon")

    phone = browser.new_context(**PHONE)
    phone.set_default_timeout(SLOW)
    volunteer = phone.new_page()
    volunteer.goto(link)
    volunteer.get_by_label("Navn").fill("Vilde Frivillig")
    volunteer.get_by_label("Mobilnummer").fill("912 34 567")
    volunteer.get_by_role("button", name="Bli med").click()
    volunteer.wait_for_url(base + "/")
    assert "Velkommen, Vilde Frivillig! Du er nå med i Leiret." in volunteer.inner_text("main")
    vilde = db.session.scalar(select(User).where(User.name == "Vilde Frivillig"))
    leiret = db.session.scalar(select(Branch).where(Branch.name == "Leiret"))
    assert vilde.branch_ids(Role.CANVASSER) == {leiret.id} and roles_of(vilde) == [("canvasser", "Leiret")]
    assert vilde.organisation_id == organisation.id

    # The leader cuts turf in Leiret, plans tonight's action and hands the turf to Vilde.
    page.get_by_role("link", name="Lag og områder").click()
    page.get_by_role("link", name=re.compile("^Leiret")).click()
    page.get_by_role("link", name="Roder", exact=True).click()
    page.wait_for_selector("#map[data-loaded]")
    page.locator('input[name="postnummer"][value="2411"]').check()
    page.get_by_label("Dører per rode").fill("70")
    page.get_by_role("button", name="Del inn i roder").click()
    assert "Delte inn i" in page.inner_text("main")
    turf = page.locator(".cards a strong").first.inner_text()
    assert turf.startswith("2411-")
    shot(page, "roder")

    page.get_by_role("link", name="Lag og områder").click()
    page.get_by_role("link", name=re.compile("^Leiret")).click()
    page.get_by_role("link", name="Aksjoner", exact=True).click()
    now = datetime.now()
    page.get_by_label("Navn på aksjonen").fill("Første kveld på døra")
    page.get_by_label("Dato").fill(now.strftime("%Y-%m-%d"))
    page.get_by_label("Klokkeslett").fill("18:00")
    page.get_by_label("Oppmøtested").fill("Torget")
    page.get_by_label("Temaer (ett per linje)").fill("skole\neldreomsorg\nkollektivtrafikk")
    page.get_by_role("button", name="Opprett aksjon").click()
    page.wait_for_url(re.compile(r"/aksjoner/\d+$"))
    row = page.locator(".turf-row").filter(has_text=turf)
    row.locator("select").first.select_option(label="Vilde Frivillig")
    row.get_by_role("button", name="Tildel").click()
    assert f"{turf} er tildelt Vilde Frivillig." in page.inner_text("main")
    shot(page, "aksjon")
    laptop.close()

    # Vilde, still logged in on her phone since she joined, finds the turf and records a door.
    volunteer.goto(base + "/")
    volunteer.get_by_role("link", name=re.compile(re.escape(turf))).click()
    volunteer.wait_for_url(re.compile(r"/felt/\d+"))
    wait_until(volunteer, "() => window.CanvassStore && CanvassStore.get('device-token').then(t => !!t)",
                                timeout=120000)
    volunteer.locator('button[name="tap"][value^="not_home "]').first.click()
    volunteer.locator("li.door .result").first.wait_for()
    volunteer.locator('[data-state="sent"]').wait_for(timeout=120000)
    shot(volunteer, "dor")
    phone.close()

    db.session.rollback()
    stored = db.session.scalars(select(Visit)).all()
    assert [(v.outcome, v.canvasser_id) for v in stored] == [(Outcome.NOT_HOME, vilde.id)]
    assert db.session.get(Address, stored[0].address_id).postnummer == "2411"
