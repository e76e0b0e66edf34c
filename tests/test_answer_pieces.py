"""The postal split is stored (AnswerPiece) and kept in step by answer_counts: a view by postal code sums stored
pieces, which are exactly the split a committee would make reading the counts (canvass.insight.suppress), and as
residents arrive an atom's postal codes come and go from the view just as that split says."""
import importlib
import itertools
from collections import Counter
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from canvass.extensions import db
from canvass.insight import suppress
from canvass.models import AnswerPiece
from canvass.services.committee import answer_counts, answer_figures, committees
from canvass.services.committee.committees import Filters
from tests import test_answer_areas

counted = test_answer_areas.counted
WEEK = date(2026, 11, 2)
EVERYTHING = Filters()
MIGRATION = importlib.import_module("migrations.versions.0024_held_answers")


def by_postal_code(committee, question, filters=EVERYTHING, action_id=None) -> dict:
    return {g.key: (g.residents, g.counts) for g in answer_figures.distribution(
        committee, question, filters, "postnummer", action_id).groups}


def read_as_split(committee, question, filters=EVERYTHING) -> dict:
    """The same view, each atom split as the committee reads it (what every view did before the pieces were kept)."""
    found: dict = {}
    for (_, code), (n, counts) in answer_figures._pieces(committee, question, filters, None).items():
        if code == answer_counts.WHOLE:
            continue
        counts = {value: c for value, c in counts.items() if value != answer_counts.HELD}
        residents, values = found.get(code, (0, Counter()))
        found[code] = (residents + n, values + Counter(counts))
    return {code: (n, dict(values)) for code, (n, values) in found.items()}


def stored() -> Counter:
    return Counter({(row.question_id, row.week, row.district_number, row.branch_id, row.action_id, row.piece,
                     row.value): row.n for row in db.session.scalars(select(AnswerPiece))})


def test_a_view_by_postal_code_sums_the_stored_pieces_which_are_the_split_the_committee_would_make(counted):
    committee, q, d, b = counted["committee"], counted["q"], counted["d"], counted["b"]
    for filters in (Filters(), Filters(district=d["Sagene"]), Filters(branch_id=b["Grünerløkka"]),
                    Filters(start=test_answer_areas.W2, end=test_answer_areas.W2 + timedelta(days=6))):
        assert by_postal_code(committee, q, filters) == read_as_split(committee, q, filters), filters
    # Counted by hand (tests/test_answer_areas.py): W1 Sagene (4 + 2) is all rest, W2 Sagene splits into 0473 and
    # 0474 of five each, W1 Grünerløkka is 0550 of seven, whose answers are held back (5 yes, 1 no, 1 don't know);
    # the atoms of two and three have no pieces at all.
    assert by_postal_code(committee, q) == {"0473": (5, {"yes": 5}), "0474": (5, {"no": 5}), "0550": (7, {}),
                                            "annet": (6, {"yes": 6})}
    assert sum(n for key, n in stored().items() if key[-1] == "" and key[-2] != answer_counts.WHOLE) == 23
    assert sum(n for key, n in stored().items() if key[-1] == "" and key[-2] == answer_counts.WHOLE) == 23


def test_a_committee_that_raised_its_k_splits_its_atoms_by_its_own_k(counted):
    committee, q = counted["committee"], counted["q"]
    committees.set_k(committee, 6)
    # At six the W2 Sagene atom (ten) cannot show a code of five: it is all rest, and its five yes and five no are
    # held back; the W1 atoms of six and seven stay.
    assert by_postal_code(committee, q) == {"0550": (7, {}), "annet": (16, {"yes": 6})}


def arrive(question, conversation_id: int, code: str, value: str = "yes") -> None:
    """One resident of the county's Sagene cell this week answers, at postal code `code`, counted as sync counts."""
    organisation = question.question_set.organisation_id
    answer_counts.record([{"conversation_id": conversation_id, "question_id": question.id, "value": value,
                           "organisation_id": organisation, "week": WEEK, "district_number": "030103",
                           "branch_id": None, "action_id": None}], {conversation_id: code})


def test_as_residents_arrive_an_atoms_postal_codes_appear_and_leave_as_the_split_of_its_counts_says(counted):
    """What today's split does, stored: a code is shown once it and the rest both have five, and a code of five is
    taken back into the rest when a new one leaves the rest short. Any one moment's views are sums of that moment's
    pieces; two moments differ by the residents who arrived between them, as every count does."""
    committee, q = counted["committee"], counted["q"]
    week = Filters(start=WEEK, end=date(2026, 11, 8))
    sequence = iter(range(10_000, 10_100))
    for _ in range(4):
        arrive(q, next(sequence), "0451")
    assert by_postal_code(committee, q, week) == {}                     # four: the atom is held back
    arrive(q, next(sequence), "0451")
    assert by_postal_code(committee, q, week) == {"0451": (5, {"yes": 5})}  # the whole atom, at one code
    for _ in range(4):
        arrive(q, next(sequence), "0452", "no")
    # A rest of four would be 0452's answers: 0451 joins it, and its four no hold back the five yes with them.
    assert by_postal_code(committee, q, week) == {"annet": (9, {})}
    arrive(q, next(sequence), "0453", "no")
    assert by_postal_code(committee, q, week) == {"0451": (5, {"yes": 5}), "annet": (5, {"no": 5})}
    arrive(q, next(sequence), "0452", "no")
    # 0451 and 0452 have five each, the rest one: 0452 (the last shown) joins the rest again.
    assert by_postal_code(committee, q, week) == {"0451": (5, {"yes": 5}), "annet": (6, {"no": 6})}
    for filters in (week, Filters()):
        assert by_postal_code(committee, q, filters) == read_as_split(committee, q, filters)


# An atom's postal rows: per code its residents, and how many of them said yes and no.
ATOM = st.dictionaries(st.sampled_from(["0451", "0452", "0453", "0454", ""]),
                       st.tuples(st.integers(1, 9), st.integers(0, 9), st.integers(0, 9)), max_size=5)


@settings(max_examples=300, deadline=None)
@given(atom=ATOM, single=st.booleans())
def test_the_migration_splits_an_atom_as_the_app_does(atom, single):
    rows = [(code, value, n) for code, (residents, yes, no) in atom.items()
            for value, n in (("", residents), ("yes", min(yes, residents)), ("no", min(no, residents - yes))) if n > 0]
    assert MIGRATION.split(rows, single) == answer_counts.split(rows, many=not single)


@settings(max_examples=300, deadline=None)
@given(atom=ATOM, single=st.booleans())
def test_what_an_atom_shows_is_whole_groups_of_five_and_its_pieces_add_up_to_its_whole(atom, single):
    """Every figure stored for an atom is 0 or at least five residents, so is what each piece holds back, and an
    answer shown by postal code is shown whole with the same count: no figure by area less one by postal code
    leaves fewer than five."""
    rows = [(code, value, n) for code, (residents, yes, no) in atom.items()
            for value, n in (("", residents), ("yes", min(yes, residents)), ("no", min(no, residents - yes))) if n > 0]
    found = answer_counts.split(rows, many=not single)
    pieces = {piece for piece, _ in found}
    for piece in pieces:
        residents = found[(piece, "")]
        answers = {value: n for (p, value), n in found.items() if p == piece and value != ""}
        assert all(n >= 5 for n in answers.values()) and residents >= 5
        if single:
            assert residents - sum(answers.values()) in (0, *range(5, residents + 1))
    for value in ("yes", "no"):
        split = [n for (p, v), n in found.items() if v == value and p != answer_counts.WHOLE]
        assert not split or sum(split) == found[(answer_counts.WHOLE, value)]


def test_the_groupings_read_together_are_the_groupings_read_one_by_one(counted):
    """The exports read every grouping from one query (and the page of every question every question from one):
    the same figures as each read alone."""
    committee, q, d = counted["committee"], counted["q"], counted["d"]
    bys = ["all", "postnummer", "district", "branch", "week"]
    for filters in (EVERYTHING, Filters(district=d["Sagene"]), Filters(start=test_answer_areas.W2)):
        together = answer_figures.distributions(committee, q, filters, bys)
        for by in bys:
            alone = answer_figures.distribution(committee, q, filters, by)
            assert [(g.key, g.residents, g.counts) for g in together[by].groups] == \
                [(g.key, g.residents, g.counts) for g in alone.groups], (filters, by)
        whole = answer_figures.wholes(committee, [q], filters)[0]
        assert [(g.residents, g.counts) for g in whole.groups] == [(g.residents, g.counts)
                                                                  for g in together["all"].groups]
    assert [(g.residents, g.counts, g.held) for g in answer_figures.distribution(committee, q, EVERYTHING).groups] \
        == [(23, {"yes": 11, "no": 5}, 7)]


def _published(counts: dict, single: bool) -> tuple:
    """What a committee reads of one group: the answers shown, and how many answered."""
    return tuple(sorted(suppress.answers_shown(counts, sum(counts.values()), single).items())), sum(counts.values())


@pytest.mark.parametrize(("values", "most"), [(3, 18), (4, 13), (5, 11)])
def test_what_is_held_back_never_pins_an_answer_a_few_gave(values, most):
    """Tester N: "13 answered: 5 yes, the rest held back" with eight held back over no and don't know, each under
    five, said that exactly four said no and four did not know. For every way up to `most` residents can answer a
    question of `values` answers, each answer held back could, for all the committee can tell, have been given by
    another number of residents: never one number from 1 to 4."""
    readings: dict[tuple, list[dict]] = {}
    for split in itertools.product(range(most + 1), repeat=values):
        if 5 <= sum(split) <= most:
            counts = {str(v): n for v, n in enumerate(split) if n}
            readings.setdefault(_published(counts, True), []).append(counts)
    for (shown, _), alike in readings.items():
        for value in map(str, range(values)):
            if value in dict(shown):
                continue
            could_be = {counts.get(value, 0) for counts in alike}
            assert not (len(could_be) == 1 and 0 < next(iter(could_be)) < 5), (shown, value, could_be)


def test_an_answer_held_back_where_several_may_be_chosen_reads_as_not_known_not_as_none():
    """Tester N: ten of eleven chose the bus, which is held back (one did not); the figures said «0 %»."""
    rows = [("0451", "", 11), ("0451", "1", 10), ("0451", "2", 5)]
    found = answer_counts.split(rows, many=True)
    assert found == {("*", ""): 11, ("*", "-"): 11, ("0451", ""): 11, ("0451", "-"): 11}
    group = answer_figures._group(SimpleNamespace(kind="many"), "", 11, {"-": 11})
    assert group.hidden("1") and group.held == 11
    single = answer_figures._group(SimpleNamespace(kind="yes_no"), "", 10, {"yes": 10})
    assert not single.hidden("no") and single.held == 0


def test_where_several_may_be_chosen_one_answer_shown_and_one_held_back_does_not_tell_who_chose_both():
    """Tester N's re-test: "5 of 10 chose benches" with lights held back (chosen by 6 to 9) said that one to four
    chose both. Now all of an atom's answers are shown, or none."""
    assert suppress.answers_shown({"benker": 5, "lys": 7}, 10, single=False) == {}
    assert suppress.answers_shown({"benker": 5, "lys": 5}, 10, single=False) == {"benker": 5, "lys": 5}
    assert suppress.answers_shown({"benker": 6, "lys": 6}, 6, single=False) == {"benker": 6, "lys": 6}
