"""A committee reads a free-text question's answers as it reads input: masked, and only where at least k residents
in one atom (action, branch, district, week) answered it; the exports carry only how many answered."""
import re

import pytest

from canvass.services.field import sync
from tests import test_questions
from tests.conftest import login
from tests.test_answer_counts import by_district
from tests.test_questions import visit

SAID = ["Kari Nordmann vil ha ringt på 99887766", "Bussen er full om morgenen", "Mer lys i parken",
        "Bussen er full om morgenen", "Flere benker ved Alexander Kiellands plass"]


@pytest.fixture
def door(demo_app):
    """Daniel's turf tonight, its action asking one question of each kind (tests/test_questions.py)."""
    return test_questions.door.__wrapped__(demo_app)


def written(client, question) -> list[str]:
    page = client.get(f"/komite/sporsmal/{question.id}").get_data(as_text=True)
    found = re.search(r'<ul class="said">(.*?)</ul>', page, re.S)
    return [] if found is None else re.findall(r"<li>(.*?)</li>", found.group(1), re.S)


def test_free_text_answers_are_shown_masked_once_five_in_one_atom_have_answered_and_not_before(
        door, client, a_week_later):
    text = door["q"]["text"]
    stops = max(by_district(door).values(), key=len)
    assert len(stops) >= 5
    events = [visit(door, stops[i], {str(text.id): words}) for i, words in enumerate(SAID)]
    assert {r.status for r in sync.ingest(door["user"], events[:4])} == {"stored"}
    login(client, "komite@oslo.demo")
    a_week_later()
    assert written(client, text) == []
    page = client.get(f"/komite/sporsmal/{text.id}").get_data(as_text=True)
    assert "Nordmann" not in page and "99887766" not in page
    # The fifth, said the same evening but synced after that week was read, is filed under the week it came in:
    # alone there, and the four stay four.
    assert {r.status for r in sync.ingest(door["user"], events[4:])} == {"stored"}
    a_week_later()
    assert written(client, text) == []
    # Five in one week are shown once that week is over.
    more = [visit(door, stops[i], {str(text.id): words}) for i, words in enumerate(SAID)]
    assert {r.status for r in sync.ingest(door["user"], more)} == {"stored"}
    assert written(client, text) == []
    a_week_later()
    shown = written(client, text)
    assert len(shown) == 5 and shown.count("Bussen er full om morgenen") == 2 and "Mer lys i parken" in shown
    joined = " ".join(shown)
    assert "Kari" not in joined and "Nordmann" not in joined and "99887766" not in joined
    assert "Dørbanker" not in joined and "Daniel" not in joined
    # The exports carry how many answered, never the words.
    csv = client.get(f"/komite/sporsmal/{text.id}/eksport.csv").get_data(as_text=True)
    assert "5" in csv and "Bussen" not in csv and "parken" not in csv
