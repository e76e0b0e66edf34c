"""A door missing from the walk list, added at the door without signal, and a partner's undo reaching the
other phone: in a real Chromium on a phone, on SQLite and PostgreSQL."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Assignment, FieldDoor, Visit
from tests.browser.conftest import pair_with_berit, poll_clock, polls_within
from tests.browser.test_join_and_map import log_in
from tests.browser.test_offline import signal_back, waiting

pytestmark = pytest.mark.browser

# Hostile text as a door's label: it must stay text on the phone, in the outbox and on the coordinator's page.
HOSTILE = "<img src=x onerror=\"document.title='x'\">"


def stored() -> tuple[list[FieldDoor], list[Visit]]:
    db.session.expire_all()
    return db.session.scalars(select(FieldDoor)).all(), db.session.scalars(select(Visit)).all()


def test_a_door_added_offline_is_recorded_kept_through_a_reload_synced_once_and_confirmed(volunteer, live_server,
                                                                                          browser):
    context, page, walk_url, turf = volunteer
    total = page.locator("li.door").count()
    stop = page.locator("ol.field-list > li").filter(has=page.locator("li.door")).first
    where = stop.locator("h2").inner_text().split(". ", 1)[1]
    context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")

    stop.get_by_role("link", name="Dør eller adresse mangler?").click()
    page.wait_for_url("**/mangler?**")
    assert page.locator(".where").inner_text() == where
    page.get_by_label("Hva står det på døra?").fill(HOSTILE)
    page.get_by_role("button", name="Legg til døra").click()
    page.wait_for_url(f"{walk_url}#d-*")
    added = page.locator("li.door", has=page.locator(".door-name", has_text=HOSTILE))
    added.wait_for()
    assert added.locator(".door-name").inner_text() == HOSTILE and page.title() != "x"
    assert page.locator(".progress").inner_text().startswith(f"0 av {total + 1} dører")
    waiting(page, 1)

    # Recorded like any door, still without signal.
    added.locator('button[name="tap"][value^="not_home"]').click()
    added.locator(".what", has_text="Ikke hjemme ✓").wait_for()
    waiting(page, 2)
    # A reload without signal: the cached page, the door from the outbox, done.
    page.reload()
    added.locator(".what", has_text="Ikke hjemme ✓").wait_for()
    assert page.locator("[data-done-count]").inner_text() == "1"
    assert stored() == ([], [])

    # Signal: the door and its visit arrive once, and the server's own list has the door.
    signal_back(context, page)
    waiting(page, 0, timeout=30000)
    doors, visits = stored()
    assert [(d.label, d.status) for d in doors] == [(HOSTILE, "pending")]
    assert [(v.unit, v.outcome.value) for v in visits] == [(doors[0].unit, "not_home")]
    page.reload()
    served = page.locator(f'li.door[data-u="{doors[0].unit}"]')
    assert served.locator(".door-name").inner_text() == HOSTILE
    assert served.locator(".what").inner_text() == "Ikke hjemme ✓"
    assert page.locator("li.door").count() == total + 1

    # The coordinator sees it on the action's page and confirms it.
    desk = browser.new_context(locale="nb-NO")
    coordinator = desk.new_page()
    log_in(coordinator, live_server, "sagene@oslo.demo")
    action_id = db.session.scalar(select(Assignment.action_id).where(Assignment.turf_id == turf.id))
    coordinator.goto(f"{live_server}/aksjoner/{action_id}")
    box = coordinator.locator(".added-doors")
    assert box.locator("strong").inner_text() == HOSTILE and coordinator.title() != "x"
    box.get_by_role("button", name="Bekreft").click()
    coordinator.locator(".flash", has_text="er bekreftet").wait_for()
    assert coordinator.locator(".added-doors").count() == 0
    assert [d.status for d in stored()[0]] == ["confirmed"]
    desk.close()


def test_a_partners_undo_opens_the_door_again_on_the_other_phone(volunteer, live_server, browser):
    context, page, walk_url, turf = volunteer
    partner, berits, theirs, mine = pair_with_berit(turf, live_server, browser)
    poll_clock(context)
    page.goto(f"{live_server}/felt/{mine.id}")
    page.locator("li.door").first.wait_for()
    berits.goto(f"{live_server}/felt/{theirs.id}")

    hers = berits.locator("li.door").nth(3)
    hers.locator('button[name="tap"][value^="refused "]').click()
    hers.locator(".result").wait_for()
    on_mine = page.locator("li.door").nth(3)
    polls_within(page, 30)
    on_mine.locator(".what", has_text="Nei takk ✓").wait_for(timeout=30000)
    # Berit undoes it; Daniel's phone opens the door again without a reload, and counts it as not done.
    hers.get_by_role("button", name="Angre").click()
    hers.locator(".said", has_text="Angret.").wait_for()
    polls_within(page, 30)
    page.wait_for_function("() => !document.querySelectorAll('li.door')[3].classList.contains('done')",
                           timeout=30000)
    assert on_mine.locator(".result").count() == 0
    expect(on_mine.locator(".taps")).to_be_visible()
    assert page.locator("[data-done-count]").inner_text() == "0"
    partner.close()


def test_a_door_and_an_address_the_partner_adds_appear_in_their_building_on_the_other_phone(volunteer, live_server,
                                                                                            browser):
    context, page, walk_url, turf = volunteer
    partner, berits, theirs, mine = pair_with_berit(turf, live_server, browser)
    poll_clock(context)
    page.goto(f"{live_server}/felt/{mine.id}")
    total = page.locator("li.door").count()
    berits.goto(f"{live_server}/felt/{theirs.id}")

    # Berit adds a door at the second stop and an address at the third; Daniel's list is not reloaded.
    stops = berits.locator("ol.field-list > li")
    second, third = stops.nth(1).get_attribute("id"), stops.nth(2).get_attribute("id")
    stops.nth(1).get_by_role("link", name="Dør eller adresse mangler?").click()
    berits.get_by_label("Hva står det på døra?").fill(HOSTILE)
    berits.get_by_role("button", name="Legg til døra").click()
    berits.wait_for_url("**/felt/*#d-*")
    berits.locator(f"#{third}").get_by_role("link", name="Dør eller adresse mangler?").click()
    berits.get_by_label("Gate").fill("Nyveien")
    berits.get_by_label("Husnummer").fill("7B")
    berits.get_by_role("button", name="Legg til adressen").click()
    berits.wait_for_url("**/felt/*#d-*")

    door = page.locator(f"#{second} li.door", has=page.locator(".door-name", has_text=HOSTILE))
    address = page.locator(f"#{third} li.door", has=page.locator(".door-name", has_text="Nyveien 7B"))
    polls_within(page, 30)
    door.wait_for(timeout=30000)
    address.wait_for(timeout=30000)
    assert door.locator(".door-name").inner_text() == HOSTILE and page.title() != "x"
    assert page.locator(".progress").inner_text().startswith(f"0 av {total + 2} dører")
    assert page.locator("li.door").count() == total + 2

    # What Berit records at her new door reaches Daniel's copy of it, and counts.
    hers = berits.locator("li.door", has=berits.locator(".door-name", has_text=HOSTILE))
    hers.locator('button[name="tap"][value^="not_home"]').click()
    hers.locator(".result").wait_for()
    polls_within(page, 30)
    door.locator(".what", has_text="Ikke hjemme ✓").wait_for(timeout=30000)
    assert page.locator("[data-done-count]").inner_text() == "1"
    # Polled again, nothing doubles.
    with page.expect_response(lambda r: r.url.endswith("/dorer.json")) as polled:
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    polled.value.finished()
    page.evaluate("() => new Promise(requestAnimationFrame)")
    assert page.locator("li.door").count() == total + 2
    partner.close()
