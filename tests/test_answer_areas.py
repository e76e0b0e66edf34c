"""A committee compares two areas' answers and reads them on a map, against a fixture counted by hand; no sequence
of views (a period narrowed, an area against a larger one, a postal code against its district) shows the
answers of fewer than five residents by their difference."""
import itertools
import uuid
from datetime import date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Answer, Branch, Conversation, District, User
from canvass.services.committee import answer_counts, answer_figures, committees
from canvass.services.committee.committees import Filters
from canvass.services.turf import questions
from tests.conftest import login

K = 5
W1, W2, W3 = date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19)
# (branch, district, week, postal code, how many, answers in that order): counted by hand below.
FIXTURE = [
    ("Sagene", "Sagene", W1, "0473", 4, "yes"), ("Sagene", "Sagene", W1, "0474", 2, "yes"),    # atom of 6, all yes
    ("Sagene", "Sagene", W2, "0473", 5, "yes"),                                                # 0473 piece of 5
    ("Sagene", "Sagene", W2, "0474", 5, "no"),                                                 # 0474 piece of 5
    ("Sagene", "Sagene", W3, "0473", 2, "yes"),                                                # atom of 2: held back
    # An atom of 7 whose answers are held back: "71 % yes, 14 % no, 14 % don't know" was one resident's no.
    ("Grünerløkka", "Grünerløkka", W1, "0550", 5, "yes"), ("Grünerløkka", "Grünerløkka", W1, "0550", 1, "no"),
    ("Grünerløkka", "Grünerløkka", W1, "0550", 1, "dont_know"),
    ("Grünerløkka", "Grünerløkka", W2, "0550", 3, "no"),                                       # atom of 3: held back
]


@pytest.fixture
def counted(demo_app):
    """The fixture's 28 residents answering one yes/no question, and the county's committee."""
    coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
    asked = questions.create_set(coordinator, "Høst", None)
    bus = questions.add_question(asked, "yes_no", "Bør bussen gå oftere?")
    branches = dict(db.session.execute(select(Branch.name, Branch.id)).all())
    districts = dict(db.session.execute(select(District.name, District.number).where(
        District.kommunenummer == "0301")).all())
    organisation = coordinator.organisation_id
    for branch, district, week, code, n, value in FIXTURE:
        for _ in range(n):
            c = Conversation(visit_uuid=str(uuid.uuid4()), organisation_id=organisation, branch_id=branches[branch],
                             postnummer=code, district_number=districts[district], week=week,
                             recorded_at=datetime.combine(week, datetime.min.time()) + timedelta(hours=18))
            db.session.add(c)
            db.session.flush()
            db.session.add(Answer(conversation_id=c.id, question_id=bus.id, value=value, organisation_id=organisation,
                                  branch_id=branches[branch], district_number=districts[district], week=week))
    db.session.flush()
    answer_counts.rebuild()  # counted as sync counts what it stores (canvass.services.committee.answer_counts)
    db.session.commit()
    committee = committees.committee_for(db.session.scalar(select(User).where(User.email == "komite@oslo.demo")))
    db.session.commit()  # made on first use, and stored only by a commit (committees.committee_for)
    return {"q": bus, "committee": committee, "d": districts, "b": branches}


def shown(group) -> tuple | None:
    return None if group is None else (group.residents, group.counts.get("yes", 0), group.counts.get("no", 0),
                                       group.counts.get("dont_know", 0))


def test_two_areas_side_by_side_are_the_hand_counts_of_their_visible_atoms(counted):
    c, q, d = counted["committee"], counted["q"], counted["d"]
    sagene, lokka = f"d:{d['Sagene']}", f"d:{d['Grünerløkka']}"
    assert shown(answer_figures.compare(c, q, Filters(), sagene)) == (16, 11, 5, 0)
    # Seven answered in Grünerløkka, and what they answered is held back: one said no and one did not know.
    lokka_group = answer_figures.compare(c, q, Filters(), lokka)
    assert shown(lokka_group) == (7, 0, 0, 0) and lokka_group.held == 7 and lokka_group.hidden("no")
    assert shown(answer_figures.compare(c, q, Filters(), f"b:{counted['b']['Sagene']}")) == (16, 11, 5, 0)
    assert shown(answer_figures.compare(c, q, Filters(), "p:0473")) == (5, 5, 0, 0)
    assert shown(answer_figures.compare(c, q, Filters(), "p:0474")) == (5, 0, 5, 0)
    assert shown(answer_figures.compare(c, q, Filters(), "p:0550")) == (7, 0, 0, 0)
    # In week 1 alone 0473 and 0474 are too small within their atom: they say so rather than show 4 and 2.
    assert answer_figures.compare(c, q, Filters(start=W1, end=W1), "p:0473") is None
    assert answer_figures.compare(c, q, Filters(start=W3, end=W3), sagene) is None
    assert shown(answer_figures.compare(c, q, Filters(start=W2, end=W3), sagene)) == (10, 5, 5, 0)


def views(counted):
    """Every view a committee can ask of the fixture: filters, grouping or compared area, and each group shown,
    with the residents the view could at most draw on, to know when one view lies inside another."""
    c, q, d, b = counted["committee"], counted["q"], counted["d"], counted["b"]
    periods = [(None, None), (W1, W1), (W2, W2), (W3, W3), (W1, W2), (W2, W3), (W1, W3)]
    areas = [("", None, None), ("d", d["Sagene"], None), ("d", d["Grünerløkka"], None), ("b", None, b["Sagene"])]
    found = []
    for (start, end), (_, district, branch) in itertools.product(periods, areas):
        filters = Filters(district=district, branch_id=branch, start=start, end=end)
        for by in answer_figures.BY:
            for group in answer_figures.distribution(c, q, filters, by).groups:
                found.append(((start, end, district, branch, by, group.key), group))
        for side in ("p:0473", "p:0474", "p:0550"):
            group = answer_figures.compare(c, q, filters, side)
            if group is not None and district is None and branch is None:
                found.append(((start, end, None, None, "postnummer", side[2:]), group))
    return found


def could_draw_on(view, counted) -> set[int]:
    """The fixture rows (by index) a view's filters and group select, before any k rule."""
    start, end, district, branch, by, key = view
    d, b = counted["d"], counted["b"]
    rows = set()
    for i, (branch_name, district_name, week, code, _, _) in enumerate(FIXTURE):
        if (start and week < start) or (end and week > end) or (district and d[district_name] != district) or \
                (branch and b[branch_name] != branch):
            continue
        if by == "district" and d[district_name] != key or by == "branch" and b[branch_name] != key or \
                by == "week" and week != key or by == "postnummer" and key != "annet" and code != key:
            continue
        rows.add(i)
    return rows


def test_no_two_views_one_inside_the_other_differ_by_fewer_than_five_residents(counted):
    found = views(counted)
    assert len(found) > 40
    for (first, a), (second, b) in itertools.permutations(found, 2):
        if a.key == "annet" or b.key == "annet":
            continue
        if could_draw_on(second, counted) <= could_draw_on(first, counted):
            # Nor by the residents who gave any one answer, or whose answers were held back.
            for difference in (a.residents - b.residents, a.held - b.held,
                               *(a.counts.get(v, 0) - b.counts.get(v, 0) for v in ("yes", "no", "dont_know"))):
                assert difference == 0 or abs(difference) >= K, (first, a, second, b)


def test_the_compare_page_shows_both_areas_and_says_when_a_side_is_too_small(counted):
    client = current_app.test_client()
    login(client, "komite@oslo.demo")
    q, d = counted["q"].id, counted["d"]
    page = client.get(f"/komite/sporsmal/{q}/sammenlign?a=d:{d['Sagene']}&b=p:0473&start={W1}&end={W1}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Bydel Sagene" in text and "0473" in text
    assert "6 har svart." in text and "100\xa0%" in text
    assert "Ingen fordeling vises her" in text
    csv = client.get(f"/komite/sporsmal/{q}/sammenlign.csv?a=d:{d['Sagene']}&b=d:{d['Grünerløkka']}")
    # Grünerløkka's answers are held back: no share for any answer, all seven in the last column.
    assert csv.get_data(as_text=True).splitlines()[1:] == ["Bydel Sagene;16;69;31;0;0", "Bydel Grünerløkka;7;;;;100"]
    lokka = client.get(f"/komite/sporsmal/{q}/sammenlign?a=d:{d['Grünerløkka']}").get_data(as_text=True)
    assert "7 har svart." in lokka and "71\xa0%" not in lokka and "14\xa0%" not in lokka
    assert "Holdt tilbake" in lokka


def test_the_map_colours_each_district_by_its_share_and_greys_those_under_five(counted):
    client = current_app.test_client()
    login(client, "komite@oslo.demo")
    q = counted["q"].id
    text = client.get(f"/komite/sporsmal/{q}/kart?svar=yes").get_data(as_text=True)
    assert "Sagene: 69\xa0% svarte «Ja» (16 svarte)" in text
    assert "Grünerløkka: svarene er holdt tilbake, færre enn 5 ga et av dem (7 svarte)" in text
    assert "Frogner: færre enn 5 svarte" in text
    week3 = client.get(f"/komite/sporsmal/{q}/kart?svar=yes&start={W3}&end={W3}").get_data(as_text=True)
    assert "Sagene: færre enn 5 svarte" in week3


def test_once_the_purge_takes_one_postal_code_of_an_atom_the_whole_atom_leaves_the_postal_codes(counted):
    """Day by day the purge takes the postal codes of a week's conversations; were the atom split by what is
    left, 0474 would go from 5 to 4 to … and one day's difference would be one resident's answer."""
    c, q = counted["committee"], counted["q"]
    first = db.session.scalar(select(Conversation).where(Conversation.postnummer == "0474", Conversation.week == W2)
                              .order_by(Conversation.id))
    answer_counts.forget_postal_codes([first.id])  # as the purge does before it takes the code (retention.unlink)
    first.postnummer = None
    db.session.commit()
    assert answer_figures.compare(c, q, Filters(), "p:0474") is None
    assert answer_figures.compare(c, q, Filters(), "p:0473") is None
    groups = {g.key: shown(g) for g in answer_figures.distribution(c, q, Filters(), "postnummer").groups}
    assert groups == {"0550": (7, 0, 0, 0), "annet": (16, 11, 5, 0)}


def test_the_map_by_postal_code_colours_each_code_with_a_piece_of_its_own_and_tells_the_small_ones_together(counted):
    """By postal code the map draws the atoms' split, as the tables do: 0473 and 0474 are pieces of five in week 2,
    0550 of seven in week 1, and week 1's 0473 and 0474 (four and two) are told together as the rest of six."""
    client = current_app.test_client()
    login(client, "komite@oslo.demo")
    q = counted["q"].id
    text = client.get(f"/komite/sporsmal/{q}/kart?svar=yes&per=postnummer").get_data(as_text=True)
    assert "0473 Oslo: 100\xa0% svarte «Ja» (5 svarte)" in text
    assert "0474 Oslo: 0\xa0% svarte «Ja» (5 svarte)" in text
    assert "0550 Oslo: svarene er holdt tilbake, færre enn 5 ga et av dem (7 svarte)" in text
    assert "Andre (små grupper): 100\xa0% svarte «Ja» (6 svarte)" in text
    week1 = client.get(f"/komite/sporsmal/{q}/kart?svar=yes&per=postnummer&start={W1}&end={W1}").get_data(as_text=True)
    assert "0473 Oslo: for få svarte til å vises for seg" in week1 and "0474 Oslo: for få svarte" in week1
    assert "Andre (små grupper): 100\xa0% svarte «Ja» (6 svarte)" in week1
    assert client.get(f"/komite/sporsmal/{q}/kart?svar=yes&per=adresse").status_code == 400
    # The question's page shown per week or branch links to the map with that grouping: the map is by district.
    by_week = client.get(f"/komite/sporsmal/{q}/kart?svar=yes&per=week")
    assert by_week.status_code == 200 and "per bydel" in by_week.get_data(as_text=True)
