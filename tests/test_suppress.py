"""No group smaller than k residents is ever shown, and what is hidden cannot be worked out from the rest."""
from hypothesis import given
from hypothesis import strategies as st

from canvass.insight.suppress import OTHER, destinations, suppress

counts = st.dictionaries(st.sampled_from([f"tema {i}" for i in range(12)]), st.integers(0, 40), max_size=12)


def test_small_topics_are_counted_together_as_other():
    assert suppress({"bolig": 40, "klima": 12, "skole": 3, "eldre": 2}) == {"bolig": 40, "klima": 12, OTHER: 5}


def test_when_other_would_be_too_small_the_next_smallest_topic_joins_it():
    assert suppress({"bolig": 40, "klima": 12, "skole": 6, "eldre": 2}) == {"bolig": 40, "klima": 12, OTHER: 8}


def test_fewer_than_k_residents_in_all_shows_nothing():
    assert suppress({"bolig": 3, "klima": 1}) == {}


def test_k_can_be_raised():
    assert suppress({"bolig": 9, "klima": 6, "skole": 5}, k=10) == {OTHER: 20}


@given(counts, st.integers(5, 20))
def test_no_shown_group_is_smaller_than_k_and_the_total_is_kept(table, k):
    shown = suppress(table, k)
    assert all(n >= k for n in shown.values())
    total = sum(table.values())
    assert sum(shown.values()) == (total if total >= k else 0)
    # Every cell either stands as it was or is hidden among at least k residents.
    for key, n in table.items():
        if n and key not in shown:
            assert shown == {} or shown[OTHER] >= k


def roll_up(counts, parent):
    """The counts as they stand once every area is counted where `destinations` sends it."""
    rolled: dict = {}
    for area, destination in destinations(counts, parent).items():
        rolled[destination] = rolled.get(destination, 0) + counts[area]
    return rolled


def test_a_small_postal_code_is_counted_in_its_district_and_a_small_district_in_its_branch():
    parent = {"0473": "Sagene", "0474": "Sagene", "0475": "Sagene", "Sagene": "Sagene lokallag"}
    assert roll_up({"0473": 12, "0474": 3, "0475": 1}, parent) == {"0473": 12, "Sagene lokallag": 4}
    assert roll_up({"0473": 12, "0474": 3, "0475": 4}, parent) == {"0473": 12, "Sagene": 7}
    assert roll_up({"0474": 3}, parent) == {"Sagene lokallag": 3}


@given(st.dictionaries(st.sampled_from(["0473", "0474", "0475", "0476"]), st.integers(0, 12)))
def test_rolling_up_keeps_every_resident(table):
    parent = {"0473": "Sagene", "0474": "Sagene", "0475": "Torshov", "0476": "Torshov",
              "Sagene": "Nord", "Torshov": "Nord"}
    rolled = roll_up(table, parent)
    assert sum(rolled.values()) == sum(table.values())
    assert all(n == 0 or n >= 5 or area == "Nord" for area, n in rolled.items())
