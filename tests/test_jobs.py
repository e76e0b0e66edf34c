"""Long work runs as jobs in a real queue consumer (`flask jobs worker`), on Huey's SQLite queue and on Redis.

Each test starts the consumer as its own process, as `make run` and systemd do, and some kill it with
SIGKILL in the middle of a job. A Geonorge stand-in on loopback can hold a download back until the test
lets it go, which is how a job is caught while it runs.
"""
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
from flask import current_app
from sqlalchemy import delete, func, select

from canvass import queue
from canvass.extensions import db
from canvass.models import Address, Job, JobKind, JobState, Organisation, PostalArea, User
from canvass.services import jobs
from tests import serving
from tests.conftest import csrf_token, login, make_app

ROOT = Path(__file__).resolve().parent.parent
KARTVERKET = "kartverket-format"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


def wait_for(condition, timeout=60.0, what="the condition"):
    """Poll until `condition()` is truthy (its value is returned); fail after `timeout` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"waited {timeout} s for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway redis-server on a free loopback port, with nothing written to disk."""
    if not os.path.exists(REDIS):
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is missing: .ci/run must install it (apt-get install redis-server)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)

    def answers():
        try:
            return client.ping()
        except redis.ConnectionError:
            return server.poll() is not None and pytest.fail("redis-server stopped at once")

    try:
        wait_for(answers, 20, "redis-server to answer")
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(10)


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def queue_url(request, tmp_path):
    if request.param == "sqlite-queue":
        return f"sqlite:///{tmp_path / 'queue.sqlite'}"
    return request.getfixturevalue("redis_url")


class GatedGeonorge:
    """Serves Geonorge's Basisdata zips built from the real files, for all Norway and for Elverum (3420)
    only; a request whose name holds `hold` waits
    until `release()`. Every request's file name is logged."""

    def __init__(self, root: Path, files: dict[str, Path]):
        self.files, self.hold, self.requests = {}, None, []
        self.held, self.gate = threading.Event(), threading.Event()
        for marker, source in files.items():
            target = root / f"{marker}.zip"
            with zipfile.ZipFile(target, "w") as archive:
                archive.write(source, f"{marker}/{source.name}")
                archive.writestr(f"{marker}/LES_MEG.txt", "Kartverket")
            self.files[marker] = target.read_bytes()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                try:
                    self.answer()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the consumer this was for was killed

            def answer(self):
                name = self.path.rsplit("/", 1)[-1]
                stand_in.requests.append(name)
                if stand_in.hold and stand_in.hold in name and not stand_in.gate.is_set():
                    stand_in.held.set()
                    stand_in.gate.wait(60)
                # The longest marker first: "MatrikkelenAdresseLeilighetsniva" before "MatrikkelenAdresse".
                known = "_0000_" in name or "_3420_" in name
                body = next((data for marker, data in sorted(stand_in.files.items(), key=lambda m: -len(m[0]))
                             if marker in name and known), None)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = serving.in_thread(self.server)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def release(self):
        self.gate.set()

    def close(self):
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def geonorge(tmp_path, geodata):
    stand_in = GatedGeonorge(tmp_path, {
        "Postnummeromrader": geodata / "postal_areas_oslo_baerum.geojson",
        "MatrikkelenAdresseLeilighetsniva": geodata / KARTVERKET / "matrikkelen_adresse_leilighetsniva_HEADER_ONLY.csv",
        "MatrikkelenAdresse": geodata / KARTVERKET / "matrikkelen_adresse_sample_3420_elverum.csv",
    })
    yield stand_in
    stand_in.close()


@pytest.fixture
def job_app(demo_app, queue_url, geonorge):
    """The demo without Elverum's addresses, with jobs on a real queue; a consumer missing for 10 s is dead.

    (At 1.5 s, a consumer whose heartbeat thread a busy CI machine starved was taken for dead and its job run
    twice: the page then showed the second attempt's "0 added, 300 unchanged".)"""
    demo_app.config.update(QUEUE_URL=queue_url, GEONORGE_BASE_URL=geonorge.url, JOB_HEARTBEAT_SECONDS=0.5,
                           JOB_STALE_SECONDS=10)
    queue.close(demo_app)
    # The demo holds Kartverket's Elverum sample; the downloads below bring it anew.
    db.session.execute(delete(Address).where(Address.kommunenummer == "3420"))
    db.session.commit()
    yield demo_app
    queue.close(demo_app)


class Consumers:
    """`flask --app canvass jobs worker` processes on the test app's database, queue and job folder."""

    def __init__(self, app, folder: Path):
        self.app, self.folder, self.running = app, folder, []

    def start(self) -> subprocess.Popen:
        config = self.app.config
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
               "CANVASS_QUEUE_URL": config["QUEUE_URL"], "CANVASS_JOB_FILES": str(config["JOB_FILES"]),
               "CANVASS_GEONORGE_URL": config["GEONORGE_BASE_URL"], "SECRET_KEY": config["SECRET_KEY"],
               "CANVASS_JOB_HEARTBEAT_SECONDS": str(config["JOB_HEARTBEAT_SECONDS"]),
               "CANVASS_JOB_STALE_SECONDS": str(config["JOB_STALE_SECONDS"])}
        log = open(self.folder / f"consumer-{len(self.running)}.log", "wb")
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "canvass", "jobs", "worker"], cwd=ROOT,
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.running.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.folder.glob("consumer-*.log")))

    def stop(self):
        for process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def consumers(job_app, tmp_path):
    started = Consumers(job_app, tmp_path)
    yield started
    started.stop()


def fresh(job_id: int) -> Job:
    db.session.rollback()
    return db.session.get(Job, job_id, populate_existing=True)


def finished(job_id: int, consumers: Consumers, timeout=90.0) -> Job:
    job = wait_for(lambda: (found := fresh(job_id)).finished and found, timeout,
                   f"job {job_id} to finish; consumer log:\n{consumers.logs()}")
    return job


def gone(job: Job) -> None:
    """The job's folder is removed right after its end is recorded."""
    wait_for(lambda: not Path(job.params["folder"]).exists(), 10, "the job's files to be removed")


def oslo_admin() -> User:
    return db.session.scalar(select(User).where(User.email == "admin@oslo.demo"))


def start_download(kommunenummer="3420", name="Elverum") -> Job:
    """Oslo's admin fetches a kommune; the organisation works there too for the test."""
    admin = oslo_admin()
    return jobs.start(JobKind.DOWNLOAD, admin, {"folder": str(jobs.job_folder(current_app.config)),
                                                "kommunenummer": kommunenummer, "kommunenavn": name,
                                                "scope": [*admin.organisation.kommunenummer, kommunenummer]})


def elverum_addresses() -> int:
    return db.session.scalar(select(func.count()).select_from(Address).where(Address.kommunenummer == "3420"))


def test_progress_is_visible_while_the_job_runs_and_the_result_when_it_is_done(job_app, consumers, geonorge):
    geonorge.hold = "MatrikkelenAdresse_CSV"
    client = job_app.test_client()
    login(client, "admin@oslo.demo")
    consumers.start()
    job = start_download()
    assert geonorge.held.wait(60), consumers.logs()
    page = client.get(f"/jobber/{job.id}").get_data(as_text=True)
    assert "Kjører" in page, page[page.find("<main"):]
    assert re.search(r"Del 2 av \d+", page) and "Matrikkelen – Adresse" in page
    # Without JavaScript the page reloads itself; with htmx the fragment asks to be fetched again.
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    running = client.get(f"/jobber/{job.id}/status", headers={"HX-Request": "true"})
    fragment = running.get_data(as_text=True)
    assert "<html" not in fragment and 'hx-trigger="every 1s"' in fragment and "Kjører" in fragment
    assert "jobben fortsetter" in fragment
    assert "HX-Trigger" not in running.headers
    assert elverum_addresses() == 0
    geonorge.release()
    job = finished(job.id, consumers)
    assert job.state == JobState.DONE, consumers.logs()
    response = client.get(f"/jobber/{job.id}")
    page = response.get_data(as_text=True)
    assert "Ferdig" in page and "300 adresser lagt til" in page, (response.status, page[page.find("<main"):])
    assert "every 1s" not in page and "refresh" not in page and "jobben fortsetter" not in page
    # The last fetch of the fragment tells the page around it (the geodata counts) to refresh.
    ended = client.get(f"/jobber/{job.id}/status", headers={"HX-Request": "true"})
    assert ended.headers["HX-Trigger"] == "job-finished"
    counts = client.get("/admin/geodata/tall", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="geodata-counts"' in counts and "<html" not in counts
    assert elverum_addresses() == 300
    gone(job)


def test_a_failed_job_says_why_in_norwegian_and_stores_nothing(job_app, consumers, geonorge):
    consumers.start()
    addresses = db.session.scalar(select(func.count()).select_from(Address))
    job = finished(start_download("3401", "Kongsvinger").id, consumers)
    assert job.state == JobState.FAILED
    assert "Fikk ikke lastet ned Matrikkelen – Adresse (HTTP 404" in job.error["nb"]
    assert set(job.error) == {"nb", "nn", "en"}
    assert db.session.scalar(select(func.count()).select_from(Address)) == addresses
    gone(job)
    client = job_app.test_client()
    login(client, "admin@oslo.demo")
    page = client.get(f"/jobber/{job.id}").get_data(as_text=True)
    assert "Feilet" in page and "Fikk ikke lastet ned" in page


def test_a_job_whose_consumer_is_killed_runs_again_in_the_next_and_finishes_once(job_app, consumers, geonorge):
    geonorge.hold = "MatrikkelenAdresse_CSV"
    first = consumers.start()
    job = start_download()
    assert geonorge.held.wait(60), consumers.logs()
    assert fresh(job.id).state == JobState.RUNNING
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    geonorge.release()
    consumers.start()
    job = finished(job.id, consumers)
    assert job.state == JobState.DONE, consumers.logs()
    assert job.attempt == 2
    assert elverum_addresses() == 300
    assert db.session.get(PostalArea, "2410") is not None
    assert sum("Postnummeromrader" in name for name in geonorge.requests) == 2
    gone(job)
    # The first attempt's message, were it delivered again, is not run a second time.
    finished_at = job.finished_at
    jobs.run(job.id, 1)
    assert fresh(job.id).finished_at == finished_at and fresh(job.id).attempt == 2


def upload(client, files: list[tuple[str, bytes]], **headers):
    data = {"csrf_token": csrf_token(client, "/admin/geodata"),
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/admin/geodata", data=data, content_type="multipart/form-data", headers=headers)


def test_an_upload_answers_at_once_keeps_same_named_files_apart_and_a_new_web_worker_shows_the_job(
        job_app, consumers, geodata, tmp_path):
    lines = (geodata / "addresses_oslo_sentrum_osm.csv").read_bytes().split(b"\n")
    first = b"\n".join(lines[:1001]) + b"\n"
    second = b"\n".join([lines[0], *lines[1001:2001]]) + b"\n"
    client = job_app.test_client()
    login(client, "admin@oslo.demo")
    # No consumer yet: the request must not wait for the import.
    response = upload(client, [("adresser.csv", first), ("adresser.csv", second)])
    assert response.status_code == 303
    job = fresh(int(response.location.rsplit("/", 1)[-1]))
    assert job.state == JobState.QUEUED and job.kind == JobKind.IMPORT
    kept = sorted(Path(job.params["folder"]).rglob("adresser.csv"))
    assert [p.read_bytes() for p in kept] == [first, second]
    assert "I kø" in client.get(response.location).get_data(as_text=True)
    htmx = upload(client, [("tom.csv", b"")], **{"HX-Request": "true"})
    assert htmx.status_code == 202 and 'hx-get="/jobber/' in htmx.get_data(as_text=True)

    consumers.start()
    job = finished(job.id, consumers)
    assert job.state == JobState.DONE
    summaries = [f["summary"]["nb"] for f in job.result["files"]]
    assert summaries == ["0 adresser lagt til, 0 endret, 1\u00a0000 uendret, 0 avvist"] * 2
    gone(job)

    # The web worker restarts: a new process (here a new app) on the same database and queue shows the job.
    restarted = make_app(job_app.config["SQLALCHEMY_DATABASE_URI"], QUEUE_URL=job_app.config["QUEUE_URL"])
    try:
        other = restarted.test_client()
        login(other, "admin@oslo.demo")
        page = other.get(f"/jobber/{job.id}").get_data(as_text=True)
        assert "Ferdig" in page and page.count("1\u00a0000 uendret") == 2
        assert f'href="/jobber/{job.id}"' in other.get("/admin/geodata").get_data(as_text=True)
    finally:
        queue.close(restarted)
        with restarted.app_context():
            db.engine.dispose()


def test_a_job_is_seen_only_by_those_of_its_organisation_who_may_start_it(demo_app):
    admin = oslo_admin()
    job = jobs.start(JobKind.IMPORT, admin, {"folder": str(jobs.job_folder(demo_app.config)), "files": []})
    committee = db.session.scalar(select(User).where(User.email == "komite@oslo.demo"))
    baerum = db.session.scalar(select(User).where(User.email == "admin@baerum.demo"))
    coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
    assert jobs.visible(job, admin)
    assert not jobs.visible(job, committee) and not jobs.visible(job, baerum) and not jobs.visible(job, coordinator)
    themes = Job(organisation_id=admin.organisation_id, started_by_id=committee.id, kind=JobKind.THEMES,
                 params={"committee_id": -1, "topic": "bolig"}, state=JobState.DONE, attempt=1)
    db.session.add(themes)
    db.session.commit()
    assert not jobs.visible(themes, committee) and not jobs.visible(themes, admin)
    oslo = db.session.scalar(select(Organisation).where(Organisation.name == "Oslo"))
    from canvass.services.committee import committees
    themes.params = {"committee_id": committees.committee_for(committee).id, "topic": "bolig"}
    assert oslo.id == themes.organisation_id and jobs.visible(themes, committee)


def test_an_upload_while_the_queue_is_down_is_recorded_as_failed_and_says_so(demo_app, geodata):
    demo_app.config.update(QUEUE_URL=f"redis://127.0.0.1:{free_port()}/0")
    queue.close(demo_app)
    client = demo_app.test_client()
    login(client, "admin@oslo.demo")
    response = upload(client, [("bydeler.geojson", (geodata / "oslo_bydeler.geojson").read_bytes())])
    job = fresh(int(response.location.rsplit("/", 1)[-1]))
    assert job.state == JobState.FAILED and job.error["nb"].startswith("Jobbkøen svarer ikke")
    assert not Path(job.params["folder"]).exists()
    assert "Jobbkøen svarer ikke" in client.get(response.location).get_data(as_text=True)
    queue.close(demo_app)


def test_an_organisation_with_two_loadings_waiting_is_told_to_wait_and_nothing_is_saved(demo_app, geodata):
    """The fourth outside round: five 20 MB uploads in a few seconds queued five jobs and put 96 MB on the disk,
    behind a job that held the one consumer every organisation shares. Now two wait at most per organisation."""
    client = demo_app.test_client()
    login(client, "admin@baerum.demo")
    baerum = db.session.scalar(select(User).where(User.email == "admin@baerum.demo"))
    for kind in (JobKind.IMPORT, JobKind.DOWNLOAD):
        db.session.add(Job(organisation_id=baerum.organisation_id, started_by_id=baerum.id, kind=kind, params={},
                           state=JobState.QUEUED, attempt=1))
    db.session.commit()
    root = Path(current_app.config["JOB_FILES"])
    before = set(root.iterdir()) if root.exists() else set()
    jobs_before = db.session.scalar(select(func.count()).select_from(Job))
    response = upload(client, [("bydeler.geojson", (geodata / "oslo_bydeler.geojson").read_bytes())])
    assert response.status_code == 400
    assert "Dere har allerede 2 innlastinger som venter eller pågår." in response.get_data(as_text=True)
    fetch = client.post("/admin/geodata/hent", data={"kommune": "3201", "navn": "Bærum",
                                                     "csrf_token": csrf_token(client, "/admin/geodata")})
    assert fetch.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Job)) == jobs_before
    assert (set(root.iterdir()) if root.exists() else set()) == before
    # Another organisation is not held up by Bærum's.
    oslo = demo_app.test_client()
    login(oslo, "admin@oslo.demo")
    assert upload(oslo, [("bydeler.geojson", (geodata / "oslo_bydeler.geojson").read_bytes())]).status_code == 303


def test_loadings_sent_at_the_same_moment_past_the_pages_count_yield_to_the_earlier(demo_app, tmp_path):
    """The re-test: uploads sent together all passed the count before any was recorded. Each is counted again once
    it is recorded, against those recorded before it: the later one is not started and its files go."""
    baerum = db.session.scalar(select(User).where(User.email == "admin@baerum.demo"))
    for _ in range(2):
        db.session.add(Job(organisation_id=baerum.organisation_id, started_by_id=baerum.id, kind=JobKind.IMPORT,
                           params={}, state=JobState.QUEUED, attempt=1))
    db.session.commit()
    count = db.session.scalar(select(func.count()).select_from(Job))
    folder = jobs.job_folder(current_app.config)
    (folder / "bydeler.geojson").write_text("{}")
    with pytest.raises(jobs.TooManyWaiting):
        jobs.start(JobKind.IMPORT, baerum, {"folder": str(folder), "files": ["bydeler.geojson"], "scope": []})
    assert db.session.scalar(select(func.count()).select_from(Job)) == count and not folder.exists()
