"""Norwegian numbers in every file, the week not over yet marked as such, one colour per topic, and themes
that reach members only once a person has named them; on Testby, where each count is known by hand."""
import csv
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from canvass import clock
from canvass.extensions import db
from canvass.insight import charts
from canvass.insight.scrub import scrub
from canvass.models import Address, Report, Theme
from canvass.services.committee import committee_input, programme
from canvass.services.committee.committees import Filters
from tests import figures_world
from tests.conftest import login, post
from tests.pdf import pdf_text


@pytest.fixture
def world(app):
    return figures_world.build()


@pytest.fixture
def committee(world, app):
    client = app.test_client()
    login(client, "komite@test.example")
    return client


def _csv(client, query: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(client.get(f"/komite/eksport.csv?{query}").data.decode("utf-8-sig")),
                           delimiter=";"))


def test_a_semicolon_csv_has_decimal_commas_and_whole_percentages(committee):
    # bolig: 11 of 20 (55 %), importance (6 × 2,5 in W1 … ) 27 / 11 = 2,45 → 2,5; klima 26 / 11 = 2,36 → 2,4.
    rows = _csv(committee, "")
    assert rows[0] == ["Tema", "Innspill", "Andel (%)", "Viktighet (1–3)", "Svært viktig"]
    assert rows[1:] == [["bolig", "11", "55", "2,5", ""], ["klima", "11", "55", "2,4", ""]]
    coverage = {row[0]: row for row in _csv(committee, "tabell=coverage")}
    assert coverage["Nord"][1:] == ["31", "ja", "6", "19", "13", "419,4"]
    assert coverage["Sør"][1:] == ["14", "ja", "3", "21", "7", "500,0"]
    assert coverage["9002 Testby"][1:] == ["20", "", "1", "5", "5", "250,0"]


def test_excel_cells_are_numbers_with_a_number_format(committee):
    book = load_workbook(io.BytesIO(committee.get("/komite/eksport.xlsx").data))
    ranking = book["Temaer"]
    assert [c.value for c in ranking[2]] == ["bolig", 11, 0.55, 2.5, None]
    assert ranking["C2"].number_format == "0%" and ranking["D2"].number_format == "0.0"
    reach = {row[0].value: row for row in book["Dekning"].iter_rows(min_row=2)}
    assert reach["Nord"][6].value == 419.4 and reach["Nord"][6].number_format == "0.0"
    assert reach["Nord"][4].number_format == "0%" and abs(reach["Nord"][4].value - 6 / 31) < 1e-9


def test_the_pdf_and_the_page_print_the_same_numbers(committee):
    page = committee.get("/komite/").get_data(as_text=True)
    text = pdf_text(committee.get("/komite/eksport.pdf").data)
    for shown in ("2,5", "2,4", "55\xa0%", "419,4", "500,0"):
        assert shown in page, shown
        assert f"({shown})" in text, shown
    assert "(2.5)" not in text and "(0.55)" not in text


def test_a_week_not_over_yet_is_not_shown_at_all(committee, monkeypatch):
    """Its cells are still filling: read before and after one door's conversation came in, they would show it."""
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 9, 16, 12))
    page = committee.get("/komite/").get_data(as_text=True)
    assert "Uke 37 2026" in page and "Uke 38 2026" not in page
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 10, 1, 12))
    page = committee.get("/komite/").get_data(as_text=True)
    assert "Uke 37 2026" in page and "Uke 38 2026" in page


def test_a_week_is_read_an_hour_after_it_ends_when_a_sync_begun_before_midnight_has_stored(committee, monkeypatch):
    """Monday 21 September 00:30 in Oslo is 22:30 UTC on Sunday: week 38 is over, but not read yet."""
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 9, 20, 22, 30))
    page = committee.get("/komite/").get_data(as_text=True)
    assert "Uke 37 2026" in page and "Uke 38 2026" not in page
    assert "vises fra mandag 28. september kl. 01.00" in page
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 9, 20, 23, 0))
    assert "Uke 38 2026" in committee.get("/komite/").get_data(as_text=True)


def test_a_topic_has_the_same_colour_in_the_bars_and_the_lines(committee):
    page = committee.get("/komite/").get_data(as_text=True)
    bars = dict(re.findall(r'>([^<>]+)</text><rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="22" fill="(#\w+)"',
                           page))
    legend = r'<rect x="\d+" y="\d+" width="14" height="14" fill="(#\w+)"/><text [^>]*>([^<]+)</text>'
    lines = {name: colour for colour, name in re.findall(legend, page)}
    assert bars == {"bolig": charts.LINE_COLOURS[0], "klima": charts.LINE_COLOURS[1]}
    assert lines == bars


def _bar_colours(page: str) -> dict[str, str]:
    return dict(re.findall(r'>([^<>]+)</text><rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="22" fill="(#\w+)"',
                           page))


def test_a_topic_keeps_its_colour_when_the_filters_change_its_rank(committee):
    whole = _bar_colours(committee.get("/komite/").get_data(as_text=True))
    # In the south district klima comes first, and bolig's 2 residents are too few to show.
    south = _bar_colours(committee.get("/komite/?area=d:990102").get_data(as_text=True))
    by_importance = _bar_colours(committee.get("/komite/?sort=importance").get_data(as_text=True))
    assert south == {"klima": whole["klima"]} and whole["klima"] != whole["bolig"]
    assert by_importance == whole


def test_unthemed_input_can_be_read_before_themes_are_found(committee, world):
    page = committee.get("/komite/innspill?topic=bolig").get_data(as_text=True)
    assert "Innspill uten tema" in page and "Finn temaer" in page
    readable = set(re.findall(r"Innspill merket (k[a-j]+) om", page))
    # Nord's 11 who raised bolig; Sør's two in W1 and three in W2 are too few to read.
    assert readable == {figures_world.mark(n) for n in (1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13)}


def test_found_themes_are_proposals_until_a_person_names_them(committee, world):
    county = world["county"]
    found = committee_input.find_themes(county, Filters(), "bolig")
    themes = db.session.scalars(select(Theme).where(Theme.unsure.is_(False))).all()
    assert found.made == len(themes) > 0 and not any(t.named for t in themes)
    page = committee.get("/komite/innspill?topic=bolig").get_data(as_text=True)
    assert "navneforslag" in page and "Gi temaet et navn før det kan publiseres" in page
    section = programme.add_section(county, "Bolig for alle")
    for theme in themes:
        programme.link_theme(county, section, theme.id)
    content = programme.report_content(county)
    assert content["sections"][0]["themes"] == [] and content["unanswered"] == []
    post(committee, f"/komite/temaer/{themes[0].id}/navn", {"label": themes[0].label})
    db.session.refresh(themes[0])
    assert themes[0].named
    assert [t["label"] for t in programme.report_content(county)["sections"][0]["themes"]] == [themes[0].label]


def test_publishing_asks_first_and_shows_what_will_be_public(committee, world):
    county = world["county"]
    committee_input.find_themes(county, Filters(), "bolig")
    proposal = db.session.scalars(select(Theme).where(Theme.unsure.is_(False))).first()
    section = programme.add_section(county, "Bolig for alle", "Vi bygger.")
    programme.link_theme(county, section, proposal.id)
    form = {"title": "Dette hørte vi i Testby", "intro": "Takk til alle som åpnet døra."}
    asked = post(committee, "/komite/rapport", form)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and db.session.scalar(select(func.count(Report.id))) == 0
    public = page[page.index("Dette blir publisert"):]
    assert "Dette hørte vi i Testby" in public and "Takk til alle som åpnet døra." in public
    assert "Bolig for alle" in public and proposal.label not in public
    assert "1 tema har bare et navneforslag og kommer ikke med" in page
    done = post(committee, "/komite/rapport", {**form, "confirm": "1"})
    assert done.status_code == 302 and db.session.scalar(select(func.count(Report.id))) == 1
    # A title that is not allowed is refused at the first step, and nothing is published.
    refused = post(committee, "/komite/rapport", {"title": "", "intro": "", "confirm": "1"}, follow_redirects=True)
    assert "Overskriften må ha mellom 1 og 200 tegn." in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Report.id))) == 1


def test_an_address_on_a_street_beginning_with_ae_oe_or_aa_is_masked_in_what_committees_read(demo_app):
    """The outside tester's "Gunnbjørg … i Øvrefoss 4" reached the committee word for word: SQLite's lower()
    left "Øvrefoss" as it was, so the street was not found among the known ones."""
    streets = db.session.scalars(select(Address.street).distinct()).all()
    nordic = sorted(s for s in streets if s and s[0] in "ÆØÅ" and " " not in s)
    assert nordic, "the demo has such streets"
    known = committee_input.known_streets()
    for street in nordic[:5]:
        assert street.lower() in known
        assert scrub(f"Naboen i {street} 4 vil ha belysning", known) == "Naboen i [adresse] vil ha belysning"
