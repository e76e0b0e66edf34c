"""After a conversation saved without signal, the walk list is back at its own address, at the door, says once
what the door got, and counts what waits on the phone instead of saying all is sent."""
import pytest

from tests.browser.test_evening import door
from tests.browser.test_offline import tap, waiting

pytestmark = pytest.mark.browser


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
    assert page.locator('[data-state="sent"]').is_hidden()
    assert page.locator('[data-state="offline"]').inner_text() == "Uten nett – lagres på telefonen"
    assert page.locator('[data-state="waiting"]').is_visible()
    assert door(page, 1).inner_text().count("Samtale") == 1
