"""Numbers and long option lists are written fast and exactly as the libraries would write them."""
import pytest
from flask_babel import force_locale
from flask_babel import format_number as babel_format
from hypothesis import given
from hypothesis import strategies as st
from wtforms import Form, SelectField
from wtforms.fields.choices import SelectChoice

from canvass import create_app
from canvass.formatting import format_number
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
