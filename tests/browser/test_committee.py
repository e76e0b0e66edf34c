"""A committee member at a laptop before the meeting: one district, one topic, its themes, the programme, Excel."""
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests import kanon_model
from tests.conftest import PASSWORD, serve

LAPTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "nb-NO"}


@pytest.fixture
def committee_page(insight_app, browser):
    for address in serve(insight_app):
        context = browser.new_context(**LAPTOP, accept_downloads=True)
        page = context.new_page()
        page.goto(f"{address}/login")
        page.get_by_label("E-post").fill("komite@oslo.demo")
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.address = address
        yield page
        context.close()


def test_filter_read_themes_link_to_the_programme_and_download_excel(committee_page, insight_app, tmp_path):
    page = committee_page
    page.goto(f"{page.address}/komite/program")
    page.get_by_label("Overskrift", exact=True).last.fill("Bolig for alle")
    page.get_by_role("button", name="Legg til avsnitt").click()
    expect(page.get_by_text("Avsnittet er lagt til.")).to_be_visible()

    page.get_by_role("link", name="Oversikt").click()
    page.get_by_label("Område", exact=True).select_option(label="Bydel Sagene")
    page.get_by_label("Tema", exact=True).select_option("bolig")
    page.get_by_role("button", name="Vis", exact=True).click()
    everyone, raised = kanon_model.visible(insight_app.generated, where=lambda item: item.district_number == "030103")
    assert 0 < raised["bolig"] < everyone < 1000
    # The topic narrows the figures to those who raised it, and says of how many.
    expect(page.get_by_role("status")).to_contain_text(f"{raised['bolig']} av {everyone} innspill nevnte «bolig».")
    expect(page.get_by_role("heading", name="Andel som nevnte bolig, per bydel")).to_be_visible()

    page.get_by_role("link", name="Innspill og temaer").click()
    expect(page.get_by_role("heading", name="Temaer i «bolig»")).to_be_visible()
    page.get_by_role("button", name="Finn temaer").click()
    # Finding themes is a job: its page shows how it went and leads back to the input, filters and all.
    expect(page.get_by_text(re.compile(r"Fant \d+ nye temaer"))).to_be_visible()
    page.get_by_role("link", name="Tilbake til innspillene").click()
    themes = page.locator("ol.themes > li")
    expect(themes.first).to_be_visible()
    assert themes.count() >= 2
    first = themes.first
    label = first.locator("h3 a").inner_text()
    assert "area=d%3A030103" in page.url or "area=d:030103" in page.url
    first.get_by_label("Besvares i").select_option(label="Bolig for alle")
    first.get_by_role("button", name="Knytt til avsnittet").click()
    expect(page.get_by_text("Knyttet til «Bolig for alle».")).to_be_visible()

    page.get_by_role("link", name="Program", exact=True).click()
    section = page.locator("ol.sections > li").first
    expect(section.get_by_role("link", name=label)).to_be_visible()

    page.get_by_role("link", name="Oversikt").click()
    page.get_by_label("Område", exact=True).select_option(label="Bydel Sagene")
    page.get_by_label("Tema", exact=True).select_option("bolig")
    page.get_by_role("button", name="Vis", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    saved = tmp_path / "innspill.xlsx"
    download.value.save_as(saved)
    book = load_workbook(saved)
    assert book.sheetnames[0] == "Temaer" and book.sheetnames[-1] == "Innspill om bolig"
    themed = [row[0] for row in book["Innspill om bolig"].iter_rows(min_row=2, values_only=True)]
    assert label in themed
    assert len(themed) == kanon_model.readable(insight_app.generated, "bolig",
                                               where=lambda item: item.district_number == "030103")
