"""After a conversation saved without signal, the walk list is back at its own address, at the door, says once
what the door got, and counts what waits on the phone instead of saying all is sent."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_evening import door
from tests.browser.test_offline import tap, waiting
from tests.conftest import serve
from tests.tile_standin import kartverket  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(demo_app, kartverket, tmp_path):  # noqa: F811
    """The demo served with Kartverket's stand-in behind our tile route (the volunteer fixture uses it)."""
    demo_app.config.update(TILE_UPSTREAM=kartverket.template, TILE_CACHE_DIR=tmp_path / "tiles")
    yield from serve(demo_app)


@pytest.fixture
def signal_lost_after_five_tiles(kartverket):  # noqa: F811
    kartverket.serve_only = 5
    return kartverket


def test_after_a_conversation_saved_offline_the_list_counts_what_waits_and_says_the_outcome_once(volunteer):
    context, page, walk_url, turf = volunteer
    context.set_offline(True)
    tap(page, "not_home", 0).click()
    door(page, 0).locator(".result").wait_for()
    tap(page, "conversation", 1).click()
    page.wait_for_url("**/samtale?**")
    page.get_by_text("bolig").click()
    page.get_by_label("Med beboerens egne ord").fill("Husleia er for høy.")
    page.get_by_role("button", name="Lagre samtalen").click()
    page.wait_for_url(f"{walk_url}#d-*")
    assert "/samtale" not in page.url
    door(page, 1).locator(".result").wait_for()
    waiting(page, 2)
    assert page.locator("[data-done-count]").inner_text() == "2"
    expect(page.locator('[data-state="sent"]')).to_be_hidden()
    assert page.locator('[data-state="offline"]').inner_text() == "Uten nett – lagres på telefonen"
    expect(page.locator('[data-state="waiting"]')).to_be_visible()
    assert door(page, 1).inner_text().count("Samtale") == 1


def test_a_download_that_lost_the_signal_says_how_many_map_tiles_are_missing_and_downloads_again(
        signal_lost_after_five_tiles, volunteer):
    context, page, walk_url, turf = volunteer
    standin = signal_lost_after_five_tiles
    page.wait_for_selector("html[data-tiles-ready]", timeout=30000)
    status, note = page.locator("[data-offline-status]"), page.locator("[data-tile-download]")
    expect(status).to_have_text(re.compile(
        r"^Roden er lastet ned, men \d+ av \d+ kartruter mangler – prøv igjen med nett\.$"))
    missing, total = map(int, re.findall(r"\d+", status.inner_text()))
    kept = int(re.search(r"(\d+) kartruter", note.inner_text())[1])
    assert 0 < missing < total and kept + missing == total
    assert note.inner_text().endswith("MB"), "one sentence a line, nothing run together"
    # A status, not a second button: the button beside it downloads again, and is not the filled primary one.
    assert status.evaluate("e => e.tagName") == "P"
    again = page.get_by_role("button", name="Last ned roden på nytt")
    assert "primary" not in again.get_attribute("class")

    standin.serve_only = None
    again.click()
    expect(status).to_have_text("Roden er lastet ned: den virker uten nett.")
    expect(note).to_have_text(re.compile(rf"^Kartet er lagret på telefonen: {total} kartruter, \d+,\d MB$"))
    page.reload()
    expect(status).to_have_text("Roden er lastet ned: den virker uten nett.")


def test_wanting_contact_opens_the_consent_and_a_missing_name_or_number_is_refused_in_the_apps_words_offline(
        volunteer):
    context, page, walk_url, turf = volunteer
    context.set_offline(True)
    tap(page, "conversation", 0).click()
    page.wait_for_url("**/samtale?**")
    page.get_by_text("bolig").click()
    page.get_by_label("Vil bli kontaktet").check()
    assert page.locator("details.consent").evaluate("d => d.open")
    page.get_by_label("Beboeren har lest og samtykker").check()
    save = page.get_by_role("button", name="Lagre samtalen")
    save.click()
    expect(page.locator("#name-error")).to_have_text("Skriv navnet til beboeren.")
    expect(page.locator("p.error[role=alert]")).to_have_text("Skriv navnet til beboeren.")
    assert page.evaluate("document.activeElement.id") == "name"
    page.get_by_label("Navn").fill("Kari Nordmann")
    expect(page.locator("#name-error")).to_have_text("")
    save.click()
    expect(page.locator("#phone-error")).to_have_text("Skriv et gyldig mobilnummer eller en e-postadresse.")
    page.get_by_label("Mobilnummer").fill("12")
    save.click()
    expect(page.locator("#phone-error")).to_have_text("Skriv et gyldig mobilnummer eller en e-postadresse.")
    assert "/samtale" in page.url and page.evaluate("CanvassStore.waiting('').then(w => w[0] + w[1])") == 0
    page.get_by_label("Mobilnummer").fill("412 34 567")
    save.click()
    page.wait_for_url(f"{walk_url}#d-*")
    waiting(page, 1)
