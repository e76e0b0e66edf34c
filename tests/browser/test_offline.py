"""In a real Chromium on a phone: download a turf, lose the signal, record 30 doors, get them to the server once."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Branch, Conversation, User, Visit
from canvass.services import actions, people, turfs
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def volunteer(live_server, browser):
    """Daniel, joined by invite on his phone, with tonight's turf open and downloaded."""
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    turf = max(turfs.cut_turfs(sagene, ["0473"], target=70), key=lambda t: t.doors)
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() - timedelta(hours=1),
                                   topics="bolig\nklima\nskole")
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    actions.assign(action, turf, [daniel])
    coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
    invite = people.create_invite(sagene, coordinator, 30)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/bli-med/{invite.token}")
    page.get_by_label("Navn").fill(daniel.name)
    page.get_by_label("Mobilnummer").fill(daniel.phone)
    page.get_by_role("button", name="Bli med").click()
    assignment = actions.my_assignments(daniel)[0]
    walk_url = f"{live_server}/felt/{assignment.id}"
    page.goto(walk_url)
    page.wait_for_function("navigator.serviceWorker.controller !== null || location.reload()", timeout=15000)
    page.goto(walk_url)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function("new Promise(r => CanvassStore.get('device-token').then(t => r(!!t)))", timeout=15000)
    page.get_by_role("button", name="Last ned roden").click()
    page.wait_for_selector("html[data-offline-ready]")
    yield context, page, walk_url, turf
    context.close()


def visits() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Visit))


def test_thirty_records_made_offline_arrive_exactly_once(volunteer):
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

    context.set_offline(False)
    again.evaluate("window.dispatchEvent(new Event('online'))")
    again.wait_for_function("document.querySelector('[data-outbox-count]').textContent === '0'", timeout=20000)
    assert visits() == 30
    conversations = db.session.scalars(select(Conversation)).all()
    assert len(conversations) == 5 and all(c.topics == "bolig" for c in conversations)
    assert sorted(c.words for c in conversations)[0] == "Innspill nummer 1 om husleia."
