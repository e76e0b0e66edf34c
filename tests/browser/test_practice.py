"""A new volunteer's first minutes in a real Chromium: join, open the practice round from the home page, walk
the guide, record doors and conversations online and offline, and nothing of it reaches the server."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Branch, User
from canvass.services.people import people
from tests.browser.conftest import PHONE, log_in_as_daniel, wait_until
from tests.browser.test_offline import signal_back, tap

pytestmark = pytest.mark.browser


def every_row() -> dict[str, int]:
    """Every table's row count, apart from the logins and rate limits any request may write: each figure, export
    and committee count is made from these tables, so equal counts mean the practice reached none of them."""
    db.session.expire_all()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables if table.name not in ("login", "rate_limit")}


def door(page, n: int):
    return page.locator("li.door").nth(n)


def practise_conversation(page, contact: bool):
    page.wait_for_url("**/felt/ovelse/samtale?**")
    assert page.locator("h1").inner_text() == "Øvingssamtale"
    page.get_by_text("bolig").click()
    page.get_by_label("Med beboerens egne ord").fill("Husleia er for høy.")
    if contact:
        # As in the real form, wanting contact opens the contact details by itself.
        page.get_by_label("Vil bli kontaktet").check()
        page.get_by_label("Beboeren har lest og samtykker").check()
        page.get_by_role("button", name="Lagre øvingssamtalen").click()
        # Checked as the real form is: no name, no save.
        assert page.get_by_label("Navn").evaluate("i => i.matches(':invalid')") and "/samtale" in page.url
        page.get_by_label("Navn").fill("Kari Øvingsen")
        page.get_by_label("Mobilnummer").fill("412 34 567")
    page.get_by_role("button", name="Lagre øvingssamtalen").click()
    page.wait_for_url("**/felt/ovelse/runde#d-*")


def shows_only(screens, shown: int) -> None:
    """The guide shows one screen at a time. Waiting: until the stylesheet has come, a slow page shows all three."""
    for n, screen in enumerate(screens):
        if n == shown:
            expect(screen).to_be_visible()
        else:
            expect(screen).to_be_hidden()


def test_a_new_volunteer_practises_from_the_home_page_online_and_offline_and_nothing_reaches_the_server(
        live_server, browser):
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
    invite = people.create_invite(sagene, coordinator, 30)
    db.session.commit()
    context = browser.new_context(viewport={"width": 393, "height": 851}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="nb-NO")
    page = context.new_page()
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    # Joins from the invite, and the home page offers practice before any turf.
    page.goto(f"{live_server}/bli-med/{invite.token}")
    expect(page.get_by_text("kan du øve på dørbanking med en gang")).to_be_visible()
    page.get_by_label("Navn").fill("Nora Ny")
    page.get_by_label("Mobilnummer").fill("912 34 568")
    page.get_by_role("button", name="Bli med").click()
    page.wait_for_url(f"{live_server}/")
    page.get_by_role("link", name="Øv på dørbanking").click()

    # The guide: three screens, one at a time.
    screens = [page.locator(f"#steg-{n}") for n in (1, 2, 3)]
    shows_only(screens, 0)
    assert screens[0].get_by_role("heading").inner_text() == "Slik registrerer du en dør"
    screens[0].get_by_role("link", name="Neste").click()
    shows_only(screens, 1)
    expect(screens[1].get_by_text("Jeg samtykker til at partiet lagrer navnet mitt")).to_be_visible()
    screens[1].get_by_role("link", name="Neste").click()
    shows_only(screens, 2)
    expect(screens[2].get_by_text("I øvingsrunden sendes ingenting, heller ikke med nett.")).to_be_visible()
    screens[2].get_by_role("link", name="Start øvingsrunden").click()
    page.wait_for_url(f"{live_server}/felt/ovelse/runde")
    # Until the worker controls the page, as on the real walk list.
    wait_until(page, "() => navigator.serviceWorker.ready.then(() => true)", timeout=60000)
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    wait_until(page, "() => window.CanvassStore && CanvassStore.get('device-token').then(t => !!t)",
                           timeout=60000)
    assert page.locator("h1").inner_text() == "Øvingsrunde"
    assert page.locator(".practice-bar").inner_text().startswith("0 av")
    total = page.locator("li.door").count()
    before, posted = every_row(), len(posts)

    # Online: a door, and a conversation with consent and contact details.
    tap(page, "not_home", 0).click()
    door(page, 0).locator(".result").wait_for()
    assert door(page, 0).locator(".what").inner_text() == "Ikke hjemme ✓"
    assert door(page, 0).locator(".when").inner_text() == "øving, ikke lagret"
    tap(page, "conversation", 1).click()
    practise_conversation(page, contact=True)
    door(page, 1).locator(".result").wait_for()
    assert door(page, 1).locator(".what").inner_text() == "Samtale ✓"
    page.get_by_role("button", name="Last ned øvingsrunden").click()
    page.wait_for_selector("html[data-offline-ready]")

    # Offline: the same, from the phone's cache.
    context.set_offline(True)
    page.reload()
    door(page, 1).locator(".result").wait_for()
    tap(page, "refused", 2).click()
    door(page, 2).locator(".result").wait_for()
    tap(page, "conversation", 3).click()
    practise_conversation(page, contact=False)
    door(page, 3).locator(".result").wait_for()
    page.reload()
    door(page, 3).locator(".result").wait_for()
    assert [door(page, n).locator(".what").inner_text() for n in range(4)] == [
        "Ikke hjemme ✓", "Samtale ✓", "Nei takk ✓", "Samtale ✓"]
    assert page.locator("[data-done-count]").inner_text() == "4"
    assert page.locator(".practice-bar").inner_text().startswith(f"4 av {total} dører")
    # Undo works as on the real list.
    door(page, 2).get_by_role("button", name="Angre").click()
    door(page, 2).get_by_text("Angret.").wait_for()
    assert page.locator("[data-done-count]").inner_text() == "3"

    # Nothing went into the phone's outbox or its list of recent records, so nothing can be sent later either.
    assert page.evaluate("CanvassStore.waiting('').then(w => w[0] + w[1])") == 0
    assert page.evaluate("CanvassStore.get('recent')") in (None, [])
    signal_back(context, page)
    page.evaluate("navigator.serviceWorker.ready.then(r => r.active.postMessage({type: 'flush', force: true}))")
    page.wait_for_load_state("networkidle")
    assert posts[posted:] == [] or all("/api/sync/v1/" in url and "/events" not in url for url in posts[posted:])
    assert every_row() == before

    # The real walk list's own record lists know nothing of it, and the tab's practice ends with the tab.
    page.close()
    fresh = context.new_page()
    fresh.goto(f"{live_server}/felt/ovelse/runde")
    fresh.wait_for_function("() => window.CanvassPractice !== undefined")
    assert fresh.locator("[data-done-count]").inner_text() == "0"
    context.close()


def test_without_script_practice_taps_and_conversations_fold_their_doors_and_store_nothing(live_server, browser):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = log_in_as_daniel(context, live_server)
    page.goto(f"{live_server}/felt/ovelse/runde")
    before = every_row()
    tap(page, "not_home", 0).click()
    page.wait_for_url("**/felt/ovelse/runde#d-*")
    expect(page.get_by_role("status").filter(has_text="Øving: Ikke hjemme. Ingenting er lagret.")).to_be_visible()
    assert door(page, 0).locator(".what").inner_text() == "Ikke hjemme ✓"
    tap(page, "conversation", 1).click()
    page.wait_for_url("**/felt/ovelse/samtale?**")
    page.get_by_text("klima").click()
    page.get_by_role("button", name="Lagre øvingssamtalen").click()
    page.wait_for_url("**/felt/ovelse/runde#d-*")
    assert door(page, 1).locator(".what").inner_text() == "Samtale ✓"
    assert page.locator("[data-done-count]").inner_text() == "2"
    assert every_row() == before
    # The same session with script: the doors practised without it are done, and their undo still works.
    scripted = browser.new_context(**PHONE)
    scripted.add_cookies(context.cookies())
    context.close()
    page = scripted.new_page()
    page.goto(f"{live_server}/felt/ovelse/runde")
    page.wait_for_function("() => window.CanvassPractice !== undefined")
    door(page, 0).get_by_role("button", name="Angre").click()
    page.get_by_role("status").filter(has_text="Øving: angret. Ingenting er lagret.").wait_for()
    assert door(page, 0).locator(".result").count() == 0 and page.locator("[data-done-count]").inner_text() == "1"
    # The page with script asked for this phone's sync credential, as every field page does; nothing else changed.
    assert {**every_row(), "device": 0} == {**before, "device": 0}
    scripted.close()
