"""Numbers and dates in the reader's language: decimal commas in Norwegian, and English dates in one
European style on every page ("Tuesday 1 December", "2 December 2026, 21:40"), never "12/2/26, 9:40 PM"."""
import re
from datetime import date, datetime

from flask_babel import force_locale
from sqlalchemy import select

from canvass.extensions import db
from canvass.formatting import format_date, format_datetime, format_km
from canvass.models import Branch
from canvass.services.turf import turfs
from tests.conftest import login, post


def test_english_dates_have_one_style_and_norwegian_keeps_its_own(app):
    moment = datetime(2026, 12, 2, 20, 40)
    with app.test_request_context():
        with force_locale("en"):
            assert format_date(date(2026, 11, 30)) == "30 November 2026"
            assert format_datetime(moment, "short") == format_datetime(moment)
            assert re.fullmatch(r"2 December 2026, \d\d:40", format_datetime(moment, "short"))
            assert format_datetime(moment, "EEEE d. MMMM").startswith("Wednesday 2 December")
        with force_locale("nb"):
            assert format_date(date(2026, 11, 30)) == "30. nov. 2026"
            assert format_datetime(moment, "EEEE d. MMMM").startswith("onsdag 2. desember")
            assert format_km(3660) == "3,7"
        with force_locale("nn"):
            assert format_km(6049) == "6,0"
        with force_locale("en"):
            assert format_km(3660) == "3.7"


def test_turf_lengths_have_a_decimal_comma_in_norwegian_and_a_point_in_english(demo_app):
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    turfs.cut_turfs(sagene, ["0473"], target=70)
    with demo_app.test_client() as client:
        login(client, "sagene@oslo.demo")
        page = client.get(f"/lag/{sagene.id}/roder").get_data(as_text=True)
        assert re.search(r"\d,\d km", page) and not re.search(r"\d\.\d km", page)
        post(client, "/sprak", {"lang": "en"})
        page = client.get(f"/lag/{sagene.id}/roder").get_data(as_text=True)
        assert re.search(r"\d\.\d km", page) and not re.search(r"\d,\d km", page)
