"""In a real Chromium: the admin uploads a geodata file or fetches a kommune, and htmx swaps in the result."""
import pytest
from playwright.sync_api import expect

from tests import geonorge_standin
from tests.browser.test_join_and_map import log_in

pytestmark = pytest.mark.browser


def test_the_admin_uploads_a_file_and_sees_the_summary_without_a_reload(live_server, phone, geodata):
    page = phone.new_page()
    log_in(page, live_server, "admin@oslo.demo")
    page.goto(f"{live_server}/admin/geodata")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Filer").set_input_files(str(geodata / "oslo_bydeler.geojson"))
    page.get_by_role("button", name="Importer").click()
    result = page.locator("#import-result .result")
    result.wait_for()
    assert "0 bydeler lagt til, 0 endret, 15 uendret, 0 avvist" in result.inner_text()
    assert page.evaluate("window.notReloaded") is True


def test_a_broken_file_is_explained_on_the_page(live_server, phone, tmp_path):
    broken = tmp_path / "ødelagt.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [')
    page = phone.new_page()
    log_in(page, live_server, "admin@oslo.demo")
    page.goto(f"{live_server}/admin/geodata")
    page.get_by_label("Filer").set_input_files(str(broken))
    page.get_by_role("button", name="Importer").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "kan ikke leses som geodata" in alert.inner_text()


@pytest.fixture
def geonorge_server(tmp_path, geodata):
    yield from geonorge_standin.serve(tmp_path, geodata)


def test_the_admin_fetches_bærum_from_geonorge_and_sees_what_each_file_did(demo_app, live_server, phone,
                                                                            geonorge_server):
    demo_app.config.update(GEONORGE_BASE_URL=geonorge_server)
    page = phone.new_page()
    log_in(page, live_server, "admin@baerum.demo")
    page.goto(f"{live_server}/admin/geodata")
    addresses = page.locator("#geodata-counts div", has_text="Adresser").locator("dd")
    before = int(addresses.inner_text().replace("\xa0", "").replace(" ", ""))
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Kommune", exact=True).select_option("3201")
    page.get_by_role("button", name="Hent fra Geonorge").click()
    gml = page.locator("#import-result .result", has_text="Postnummeromrader_GML.gml")
    gml.wait_for()
    assert "Leste kartlaget «Postnummerområde»" in gml.inner_text()
    assert "20 adresser lagt til" in page.locator("#import-result").inner_text()
    # The counts at the top follow what the job loaded, without a reload.
    expect(addresses).to_have_text(format(before + 20, ",").replace(",", "\xa0"))
    assert page.evaluate("window.notReloaded") is True
