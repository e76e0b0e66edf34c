"""The outside tester's k-anonymity attacks on the committee pages, replayed over real HTTP.

A committee must never learn the words, topics or importance of fewer than k = 5 residents,
whatever views it asks for one after another: not from a chip, an "unsorted" count, a theme, a
map, a table or an export, and not by subtracting one view from another.
"""
import csv
import io
import re
from datetime import datetime
from itertools import pairwise

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Branch, Organisation
from canvass.services.committee import tallies
from tests.conftest import login, post, serve
from tests.http import HttpClient

K = 5
# One resident alone in St. Hanshaugen on 20 November, as on the tester's demo.
LONE = "Jobben min på Ullevål forsvinner og husleia stiger lonely-resident-words"
# One resident in Sagene on 7 October, beside the generated input of that week.
SEVENTH = "Trikken på Torshov er alltid full seventh-of-october-words"


def _stored(words: str, topics: str, postnummer: str, district: str, branch: str, at: datetime, importance=3) -> None:
    oslo = db.session.scalar(select(Organisation).where(Organisation.name == "Oslo"))
    branch_id = db.session.scalar(select(Branch.id).where(Branch.name == branch))
    row = {"visit_uuid": f"00000000-0000-4000-8000-{abs(hash(words)) % 10**12:012d}", "organisation_id": oslo.id,
           "branch_id": branch_id, "action_id": None, "address_id": None, "postnummer": postnummer,
           "district_number": district, "topics": topics, "words": words, "importance": importance,
           "wants_membership": False, "wants_contact": False, "recorded_at": at}
    inserted = db.session.execute(db.insert(db.metadata.tables["conversation"]).values(**row))
    tallies.record([{**row, "id": inserted.inserted_primary_key[0]}])
    db.session.commit()


@pytest.fixture
def tester(insight_app):
    """The tester's set-up: the generated input, a lone resident in November and one more in Sagene on
    7 October; logged in as the county committee over HTTP."""
    _stored(LONE, "arbeidsliv\nbolig", "0165", "030104", "St. Hanshaugen", datetime(2026, 11, 20, 16, 30))
    _stored(SEVENTH, "kollektivtransport\nbolig", "0473", "030103", "Sagene", datetime(2026, 10, 7, 17, 0))
    for base in serve(insight_app):
        client = HttpClient(base)
        login(client, "komite@oslo.demo")
        yield client


def _everything(client, query: str) -> dict[str, str]:
    """Every page and export a committee member can open with these filters, as text."""
    found = {}
    for path in ("/komite/", "/komite/innspill", "/komite/sammenlign", "/komite/eksport.csv",
                 "/komite/eksport.csv?tabell=input", "/komite/eksport.csv?tabell=district",
                 "/komite/eksport.csv?tabell=weeks", "/komite/eksport.xlsx"):
        joined = path + ("&" if "?" in path else "?") + query
        response = client.get(joined)
        if path.endswith("xlsx") and response.status_code == 200:
            book = load_workbook(io.BytesIO(response.get_data()))
            found[joined] = "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True)
                                      for cell in row)
            book.close()
        else:
            found[joined] = f"{response.status_code}\n" + response.get_data(as_text=True)
    return found


def _numbers(client, query: str) -> dict[tuple, int]:
    """Every count the CSV tables give for these filters: (table, row, column) → number."""
    numbers = {}
    for table in ("ranking", "district", "weeks", "campaign", "branch"):
        response = client.get(f"/komite/eksport.csv?tabell={table}&{query}")
        if response.status_code != 200:
            continue
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
        for row in rows[1:]:
            for column, value in zip(rows[0][1:], row[1:], strict=True):
                # Shares are whole percentages ("Andel (%)"), not counts of residents.
                if value.isdigit() and not column.endswith("(%)"):
                    numbers[(table, row[0], column)] = int(value)
    page = client.get(f"/komite/?{query}").get_data(as_text=True).replace("\xa0", " ").replace(" ", "")
    total = re.search(r"(\d+)innspillmeddissefiltrene", page)
    numbers[("total",)] = int(total.group(1)) if total else 0
    return numbers


def test_a_lone_residents_words_topics_and_importance_are_in_no_page_or_export(tester):
    queries = ["area=p:0165&start=2026-11-20&end=2026-11-20&topic=bolig",
               "area=p:0165&start=2026-11-20&end=2026-11-20&topic=arbeidsliv",
               "area=d:030104&start=2026-11-20&end=2026-11-20&topic=bolig",
               "area=d:030104&start=2026-11-16&end=2026-11-22&topic=arbeidsliv",
               "start=2026-11-20&end=2026-11-20&topic=bolig",
               "topic=arbeidsliv", "topic=bolig", ""]
    for number, query in enumerate(queries):
        for url, body in _everything(tester, query).items():
            assert "lonely-resident-words" not in body, url
            # No chip for a topic fewer than k raised, and no count of their unsorted input.
            assert "&lt;5" not in body, url
            if number < 4:
                assert "ikke sortert" not in body, url


def test_a_postal_code_or_an_unknown_area_is_refused_with_a_reason(tester):
    for query in ("area=p:0165&start=2026-11-20&end=2026-11-20", "area=p:0473", "area=x:1", "area=d:"):
        for path in ("/komite/", "/komite/innspill", "/komite/eksport.csv?tabell=input&topic=bolig&",
                     "/komite/eksport.xlsx?", "/komite/eksport.pdf?"):
            response = tester.get(path + ("" if path.endswith(("&", "?")) else "?") + query)
            assert response.status_code == 400, (path, query)
            assert "Velg en bydel eller et lag" in response.get_data(as_text=True)


def test_finding_themes_in_a_lone_residents_week_makes_no_theme_of_their_words(tester):
    post(tester, "/komite/temaer/finn?area=d:030104&start=2026-11-20&end=2026-11-20", {"topic": "bolig"})
    post(tester, "/komite/temaer/finn?area=d:030104&start=2026-11-20&end=2026-11-20", {"topic": "arbeidsliv"})
    for query in ("topic=bolig", "topic=arbeidsliv", "area=d:030104&topic=bolig"):
        page = tester.get(f"/komite/innspill?{query}").get_data(as_text=True)
        assert "lonely-resident-words" not in page and "Ullevål" not in page
    assert "Ullevål" not in tester.get("/komite/program").get_data(as_text=True)


@pytest.mark.parametrize("area", ["p:0473", "d:030103", "b:SAGENE", ""])
def test_subtracting_one_period_from_another_shows_no_group_under_k(tester, area, insight_app):
    if area == "b:SAGENE":
        area = f"b:{db.session.scalar(select(Branch.id).where(Branch.name == 'Sagene'))}"
    # Each view holds the ones after it, as the tester chose them: 1–31 Oct, 8–31 Oct, then 7 Oct.
    views = [f"area={area}&start=2026-10-01&end=2026-10-31", f"area={area}&start=2026-10-08&end=2026-10-31",
             f"area={area}&start=2026-10-06&end=2026-10-08", f"area={area}&start=2026-10-07&end=2026-10-07"]
    numbers = [_numbers(tester, view) for view in views]
    for bigger, smaller in pairwise(numbers):
        for key in bigger.keys() | smaller.keys():
            difference = bigger.get(key, 0) - smaller.get(key, 0)
            assert difference == 0 or difference >= K, (key, bigger.get(key), smaller.get(key))
    for query in (f"area={area}&start=2026-10-07&end=2026-10-07&topic=bolig",
                  f"area={area}&start=2026-10-07&end=2026-10-07&topic=kollektivtransport"):
        for url, body in _everything(tester, query).items():
            assert "seventh-of-october-words" not in body, url
