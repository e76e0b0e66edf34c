"""What a committee has read does not change when a door's record comes in afterwards.

The outside tester read the cell "Sagene, week 49" as five residents, waited until one more door had synced,
and read six, with the new words at the top of the list: the difference was that one resident. A committee
now reads only weeks that are over, and a record that comes in after its week is over is filed under the
week it came in, which nobody can read yet.
"""
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.insight import cells
from canvass.models import ClosedCell, Conversation, User
from canvass.services.committee import committees
from canvass.services.field import sync
from tests import test_questions
from tests.test_answer_counts import by_district
from tests.test_questions import committee_client, one, visit

TOPIC = "kollektivtransport"
# A form's token, in a field or in htmx's headers, is made afresh for each page.
TOKEN = re.compile(r'(name="csrf_token" value="|"X-CSRFToken": ")[^"]+')
FIRST = ["Bussen går for sjelden", "Trikken er full om morgenen", "Flere avganger om kvelden", "Billettene er for dyre",
         "Holdeplassen mangler tak"]


@pytest.fixture
def door(demo_app):
    """Daniel's turf tonight, its action asking one question of each kind (tests/test_questions.py)."""
    return test_questions.door.__wrapped__(demo_app)


def said(door, stop: int, words: str, when: datetime) -> dict:
    event = visit(door, stop, {str(door["q"]["yes_no"].id): "yes"})
    event["recorded_at"] = when.isoformat()
    event["conversation"].update(topics=[TOPIC], words=words, importance=2)
    return event


def readings(client, door) -> dict[str, str]:
    """Every view of the committee's that could show these residents, as a committee member would save them."""
    question = door["q"]["yes_no"].id
    paths = ["/komite/", f"/komite/innspill?topic={TOPIC}", "/komite/sporsmal",
             f"/komite/sporsmal/{question}?per=all", f"/komite/sporsmal/{question}?per=week",
             f"/komite/sporsmal/{question}/eksport.csv?per=district"]
    paths += [f"/komite/eksport.csv?tabell={table}" for table in ("ranking", "district", "weeks", "coverage", "input")]
    paths += [f"/komite/eksport.csv?tabell=input&topic={TOPIC}"]
    return {path: TOKEN.sub(r"\1", client.get(path).get_data(as_text=True)) for path in paths}


def test_a_record_that_comes_in_after_its_week_was_read_changes_nothing_the_committee_can_read(door, a_week_later):
    stops = max(by_district(door).values(), key=len)
    now = datetime.now(timezone.utc)
    first = [said(door, stops[i], words, now - timedelta(minutes=30 - i)) for i, words in enumerate(FIRST)]
    assert {r.status for r in sync.ingest(door["user"], first)} == {"stored"}
    client = committee_client()
    a_week_later()
    before = readings(client, door)
    assert "Holdeplassen mangler tak" in before[f"/komite/innspill?topic={TOPIC}"]
    # A sixth and a seventh door of the same evening, on phones that were offline until now: said in the week read.
    late = [said(door, stops[5], "Sjåføren på nattbussen kjenner meg", now - timedelta(minutes=5)),
            said(door, stops[6], "Bussen kommer aldri om søndagen", now - timedelta(minutes=4))]
    assert [r.status for r in sync.ingest(door["user"], late[:1])] == ["stored"]
    after = readings(client, door)
    for path in before:
        assert after[path] == before[path], path
    assert [r.status for r in sync.ingest(door["user"], late[1:])] == ["stored"]
    assert readings(client, door) == before
    # Filed under the week they came in, they are read when it is over: two, held back.
    a_week_later()
    later = readings(client, door)
    for path in (f"/komite/innspill?topic={TOPIC}", f"/komite/eksport.csv?tabell=input&topic={TOPIC}"):
        assert "nattbussen" not in later[path] and "søndagen" not in later[path]
        assert "Holdeplassen mangler tak" in later[path]


def test_an_undo_after_the_week_was_read_takes_the_whole_district_week_away_not_one_text(door, a_week_later):
    """The outside tester undid one door days after the committee had read its week: the district went from 6 to 5
    and the one text that vanished was that door's. Now the undo is kept (the resident's "don't write that down"
    comes first), and the branch's district in that week is not shown again: the views differ by whole cells."""
    stops = max(by_district(door).values(), key=len)
    now = datetime.now(timezone.utc)
    first = [said(door, stops[i], words, now - timedelta(minutes=30 - i))
             for i, words in enumerate([*FIRST, "Nattbussen må komme tilbake"])]
    assert {r.status for r in sync.ingest(door["user"], first)} == {"stored"}
    client = committee_client()
    a_week_later()
    before = readings(client, door)
    listed = before[f"/komite/innspill?topic={TOPIC}"]
    assert all(words in listed for words in FIRST) and "Nattbussen må komme tilbake" in listed
    committee = committees.committee_for(one(User, email="komite@oslo.demo"))
    whole, held_back = _readable_whole(committee), committees.held_back_share(committee)
    undo = {**first[5], "id": str(uuid.uuid4()), "recorded_at": datetime.now(timezone.utc).isoformat(),
            "outcome": "not_home", "corrects": first[5]["id"]}
    del undo["conversation"]
    assert [r.status for r in sync.ingest(door["user"], [undo])] == ["stored"]
    # The closed cell's five left are held back now; the whole is smaller by the one withdrawn, not by a cell.
    assert _readable_whole(committee) == whole - 1
    assert committees.held_back_share(committee) == pytest.approx((held_back * whole + 5) / (whole - 1))
    after = readings(client, door)
    for path in (f"/komite/innspill?topic={TOPIC}", f"/komite/eksport.csv?tabell=input&topic={TOPIC}"):
        assert not any(words in after[path] for words in [*FIRST, "Nattbussen må komme tilbake"]), path
    # Only that branch's district in that week is closed.
    closed = db.session.execute(select(ClosedCell.branch_id, ClosedCell.district_number, ClosedCell.week)).all()
    conversation = db.session.scalar(select(Conversation).where(Conversation.words == FIRST[0]))
    assert closed == [(conversation.branch_id, conversation.district_number, conversation.week)]


def _readable_whole(committee) -> int:
    """Every conversation of the committee's organisation in the weeks it may read, closed cells included."""
    return db.session.scalar(select(func.count()).select_from(Conversation).where(
        Conversation.organisation_id == committee.organisation_id, Conversation.week < cells.published_before()))
