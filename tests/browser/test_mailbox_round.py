"""In a real Chromium: a standing holder's leaflet round offline, one tap per entrance, and the city's coverage
rising once the phone has its signal back."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Assignment, Branch, Outcome, TurfAddress, User, Visit
from canvass.services.field import sync
from canvass.services.turf import drops, holders, turfs
from tests.browser.test_join_and_map import log_in

pytestmark = pytest.mark.browser


def marks() -> int:
    return db.session.scalar(select(func.count()).select_from(Visit).where(Visit.outcome == Outcome.MAILBOXES))


def test_a_holder_marks_entrances_offline_and_the_city_coverage_shows_the_households_reached(live_server, browser):
    from tests.browser.conftest import PHONE, download_turf, log_in_as_daniel, poll_clock, polls_within

    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    turf = max(turfs.cut_turfs(sagene, ["0473"], target=70), key=lambda t: t.doors)
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    holders.set_holders(turf, [(daniel.id, None)])
    admin = db.session.scalar(select(User).where(User.email == "admin@oslo.demo"))
    drop = drops.start(admin.organisation, None, "Valgavis", date.today(), date.today() + timedelta(days=1),
                       datetime.now() - timedelta(hours=1), [], admin)
    households = sum(p.households for p in drops.parts(drop))
    assignment = db.session.scalar(select(Assignment).where(Assignment.user_id == daniel.id))
    stops = [s for s in db.session.scalars(select(TurfAddress).where(TurfAddress.turf_id == turf.id)
                                           .order_by(TurfAddress.position)) if s.doors >= 2][:4]

    page = log_in_as_daniel(browser.new_context(**PHONE), live_server)
    context = page.context
    walk_url = f"{live_server}/felt/{assignment.id}"
    download_turf(page, walk_url)
    assert page.locator('button[name="tap"][value^="not_home"]').count() == 0

    context.set_offline(True)
    page.reload()
    entrance = [page.locator(f"#a-{s.address_id}") for s in stops]
    # The first with one tap; the second with a "nei takk" count; the third tapped twice in a row.
    entrance[0].get_by_role("button", name="Lagt i alle postkasser").click()
    entrance[1].get_by_text("Nei takk eller låst?").click()
    entrance[1].get_by_label("Postkasser med «Nei takk til reklame»").fill("1")
    entrance[1].get_by_role("button", name="Lagt i alle postkasser").click()
    entrance[2].get_by_role("button", name="Lagt i alle postkasser").dblclick()
    # More "nei takk" than there are mailboxes is refused on the phone and never shown as saved.
    entrance[3].get_by_text("Nei takk eller låst?").click()
    entrance[3].get_by_label("Postkasser med «Nei takk til reklame»").fill(str(stops[3].doors + 1))
    entrance[3].get_by_role("button", name="Lagt i alle postkasser").click()
    assert f"oppgangen har {stops[3].doors} postkasser" in entrance[3].locator("[data-said]").inner_text()
    page.wait_for_function("() => document.querySelector('[data-outbox-count]').textContent === '3'")
    assert page.locator("li.entrance.done").count() == 3

    # Reloaded without signal: the done entrances stay done, from the phone's outbox.
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('li.entrance.done').length === 3")
    assert page.locator(f"#a-{stops[3].address_id}.done").count() == 0
    assert marks() == 0

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => document.querySelector('[data-outbox-count]').textContent === '0'", timeout=20000)
    # Sent: no entrance says «på telefonen» any more (outsider L).
    expect(page.locator("li.entrance.done .when", has_text="på telefonen")).to_have_count(0)
    assert marks() == 3
    reached = sum(s.doors for s in stops[:3])
    assert db.session.scalar(select(func.sum(Visit.no_ads))) == 1
    # Away to the start page and Back: the same three are done, and nothing is sent again.
    page.goto(f"{live_server}/")
    page.go_back()
    page.wait_for_function("() => document.querySelectorAll('li.entrance.done').length === 3")
    assert page.locator("[data-outbox-count]").inner_text() == "0" and marks() == 3
    context.close()

    coordinator = browser.new_context(**PHONE)
    poll_clock(coordinator)
    desk = coordinator.new_page()
    log_in(desk, live_server, "admin@oslo.demo")
    desk.goto(f"{live_server}/utdelinger/{drop.id}/dekning")
    assert f"Oslo: {reached} av {households} husstander nådd" in desk.inner_text("main")
    desk.wait_for_selector("#map[data-loaded]")
    # Live: the holder marks a fourth entrance from another phone, and the figures and the map follow
    # within half a minute, without a reload.
    fourth = {"id": str(uuid.uuid4()), "type": "visit", "outcome": "mailboxes", "turf_id": turf.id,
              "action_id": assignment.action_id, "address_id": stops[3].address_id, "unit": "",
              "recorded_at": datetime.now(timezone.utc).isoformat()}
    assert sync.ingest(daniel, [fourth])[0].status == "stored"
    now = reached + stops[3].doors
    polls_within(desk, 30)
    desk.wait_for_function(f"() => document.querySelector('[data-whole]').textContent.includes('Oslo: {now} av')",
                           timeout=45000)
    desk.wait_for_selector("#map[data-refreshed]", timeout=45000)
    coordinator.close()


def test_partners_on_one_leaflet_round_see_each_others_marks_and_undos_without_a_reload(live_server, browser):
    """Outsider: on a leaflet round the walk list's partner poll was missing, so two holders of one turf both
    climbed the same stairs; a mark and an undo on one phone now reach the other's open list."""
    from canvass.services.people import people
    from tests.browser.conftest import PHONE, log_in_with_link, poll_clock, polls_within

    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    turf = max(turfs.cut_turfs(sagene, ["0473"], target=70), key=lambda t: t.doors)
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    berit = people.create_user(daniel.organisation, "canvasser", "Berit", branch=sagene)
    db.session.commit()
    holders.set_holders(turf, [(daniel.id, None), (berit.id, None)])
    admin = db.session.scalar(select(User).where(User.email == "admin@oslo.demo"))
    drops.start(admin.organisation, None, "Valgavis", date.today(), date.today() + timedelta(days=1),
                datetime.now() - timedelta(hours=1), [], admin)
    mine, theirs = (db.session.scalar(select(Assignment).where(Assignment.user_id == who.id))
                    for who in (daniel, berit))
    stop = db.session.scalars(select(TurfAddress).where(TurfAddress.turf_id == turf.id)
                              .order_by(TurfAddress.position)).first()

    watching = browser.new_context(**PHONE)
    poll_clock(watching)
    daniels, berits = (log_in_with_link(context, live_server, who)
                       for context, who in ((watching, daniel), (browser.new_context(**PHONE), berit)))
    daniels.goto(f"{live_server}/felt/{mine.id}")
    berits.goto(f"{live_server}/felt/{theirs.id}")
    entrance = f"#a-{stop.address_id}"
    daniels.locator(entrance).wait_for()
    berits.locator(entrance).get_by_role("button", name="Lagt i alle postkasser").click()
    berits.locator(f"{entrance}.done").wait_for()
    assert marks() == 1
    # Daniel's list, open since before Berit's tap, shows the entrance done at its next poll (every 15 s, and
    # whenever the phone's screen comes back on).
    polls_within(daniels, 15)
    daniels.locator(f"{entrance}.done").wait_for(timeout=30000)
    assert daniels.locator("[data-done-count]").inner_text() == "1"
    # Berit undoes it: it opens again on Daniel's phone too.
    berits.locator(entrance).get_by_role("button", name="Angre").click()
    berits.locator(f"{entrance}:not(.done)").wait_for()
    daniels.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    daniels.locator(f"{entrance}:not(.done)").wait_for(timeout=30000)
    assert daniels.locator("[data-done-count]").inner_text() == "0"
    daniels.context.close()
    berits.context.close()
