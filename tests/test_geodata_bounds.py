"""One organisation's upload cannot take the job queue or the host, and a job that kills its consumer is stopped.

Replays of the outside security test: F6, a small GeoJSON whose one ring winds round and round
and crosses itself tens of thousands of times (the tester's had 60,000 vertices and held the worker
for minutes and 3.5 GB in make_valid); a job whose consumer keeps dying (such a file, OOM-killed);
an upload that runs past its time budget; and F7, coordinates of ±1e308 shown as a 309-digit number.
"""
import io
import json
import re
import zipfile

import numpy as np
import pytest
from sqlalchemy import func, select, update

from canvass import queue
from canvass.extensions import db
from canvass.models import Job, JobKind, JobState, PostalArea, User
from canvass.services import jobs
from canvass.services.people import organisations
from tests.conftest import csrf_token, login

EVIL = "evil@example.no"
PASSWORD = "evil-passord-123"


def spiky(vertices: int, turns: int = 37) -> bytes:
    """The tester's recipe (a = 2πi/n·37, r = 0.05(1 + 0.5 sin 1.7i)) round a point in Hamar. At 400
    vertices GEOS needs about 15 CPU-seconds to repair it; the tester's 60,000 took the worker down."""
    i = np.arange(vertices)
    angle = 2 * np.pi * i / vertices * turns
    radius = 0.05 * (1 + 0.5 * np.sin(1.7 * i))
    ring = np.column_stack([11.07 + radius * np.cos(angle), 60.79 + radius * np.sin(angle) * 0.5]).tolist()
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"postnummer": "2322", "poststed": "SPIKY", "kommunenummer": "3403"},
        "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]}}]}).encode()


def upload(client, files: dict[str, bytes]) -> tuple[Job, str]:
    response = client.post("/admin/geodata", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/admin/geodata"),
        "files": [(io.BytesIO(content), name) for name, content in files.items()]})
    assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    return db.session.get(Job, int(response.location.rsplit("/", 1)[-1])), page


@pytest.fixture
def evil(client):
    organisations.create("Evil Org", ["3403"], "Evil", EVIL, password=PASSWORD)
    login(client, EVIL, PASSWORD)
    return client


def test_a_ring_that_crosses_itself_endlessly_is_refused_within_the_limits_and_real_areas_still_load(
        demo_app, evil, geodata):
    demo_app.config.update(GEODATA_UPLOAD_CPU_SECONDS=3)
    job, page = upload(evil, {"spiky.geojson": spiky(400)})
    assert job.state == JobState.FAILED
    assert "krevde mer regnekraft eller minne enn en opplastet fil kan få (3 sekunder" in page
    assert db.session.get(PostalArea, "2322") is None
    # Kartverket's real postal areas for Oslo and Bærum load under the same limits.
    evil.post("/logout", data={"csrf_token": csrf_token(evil, "/logout")})
    login(evil, "admin@oslo.demo")
    job, page = upload(evil, {"postnummeromrader.geojson": (geodata / "postal_areas_oslo_baerum.geojson").read_bytes()})
    assert job.state == JobState.DONE and "440 uendret" in page, page


def test_coordinates_nowhere_near_the_earth_are_refused_with_a_short_number(evil):
    """The tester's huge.geojson: a ring at ±1e308."""
    huge = json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"postnummer": "2317", "poststed": "Y"},
        "geometry": {"type": "Polygon", "coordinates": [[[1e308, 1e308], [-1e308, 1e308], [1e308, -1e308],
                                                         [1e308, 1e308]]]}}]}).encode()
    job, page = upload(evil, {"huge.geojson": huge})
    assert job.state == JobState.FAILED
    assert "Koordinatene ligger utenfor Norge (-1e+308, -1e+308, 1e+308, 1e+308)" in page
    assert not re.search(r"\d{12}", json.dumps(job.error))


def test_an_upload_past_its_time_budget_stops_before_its_next_file_and_says_so(demo_app, evil):
    demo_app.config.update(JOB_TIME_LIMIT_SECONDS=0)
    register = b"postnummer;poststed;kommunenummer;kommunenavn;kategori\n2317;HAMAR;3403;HAMAR;G\n"
    job, page = upload(evil, {"a.csv": register, "b.csv": register})
    assert job.state == JobState.FAILED
    assert "Jobben ble stoppet fordi den brukte mer enn 0 minutter" in page and "0 av 2 filer" in page
    assert db.session.get(PostalArea, "2317") is None


def test_an_upload_past_its_time_budget_counts_the_files_in_its_zip_one_by_one(demo_app, evil):
    """The outsider's zip of ten was told "0 av 1 filer": the count is of the files the import reads."""
    demo_app.config.update(JOB_TIME_LIMIT_SECONDS=0)
    register = b"postnummer;poststed;kommunenummer;kommunenavn;kategori\n2317;HAMAR;3403;HAMAR;G\n"
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        for n in range(3):
            archive.writestr(f"register{n}.csv", register)
    job, page = upload(evil, {"registers.zip": packed.getvalue(), "d.csv": register})
    assert job.state == JobState.FAILED
    assert "0 av 4 filer" in page, page


@pytest.fixture
def real_queue(demo_app, tmp_path):
    """Jobs go on a queue no consumer reads: the test plays the consumers that die."""
    demo_app.config.update(QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite'}")
    queue.close(demo_app)
    yield demo_app
    queue.close(demo_app)


def test_a_job_whose_consumer_dies_every_time_is_stopped_after_three_attempts_and_says_so(real_queue, client):
    admin = db.session.scalar(select(User).where(User.email == "admin@oslo.demo"))
    job = jobs.start(JobKind.IMPORT, admin, {"folder": str(jobs.job_folder(real_queue.config)), "files": [],
                                             "scope": admin.organisation.kommunenummer})
    for attempt in (1, 2, 3):
        # A consumer claims the attempt, beats once and is killed (say, out of memory on a hostile file).
        queue.get().beat(job.id, attempt)
        db.session.execute(update(Job).where(Job.id == job.id, Job.attempt == attempt).values(state=JobState.RUNNING))
        db.session.commit()
        requeued = jobs.recover(stale_seconds=0)
        db.session.expire_all()
        if attempt < 3:
            assert requeued == [job.id] and db.session.get(Job, job.id).attempt == attempt + 1
    assert requeued == []
    job = db.session.get(Job, job.id)
    assert job.state == JobState.FAILED and job.attempt == 3 and job.finished_at is not None
    login(client, "admin@oslo.demo")
    page = client.get(f"/jobber/{job.id}").get_data(as_text=True)
    assert "Jobben ble stoppet: prosessen som kjørte den, stanset underveis 3 ganger" in page
    # A message of the last attempt still on the queue does not run it again.
    jobs.run(job.id, 3)
    db.session.expire_all()
    assert db.session.get(Job, job.id).state == JobState.FAILED
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.state == JobState.RUNNING)) == 0
