"""In a real Chromium: Daniel reads the conversation guide on his downloaded walk list with no signal and answers
tonight's question at a door; meanwhile his coordinator tries to switch the action's question set and is told
why not; when the signal returns the answer arrives, meaning what it meant at the door."""
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Answer, Branch, User
from canvass.services.turf import actions, questions, turfs
from tests.browser.conftest import download_turf, log_in_as_daniel
from tests.browser.test_offline import signal_back, waiting
from tests.browser.test_questions_flow import LAPTOP, logged_in

pytestmark = pytest.mark.browser


def test_the_guide_opens_offline_on_the_walk_list_and_a_set_switch_cannot_cost_the_phones_answer(live_server, browser):
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    turf = turfs.cut_turfs(sagene, ["0473"], target=60)[0]
    coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
    tonight = questions.create_set(coordinator, "Kveldens", None)
    other = questions.create_set(coordinator, "Andre", None)
    asked = questions.add_question(tonight, "one", "Hvem stemte du på sist?", "SV\nAp\nH")
    questions.add_question(other, "yes_no", "Bør bussen gå oftere?")
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() - timedelta(hours=1), topics="bolig",
                                   question_set=tonight, guide="Si hvem du er.\nSpør om valget først.")
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    actions.assign(action, turf, [daniel])

    phone = browser.new_context(**{k: v for k, v in LAPTOP.items() if k != "accept_downloads"})
    page = log_in_as_daniel(phone, live_server)
    walk_url = f"{live_server}/felt/{actions.my_assignments(daniel)[0].id}"
    download_turf(page, walk_url)
    phone.set_offline(True)
    page.reload()
    guide = page.locator("details.samtaleguide")
    expect(guide.get_by_text("Spør om valget først.")).to_be_visible()
    guide.locator("summary").click()
    expect(guide.get_by_text("Spør om valget først.")).to_be_hidden()
    guide.locator("summary").click()
    expect(guide.get_by_text("Spør om valget først.")).to_be_visible()

    page.locator('li.door:not(.done) button[name="tap"][value^="conversation"]').first.click()
    expect(page.locator("details.samtaleguide summary")).to_be_visible()
    page.locator("fieldset.question", has_text="Hvem stemte du på sist?").get_by_text("SV", exact=True).click()
    page.get_by_role("button", name="Lagre samtalen").click()
    page.wait_for_url(f"{walk_url}#d-*")
    waiting(page, 1)

    office, desk = logged_in(browser, live_server, "sagene@oslo.demo")
    desk.goto(f"{live_server}/aksjoner/{action.id}")
    desk.get_by_label("Spørsmålssett (valgfritt)").select_option(label="Andre")
    desk.get_by_role("button", name="Lagre spørsmål og guide").click()
    expect(desk.get_by_text("Aksjonen er sendt ut til frivillige, så spørsmålssettet kan ikke byttes").first
           ).to_be_visible()
    desk.goto(f"{live_server}/sporsmal/{tonight.id}")
    expect(desk.locator(f"#q-{asked.id}")).to_contain_text("Låst: sendt ut til frivillige")
    office.close()

    signal_back(phone, page)
    waiting(page, 0, timeout=20000)
    phone.close()
    db.session.expire_all()
    assert db.session.execute(select(Answer.question_id, Answer.value)).all() == [(asked.id, "1")]
