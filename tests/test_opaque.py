"""Input on a committee's pages is named by an opaque reference, never by the database's id.

The ids were given in the order records arrived on the whole server: on a committee's page they told which input of
a cell came in last, and, read a day apart, how many records every organisation together had taken since.
"""
import re

from hypothesis import given
from hypothesis import strategies as st

from canvass import opaque
from canvass.web.references import ref
from tests.conftest import post
from tests.test_committee_pages import committee  # noqa: F401 (the fixture)

SECRET = b"a secret of the kind SECRET_KEY holds"


@given(st.integers(min_value=1, max_value=2**63 - 1))
def test_a_reference_names_its_id_and_only_that(number):
    reference = opaque.encode(SECRET, number)
    assert opaque.decode(SECRET, reference) == number
    assert str(number) not in reference or len(str(number)) < 4
    assert opaque.decode(b"another server's secret", reference) is None


@given(st.text(max_size=40))
def test_a_reference_not_made_by_the_server_names_nothing(text):
    number = opaque.decode(SECRET, text)
    assert number is None or opaque.encode(SECRET, number) == text


def test_neighbouring_ids_get_references_that_say_nothing_of_their_order():
    references = [opaque.encode(SECRET, n) for n in range(1000, 1200)]
    assert len(set(references)) == 200
    # As in a shuffle, about half of the neighbouring ids' references are in the ids' order.
    kept = sum(a < b for a, b in zip(references, references[1:], strict=False))
    assert 60 < kept < 140


def test_the_committees_input_page_names_no_input_by_its_id(committee):  # noqa: F811
    page = committee.get("/komite/innspill?topic=bolig").get_data(as_text=True)
    named = re.findall(r'id="innspill-([^"]+)"', page)
    assert named, "the page lists input"
    assert not any(name.isdigit() for name in named)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", name) for name in named)
    assert not re.search(r'/komite/innspill/\d+/', page)


def test_an_input_named_by_a_made_up_or_changed_reference_is_not_found(committee):  # noqa: F811
    page = committee.get("/komite/innspill?topic=bolig").get_data(as_text=True)
    reference = re.search(r'id="innspill-([^"]+)"', page).group(1)
    assert post(committee, f"/komite/innspill/{reference}/vurdert", {"considered": "1"}).status_code == 302
    changed = reference[:-1] + ("A" if reference[-1] != "A" else "B")
    for made_up in (changed, "1", "0" * 22, ref(10**9)):
        assert post(committee, f"/komite/innspill/{made_up}/vurdert", {"considered": "1"}).status_code == 404
