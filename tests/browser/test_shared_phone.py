"""One phone, two people: records made offline wait for the person who made them, whoever logs in next.

An outside tester recorded a door offline as one volunteer, had the coordinator log that phone out, and let
someone else log in on it: the outbox went to the server under the newcomer's name."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Assignment, Branch, Device, Role, User, Visit
from canvass.services.people import logins, people
from canvass.services.turf import actions
from tests.browser.conftest import log_in_as_daniel, log_in_with_link, wait_until
from tests.browser.test_offline import signal_back, stored_visits, tap, waiting

pytestmark = pytest.mark.browser


def test_a_door_recorded_offline_waits_for_its_volunteer_when_someone_else_logs_in_on_the_phone(volunteer,
                                                                                               live_server):
    context, page, walk_url, turf = volunteer
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    context.set_offline(True)
    tap(page, "not_home", 0).click()
    waiting(page, 1)

    # His coordinator logs this phone out (its credential and login end); Berit, his partner tonight, logs in on it.
    coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
    logins.revoke_device(db.session.scalar(select(Device).where(Device.user_id == daniel.id)), coordinator)
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    berit = people.create_user(daniel.organisation, Role.CANVASSER, "Berit", branch=sagene)
    db.session.commit()
    action = db.session.scalar(select(Assignment).where(Assignment.user_id == daniel.id)).action
    actions.assign(action, turf, [daniel, berit])
    _, token = logins.issue_link(berit, coordinator, timedelta(hours=1))
    signal_back(context, page)
    page.goto(f"{live_server}/inn/{token}")
    page.get_by_role("button", name="Logg inn på denne telefonen").click()
    page.wait_for_url(f"{live_server}/")
    berits = db.session.scalar(select(Assignment).where(Assignment.user_id == berit.id))
    page.goto(f"{live_server}/felt/{berits.id}")

    # Her own credential; Daniel's door is named as waiting for someone else, and none of it is sent as hers.
    wait_until(page, f"() => CanvassStore.get('device-user').then(u => u === '{berit.id}')", timeout=60000)
    page.get_by_text("1 registrering fra en annen som har brukt telefonen").wait_for()
    waiting(page, 0)
    # Done on her list too, but not hers to undo (tester J's newcomer deleted the first person's unsent
    # conversation with «Angre»); and an undo sent for it anyway leaves it waiting for him.
    done = page.locator("li.door.done").first
    done.wait_for()
    expect(done.locator("button[name=undo]")).to_have_count(0)
    context.set_offline(True)
    page.evaluate("""() => CanvassStore.all().then(all => {
        const form = new FormData(document.querySelector('form[data-conversation]'));
        form.set('undo', all[0].id + ' not_home ' + all[0].address_id + ' ' + all[0].unit);
        return fetch(document.querySelector('form[data-conversation]').action.replace(/besok$/, 'angre'),
                     {method: 'POST', body: form, headers: {Accept: 'application/json'}});
    })""")
    for _ in range(100):  # evaluate waits for the promise, as wait_for_function does not
        kept = page.evaluate("() => CanvassStore.all()")
        if len(kept) == 2:
            break
        page.wait_for_timeout(100)
    assert sorted(str(e.get("by")) for e in kept) == sorted([str(daniel.id), str(berit.id)])  # his record stays
    page.evaluate("() => CanvassStore.all().then(all => Promise.all(all.filter(e => e.by === '%s')"
                  ".map(e => CanvassStore.remove(e.id))))" % berit.id)  # the probe goes; his record stays
    signal_back(context, page)
    page.evaluate("navigator.serviceWorker.ready.then(r => r.active.postMessage({type: 'flush', force: true}))")
    wait_until(page, "() => CanvassStore.waiting('x').then(w => w[0] + w[1] === 1)")
    assert db.session.scalars(select(Visit)).all() == []

    # Daniel logs in on the phone again: his door goes to the server, as his.
    context.clear_cookies()
    again = log_in_as_daniel(context, live_server)
    mine = db.session.scalar(select(Assignment).where(Assignment.user_id == daniel.id))
    again.goto(f"{live_server}/felt/{mine.id}")
    waiting(again, 0, timeout=20000)
    wait_until(again, "() => CanvassStore.waiting('x').then(w => w[0] + w[1] === 0)", timeout=20000)
    assert again.evaluate("CanvassStore.failed()") == []
    assert stored_visits(again) == [daniel.id]


def test_a_record_the_server_refused_is_shown_only_to_the_volunteer_who_made_it(volunteer, live_server):
    """Outsider of 4 December: Daniel's refused record (its note, the resident's name and number) was listed on
    the next person's pages, and their «Slett dem fra telefonen» deleted it. It waits for Daniel, like his outbox."""
    context, page, walk_url, turf = volunteer
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    page.evaluate(f"""() => CanvassStore.fail({{id: crypto.randomUUID(), recorded_at: new Date().toISOString(),
                                              address_id: null, unit: "", by: "{daniel.id}"}}, "Notatet er tomt")""")
    page.reload()
    expect(page.locator("[data-failed-count]")).to_have_text("1")

    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    berit = people.create_user(daniel.organisation, Role.CANVASSER, "Berit", branch=sagene)
    db.session.commit()
    berits = log_in_with_link(context, live_server, berit)
    berits.goto(f"{live_server}/logout")  # her sync lines, where refused records are listed
    berits.evaluate(f"""() => CanvassStore.fail({{id: crypto.randomUUID(), recorded_at: new Date().toISOString(),
                                                address_id: null, unit: "", by: "{berit.id}"}}, "Ugyldig")""")
    berits.reload()
    expect(berits.locator("[data-failed-count]")).to_have_text("1")  # hers alone
    assert "Notatet er tomt" not in berits.locator("[data-failed]").inner_text()
    berits.locator("[data-failed] summary").click()
    berits.get_by_role("button", name="Slett dem fra telefonen").click()
    expect(berits.locator("[data-failed]")).to_be_hidden()
    # Daniel's is still on the phone, for him.
    assert berits.evaluate("() => CanvassStore.failed().then(all => all.map(f => f.reason))") == ["Notatet er tomt"]


def test_a_tab_left_on_daniels_pages_keeps_his_records_for_him_after_berit_logs_in(volunteer, live_server):
    """Outsider of 4 December: with a tab left on Daniel's walk list and one on his conversation form after he
    logged out and Berit logged in, the walk list labelled Berit's new credential as Daniel's and sent his offline
    tap under it, and the form stamped its record as Berit's: both were stored as hers, on a turf she does not
    hold. They wait for Daniel."""
    context, page, walk_url, turf = volunteer
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    start = walk_url.split("/felt/")[0] + "/"
    walk, talk = context.new_page(), context.new_page()
    walk.goto(walk_url)
    talk.goto(walk_url)
    tap(talk, "conversation", 1).click()
    talk.get_by_label("Med beboerens egne ord").wait_for()
    page.goto(f"{start}logout")
    page.get_by_role("button", name="Ja, logg ut").click()
    page.wait_for_url("**/login*")
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    berit = people.create_user(daniel.organisation, Role.CANVASSER, "Berit", branch=sagene)
    db.session.commit()
    berits = log_in_with_link(context, live_server, berit)
    berits.goto(f"{live_server}/logout")  # a page of hers that keeps the outbox: the phone's person is Berit now
    wait_until(berits, f"() => CanvassStore.get('user').then(u => u === '{berit.id}')")

    context.set_offline(True)
    tap(walk, "not_home", 0).click()
    talk.get_by_label("Med beboerens egne ord").fill("Vil ha flere benker.")
    talk.get_by_role("button", name="Lagre samtalen").click()
    worker = context.service_workers[0]
    wait_until(walk, "() => CanvassStore.all().then(all => all.length === 2)")
    assert worker.evaluate("() => CanvassStore.all().then(all => all.map(e => e.by))") == [str(daniel.id)] * 2
    # The signal back: the tab on Daniel's list asks for a credential, which is Berit's and kept as hers.
    signal_back(context, walk)
    wait_until(walk, f"() => CanvassStore.get('device-user').then(u => u === '{berit.id}')")
    assert stored_visits(walk) == []  # none within 10 s
    assert worker.evaluate("() => CanvassStore.all().then(all => all.length)") == 2
