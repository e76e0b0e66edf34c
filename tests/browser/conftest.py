"""Headless Debian Chromium driven by Playwright, against the live server from tests/conftest.py."""
import collections
import os
import time
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Assignment, Branch, Role, User
from canvass.services.people import logins, people
from canvass.services.turf import actions, turfs

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium reaches for Google's services, which this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# An expectation passes the moment it holds; this is how long it may take. Playwright's 5 s default was too short
# on a loaded runner: a map download of 35 tiles had not finished (test_polish_walk, load average 11).
expect.set_options(timeout=30000)
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "nb-NO"}


REFUSALS: list[str] = []
# What the phones of the running test logged and failed to load, for the report if it fails: a timeout alone says
# neither which page a phone was on nor what its scripts saw (a wait for the conversation page offline ran out once
# in a whole run, stop 34, and never again in 16 runs of it under load).
SEEN: collections.deque[str] = collections.deque(maxlen=80)


def _console(message) -> None:
    line = f"{message.type}: {message.location.get('url')}: {message.text}"
    SEEN.append(line)
    if "Content Security Policy" in message.text:
        REFUSALS.append(f"{message.location.get('url')}: {message.text}")


# Asked from inside a service worker: does a request of its own still reach the server? Never hangs: after 5 s
# the answer is "unknown".
REACHES_THE_SERVER = """() => Promise.race([
    fetch(self.registration.scope + 'uten-nett?signal=' + Date.now(), {cache: 'no-store'})
        .then(() => 'reached', () => 'offline'),
    new Promise(resolve => setTimeout(() => resolve('unknown'), 5000))])"""


def _offline_everywhere(context, set_offline):
    """`context.set_offline(True)` that holds for the running service workers too.

    Playwright applies the emulation to each worker it is attached to, but once in a whole run the worker still
    reached the server after it (test_offline's page not kept: the server's 404 came back to an offline phone;
    Playwright issue #2311 is of that class). A phone without signal reaches nothing, so each running worker is
    asked, and the emulation applied again until none gets through. A worker that stops meanwhile is given the
    emulation when it starts again."""
    def switch(offline: bool) -> None:
        set_offline(offline)
        if not offline:
            return
        for _ in range(5):
            answers = []
            for worker in context.service_workers:
                try:
                    answers.append(worker.evaluate(REACHES_THE_SERVER))
                except PlaywrightError:
                    pass  # stopped while asked
            if "reached" not in answers:
                return
            set_offline(False)
            set_offline(True)
        raise AssertionError("the service worker still reaches the server with the phone offline")
    return switch


def _watched(new_context):
    """Every context reports what the Content-Security-Policy refused (a refusal is a broken page), and what it
    logged and failed to load; going offline holds for its service workers too."""
    def make(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.set_offline = _offline_everywhere(context, context.set_offline)
        context.on("console", _console)
        context.on("weberror", lambda error: SEEN.append(f"uncaught: {error.error}"))
        context.on("requestfailed", lambda request: SEEN.append(
            f"not loaded: {request.method} {request.url} ({request.failure})"))
        return context
    return make


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test's report says where each open page was, which service workers ran, and what the
    phones logged (`SEEN`)."""
    report = yield
    browser = item.funcargs.get("browser") if hasattr(item, "funcargs") else None
    if report.failed and call.when == "call" and browser is not None and browser.is_connected():
        lines = []
        for n, context in enumerate(browser.contexts):
            lines += [f"phone {n}: page {page.url}" for page in context.pages]
            lines += [f"phone {n}: service worker {worker.url}" for worker in context.service_workers]
        report.sections.append(("phones", "\n".join(lines + list(SEEN))))
    return report


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        browser.new_context = _watched(browser.new_context)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def nothing_refused():
    """No browser test passes if Chromium refused a script, style or image under the CSP along the way."""
    REFUSALS.clear()
    SEEN.clear()
    yield
    assert REFUSALS == []


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context
    context.close()


def log_in_with_link(context, live_server, person: User):
    """`person` logs in on the phone `context` with a personal login link from Sagene's coordinator; their start
    page."""
    coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
    _, token = logins.issue_link(person, coordinator, timedelta(hours=1))
    page = context.new_page()
    page.goto(f"{live_server}/inn/{token}")
    page.get_by_role("button", name="Logg inn på denne telefonen").click()
    page.wait_for_url(f"{live_server}/")
    return page


def open_from_the_server(page, url: str, within: float = 180) -> None:
    """Open `url`, controlled by the service worker, as the server's page and not the worker's stand-in.

    The worker waits 3 s for a field page and then shows the copy it kept or, for a page it never kept, its
    no-signal page (static/sw.js `networkFirst`), as a phone on a weak signal should. On a busy CI runner the
    live server took longer than that for the walk list: the phone showed «Ingen nett», which has no outbox.js,
    so the credential it waited for was never asked for (the `download_turf` timeouts of earlier runs). A person
    loads the page again; so does the test, until the server answers in time."""
    deadline = time.monotonic() + within
    while (response := page.goto(url)) is not None and response.status == 503 and time.monotonic() < deadline:
        pass
    assert response is not None and response.ok, f"{url}: {response and response.status}"


def wait_until(page, expression: str, timeout: float = 30000) -> None:
    """Wait until the page function `expression` gives something truthy, awaiting the promise it returns.

    Playwright's wait_for_function takes a returned promise itself as truthy, so a wait there on IndexedDB, the
    caches or the service worker returned at once and waited for nothing. A navigation while it asks (the walk list
    reloading under its worker) is asked again. A promise that never settles (a service worker whose install
    failed is never `ready`) is given up after a few seconds and asked again, so the wait ends at `timeout`
    instead of hanging the run."""
    deadline = time.monotonic() + timeout / 1000
    bounded = f"""() => Promise.race([Promise.resolve().then({expression}),
                                      new Promise(resolve => setTimeout(() => resolve(false), 5000))])"""
    while True:
        try:
            if page.evaluate(bounded):
                return
        except PlaywrightError as err:
            if "context was destroyed" not in str(err) and "navigat" not in str(err):
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout / 1000:.0f} s: {expression}")
        page.wait_for_timeout(100)


def download_turf(page, walk_url: str) -> None:
    """Open the walk list with the service worker in control and the phone's credential held, then press
    «Last ned roden» and wait until the turf works without signal."""
    page.goto(walk_url)
    # Until the worker is active, then once more so it controls the page: reloading while it installs
    # starved a busy machine.
    wait_until(page, "() => navigator.serviceWorker.ready.then(() => true)", timeout=60000)
    open_from_the_server(page, walk_url)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # The page asks for the phone's credential once it loads (and again on "online" and every 30 s).
    wait_until(page, "() => window.CanvassStore && CanvassStore.get('device-token').then(t => !!t)",
                           timeout=120000)
    page.get_by_role("button", name="Last ned roden").click()
    page.wait_for_selector("html[data-offline-ready]")


def poll_clock(context) -> None:
    """Put the pages `context` opens from now on under a clock the test can move (Playwright's clock: it ticks
    with real time until moved on). A page that polls every 15 or 30 seconds then polls when the test says
    `polls_within(page, seconds)`, instead of the test waiting the interval out in real time."""
    context.clock.install()


def polls_within(page, seconds: int) -> None:
    """`seconds` pass on the page's clock at once: each of its timers due by then (a poll) fires once."""
    page.clock.fast_forward(seconds * 1000)


def log_in_as_daniel(context, live_server):
    """Daniel logs in on the phone `context` with a personal login link from his coordinator; his start page."""
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    return log_in_with_link(context, live_server, daniel)


def pair_with_berit(turf, live_server, browser):
    """Berit, a new canvasser of Sagene, joins Daniel on his turf tonight and logs in on her own phone.

    Pairing gives each of them a new assignment: (her phone, her page on the start page, her assignment, his)."""
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    action = db.session.scalar(select(Assignment).where(Assignment.user_id == daniel.id)).action
    sagene = daniel.branches(Role.CANVASSER)[0]
    berit = people.create_user(daniel.organisation, Role.CANVASSER, "Berit", branch=sagene)
    db.session.commit()
    actions.assign(action, turf, [daniel, berit])
    partner = browser.new_context(**PHONE)
    berits = log_in_with_link(partner, live_server, berit)
    theirs = db.session.scalar(select(Assignment).where(Assignment.user_id == berit.id))
    mine = db.session.scalar(select(Assignment).where(Assignment.user_id == daniel.id))
    return partner, berits, theirs, mine


@pytest.fixture
def volunteer(live_server, browser):
    """Daniel, logged in on his phone, with tonight's turf open and downloaded."""
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    turf = max(turfs.cut_turfs(sagene, ["0473"], target=70), key=lambda t: t.doors)
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() - timedelta(hours=1),
                                   topics="bolig\nklima\nskole")
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    actions.assign(action, turf, [daniel])
    context = browser.new_context(**PHONE)
    page = log_in_as_daniel(context, live_server)
    assignment = actions.my_assignments(daniel)[0]
    walk_url = f"{live_server}/felt/{assignment.id}"
    download_turf(page, walk_url)
    yield context, page, walk_url, turf
    context.close()
