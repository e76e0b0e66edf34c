"""A map credits the data it shows: Oslo kommune only where Oslo's bydeler are loaded, addresses by where
they came from, and every credit in the reader's language."""
import html
import re

import pytest
from sqlalchemy import update

from canvass.extensions import db
from canvass.models import Address
from tests.conftest import login, post


@pytest.fixture
def client(demo_app):
    with demo_app.test_client() as client:
        yield client


def credits(client) -> str:
    page = client.get("/admin/geodata").get_data(as_text=True)
    return html.unescape(re.search(r'data-attribution="([^"]*)"', page)[1])


def test_oslo_is_credited_on_oslos_maps_only(client):
    login(client, "admin@oslo.demo")
    oslo = credits(client)
    assert oslo.startswith("Bakgrunnskart: © Kartverket (CC BY 4.0).") and "Bydeler: © Oslo kommune." in oslo
    client.get("/logout")
    login(client, "admin@baerum.demo")
    baerum = credits(client)
    assert "Oslo kommune" not in baerum and "Postnummerregister: © Posten Norge AS." in baerum


def test_addresses_are_credited_to_where_they_came_from(client):
    db.session.execute(update(Address).values(official_id="matrikkel:" + Address.official_id))
    db.session.commit()
    login(client, "admin@oslo.demo")
    text = credits(client)
    assert "Adresser: © Kartverket, Matrikkelen (CC BY 4.0)." in text and "OpenStreetMap" not in text


def test_credits_already_shown_follow_new_geodata_at_once(client):
    """The credits are kept between pages (canvass/services/geography/attribution.py), but not past a change of data."""
    login(client, "admin@oslo.demo")
    assert "OpenStreetMap contributors" in credits(client) and "Matrikkelen" not in credits(client)
    db.session.execute(update(Address).values(official_id="matrikkel:" + Address.official_id))
    db.session.commit()
    text = credits(client)
    assert "Adresser: © Kartverket, Matrikkelen (CC BY 4.0)." in text and "OpenStreetMap" not in text


def test_the_credits_are_in_english_on_english_pages(client):
    login(client, "admin@oslo.demo")
    post(client, "/sprak", {"lang": "en"})
    text = credits(client)
    assert text.startswith("Basemap: © Kartverket (CC BY 4.0).") and "City districts: © Oslo kommune." in text
    assert "Bakgrunnskart" not in text and "Bydeler" not in text
