"""A map that works in a stairwell: after "Last ned roden" the turf's map tiles are on the phone.

Kartverket is the loopback stand-in (tests/tile_standin.py); the phone only ever talks to our server.
"""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import serve
from tests.tile_standin import kartverket  # noqa: F401 (a fixture)


@pytest.fixture
def live_server(demo_app, kartverket, tmp_path):  # noqa: F811
    """The demo served with Kartverket's stand-in behind our tile route (the volunteer fixture uses it)."""
    demo_app.config.update(TILE_UPSTREAM=kartverket.template, TILE_CACHE_DIR=tmp_path / "tiles")
    yield from serve(demo_app)


def test_after_downloading_the_turf_the_map_shows_its_tiles_offline(volunteer, kartverket, live_server):  # noqa: F811
    context, page, walk_url, _ = volunteer
    page.wait_for_selector("html[data-tiles-ready]", timeout=30000)
    note = page.locator("[data-tile-download]")
    expect(note).to_have_text(re.compile(r"^Kartet er lagret på telefonen: \d+ kartruter, \d+,\d MB$"))
    kept = int(re.search(r"(\d+) kartruter", note.inner_text())[1])
    assert kept > 10 and sum(kartverket.asked.values()) == kept, "every tile came through our server, once"

    # Before a download the size is shown as an estimate; with the tiles cached on the server, a measured one.
    page.evaluate("localStorage.clear()")
    page.reload()
    expect(note).to_have_text(re.compile(rf"^Kartet til roden: {kept} kartruter, ca\. \d+,\d MB$"))

    # Downloading again keeps what the phone has: nothing new is asked of the server.
    # The button says the turf is downloaded (it is), and pressing it again downloads again.
    page.locator("[data-offline-download]").click()
    expect(note).to_have_text(re.compile(rf"^Kartet er lagret på telefonen: {kept} kartruter"))
    asked = sum(kartverket.asked.values())
    assert asked == kept
    context.set_offline(True)
    page.reload()
    expect(note).to_have_text(re.compile(rf"^Kartet er lagret på telefonen: {kept} kartruter"))
    page.get_by_text("Kart", exact=True).click()
    page.wait_for_function("() => document.querySelectorAll('#map img.leaflet-tile-loaded').length >= 4",
                           timeout=60000)
    sources = page.eval_on_selector_all("#map img.leaflet-tile-loaded",
                                        "imgs => imgs.map(i => [i.src, i.naturalWidth])")
    assert all(src.startswith(f"{live_server}/kart/fliser/topograatone/") and width == 256 for src, width in sources)
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("© Kartverket")
    assert sum(kartverket.asked.values()) == asked, "offline, nothing reached the server or Kartverket"
