"""In a real Chromium on a phone: download a turf, lose the signal, record 30 doors, get them to the server once."""
import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Conversation, Visit

pytestmark = pytest.mark.browser


def visits() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Visit))


def test_thirty_records_made_offline_arrive_exactly_once_even_with_two_tabs_open(volunteer):
    context, page, walk_url, turf = volunteer
    context.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text() == turf.name

    buttons = page.locator('button[name="outcome"][value="not_home"]')
    for i in range(25):
        buttons.nth(i).click()
        page.locator(".recorded").nth(i).wait_for()
    assert page.locator(".recorded.offline").count() == 25
    for i in range(5):
        page.locator("a.button.primary", has_text="Samtale").nth(25 + i).click()
        page.get_by_text("bolig").click()
        page.get_by_label("Med beboerens egne ord").fill(f"Innspill nummer {i + 1} om husleia.")
        page.get_by_role("button", name="Lagre samtalen").click()
        page.wait_for_url(f"{walk_url}#adresse-*")
    page.wait_for_function("document.querySelector('[data-outbox-count]').textContent === '30'")
    assert visits() == 0

    page.close()
    again = context.new_page()
    again.goto(walk_url)
    again.wait_for_function("document.querySelector('[data-outbox-count]').textContent === '30'")

    # Two tabs of the walk list get the signal back at the same moment and both send the outbox.
    third = context.new_page()
    third.goto(walk_url)
    context.set_offline(False)
    for tab in (again, third):
        tab.evaluate("window.dispatchEvent(new Event('online'))")
    for tab in (again, third):
        tab.wait_for_function("document.querySelector('[data-outbox-count]').textContent === '0'", timeout=20000)
    assert visits() == 30
    conversations = db.session.scalars(select(Conversation)).all()
    assert len(conversations) == 5 and all(c.topics == "bolig" for c in conversations)
    assert sorted(c.words for c in conversations)[0] == "Innspill nummer 1 om husleia."
