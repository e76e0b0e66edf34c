"""Every committee filter narrows every figure, checked against Testby, where each count is known by hand
(tests/figures_world.py), and how representative the input is, per area."""
import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from canvass.services.committee import committee_input, committees, coverage
from canvass.services.committee.committees import Filters
from tests import figures_world
from tests.conftest import login
from tests.figures_world import LONE_WORDS, W1, W2, W3

NORD, SOR = "990101", "990102"


@pytest.fixture
def world(app):
    return figures_world.build()


def _figures(world, **chosen) -> dict:
    """Every number the dashboard shows for the filters, by where it is shown."""
    board = committees.dashboard(world["county"], Filters(**chosen))
    rows = lambda table: {key: (total, {t: n for t, n in cells.items() if n is not None})  # noqa: E731
                          for key, total, cells in table.rows}
    return {"total": board.total, "ranking": {r.topic: r.residents for r in board.ranking},
            "districts": rows(board.districts), "branches": rows(board.branches), "weeks": rows(board.weeks),
            "campaigns": rows(board.campaigns), "whole": board.whole}


def test_without_filters_the_figures_are_the_visible_cells(world):
    shown = _figures(world)
    assert shown["total"] == 20
    assert shown["ranking"] == {"bolig": 11, "klima": 11}
    assert shown["districts"] == {NORD: (13, {"bolig": 11, "klima": 6}), SOR: (7, {"klima": 5})}
    assert shown["weeks"] == {(2026, 37): (15, {"bolig": 6, "klima": 11}), (2026, 38): (5, {"bolig": 5})}
    assert shown["campaigns"] == {world["campaign"].id: (13, {"bolig": 11, "klima": 6}), 0: (7, {"klima": 5})}


def test_the_topic_narrows_every_figure_to_those_who_raised_it(world):
    shown = _figures(world, topic="bolig")
    # Sagene's complaint: the count must change when a topic is chosen.
    assert shown["total"] == 11 and shown["whole"] == 20
    assert shown["ranking"] == {"klima": 5}
    assert shown["districts"] == {NORD: (11, {"klima": 5})}
    assert shown["weeks"] == {(2026, 37): (6, {"klima": 5}), (2026, 38): (5, {})}
    assert shown["branches"] == {world["north"].id: (11, {"klima": 5})}
    assert shown["campaigns"] == {world["campaign"].id: (11, {"klima": 5})}
    klima = _figures(world, topic="klima")
    assert klima["total"] == 11 and klima["ranking"] == {"bolig": 5}
    assert klima["districts"] == {NORD: (6, {"bolig": 5}), SOR: (5, {})}


def test_the_area_narrows_every_figure(world):
    assert _figures(world, district=NORD)["total"] == 13
    assert _figures(world, district=NORD)["ranking"] == {"bolig": 11, "klima": 6}
    south = _figures(world, district=SOR)
    assert south["total"] == 7 and south["ranking"] == {"klima": 5}
    assert south["weeks"] == {(2026, 37): (7, {"klima": 5})}
    assert _figures(world, branch_id=world["south"].id)["districts"] == {SOR: (7, {"klima": 5})}


def test_the_campaign_and_the_period_narrow_every_figure(world):
    campaign = _figures(world, campaign_id=world["campaign"].id)
    assert campaign["total"] == 13 and campaign["ranking"] == {"bolig": 11, "klima": 6}
    assert campaign["branches"] == {world["north"].id: (13, {"bolig": 11, "klima": 6})}
    # Wednesday to Thursday of W1 is widened to the whole week.
    week = _figures(world, start=W1 + timedelta(days=2), end=W1 + timedelta(days=3))
    assert week["total"] == 15 and week["ranking"] == {"klima": 11, "bolig": 6}
    assert _figures(world, start=W2)["total"] == 5


def test_filters_combined_narrow_together(world):
    shown = _figures(world, topic="bolig", start=W2, end=W2 + timedelta(days=6), campaign_id=world["campaign"].id)
    assert shown["total"] == 5 and shown["ranking"] == {}
    assert _figures(world, topic="bolig", district=SOR)["total"] == 0


def test_narrowing_until_one_person_is_left_shows_nothing_of_them(world, app):
    lonely = [Filters(district=SOR, start=W3, end=W3),
              Filters(district=SOR, start=W3, end=W3, topic="skole"),
              Filters(branch_id=world["south"].id, start=W3, topic="skole"),
              Filters(district=NORD, start=W1, end=W1, topic="skole", campaign_id=world["campaign"].id)]
    for filters in lonely:
        board = committees.dashboard(world["county"], filters)
        assert board.total == 0 and board.ranking == [] and not board.districts.rows and not board.weeks.rows
        assert committee_input.topic_inputs(world["county"], filters, "skole", 100) == []
        # The topics to choose between are the other filters' (the lone resident's topic is not one of them).
        assert "skole" not in dict(committee_input.topics(world["county"], filters))
    client = app.test_client()
    login(client, "komite@test.example")
    for query in ("area=d:990102&start=2026-09-21&end=2026-09-27&topic=skole", "topic=skole", ""):
        for path in ("/komite/", "/komite/innspill", "/komite/eksport.csv", "/komite/sammenlign?a=d:990102"):
            page = client.get(f"{path}{'&' if '?' in path else '?'}{query}")
            assert page.status_code == 200
            assert "Kari" not in page.get_data(as_text=True) and "Bakkegata" not in page.get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get("/komite/eksport.xlsx?topic=skole").data))
    assert all("Kari" not in str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
    assert LONE_WORDS not in client.get("/komite/innspill?topic=skole").get_data(as_text=True)


def test_the_dashboard_says_how_many_of_all_raised_the_topic(world, app):
    client = app.test_client()
    login(client, "komite@test.example")
    page = client.get("/komite/?topic=bolig").get_data(as_text=True)
    assert "11 av 20 innspill" in page
    everything = client.get("/komite/").get_data(as_text=True)
    assert "20 innspill med disse filtrene" in everything
    rows = list(csv.reader(io.StringIO(client.get("/komite/eksport.csv?topic=bolig&tabell=district")
                                       .data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:2] == ["Nord", "11"]


def test_dwellings_are_counted_from_the_matrikkel_or_estimated(world):
    per_code, per_district = coverage.dwellings(["9901"])
    assert per_code == {"9001": (11, True), "9002": (20, False), "9003": (14, True)}
    assert per_district == {NORD: (31, True), SOR: (14, True)}


def test_representativeness_per_area_by_hand(world):
    found = coverage.coverage(world["county"], Filters())
    assert (found.scope.dwellings, found.scope.knocked, found.scope.conversations) == (45, 9, 20)
    assert round(found.scope.per_thousand, 1) == 444.4
    nord, sor = found.districts[NORD], found.districts[SOR]
    assert (nord.dwellings, nord.knocked, nord.conversations) == (31, 6, 13)
    assert (sor.dwellings, sor.knocked, sor.conversations) == (14, 3, 7)
    assert round(nord.per_thousand, 1) == 419.4 and sor.per_thousand == 500
    assert round(nord.knocked_share, 3) == round(6 / 31, 3)
    north, south = found.branches[world["north"].id], found.branches[world["south"].id]
    assert (north.dwellings, north.knocked, north.conversations) == (31, 6, 13)
    assert (south.dwellings, south.knocked, south.conversations) == (14, 3, 7)
    codes = found.postal_codes
    assert (codes["9001"].dwellings, codes["9001"].knocked, codes["9001"].conversations) == (11, 5, 8)
    assert (codes["9002"].dwellings, codes["9002"].knocked, codes["9002"].conversations) == (20, 1, 5)
    # 9003's held-back cells (3 in W2, 1 in W3) are not counted; its 7 visible ones are.
    assert (codes["9003"].dwellings, codes["9003"].knocked, codes["9003"].conversations) == (14, 3, 7)


def test_representativeness_follows_the_filters_but_not_the_topic(world):
    week2 = coverage.coverage(world["county"], Filters(start=W2, end=W2))
    assert (week2.scope.knocked, week2.scope.conversations) == (2, 5)
    # Nobody spoke in 9001 in W2; it says "under k", as it would had one or four: "0" beside "under k" tells which.
    assert week2.postal_codes["9002"].conversations == 5 and week2.postal_codes["9001"].conversations is None
    south = coverage.coverage(world["county"], Filters(district=SOR))
    assert (south.scope.dwellings, south.scope.knocked, south.scope.conversations) == (14, 3, 7)
    assert coverage.coverage(world["county"], Filters(topic="bolig")).scope.conversations == 20
    campaign = coverage.coverage(world["county"], Filters(campaign_id=world["campaign"].id))
    assert (campaign.scope.knocked, campaign.scope.conversations) == (6, 13)


def test_the_ranking_says_what_it_is_based_on(world, app):
    client = app.test_client()
    login(client, "komite@test.example")
    page = client.get("/komite/?area=d:990101").get_data(as_text=True)
    assert "basert på 13 samtaler i et område med 31 boliger" in page
    compare = client.get("/komite/sammenlign?a=d:990101&b=d:990102").get_data(as_text=True)
    assert "basert på 13 samtaler i et område med 31 boliger" in compare
    assert "basert på 7 samtaler i et område med 14 boliger" in compare
