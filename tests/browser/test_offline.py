"""In a real Chromium on a phone: download a turf, lose the signal, record 30 doors, get them to the server once."""
import re
import socket
from datetime import timedelta, timezone

import itsdangerous
import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, func, select

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.models import Branch, BranchPostalCode, Conversation, Device, Role, User, Visit
from canvass.services.field import sync
from canvass.services.people import logins, people
from tests.browser.conftest import log_in_with_link, wait_until

pytestmark = pytest.mark.browser
TWO_HOURS = 2 * 3600


def visits() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Visit))


def tap(page, outcome: str, n: int):
    """The n-th door's button for an outcome (a folded door keeps its buttons, hidden)."""
    return page.locator(f'button[name="tap"][value^="{outcome} "]').nth(n)


def not_home(page, doors) -> None:
    """«Ikke hjemme» tapped at these doors (by their place in the list), each folded as done before the next."""
    for i in doors:
        tap(page, "not_home", i).click()
        page.locator("li.door.done").nth(i).wait_for()


def stored_at_the_servers_time() -> None:
    """Every visit stored at the server's time now, whatever the phone's clock said."""
    db.session.expire_all()
    for visit in db.session.scalars(select(Visit)):
        assert abs(visit.recorded_at - utcnow()) < timedelta(minutes=2), visit.recorded_at


def record_thirty(page, walk_url):
    """25 doors in one tap and 5 conversations with a topic and the resident's words, without signal."""
    not_home(page, range(25))
    assert page.locator("li.door.done .when", has_text="på telefonen").count() == 25
    for i in range(5):
        tap(page, "conversation", 25 + i).click()
        page.get_by_text("bolig").click()
        page.get_by_label("Med beboerens egne ord").fill(f"Innspill nummer {i + 1} om husleia.")
        page.get_by_role("button", name="Lagre samtalen").click()
        page.wait_for_url(f"{walk_url}#d-*")
    waiting(page, 30)


def stored_visits(page) -> list[int]:
    """Who the server's visits are by, once there are any (the phone may see its outbox empty a moment before
    the test's own connection sees the commit)."""
    for _ in range(50):
        db.session.rollback()
        stored = [v.canvasser_id for v in db.session.scalars(select(Visit))]
        if stored:
            return stored
        page.wait_for_timeout(200)
    return []


def waiting(page, n: int, timeout: int = 10000):
    page.wait_for_function(f"() => document.querySelector('[data-outbox-count]').textContent === '{n}'",
                           timeout=timeout)


def server_failing(monkeypatch):
    """Every record the server is sent, by a tap or by a sync, fails inside it (a 500) until `monkeypatch.undo()`."""
    from canvass.services.field import door_tap

    def failing(*args, **kwargs):
        raise RuntimeError("the database failed the transaction")

    monkeypatch.setattr(door_tap, "record", failing)
    monkeypatch.setattr(sync, "ingest", failing)


def signal_back(context, *tabs):
    context.set_offline(False)
    for tab in tabs:
        tab.evaluate("window.dispatchEvent(new Event('online'))")


def test_thirty_records_made_offline_arrive_exactly_once_even_with_two_tabs_open(volunteer):
    context, page, walk_url, turf = volunteer
    context.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text() == turf.name

    record_thirty(page, walk_url)
    assert visits() == 0

    page.close()
    again = context.new_page()
    again.goto(walk_url)
    waiting(again, 30)

    # Two tabs of the walk list get the signal back at the same moment and both send the outbox.
    third = context.new_page()
    third.goto(walk_url)
    signal_back(context, again, third)
    for tab in (again, third):
        waiting(tab, 0, timeout=20000)
        # Sent: no door says «på telefonen» any more, without opening the list again (outsider J).
        expect(tab.locator("li.door.done .when", has_text="på telefonen")).to_have_count(0)
    assert visits() == 30
    conversations = db.session.scalars(select(Conversation)).all()
    assert len(conversations) == 5 and all(c.topics == "bolig" for c in conversations)
    assert sorted(c.words for c in conversations)[0] == "Innspill nummer 1 om husleia."


def test_records_replayed_two_hours_later_arrive_though_the_form_token_has_expired(volunteer, demo_app, monkeypatch):
    context, page, walk_url, turf = volunteer
    context.set_offline(True)
    page.reload()
    record_thirty(page, walk_url)

    # Two hours on at the server, with form tokens that last one hour: the phone's credential still holds.
    demo_app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    stamp = itsdangerous.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda self: stamp(self) + TWO_HOURS)
    monkeypatch.setattr(sync.checks, "utcnow", lambda: utcnow() + timedelta(seconds=TWO_HOURS))
    context.set_offline(False)
    token = page.evaluate('JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]')
    status = context.request.post(f"{walk_url}/besok", headers={"X-CSRFToken": token}).status
    assert status == 400
    signal_back(context, page)
    waiting(page, 0, timeout=20000)
    assert visits() == 30


class StoppingServer:
    """In front of the app: the server stops before storing the first batch, and after storing the second."""

    def __init__(self, app):
        self.app, self.batches = app, 0

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] != "/api/sync/v1/events":
            return self.app(environ, start_response)
        self.batches += 1
        if self.batches == 1:
            environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            self.stop(environ)
        if self.batches == 2:
            b"".join(self.app(environ, lambda *args: None))
            self.stop(environ)
        return self.app(environ, start_response)

    @staticmethod
    def stop(environ):
        environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
        raise ConnectionResetError("the server stopped")


def test_a_server_stopping_in_the_middle_of_a_batch_loses_and_doubles_nothing(volunteer, demo_app, monkeypatch):
    context, page, walk_url, turf = volunteer
    context.set_offline(True)
    page.reload()
    record_thirty(page, walk_url)

    server = StoppingServer(demo_app.wsgi_app)
    monkeypatch.setattr(demo_app, "wsgi_app", server)
    # The phone sends the batch again each time it sees the signal come back, until it gets an answer.
    context.set_offline(False)
    page.wait_for_function(
        """() => { window.dispatchEvent(new Event("online"));
                                      return document.querySelector("[data-outbox-count]").textContent === "0"; }""",
        polling=1000,
        timeout=30000,
    )
    assert server.batches >= 3
    assert visits() == 30


def test_records_the_server_turns_down_stay_in_sight_until_deleted(volunteer):
    context, page, walk_url, turf = volunteer
    context.set_offline(True)
    page.reload()
    not_home(page, range(2))
    # While the phone was without signal, the branch gave its postal code away.
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    db.session.execute(
        delete(BranchPostalCode).where(BranchPostalCode.branch_id == sagene.id, BranchPostalCode.postnummer == "0473")
    )
    db.session.commit()

    signal_back(context, page)
    waiting(page, 0, timeout=20000)
    failed = page.locator("[data-failed]")
    failed.wait_for()
    assert failed.locator("[data-failed-count]").inner_text() == "2"
    assert failed.locator("li").count() == 2
    assert "Du kan ikke registrere besøk på denne adressen." in failed.locator("li").first.text_content()
    # Each line names its door as the list does (outsider J: the lines said only when and why).
    lines = " ".join(failed.locator("li").all_text_contents())
    for i in range(2):
        door = page.locator("li.door").nth(i)
        address = door.locator("xpath=ancestor::li[starts-with(@id, 'a-')]/h2").inner_text().split(". ", 1)[1]
        assert address in lines, (address, lines)
    assert visits() == 0

    page.reload()
    failed.wait_for()
    failed.locator("summary").click()
    failed.get_by_role("button", name="Slett dem fra telefonen").click()
    failed.wait_for(state="hidden")
    page.reload()
    wait_until(page, "() => CanvassStore.failed().then(f => f.length === 0)")
    expect(failed).to_be_hidden()


@pytest.mark.parametrize(("hours", "said"), [(2, "2 t for fort"), (-26, "26 t for sakte"), (-49, "2 døgn for sakte")])
def test_a_phone_whose_clock_is_hours_wrong_gets_its_doors_stored_at_the_servers_time_and_is_told(
        volunteer, hours, said):
    """Outsider J: on a phone whose clock was more than an hour fast every tap was refused, «Ikke lagret:
    Tidspunktet for registreringen er ugyldig», and so was every record kept offline when it was sent; on one a day
    slow every record was stored under yesterday. Nothing was said about the clock."""
    context, page, walk_url, turf = volunteer
    context.clock.install(time=utcnow().replace(tzinfo=timezone.utc) + timedelta(hours=hours))
    page.reload()
    clock_line = page.locator("[data-clock]")
    expect(clock_line).to_have_text(f"Klokka på telefonen går {said}. Det du registrerer, får riktig tid likevel. "
                                    "Vil du stille klokka, gjør det når du har nett.")
    tap(page, "not_home", 0).click()  # with signal: the tap goes straight to the server
    page.locator("li.door.done").nth(0).wait_for()
    context.set_offline(True)
    page.reload()
    expect(clock_line).to_be_visible()  # said again from what the phone learned, without signal
    not_home(page, (1, 2))
    signal_back(context, page)
    waiting(page, 0, timeout=20000)
    assert visits() == 3
    expect(page.locator("[data-failed]")).to_be_hidden()
    stored_at_the_servers_time()


def test_a_phone_clock_set_right_without_signal_still_gets_its_doors_stored_at_the_right_time(volunteer):
    """Outsider K: a phone two hours slow learned the difference with signal; set right without signal, the page
    went on adding two hours, and every record kept then was refused when the signal came back («Tidspunktet for
    registreringen er ugyldig»), as was the first tap with signal."""
    context, page, walk_url, turf = volunteer
    right = utcnow().replace(tzinfo=timezone.utc)
    context.clock.install(time=right - timedelta(hours=2))
    page.reload()
    expect(page.locator("[data-clock]")).to_contain_text("2 t for sakte")
    context.set_offline(True)
    page.reload()
    context.clock.set_system_time(right)
    not_home(page, (0, 1))
    signal_back(context, page)
    waiting(page, 0, timeout=20000)
    assert visits() == 2
    expect(page.locator("[data-failed]")).to_be_hidden()
    # A tap with signal before the page has heard from the server since (the difference it keeps still two hours):
    # refused once, then sent again at the right time, and the door is done.
    page.evaluate("localStorage.setItem('canvass-clock', String(2 * 3600 * 1000))")
    tap(page, "not_home", 2).click()
    page.locator("li.door.done").nth(2).wait_for()
    assert visits() == 3
    stored_at_the_servers_time()


def test_logging_out_says_what_still_waits_and_without_signal_the_phone_says_so_not_the_browser(
        volunteer, monkeypatch):
    """Outsider J: «Logg ut» without signal was the browser's own error page, and the logout page did not say how
    many records still waited on the phone."""
    context, page, walk_url, turf = volunteer
    context.set_offline(True)
    page.reload()
    not_home(page, range(2))
    page.get_by_role("link", name="Logg ut").click()
    expect(page.locator("h1")).to_have_text("Ingen nett")
    expect(page.get_by_text("Det du har registrert, ligger trygt på telefonen")).to_be_visible()

    # With signal, while the server cannot take the records: the logout page counts them.
    server_failing(monkeypatch)
    context.set_offline(False)
    page.reload()
    expect(page.locator("h1")).to_have_text("Logge ut av denne telefonen?")
    expect(page.locator('[data-state="waiting"]')).to_have_text("2 venter på å bli sendt")
    monkeypatch.undo()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    waiting(page, 0, timeout=20000)
    expect(page.locator('[data-state="sent"]')).to_be_visible()
    assert visits() == 2


def test_a_batch_the_server_cannot_read_goes_one_by_one_and_only_the_bad_record_is_set_aside(volunteer):
    context, page, walk_url, turf = volunteer
    context.set_offline(True)
    page.reload()
    not_home(page, range(3))
    # A corrupted record in the outbox, nested deeper than any phone writes: the server refuses the
    # whole request with 400, which used to stick the outbox for ever.
    page.evaluate("""() => CanvassStore.add({id: crypto.randomUUID(), type: "visit", outcome: "not_home",
                                              recorded_at: new Date().toISOString(),
                                              unit: [[[[[[[[[["H0101"]]]]]]]]]]})""")
    signal_back(context, page)
    waiting(page, 0, timeout=30000)
    failed = page.locator("[data-failed]")
    failed.wait_for()
    assert failed.locator("[data-failed-count]").inner_text() == "1"
    assert "for dypt nøstet" in failed.locator("li").first.text_content()
    assert visits() == 3


def test_a_record_the_server_fails_on_every_time_does_not_hold_back_the_doors_behind_it(volunteer, monkeypatch):
    """Left from outsider L: a batch the server fails on (a 500) was sent whole again and again, so one record the
    server fails on every time, a bug there, kept every door behind it on the phone. The batch now goes one record at
    a time; the doors behind reach the server, and the one it fails on waits in the outbox, not set aside, until the
    server stores it."""
    context, page, walk_url, turf = volunteer
    context.set_offline(True)
    page.reload()
    not_home(page, range(5))
    waiting(page, 5)
    poison = page.evaluate("CanvassStore.all().then(events => events[1].id)")
    ingest = sync.ingest

    def failing_on_one(user, events, *args, **kwargs):
        if any(isinstance(event, dict) and event.get("id") == poison for event in events):
            raise RuntimeError("the server fails on this record every time")
        return ingest(user, events, *args, **kwargs)

    monkeypatch.setattr(sync, "ingest", failing_on_one)
    signal_back(context, page)
    waiting(page, 1, timeout=30000)
    assert visits() == 4
    assert page.locator("[data-failed]").is_hidden()
    monkeypatch.undo()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    waiting(page, 0, timeout=30000)
    assert visits() == 5


def test_a_page_not_kept_says_so_without_signal_in_the_language_the_canvasser_chose(volunteer):
    context, page, walk_url, _ = volunteer
    page.select_option("#lang", "nn")
    page.get_by_role("button", name="Bytt").click()
    # The switch comes back to the same walk list, so its address matched before the new page came: wait for the
    # page itself (a single read found the old page in bokmål once, under load).
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    # The worker fetches its no-signal page again in nynorsk once a page comes in nynorsk.
    wait_until(page, """() => caches.keys().then(keys => Promise.all(keys.map(k => caches.open(k)
        .then(c => c.match('/uten-nett')).then(r => r && r.headers.get('Content-Language')))))
        .then(langs => langs.includes('nn'))""")
    context.set_offline(True)
    page.goto(walk_url.rsplit("/", 1)[0] + "/999999")
    expect(page.get_by_role("heading", name="Ikkje nett")).to_be_visible()
    assert "lasta ned" in page.text_content("main")
    page.goto(walk_url)  # the walk list itself still opens
    assert page.locator("li.door").count() > 0
    context.set_offline(False)


def test_the_app_opened_from_its_icon_without_signal_leads_to_the_downloaded_turf(volunteer):
    """The home-screen icon opens the start page (the manifest's start_url): offline it was the browser's own error
    page, and a canvasser who closed the app in a stairwell could not get back to the turf."""
    context, page, walk_url, turf = volunteer
    start = walk_url.split("/felt/")[0] + "/"
    context.set_offline(True)
    page.goto(start)
    page.get_by_role("link", name=turf.name).click()
    page.wait_for_url(walk_url)
    assert page.locator("li.door").count() > 0
    context.set_offline(False)


def test_after_logging_out_the_phone_without_signal_shows_nobodys_pages_and_keeps_the_records_still_waiting(
        volunteer, monkeypatch):
    """The start page kept for the home-screen icon, the walk list with its door notes and what "Last ned roden"
    kept are one person's: after logout they are gone (an outsider saw «Hei, Daniel» offline after Daniel had
    logged out, and his walk list stayed on the phone until it had signal again). A record not yet sent stays
    for Daniel to send when he logs in again."""
    context, page, walk_url, turf = volunteer
    start = walk_url.split("/felt/")[0] + "/"
    context.set_offline(True)
    page.reload()
    not_home(page, [0])
    server_failing(monkeypatch)  # signal, but the record cannot be stored before he logs out
    context.set_offline(False)
    page.goto(f"{start}logout")
    expect(page.locator('[data-state="waiting"]')).to_have_text("1 venter på å bli sendt")
    page.get_by_role("button", name="Ja, logg ut").click()
    page.wait_for_url("**/login*")
    context.set_offline(True)
    monkeypatch.undo()
    for kept in (start, walk_url):
        page.goto(kept)
        expect(page.get_by_role("heading", name="Ingen nett")).to_be_visible()
        assert "Daniel" not in page.content() and turf.name not in page.content(), kept
    worker = context.service_workers[0]  # the no-signal page has no scripts; the worker keeps the outbox
    assert worker.evaluate("() => CanvassStore.waiting('x').then(w => w[0] + w[1])") == 1
    context.set_offline(False)


def test_log_out_pressed_without_signal_takes_the_pages_off_and_says_the_phone_may_still_be_logged_in(volunteer):
    """Outsider L: «Ja, logg ut» pressed the moment the signal went was the browser's own error page. Outsider of
    4 December: a logout whose answer was lost left every page on the phone, and «Logg ut» could not be pressed
    again. The person asked to leave the phone: their pages go whether or not the server heard, and the phone says
    it may not have logged them out."""
    context, page, walk_url, turf = volunteer
    start = walk_url.split("/felt/")[0] + "/"
    page.goto(f"{start}logout")
    context.set_offline(True)
    page.get_by_role("button", name="Ja, logg ut").click()
    expect(page.get_by_role("heading", name="Ingen nett")).to_be_visible()
    expect(page.get_by_text("du er kanskje ikke logget ut")).to_be_visible()
    page.goto(walk_url)
    expect(page.get_by_role("heading", name="Ingen nett")).to_be_visible()
    assert turf.name not in page.content()
    # The server never heard: still logged in, and «Logg ut» is there to press again.
    context.set_offline(False)
    page.goto(f"{start}logout")
    expect(page.locator("h1")).to_have_text("Logge ut av denne telefonen?")


def test_someone_else_logging_in_on_the_phone_takes_the_last_persons_pages_off(volunteer, live_server):
    """Outsider of 4 December: the coordinator logged Daniel's phone out («Logg ut telefonen») and Berit logged in on
    it without a logout: offline she opened Daniel's walk list and conversation form at their old addresses."""
    context, page, walk_url, turf = volunteer
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
    logins.revoke_device(db.session.scalar(select(Device).where(Device.user_id == daniel.id)), coordinator)
    berit = people.create_user(daniel.organisation, Role.CANVASSER, "Berit",
                               branch=db.session.scalar(select(Branch).where(Branch.name == "Sagene")))
    db.session.commit()
    _, token = logins.issue_link(berit, coordinator, timedelta(hours=1))
    page.goto(f"{live_server}/inn/{token}")
    page.get_by_role("button", name="Logg inn på denne telefonen").click()
    page.wait_for_url(f"{live_server}/")
    context.set_offline(True)
    page.goto(walk_url)
    expect(page.get_by_role("heading", name="Ingen nett")).to_be_visible()
    assert turf.name not in page.content() and "Daniel" not in page.content()
    context.set_offline(False)


def test_a_login_that_fails_on_the_phone_takes_nothing_off_it(volunteer):
    """Outsider of 4 December: a wrong password on the phone, or a login form another site sent, took Daniel's
    downloaded turf off it while he stayed logged in. Only a login that goes through does."""
    context, page, walk_url, turf = volunteer
    start = walk_url.split("/felt/")[0] + "/"
    for body in ("email=daniel%40oslo.demo&password=feil", "email=x&password=y&csrf_token=fra-en-annen-side"):
        status = page.evaluate(f"""() => fetch("{start}login", {{method: "POST", body: "{body}",
            headers: {{"Content-Type": "application/x-www-form-urlencoded"}}}}).then(r => r.status)""")
        assert status in (200, 400)
    context.set_offline(True)
    page.goto(walk_url)
    expect(page.locator("h1")).to_have_text(turf.name)
    tap(page, "conversation", 0).click()
    page.get_by_label("Med beboerens egne ord").wait_for()
    context.set_offline(False)


def test_a_tap_in_a_tab_left_open_after_logout_waits_for_its_volunteer_and_is_stored_once(volunteer, live_server):
    """Outsider of 4 December: with two tabs on the walk list, one logged out; a tap in the other was answered with
    the login page, taken for stored («Ikke hjemme ✓»), and stored nowhere. It waits on the phone for Daniel, and
    when he logs in again his walk list no longer says it is downloaded, since its pages went at logout."""
    context, page, walk_url, turf = volunteer
    start = walk_url.split("/felt/")[0] + "/"
    other = context.new_page()
    other.goto(walk_url)
    page.goto(f"{start}logout")
    page.get_by_role("button", name="Ja, logg ut").click()
    page.wait_for_url("**/login*")
    tap(other, "not_home", 0).click()
    waiting(other, 1)
    assert visits() == 0
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    log_in_with_link(context, live_server, daniel)
    other.goto(walk_url)
    waiting(other, 0, timeout=30000)
    assert stored_visits(other) == [daniel.id]
    expect(other.get_by_role("button", name="Last ned roden", exact=True)).to_be_visible()
    assert other.evaluate("document.documentElement.dataset.offlineReady") is None


def test_a_release_during_the_evening_keeps_the_downloaded_turf_working_without_signal(volunteer, monkeypatch):
    """Tester J: a release mid-evening made a new service worker, which threw the downloaded pages away while the
    list still said «Roden er lastet ned»; offline, «Samtale» and the home-screen icon gave «Ingen nett»."""
    from canvass.web import pwa

    context, page, walk_url, turf = volunteer
    real = pwa._worker_source
    monkeypatch.setattr(pwa, "_worker_source",  # the next release: another name, as every release's worker gets
                        lambda folder: re.sub(r'"canvass-([0-9a-f]{12})"', r'"canvass-next-\1"', real(folder)))
    page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    # Installed and active: the old release's cache is gone, only the new one's (and the tiles') left. (A predicate
    # that returns a promise is not waited for by wait_for_function: evaluate is.)
    for _ in range(300):
        keys = page.evaluate("() => caches.keys()")
        if any(k.startswith("canvass-next-") for k in keys) and all(
                k.startswith("canvass-next-") or k == "canvass-tiles-v1" for k in keys):
            break
        page.wait_for_timeout(200)
    else:
        raise AssertionError(f"the next release's worker never took over: {keys}")
    context.set_offline(True)
    tap(page, "conversation", 0).click()
    page.get_by_label("Med beboerens egne ord").wait_for()
    start = walk_url.split("/felt/")[0] + "/"
    page.goto(start)
    page.get_by_role("link", name=turf.name).click()
    page.wait_for_url(walk_url)
    assert page.locator("li.door").count() > 0
    context.set_offline(False)


def test_a_tap_the_server_does_not_answer_goes_to_the_outbox_and_is_stored_once(volunteer, monkeypatch):
    """Tester J's stairwell held the answers: the door stayed greyed out with nothing said for as long as the signal
    hung, and a volunteer who went back and did the conversation again made it twice. After RECORD_WAIT the
    record waits in the outbox under its own id; the hung request and the outbox's are one record."""
    from canvass.services.field import door_tap

    context, page, walk_url, turf = volunteer
    real = door_tap.record

    def hung(*args, **kwargs):
        import time
        time.sleep(12)  # the answer comes long after the phone stopped waiting for it
        return real(*args, **kwargs)

    monkeypatch.setattr(door_tap, "record", hung)
    tap(page, "not_home", 0).click()
    page.locator("li.door.done .when", has_text="på telefonen").first.wait_for(timeout=11000)
    monkeypatch.setattr(door_tap, "record", real)
    signal_back(context, page)
    waiting(page, 0, timeout=60000)
    page.wait_for_timeout(5000)  # the hung request's own answer, stored or found a duplicate
    assert visits() == 1


def test_a_tap_or_a_conversation_the_server_fails_on_goes_to_the_outbox_and_is_stored_once_it_can(
        volunteer, monkeypatch):
    """Outsider K: a sync that PostgreSQL failed (a deadlock, now gone) answered 500, and a tap or a conversation
    sent online was then said «Ikke lagret: 500» and not kept anywhere. Any server failure is the server's, not the
    record's: it waits in the outbox and is sent again under its id."""
    context, page, walk_url, turf = volunteer
    server_failing(monkeypatch)
    tap(page, "not_home", 0).click()
    page.locator("li.door.done .when", has_text="på telefonen").first.wait_for()
    tap(page, "conversation", 1).click()
    page.get_by_text("bolig").click()
    page.get_by_label("Med beboerens egne ord").fill("Husleia er for høy.")
    page.get_by_role("button", name="Lagre samtalen").click()
    page.wait_for_url(f"{walk_url}#d-*")
    waiting(page, 2)
    assert visits() == 0
    monkeypatch.undo()
    signal_back(context, page)
    waiting(page, 0, timeout=20000)
    assert visits() == 2
    assert db.session.scalar(select(Conversation.words)) == "Husleia er for høy."


def test_angre_with_signal_on_a_tap_still_in_the_outbox_takes_it_out_and_nothing_reaches_the_server(
        volunteer, monkeypatch):
    """Outsider L: a tap the server failed on waited in the outbox; «Angre» with signal went to the server, which
    refused it (it had no such record), and the outbox sent the tap afterwards: the door the volunteer undid was
    stored as knocked."""
    context, page, walk_url, turf = volunteer
    server_failing(monkeypatch)
    tap(page, "not_home", 0).click()
    page.locator("li.door.done .when", has_text="på telefonen").first.wait_for()
    monkeypatch.undo()
    page.locator("li.door.done").first.get_by_role("button", name="Angre").click()
    expect(page.locator("li.door.done")).to_have_count(0)
    waiting(page, 0)
    signal_back(context, page)
    page.wait_for_timeout(3000)  # a send of the outbox, if anything were left in it
    assert visits() == 0
