"""Numbers, long option lists and place names are written fast and exactly as a reader expects them."""
import pytest
from flask_babel import force_locale
from flask_babel import format_number as babel_format
from hypothesis import given
from hypothesis import strategies as st
from wtforms import Form, SelectField
from wtforms.fields.choices import SelectChoice

from canvass import create_app
from canvass.formatting import format_number, format_percent, format_phone, format_tenths, place_name
from canvass.insight.export import csv_cell
from canvass.services.committee.committee_pdf import cell_text
from canvass.web.committee.filters import ManyOptions

# Formatting needs a request's locale, not a database.
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test"})


@pytest.mark.parametrize("locale", ["nb", "nn", "en"])
@given(number=st.one_of(st.integers(min_value=-10**12, max_value=10**12), st.floats(min_value=-1e9, max_value=1e9)))
def test_whole_numbers_are_grouped_exactly_as_babel_groups_them(locale, number):
    with app.test_request_context(), force_locale(locale):
        assert format_number(number) == babel_format(number)


def test_a_norwegian_thousand_is_split_by_a_space_that_does_not_break():
    with app.test_request_context(), force_locale("nb"):
        assert format_number(12345) == "12\xa0345"


@given(options=st.lists(st.tuples(st.text(), st.text()), max_size=5), chosen=st.text())
def test_the_filters_many_options_render_exactly_as_wtforms_renders_them(options, chosen):
    class Both(Form):
        plain = SelectField(choices=[SelectChoice(v, t) for v, t in options])
        fast = SelectField(choices=[SelectChoice(v, t) for v, t in options], widget=ManyOptions())

    form = Both(data={"plain": chosen, "fast": chosen})
    assert str(form.fast()).replace('"fast"', '"plain"') == str(form.plain())


@pytest.mark.parametrize("share, whole", [(0.125, "13"), (0.135, "14"), (0.145, "15"), (0.005, "1"), (0.0049, "0")])
def test_a_share_reads_the_same_on_the_page_in_the_csv_and_in_the_pdf_as_excel_shows_its_cell(share, whole):
    """Excel shows 0.125 under the format 0% as 13 %; Python and Babel would round the half to even (12 %)."""
    with app.test_request_context(), force_locale("nb"):
        assert format_percent(share) == cell_text(share, percent=True) == f"{whole}\xa0%"
    assert csv_cell(share, percent=True) == whole


@pytest.mark.parametrize("value, tenths", [(2.25, "2,3"), (2.0, "2,0"), (56.65, "56,7"), (1234.5, "1\xa0234,5")])
def test_a_fraction_has_one_decimal_everywhere_rounded_as_excel_rounds_it(value, tenths):
    with app.test_request_context(), force_locale("nb"):
        assert format_tenths(value) == cell_text(value, decimal=True) == tenths
    assert csv_cell(value, decimal=True) == tenths.replace("\xa0", "")


@pytest.mark.parametrize("register, written", [
    ("OSLO", "Oslo"), ("MO I RANA", "Mo i Rana"), ("NORD-AURDAL", "Nord-Aurdal"), ("ØVRE EIKER", "Øvre Eiker"),
    ("KRISTIANSAND S", "Kristiansand S"), ("BØ I TELEMARK", "Bø i Telemark"), ("Bærum", "Bærum"), ("", "")])
def test_a_place_a_register_writes_in_capitals_is_shown_as_it_is_written(register, written):
    """Outsider G's job page said «Kommune 0301 OSLO», as Geonorge's list writes it."""
    assert place_name(register) == written


@pytest.mark.parametrize("typed, written", [
    ("+4798765432", "987 65 432"), ("98765432", "987 65 432"), ("004741234567", "412 34 567"),
    ("22123456", "22 12 34 56"), ("+4722123456", "22 12 34 56"), ("+46701234567", "+46701234567"), ("", "")])
def test_a_phone_number_in_the_follow_up_list_is_written_as_norwegians_write_it(typed, written):
    """Outsider G's follow-up list showed "+4798765432"; the link to call it keeps the number as typed."""
    assert format_phone(typed) == written
