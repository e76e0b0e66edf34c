"""A committee's period filter takes any dates a person (or a hand-edited address) can give, and always whole weeks."""
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from canvass.insight import cells
from tests.conftest import login


@given(st.dates(), st.dates())
def test_any_period_widens_to_whole_weeks_that_cover_it(start, end):
    monday, sunday = cells.snap(start, end)
    assert monday <= start and monday.weekday() == 0 and start - monday < timedelta(days=7)
    assert sunday >= end and (sunday.weekday() == 6 or sunday == date.max) and sunday - end < timedelta(days=7)


def test_a_period_to_the_ends_of_the_calendar_shows_everything(insight_app):
    client = insight_app.test_client()
    login(client, "komite@oslo.demo")
    everything = client.get("/komite/")
    edges = client.get("/komite/?start=0001-01-01&end=9999-12-31")
    assert edges.status_code == everything.status_code == 200
    assert 'value="9999-12-31"' in edges.get_data(as_text=True)
