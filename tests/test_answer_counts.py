"""The answer counts every question view reads are the answers counted: by hand on a small fixture, and equal to a
recount from the stored answers after any mix of doors answered, undone, erased on request and purged."""
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from flask import current_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.models import Address, AnswerCount, AnswerPiece, Conversation, User
from canvass.privacy import retention, subject
from canvass.services.committee import answer_counts, answer_figures, committees
from canvass.services.committee.committees import Filters
from canvass.services.field import sync
from canvass.services.turf import questions
from tests import test_questions
from tests.test_questions import one, visit


@pytest.fixture
def door(demo_app):
    """Daniel's turf tonight, its action asking one question of each kind (tests/test_questions.py)."""
    return test_questions.door.__wrapped__(demo_app)


def counts() -> Counter:
    return Counter({tuple(getattr(row, c) for c in answer_counts.KEY): row.n
                    for row in db.session.scalars(select(AnswerCount))})


def pieces() -> Counter:
    return Counter({tuple(getattr(row, c) for c in (*answer_counts.ATOM, "piece", "value")): row.n
                    for row in db.session.scalars(select(AnswerPiece))})


def by_district(door) -> dict[str, list[int]]:
    """The turf's stops (their indexes in `door["stops"]`) by district."""
    found: dict[str, list[int]] = {}
    for i, stop in enumerate(door["stops"]):
        found.setdefault(db.session.get(Address, stop.address_id).district_number, []).append(i)
    return found


def test_answers_stored_by_sync_are_counted_per_value_and_resident_and_a_free_text_only_as_a_resident(door):
    q = door["q"]
    said = [{str(q["yes_no"].id): "yes", str(q["many"].id): [1, 3], str(q["text"].id): "Ring Kari på 99887766"},
            {str(q["yes_no"].id): "no", str(q["many"].id): [3]},
            {str(q["yes_no"].id): "yes", str(q["scale"].id): 4}]
    assert {r.status for r in sync.ingest(door["user"], [visit(door, i, a) for i, a in enumerate(said)])} == {"stored"}
    cell = counts()

    def summed(question, value, grain=answer_counts.CELL_GRAIN):
        return sum(n for key, n in cell.items() if key[0] == question.id and key[2] == grain and key[-1] == value)
    # Counted by hand from `said`: two yes and one no among three residents; options 1 once and 3 twice among two.
    assert (summed(q["yes_no"], "yes"), summed(q["yes_no"], "no"), summed(q["yes_no"], "")) == (2, 1, 3)
    assert (summed(q["many"], "1"), summed(q["many"], "3"), summed(q["many"], "")) == (1, 2, 2)
    assert (summed(q["scale"], "4"), summed(q["scale"], "")) == (1, 1)
    assert summed(q["text"], "") == 1 and {key[-1] for key in cell if key[0] == q["text"].id} == {""}
    # The postal grain holds the same, split by the doors' postal codes.
    for question, value in ((q["yes_no"], "yes"), (q["many"], "3"), (q["many"], ""), (q["text"], "")):
        assert summed(question, value, answer_counts.POSTAL_GRAIN) == summed(question, value)
    codes = {db.session.get(Address, door["stops"][i].address_id).postnummer for i in range(3)}
    assert {key[7] for key in cell if key[2] == answer_counts.POSTAL_GRAIN} == codes
    assert cell == (answer_counts.rebuild() and counts())
    assert questions.answer_counts(door["set"]) == {q["yes_no"].id: 3, q["many"].id: 2, q["scale"].id: 1,
                                                    q["text"].id: 1}


def test_the_figures_from_the_counts_are_the_hand_counted_answers_of_the_visible_atoms(door, a_week_later):
    """Ten residents in one district answer yes/no (five yes, five no) and three in another (held back, fewer than
    five); the several-of-several question counts each resident once however many options they chose."""
    q = door["q"]
    districts = sorted(by_district(door).values(), key=len, reverse=True)
    big, small = districts[0], districts[1] if len(districts) > 1 else []
    answers = ["yes"] * 5 + ["no"] * 5
    events = [visit(door, big[i], {str(q["yes_no"].id): value, str(q["many"].id): [1, 2] if i % 2 else [2]})
              for i, value in enumerate(answers)]
    events += [visit(door, i, {str(q["yes_no"].id): "no"}) for i in small[:3]]
    assert {r.status for r in sync.ingest(door["user"], events)} == {"stored"}
    committee = committees.committee_for(one(User, email="komite@oslo.demo"))
    db.session.commit()
    a_week_later()
    whole = answer_figures.distribution(committee, q["yes_no"], Filters())
    assert [(g.residents, g.counts) for g in whole.groups] == [(10, {"yes": 5, "no": 5})]
    many = answer_figures.distribution(committee, q["many"], Filters())
    assert [(g.residents, g.counts) for g in many.groups] == [(10, {"1": 5, "2": 10})]
    postal = answer_figures.distribution(committee, q["yes_no"], Filters(), "postnummer")
    # By postal code the five yes are shown in every piece alike or in none (suppress.atom_answers).
    assert sum(g.residents for g in postal.groups) == 10
    assert sum(g.counts.get("yes", 0) for g in postal.groups) in (0, 5)


def by_code(pieces: dict) -> dict:
    """Pieces of atoms (cell, code) summed per code, as a view by postal code sums them."""
    found: dict = {}
    for (_, code), (n, counts) in pieces.items():
        residents, values = found.get(code, (0, Counter()))
        found[code] = (residents + n, values + Counter(counts))
    return {code: (n, dict(values)) for code, (n, values) in found.items()}


NAMED = "Kari Nordmann"
STEP = st.one_of(
    st.tuples(st.just("ingest"), st.lists(st.tuples(
        st.integers(0, 40),                                         # the door among the turf's stops
        st.integers(0, 45),                                         # days ago
        st.sampled_from(["yes", "no", "dont_know", None]),
        st.one_of(st.none(), st.integers(1, 5)),
        st.lists(st.integers(1, 3), max_size=3, unique=True),
        st.sampled_from(["", "Bussen er full", f"{NAMED} vil ha ringt"])), min_size=1, max_size=6)),
    st.tuples(st.just("undo"), st.integers(0, 100)),
    st.tuples(st.just("erase"), st.none()),
    st.tuples(st.just("purge"), st.integers(0, 45)),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=6))
def test_after_any_mix_of_answers_undo_erasure_and_purge_the_kept_counts_equal_a_recount(door, steps):
    """The counts are kept in step where answers come and go; rebuilding them from the answers changes nothing.
    The database carries over between examples, so each starts where the last left off, as a real one would."""
    q, sent = door["q"], []
    for kind, arg in steps:
        if kind == "ingest":
            events = []
            for stop, days_ago, yes_no, scale, many, text in arg:
                answers = {str(q["yes_no"].id): yes_no, str(q["scale"].id): scale, str(q["many"].id): many,
                           str(q["text"].id): text}
                event = visit(door, stop % len(door["stops"]), answers)
                event["conversation"]["words"] = text
                event["recorded_at"] = (datetime.now(timezone.utc) - timedelta(days=days_ago, minutes=stop)).isoformat()
                events.append(event)
            assert {r.status for r in sync.ingest(door["user"], events)} == {"stored"}
            sent += events
        elif kind == "undo" and sent:
            said = sent.pop(arg % len(sent))
            undo = {key: value for key, value in said.items() if key != "conversation"}
            undo.update(id=str(uuid.uuid4()), corrects=said["id"], recorded_at=datetime.now(timezone.utc).isoformat())
            sync.ingest(door["user"], [undo])
        elif kind == "erase":
            found = subject.find(door["user"].organisation_id, subject.Query.of(None, None, NAMED))
            subject.erase(found)
            db.session.commit()
        elif kind == "purge":
            retention.purge(utcnow() + timedelta(days=arg))
    kept, split = counts(), pieces()
    assert all(n > 0 for n in kept.values())
    # The stored postal split is what a committee would split from the counts, whatever happened on the way.
    committee = committees.committee_for(one(User, email="komite@oslo.demo"))
    for question in q.values():
        stored = answer_figures.distribution(committee, question, Filters(), "postnummer")
        assert {g.key: (g.residents, g.counts) for g in stored.groups} == {
            code: (n, counts) for code, (n, counts) in by_code(answer_figures._pieces(
                committee, question, Filters(), None)).items()}
    answer_counts.rebuild()
    assert counts() == kept and pieces() == split
    db.session.commit()
    # Whatever the purge has unlinked counts under postal code "", as its conversation has none.
    unlinked = db.session.scalar(select(Conversation.id).where(Conversation.unlinked.is_(True)).limit(1))
    if unlinked is not None:
        assert any(key[7] == "" for key in kept if key[2] == answer_counts.POSTAL_GRAIN)


def test_the_counts_can_be_rebuilt_from_the_answers_on_the_command_line(door):
    q = door["q"]
    assert {r.status for r in sync.ingest(door["user"], [visit(door, 0, {str(q["yes_no"].id): "yes"})])} == {"stored"}
    kept = counts()
    db.session.execute(AnswerCount.__table__.delete())
    db.session.commit()
    output = current_app.test_cli_runner().invoke(args=["counts", "rebuild-answers"])
    assert output.exit_code == 0 and "bygd opp på nytt" in output.output
    db.session.expire_all()
    assert counts() == kept and kept
