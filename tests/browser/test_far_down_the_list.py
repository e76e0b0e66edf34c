"""The evening's gestures at a door far down a long walk list, on a 393×851 phone: the list lays out only the
stops near the screen (content-visibility), so a door out of sight must still be tapped, returned to and kept."""
import pytest
from playwright.sync_api import expect

from tests.browser.test_evening import conversations, fill_conversation, offline_reload, visits
from tests.browser.test_offline import signal_back, waiting

pytestmark = pytest.mark.browser
FAR = 40


@pytest.fixture
def small_phone(volunteer):
    context, page, walk_url, turf = volunteer
    page.set_viewport_size({"width": 393, "height": 851})
    assert page.locator("li.door").count() > FAR + 5
    return volunteer


def settled_box(page, button) -> dict:
    """Where the button is once the stops around it are laid out: they take their real height only when they come
    near the screen, so a position measured right after scrolling can move before a finger lands."""
    box = None
    for _ in range(20):
        button.scroll_into_view_if_needed()
        page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        again = button.bounding_box()
        if again == box:
            return box
        box = again
    return box


def test_a_double_tap_far_down_is_one_record_and_the_door_stays_in_view(small_phone):
    context, page, walk_url, turf = small_phone
    far = page.locator("li.door").nth(FAR)
    button = far.locator('button[name="tap"][value^="not_home "]')
    box = settled_box(page, button)
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    far.locator(".what", has_text="Ikke hjemme ✓").wait_for()
    page.wait_for_load_state("networkidle")
    assert len(visits()) == 1
    expect(far).to_be_in_viewport()
    assert page.locator("[data-done-count]").inner_text() == "1"


def test_back_from_a_conversation_far_down_lands_at_that_door_and_back_and_save_offline_is_one(small_phone):
    context, page, walk_url, turf = small_phone
    offline_reload(context, page)
    far = page.locator("li.door").nth(FAR)
    address, unit = far.get_attribute("data-a"), far.get_attribute("data-u")
    far.locator('button[name="tap"][value^="conversation "]').click()
    page.wait_for_url("**/samtale?**")
    fill_conversation(page)
    page.get_by_role("button", name="Lagre samtalen").click()
    page.wait_for_url(f"{walk_url}#d-{address}-{unit}")
    expect(far).to_be_in_viewport()
    expect(far.locator(".what")).to_have_text("Samtale ✓")
    # Back is the list, not the filled form; Back once more and saving again is the same record.
    page.go_back()
    if "/samtale" in page.url:
        page.get_by_role("button", name="Lagre samtalen").click()
        page.wait_for_url(f"{walk_url}#d-*")
    # Reloaded without signal: the door far down is still done.
    page.reload()
    expect(far.locator(".what")).to_have_text("Samtale ✓")
    assert page.locator("[data-done-count]").inner_text() == "1"
    signal_back(context, page)
    waiting(page, 0, timeout=30000)
    assert len(visits()) == 1 and conversations() == 1
