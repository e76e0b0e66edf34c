"""The committee's numbers match a count of the generated input made here, and small groups never show."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Branch, Committee, InputTally, Organisation
from canvass.services.committee import committees, tallies
from canvass.services.committee.committees import Filters
from canvass.services.demo import sample_input
from tests import kanon_model
from tests.conftest import INSIGHT_INPUTS, INSIGHT_START


@pytest.fixture
def county(insight_app):
    oslo = sample_input.organisation_named("Oslo")
    committee = Committee(organisation_id=oslo.id, k=5)
    db.session.add(committee)
    db.session.commit()
    return committee


def test_topics_are_ranked_by_how_many_raised_them(insight_app, county):
    total, expected = kanon_model.visible(insight_app.generated)
    board = committees.dashboard(county, Filters())
    assert board.total == total > 0.9 * INSIGHT_INPUTS
    assert [(row.topic, row.residents) for row in board.ranking] == expected.most_common()
    assert board.ranking[0].topic == "bolig"


def test_strength_is_the_mean_importance_of_those_who_gave_one(insight_app, county):
    # Over the whole county every atom's importance is counted when at least k in it gave one.
    board = committees.dashboard(county, Filters(), by="importance")
    means = [row.importance for row in board.ranking if row.importance is not None]
    assert len(means) >= 5 and all(1 <= mean <= 3 for mean in means)
    assert all(row.strong is None or row.strong >= 5 for row in board.ranking)
    assert [row.importance for row in board.ranking] == sorted((row.importance for row in board.ranking), reverse=True)


def test_counts_per_district_match(insight_app, county):
    board = committees.dashboard(county, Filters())
    assert len(board.districts.rows) >= 10
    for district, total, cells in board.districts.rows:
        shown, topics = kanon_model.visible(
            insight_app.generated, where=lambda item, d=district: item.district_number == d
        )
        assert total == shown
        for topic in board.topics:
            assert cells[topic] == (topics[topic] or None)


def test_filters_narrow_to_one_district_and_week(insight_app, county):
    week_start = date(2026, 9, 14)
    chosen = [
        item
        for item in insight_app.generated
        if item.district_number == "030103" and week_start <= item.recorded_at.date() < week_start + timedelta(days=7)
    ]
    # Any day of the week gives the whole week.
    board = committees.dashboard(
        county, Filters(district="030103", start=week_start + timedelta(days=2), end=week_start + timedelta(days=3))
    )
    total, expected = kanon_model.visible(chosen)
    assert board.total == total > 0
    assert {row.topic: row.residents for row in board.ranking} == dict(expected)
    assert all(n >= 5 for n in expected.values())


def test_no_number_anywhere_is_under_k(insight_app, county):
    # One district gives small groups per postal code and week.
    county.k = 7
    board = committees.dashboard(county, Filters(district="030103"))
    tables = [board.districts, board.branches, board.weeks, board.campaigns]
    numbers = (
        [row.residents for row in board.ranking]
        + [total for t in tables for _, total, _ in t.rows]
        + [n for t in tables for _, _, cells in t.rows for n in cells.values() if n is not None]
        + [s.residents for s in board.shares]
    )
    assert numbers and min(numbers) >= 7
    assert any(n is None for t in tables for _, _, cells in t.rows for n in cells.values())


def test_a_branch_committee_sees_only_what_the_branch_collected(insight_app):
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    committee = Committee(organisation_id=sagene.organisation_id, branch_id=sagene.id, k=5)
    db.session.add(committee)
    db.session.commit()
    board = committees.dashboard(committee, Filters())
    total, _ = kanon_model.visible(insight_app.generated, where=lambda item: item.branch_id == sagene.id)
    assert board.total == total > 0
    assert {row for row, _, _ in board.branches.rows} == {sagene.id}


def test_another_organisation_sees_none_of_it(insight_app):
    baerum = db.session.scalar(select(Organisation).where(Organisation.name == "Bærum"))
    committee = Committee(organisation_id=baerum.id, k=5)
    db.session.add(committee)
    db.session.commit()
    assert committees.dashboard(committee, Filters()).total == 0


def test_rebuilding_the_counts_gives_the_same_counts(insight_app):
    before = db.session.execute(select(func.sum(InputTally.residents), func.count())).one()
    assert tallies.rebuild(db.session.connection()) == INSIGHT_INPUTS
    assert db.session.execute(select(func.sum(InputTally.residents), func.count())).one() == before


def test_weeks_run_through_the_campaign(insight_app, county):
    board = committees.dashboard(county, Filters())
    weeks = [row for row, _, _ in board.weeks.rows]
    assert weeks == sorted(weeks) and len(weeks) in (8, 9)
    assert weeks[0] == INSIGHT_START.isocalendar()[:2]
