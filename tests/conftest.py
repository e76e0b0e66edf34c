"""Fixtures: every app-level test runs on SQLite and on a real PostgreSQL, with real geodata from ../shared/geodata."""
import gc
import os
import re
import shutil
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from flask import g
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from sqlalchemy import select
from werkzeug.serving import make_server

os.environ.setdefault("SECRET_KEY", "test-secret")

from canvass import clock, create_app, queue  # noqa: E402
from canvass.extensions import db  # noqa: E402
from canvass.models import Branch, Membership, Role, User  # noqa: E402
from canvass.services.demo import demo, sample_input  # noqa: E402
from canvass.services.people import logins, people, two_factor  # noqa: E402
from canvass.services.turf import actions, turfs  # noqa: E402
from tests import databases, once_per_worker, serving  # noqa: E402

once_per_worker.install()

# Hypothesis's deadline and its too-slow check time each example: on a busy CI machine they fail a
# correct test. Speed targets live in bench/, so the suite times nothing.
settings.register_profile("canvass", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("canvass")

# A test allocates apps, pages and rows by the hundred thousand, most of them gone by the next test. At Python's
# default (a young collection every 700 allocations) the collector took 15 % of a worker's CPU on tests/test_sync.py
# and 13 % on test_committee_pages and test_field, mostly full collections over everything the worker had imported;
# every 10,000 it takes 5-7 % (docs/testing.md).
gc.set_threshold(10_000, 10, 10)

ROOT = Path(__file__).resolve().parent.parent
GEODATA = Path(os.environ.get("CANVASS_GEODATA", ROOT.parent / "shared" / "geodata"))
PASSWORD = demo.PASSWORD


def make_app(url: str, **config):
    # Jobs run inside the request that starts them (tests/test_jobs.py runs real consumers), and their
    # files go to a folder of this app's own.
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "GEODATA_DIR": GEODATA,
                      # No basemap unless a test brings its own tile stand-in (tests/tile_standin.py).
                      "TILE_UPSTREAM": "", "QUEUE_URL": "immediate://",
                      "JOB_FILES": Path(tempfile.mkdtemp(prefix="canvass-test-jobs-")), **config})
    app.jinja_env.bytecode_cache = once_per_worker.TEMPLATES
    with app.app_context():
        db.engine._compiled_cache = once_per_worker.STATEMENTS

    def fresh_request_globals():
        # Tests keep one app context open for their database checks, and Flask reuses it for
        # requests; start each request with empty `g` (logged-in user, CSRF state) as in production,
        # before any extension's own hook runs.
        g.__dict__.clear()

    app.before_request_funcs.setdefault(None, []).insert(0, fresh_request_globals)
    return app


def _dispose(app):
    """Close the app's queue, files and every database connection; fail if one was still in use (left open)."""
    queue.close(app)
    shutil.rmtree(app.config["JOB_FILES"], ignore_errors=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        left_open = databases.close_left_open(db.engine.url.database)
    assert not left_open, "a database connection was still in use when the app was closed, opened at:\n" + left_open[0]


# The tests that take longest, longest first (measured: docs/testing.md). Each xdist worker gets a run of the
# list and an idle one steals from the end of another's, so with these at the front the long ones start at once
# and the run ends with short tests on both cores, not one core on a minute-long test while the other waits.
LONG_FIRST = (
    "tests/test_chaos.py",
    "tests/test_jobs.py::test_a_job_whose_consumer_is_killed",
    "tests/test_access_map.py",
    "tests/test_hostile_text.py",
    "tests/test_scrub.py::test_hostile_input_does_not_stop_the_export",
    "tests/test_privacy.py::test_after_the_purge",
    "tests/test_themes.py::test_generated_input_groups_by_the_theme",
    "tests/test_committee_differencing.py::test_any_two_views",
    "tests/test_committee_kanon.py",
    "tests/test_bad_input.py::test_a_bad_field_is_refused_alone",
    "tests/test_bad_input.py::test_the_sync_endpoint_survives",
    "tests/browser/test_party_from_zero.py",
    "tests/test_geodata_attacks.py::test_another_organisations_admin_cannot_change_oslos_geography",
    "tests/test_geodata_bounds.py::test_a_ring_that_crosses_itself",
    "tests/test_shared_geography.py::test_an_admin_who_claims_oslo_cannot_rename_or_redraw",
    "tests/test_cli.py::test_demo_load",
    "tests/test_migrations.py::test_a_database_filled_by_the_previous_release",
    "tests/browser/test_mailbox_round.py",
    "tests/browser/test_questions_flow.py",
    "tests/browser/test_missing_door.py",
    "tests/browser/",
    "tests/test_committee_hand_counts.py",
    "tests/test_login_limit.py",
    "tests/test_jobs.py",
    "tests/test_backup.py",
    "tests/test_cache_headers.py",
    "tests/test_migrations.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Long tests first (see LONG_FIRST), otherwise in pytest's order; every worker collects the same order."""
    def rank(item):
        return next((n for n, prefix in enumerate(LONG_FIRST) if item.nodeid.startswith(prefix)), len(LONG_FIRST))
    items.sort(key=rank)


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the run's first process: xdist's controller, or the only one
        config.canvass_shared = databases.start_run()


def pytest_unconfigure(config):
    if hasattr(config, "canvass_shared"):
        databases.end_run(config.canvass_shared)


@pytest.fixture(scope="session", autouse=True)
def quick_passwords():
    """Every password in this process, the demo's included, hashed at argon2's smallest cost."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(people, "_hasher", once_per_worker.QUICK_PASSWORDS)
        yield


@pytest.fixture(scope="session")
def geodata() -> Path:
    assert GEODATA.is_dir(), f"the shared geodata is missing: {GEODATA}"
    return GEODATA


@pytest.fixture(scope="session")
def every_store():
    """Both backends' stores in this worker, each made when a test first needs it and kept to the end.

    pytest finishes a parametrised session fixture whenever the next test has the other parameter, and
    worksteal hands a worker tests of both backends in any order: rebuilt each time, the PostgreSQL cluster
    and the templates (the demo alone takes tens of seconds) were made several times per worker."""
    stores: dict[str, databases.SqliteDatabases | databases.PostgresDatabases] = {}
    yield stores
    for store in stores.values():
        store.close()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def databases_(request, every_store):
    if request.param not in every_store:
        every_store[request.param] = databases.SqliteDatabases() if request.param == "sqlite" else databases.postgres()
    return every_store[request.param]


def _template(store, name: str, build):
    """The template `name` of this store, built by `build()` the first time a test of the run asks (in any worker)."""
    if name not in store.templates:
        store.templates[name] = databases.built_once(f"{store.name}-{name}", build)
    return store.templates[name]


def _build_from(store, template: str | None, fill) -> tuple[str, object]:
    """A new database of `store` copied from `template` (or empty) with `fill()` run in its app; its URL and
    what `fill` returned."""
    url = store.create(template)
    app = make_app(url)
    with app.app_context():
        filled = fill()
    _dispose(app)
    return url, filled


@pytest.fixture(scope="session")
def schema_template(databases_):
    """An empty database built by the migrations, as a new installation gets it."""
    return _template(databases_, "schema", lambda: _build_from(databases_, None, upgrade)[0])


@pytest.fixture(scope="session")
def demo_template(databases_, schema_template, geodata):
    """The database `make run` creates: all shared geodata, Oslo and Bærum, demo users."""
    return _template(databases_, "demo",
                     lambda: _build_from(databases_, schema_template, lambda: demo.load(geodata))[0])


def _app_on_copy_of(databases_, template):
    url = databases_.create(template)
    app = make_app(url)
    with app.app_context():
        yield app
    _dispose(app)
    databases_.drop(url)


@pytest.fixture
def app(databases_, schema_template):
    """An empty, migrated database of its own."""
    yield from _app_on_copy_of(databases_, schema_template)


@pytest.fixture
def demo_app(databases_, demo_template):
    """A database of its own holding the demo."""
    yield from _app_on_copy_of(databases_, demo_template)


class Draining:
    """A WSGI wrapper that counts the requests being served and, once the test is over, turns new ones
    away and waits for the last one to finish.

    A browser's service worker or a polling page may still be in a request when the test ends. Its
    database connection would go back to a pool the test has already disposed of, and psycopg would
    complain about it whenever the garbage collector next ran, failing some later test.
    """

    def __init__(self, app):
        self.app = app
        self.busy = 0
        self.closing = False
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            if self.closing:
                start_response("503 Service Unavailable", [("Content-Length", "0"), ("Connection", "close")])
                return [b""]
            self.busy += 1
        try:
            # Flask pops the app context, and with it the database session, before returning.
            return self.app(environ, start_response)
        finally:
            with self.changed:
                self.busy -= 1
                self.changed.notify_all()

    def drain(self, timeout: float = 60):
        with self.changed:
            self.closing = True
            assert self.changed.wait_for(lambda: self.busy == 0, timeout), "a request outlived its test by a minute"


def serve(app):
    """Serve `app` on a loopback port with a threaded server; yields its address.

    At the end every request still in flight is finished before the caller disposes of the database."""
    draining = Draining(app)
    server = make_server("127.0.0.1", 0, draining, threaded=True)
    thread = serving.in_thread(server)
    yield f"http://127.0.0.1:{server.server_port}"
    draining.drain()
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def a_week_later(monkeypatch):
    """Moves the server's clock on by a week at each call. A committee reads only weeks that are over, so what
    arrived before is read after this; what arrives after it is filed under the later week."""
    def later():
        earlier = clock.utcnow
        monkeypatch.setattr(clock, "utcnow", lambda: earlier() + timedelta(days=7))
    return later


@pytest.fixture
def live_server(demo_app):
    """The demo app served on a loopback port by a threaded server, for browsers and concurrent clients."""
    yield from serve(demo_app)


@pytest.fixture
def client(demo_app):
    return demo_app.test_client()


def csrf_token(client, path="/login") -> str:
    """The page's CSRF token; empty where the app under test has CSRF switched off."""
    return _csrf_in(client.get(path, follow_redirects=True).get_data(as_text=True))


def form_id_in(page: str) -> str:
    """The id a page's form was given when it opened (canvass/web/form_ids.py)."""
    found = re.search(r'name="form_id"[^>]*value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _csrf_in(page: str) -> str:
    found = re.search(r'"X-CSRFToken": "([^"]*)"', page)
    assert found, page
    return found.group(1)


def login(client, email: str, password: str = PASSWORD):
    """Log in as a person does: the password, then for admins and coordinators the code from their app."""
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.location.startswith("/login/kode"):
        # One look at the code page, as a person takes: its form's token and, the first time, the key to set up.
        page = client.get("/login/kode").get_data(as_text=True)
        response = client.post("/login/kode", data={"code": two_factor_code(client, email, page),
                                                    "csrf_token": _csrf_in(page)})
        assert response.status_code == 302, response.get_data(as_text=True)
    return response


def roles_of(user: User) -> list[tuple[str, str | None]]:
    """The person's roles as (role, branch name), the widest first: what a test compares."""
    return [(m.role.value, m.branch.name if m.branch else None)
            for m in sorted(user.memberships, key=lambda m: m.sort_key)]


def login_as_volunteer(client, volunteer: User):
    """A volunteer's phone logs in the one way there is into an existing volunteer account: a personal
    login link from the organisation (an invite link always makes a new account)."""
    admin = db.session.scalar(select(User).where(User.organisation_id == volunteer.organisation_id,
                                                 User.memberships.any(Membership.role == Role.ADMIN))
                              .order_by(User.id).limit(1))
    _, token = logins.issue_link(volunteer, admin, timedelta(hours=1))
    path = f"/inn/{token}"
    response = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return response


def two_factor_code(client, email: str, page: str | None = None) -> str:
    """What the authenticator app shows: from the key on the set-up page (`page`, else fetched), or the one
    already stored.

    A code works once, so a second login within the same 30 seconds takes the next step's code."""
    if page is None:
        page = client.get("/login/kode").get_data(as_text=True)
    shown = re.search(r'data-secret="([A-Z2-7]+)"', page)
    user = db.session.scalar(select(User).where(User.email == email).execution_options(populate_existing=True))
    current = int(time.time() // two_factor.STEP)
    if (user.totp_last_step or -1) > current:
        # A third login within one step: a person would wait up to 30 s for the next code. The test stands in
        # for that wait by taking the stored step back to now, so the next code is accepted and none is reused.
        user.totp_last_step = current
        db.session.commit()
    step = max(current, (user.totp_last_step or -1) + 1)
    return pyotp.TOTP(shown.group(1) if shown else user.totp_secret).at(step * two_factor.STEP)


def daniels_turf_tonight(target: int = 60):
    """Daniel Dørbanker of Sagene holds a turf of 0473 (Torshov) in a door action that began an hour ago."""
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    turf = turfs.cut_turfs(sagene, ["0473"], target=target)[0]
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() - timedelta(hours=1))
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    actions.assign(action, turf, [daniel])
    return turf, action, daniel


def post(client, path: str, data: dict | None = None, **kwargs):
    """POST a form the way a browser does, with the CSRF token from a page."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **(data or {})}, **kwargs)


INSIGHT_START = datetime(2026, 8, 31, 12)
INSIGHT_INPUTS = 3000


@pytest.fixture(scope="session")
def insight_template(databases_, demo_template):
    """The demo with 3,000 generated inputs in Oslo over eight weeks, and what was generated."""
    return _template(databases_, "insight", lambda: _build_from(
        databases_, demo_template,
        lambda: sample_input.load(sample_input.organisation_named("Oslo"), INSIGHT_INPUTS, INSIGHT_START)))


@pytest.fixture
def insight_app(databases_, insight_template):
    """A database of its own holding the demo and the generated input; `app.generated` is what was made."""
    url, generated = insight_template
    for app in _app_on_copy_of(databases_, url):
        app.generated = generated
        yield app
