"""Differencing is impossible by construction: any two views a committee can ask for differ by 0 or ≥ k residents.

Hypothesis draws sequences of filters a committee member can set (campaign, area at each grain,
periods of any length, topic) for the county's and a branch's committee. For every view it takes
the input that the view's figures and texts are built from, per topic, and checks that between any
two views the inputs in one and not the other are none or at least k. It then checks that what the
pages show is built from exactly those inputs, so the construction is what is shown.
"""
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from canvass.extensions import db
from canvass.insight.suppress import OTHER
from canvass.insight.tally import ALL_TOPICS
from canvass.models import Action, Branch, Campaign, Committee, Conversation, ConversationTopic, District
from canvass.services.committee import committee_input, committees, coverage
from canvass.services.committee.committees import Filters
from canvass.services.demo import sample_input
from tests import kanon_model
from tests.conftest import INSIGHT_START

K = 5
FIRST = INSIGHT_START.date() - timedelta(days=3)


def _contributors(committee: Committee, filters: Filters) -> dict[tuple[str, str], set[int]]:
    """Per (chosen topic, topic) ("" for none and for every input), the conversations a view's figures and
    texts may be built from. With a topic chosen, the residents who raised it, counted in the atoms of
    those of them in a cell ("") and of those of them who also raised each topic."""
    c, t = Conversation, ConversationTopic
    scope = committees.conditions(committee, filters, Conversation)
    if filters.topic:
        return _within(committee, filters, scope)
    found: dict[tuple[str, str], set[int]] = {("", ALL_TOPICS): set(db.session.scalars(
        select(c.id).where(*scope, committees.visible_atom(committee))))}
    for conversation_id, topic in db.session.execute(
            select(c.id, t.topic).join(t, t.conversation_id == c.id)
            .where(*scope, committees.visible_atom(committee, t.topic))):
        found.setdefault(("", topic), set()).add(conversation_id)
    return found


def _within(committee: Committee, filters: Filters, scope: list) -> dict[tuple[str, str], set[int]]:
    """The narrowed view's atoms, grouped here in Python from the conversations, not by the app's query."""
    c, t = Conversation, ConversationTopic
    campaign_of = dict(db.session.execute(select(Action.id, Action.campaign_id)).all())
    topics: dict[int, set[str]] = {}
    cells = {}
    for row in db.session.execute(select(c.id, c.action_id, c.branch_id, c.district_number, c.week, t.topic)
                                  .join(t, t.conversation_id == c.id).where(*scope)):
        topics.setdefault(row.id, set()).add(row.topic)
        cells[row.id] = (campaign_of.get(row.action_id) or 0, row.branch_id or 0, row.district_number or "", row.week)
    atoms: dict[tuple, set[int]] = {}
    for conversation_id, raised in topics.items():
        if filters.topic in raised:
            for topic in (ALL_TOPICS, *raised):
                atoms.setdefault((cells[conversation_id], topic), set()).add(conversation_id)
    found: dict[tuple[str, str], set[int]] = {(filters.topic, ALL_TOPICS): set()}
    for (_, topic), ids in atoms.items():
        if len(ids) >= K:
            found.setdefault((filters.topic, topic), set()).update(ids)
    return found


@st.composite
def views(draw, districts, branches, campaigns, topics):
    start = draw(st.none() | st.dates(FIRST, FIRST + timedelta(days=63)))
    end = draw(st.none() | st.dates(start or FIRST, (start or FIRST) + timedelta(days=63)))
    area = draw(st.sampled_from([("", None)] + [("d", d) for d in districts] + [("b", b) for b in branches]))
    return Filters(campaign_id=draw(st.sampled_from([None, *campaigns])),
                   district=area[1] if area[0] == "d" else None, branch_id=area[1] if area[0] == "b" else None,
                   start=start, end=end, topic=draw(st.sampled_from([None, *topics])))


@pytest.fixture
def committees_(insight_app):
    oslo = sample_input.organisation_named("Oslo")
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    county, branch = (
        Committee(organisation_id=oslo.id, k=K),
        Committee(organisation_id=oslo.id, branch_id=sagene.id, k=K),
    )
    db.session.add_all([county, branch])
    db.session.commit()
    return county, branch


def test_any_two_views_differ_by_no_input_or_by_at_least_k(insight_app, committees_):
    districts = db.session.scalars(select(District.number).where(District.kommunenummer == "0301")).all()
    branches = db.session.scalars(
        select(Branch.id).where(Branch.organisation_id == committees_[0].organisation_id)
    ).all()
    campaigns = db.session.scalars(select(Campaign.id)).all()
    topics = sorted(set(db.session.scalars(select(ConversationTopic.topic).distinct())))

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        st.sampled_from(committees_), st.lists(views(districts, branches, campaigns, topics), min_size=2, max_size=4)
    )
    def check(committee, sequence):
        seen = [_contributors(committee, filters) for filters in sequence]
        for first in seen:
            for second in seen:
                for topic in first.keys() | second.keys():
                    only = first.get(topic, set()) - second.get(topic, set())
                    assert len(only) == 0 or len(only) >= K, (topic, sorted(only))
        for filters, contributors in zip(sequence, seen, strict=True):
            _shown_is_built_from(committee, filters, contributors)

    check()


def _shown_is_built_from(committee: Committee, filters: Filters, contributors: dict) -> None:
    """The dashboard's numbers count these inputs, and the texts shown on a topic are among them."""
    board = committees.dashboard(committee, filters)
    chosen = filters.topic or ""
    assert board.total == len(contributors[(chosen, ALL_TOPICS)])
    for row in board.ranking:
        assert row.topic != OTHER and row.residents == len(contributors[(chosen, row.topic)]) >= K
    assert {row.topic for row in board.ranking} == {t for (_, t), ids in contributors.items()
                                                    if t and t != chosen and ids}
    for _, total, cells in [*board.districts.rows, *board.weeks.rows, *board.branches.rows, *board.campaigns.rows]:
        assert total >= K and all(n is None or n >= K for n in cells.values())
    if filters.topic:
        readable = {said.id for _, said in committee_input.topic_inputs(committee, filters, filters.topic, 10000)}
        assert readable <= contributors.get((chosen, filters.topic), set())
        view = committee_input.topic_view(committee, filters, filters.topic)
        assert view.total == len(readable)


def test_a_period_and_the_same_period_shorter_differ_in_each_postal_codes_conversations_by_none_or_k(
        insight_app, committees_):
    """The coverage table's conversations per postal code, replayed as an outsider read them: all the weeks, then all
    but the last, and the difference was how many spoke in one postal code in one week, down to one."""
    weeks = sorted(set(db.session.scalars(select(Conversation.week).distinct())) - {None})
    assert len(weeks) >= 4
    for committee in committees_:
        for start, end in [(None, None), (weeks[0], weeks[-1]), (weeks[1], weeks[-2])]:
            wide = coverage.coverage(committee, Filters(start=start, end=end)).postal_codes
            for shorter in (Filters(start=start, end=(end or weeks[-1]) - timedelta(days=7)),
                            Filters(start=(start or weeks[0]) + timedelta(days=7), end=end)):
                narrow = coverage.coverage(committee, shorter).postal_codes
                for code, reach in wide.items():
                    difference = (reach.conversations or 0) - (narrow[code].conversations or 0)
                    assert difference == 0 or difference >= K, (code, start, end, shorter, difference)
                assert any(reach.conversations for reach in narrow.values())


def test_a_period_is_widened_to_whole_weeks(insight_app, committees_):
    county, _ = committees_
    thursday = date(2026, 10, 8)
    assert _contributors(county, Filters(start=thursday, end=thursday)) == _contributors(
        county, Filters(start=thursday - timedelta(days=3), end=thursday + timedelta(days=3))
    )


def test_the_figures_are_the_generated_input_of_the_cells_with_at_least_k(insight_app, committees_):
    """A count made here from what was generated, cell by cell, gives the dashboard's numbers."""
    total, topics = kanon_model.visible(insight_app.generated)
    board = committees.dashboard(committees_[0], Filters())
    assert board.total == total and 0.9 * len(insight_app.generated) <= total <= len(insight_app.generated)
    assert {row.topic: row.residents for row in board.ranking} == dict(topics)
    # Some topics are raised by fewer than k in a cell: those residents are not counted on them.
    assert sum(topics.values()) < sum(len(item.topics) for item in insight_app.generated)
