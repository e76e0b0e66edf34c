"""In a real Chromium: a coordinator sees held and unheld turf on the map, names a holder and starts a
leaflet drop; the holder finds the turf and the task on the home page."""
import pytest
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Branch
from canvass.services.turf import turfs
from tests.browser.test_join_and_map import log_in

pytestmark = pytest.mark.browser


def test_a_coordinator_names_a_holder_starts_a_drop_and_the_holder_sees_the_task(live_server, browser):
    from tests.browser.conftest import PHONE, log_in_as_daniel

    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    cut = turfs.cut_turfs(sagene, ["0473"], target=60)
    coordinator = browser.new_context(**PHONE)
    page = coordinator.new_page()
    log_in(page, live_server, "sagene@oslo.demo")
    page.goto(f"{live_server}/lag/{sagene.id}/rodeansvarlige")
    page.wait_for_selector("#map[data-loaded]")
    assert page.locator("#map").get_attribute("data-loaded") == str(len(cut))
    assert f"0 av {len(cut)} roder har rodeansvarlig." in page.inner_text("main")

    page.get_by_role("link", name=cut[0].name).click()
    page.get_by_label("Person").first.select_option(label="Daniel Dørbanker")
    page.get_by_label("Folkevalgt i").first.select_option(label="bydelsutvalg")
    page.get_by_role("button", name="Lagre").click()
    assert f"{cut[0].name} har rodeansvarlig Daniel Dørbanker." in page.inner_text("main")
    assert f"1 av {len(cut)} roder har rodeansvarlig." in page.inner_text("main")

    page.get_by_role("link", name="Løpeseddelutdelinger").click()
    page.get_by_label("Navn på utdelingen").fill("Valgavis")
    page.get_by_label("Fra").fill("2026-12-07")
    page.get_by_label("Til").fill("2026-12-09")
    page.get_by_role("button", name="Start utdelingen").click()
    main = page.inner_text("main")
    assert "Utdelingen Valgavis er startet." in main
    assert f"{len(cut) - 1} roder uten noen" in main
    coordinator.close()

    phone = log_in_as_daniel(browser.new_context(**PHONE), live_server)
    phone.goto(f"{live_server}/")
    home = phone.inner_text("main")
    assert "Du er rodeansvarlig" in home and cut[0].name in home and "folkevalgt i bydelsutvalg" in home
    assert "Valgavis" in home and "Løpeseddelutdeling i postkasser" in home
    phone.context.close()
