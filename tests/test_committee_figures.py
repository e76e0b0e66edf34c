"""The committee's numbers match a count of the generated input made here, and small groups never show."""
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.insight.suppress import OTHER
from canvass.insight.tally import Grain
from canvass.models import Action, Branch, Committee, Conversation, InputTally, Organisation
from canvass.services import committees, sample_input, tallies
from canvass.services.committees import Filters
from tests.conftest import INSIGHT_INPUTS, INSIGHT_START


@pytest.fixture
def county(insight_app):
    oslo = sample_input.organisation_named("Oslo")
    committee = Committee(organisation_id=oslo.id, k=5)
    db.session.add(committee)
    db.session.commit()
    return committee


def test_topics_are_ranked_by_how_many_raised_them(insight_app, county):
    expected = Counter(topic for item in insight_app.generated for topic in item.topics)
    board = committees.dashboard(county, Filters())
    assert board.total == INSIGHT_INPUTS
    assert [(row.topic, row.residents) for row in board.ranking] == expected.most_common()
    assert board.ranking[0].topic == "bolig"


def test_strength_is_the_mean_importance_of_those_who_gave_one(insight_app, county):
    given = [(t, item.importance) for item in insight_app.generated for t in item.topics if item.importance]
    board = committees.dashboard(county, Filters(), by="importance")
    for row in board.ranking:
        values = [i for t, i in given if t == row.topic]
        assert row.importance == pytest.approx(sum(values) / len(values))
        assert row.strong == values.count(3)
    assert [row.importance for row in board.ranking] == sorted((row.importance for row in board.ranking), reverse=True)


def test_counts_per_district_match(insight_app, county):
    expected = Counter((item.district_number, topic) for item in insight_app.generated for topic in item.topics)
    totals = Counter(item.district_number for item in insight_app.generated)
    board = committees.dashboard(county, Filters())
    assert {row for row, _, _ in board.districts.rows} == {d or "" for d in totals}
    for district, total, cells in board.districts.rows:
        assert total == totals[district or None]
        for topic in board.topics:
            assert cells[topic] == expected[(district or None, topic)]


def test_filters_narrow_to_one_district_and_week(insight_app, county):
    week_start = date(2026, 9, 14)
    chosen = [item for item in insight_app.generated if item.district_number == "030103"
              and week_start <= item.recorded_at.date() < week_start + timedelta(days=7)]
    board = committees.dashboard(county, Filters(district="030103", start=week_start,
                                                 end=week_start + timedelta(days=6)))
    assert board.total == len(chosen)
    expected = Counter(topic for item in chosen for topic in item.topics)
    for row in board.ranking:
        if row.topic != OTHER:
            assert row.residents == expected[row.topic] >= 5
    hidden = sum(n for topic, n in expected.items() if topic not in {r.topic for r in board.ranking})
    other = next((r.residents for r in board.ranking if r.topic == OTHER), 0)
    assert other >= hidden and (other == 0 or other >= 5)


def test_no_number_anywhere_is_under_k(insight_app, county):
    # One district gives small groups per postal code and week.
    county.k = 7
    board = committees.dashboard(county, Filters(district="030103"), postal_codes=True)
    tables = [board.districts, board.postal_codes, board.branches, board.weeks, board.campaigns]
    numbers = [row.residents for row in board.ranking] + [total for t in tables for _, total, _ in t.rows] + \
        [n for t in tables for _, _, cells in t.rows for n in cells.values() if n is not None] + \
        [s.residents for s in board.shares]
    assert numbers and min(numbers) >= 7
    assert any(n is None for t in tables for _, _, cells in t.rows for n in cells.values())


def test_small_postal_codes_are_counted_in_their_district(insight_app, county):
    by_code = Counter(item.postnummer for item in insight_app.generated)
    board = committees.dashboard(county, Filters(), postal_codes=True)
    shown = {row: total for row, total, _ in board.postal_codes.rows}
    for code, n in by_code.items():
        if n < 5:
            assert code not in shown
        else:
            assert shown[code] == n
    assert sum(shown.values()) == INSIGHT_INPUTS


def test_a_branch_committee_sees_only_its_territory(insight_app):
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    committee = Committee(organisation_id=sagene.organisation_id, branch_id=sagene.id, k=5)
    db.session.add(committee)
    db.session.commit()
    territory = set(sagene.territory)
    board = committees.dashboard(committee, Filters())
    assert board.total == sum(item.postnummer in territory for item in insight_app.generated) > 0
    assert {row for row, _, _ in board.branches.rows} <= {sagene.id} | {
        item.branch_id for item in insight_app.generated if item.postnummer in territory}


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


@pytest.mark.parametrize("chosen", [
    {}, {"district": "030103"}, {"postnummer": "0454"}, {"branch": "Sagene"},
    {"start": INSIGHT_START.date() + timedelta(days=10), "end": INSIGHT_START.date() + timedelta(days=24)},
    {"campaign": True, "district": "030102"}, {"action": True}])
def test_the_coarse_counts_give_every_figure_the_finest_counts_give(insight_app, county, monkeypatch, chosen):
    # An action of the generated campaign with input in the district filtered on, so no filter leaves nothing.
    campaign_id, action_id = db.session.execute(
        select(Action.campaign_id, Action.id).join(Conversation).where(Conversation.district_number == "030102")
        .group_by(Action.id).order_by(func.count().desc(), Action.id).limit(1)).one()
    sagene = db.session.scalar(select(Branch.id).where(Branch.name == "Sagene"))
    filters = Filters(campaign_id=campaign_id if chosen.get("campaign") else None,
                      action_id=action_id if chosen.get("action") else None,
                      district=chosen.get("district"), postnummer=chosen.get("postnummer"),
                      branch_id=sagene if chosen.get("branch") else None,
                      start=chosen.get("start"), end=chosen.get("end"), topic="klima")
    coarse = committees.dashboard(county, filters, postal_codes=True)
    monkeypatch.setattr(committees, "grain", lambda *args, **kwargs: Grain.DAY)
    assert committees.dashboard(county, filters, postal_codes=True) == coarse
    assert coarse.total > 0
