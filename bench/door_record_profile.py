"""Where a door record's time goes: cProfile over door records posted in process, as the walk list's script posts
them (URL-encoded form, session cookie, the form's CSRF token, Accept: application/json, a fresh id per tap).

    PYTHONPATH=$PWD .venv/bin/python bench/door_record_profile.py [sqlite|postgresql] [posts]

Prints the CPU milliseconds per post, without the profiler and under it, and the top entries by own time and
by cumulative time. In process there is no gunicorn, no socket and no other worker. Before the profile, where a
post's CPU goes without a profiler: the test client's post, the app's WSGI call alone (the request built
beforehand, as a server hands it over), and `door_tap.record` alone (the tap's query, checks, storage and commit,
with no request around it).
"""
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("SECRET_KEY", "bench")

from door_record_wrk import AGENT, prepare  # noqa: E402

from tests import databases  # noqa: E402


def posts(setup: dict, count: int):
    """The bodies the phone sends, round the turf's stops."""
    addresses = setup["addresses"].split(",")
    for i in range(count):
        yield {"csrf_token": setup["csrf"], "id": str(uuid.uuid4()), "recorded_at": datetime.now(UTC).isoformat(),
               "turf_id": setup["turf"], "action_id": setup["action"], "address_id": addresses[i % len(addresses)],
               "unit": str(i % 9 + 1), "page": setup["page"], "outcome": "not_home"}


def cookies(setup: dict) -> dict[str, str]:
    """The phone's cookies after the login, by name."""
    return dict(pair.split("=", 1) for pair in setup["cookie"].split("; "))


def _environ(setup: dict, body: dict) -> dict:
    """The WSGI environ a server hands the app for one tap, as bench/wrk/door.lua sends it."""
    from werkzeug.test import EnvironBuilder

    return EnvironBuilder(path=setup["path"], method="POST", data=urlencode(body),
                          content_type="application/x-www-form-urlencoded", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                          headers={"User-Agent": AGENT, "Accept": "application/json",
                                   "Cookie": setup["cookie"]}).get_environ()


def parts(app, setup: dict, count: int) -> str:
    """CPU milliseconds per tap of the app's WSGI call alone and of `door_tap.record` alone."""
    from werkzeug.datastructures import MultiDict

    from canvass.services.field import door_record, door_tap

    answers = []
    environs = [_environ(setup, body) for body in posts(setup, count)]
    cpu = time.process_time()
    for environ in environs:
        b"".join(app(environ, lambda status, headers, exc_info=None: answers.append(status)))
    wsgi = (time.process_time() - cpu) / count * 1000
    assert set(answers) == {"200 OK"}, set(answers)
    token = app.session_interface.get_signing_serializer(app).loads(cookies(setup)["session"])["_user_id"]
    assignment_id = int(setup["path"].split("/")[2])
    forms = [MultiDict(body) for body in posts(setup, count)]
    with app.app_context():
        cpu = time.process_time()
        for form in forms:
            result = door_tap.record(token, assignment_id, door_record.event_from(form, "besok"), None)
        record = (time.process_time() - cpu) / count * 1000
    assert result is not None and result.status == "stored"
    return f"the WSGI call alone {wsgi:.2f} ms CPU per tap, door_tap.record alone {record:.2f} ms\n"


def profile(url: str, count: int, top: int = 25) -> str:
    from canvass import create_app

    setup = prepare(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = AGENT  # the browser the session was logged in from
    # The test client keeps its own cookie jar (a Cookie header would be replaced by it).
    for name, value in cookies(setup).items():
        client.set_cookie(name, value)
    headers = {"Accept": "application/json"}
    bodies = list(posts(setup, 2 * count + 50))
    for body in bodies[:50]:  # warm: imports, compiled statements, the pool
        answer = client.post(setup["path"], data=body, headers=headers)
        assert answer.status_code == 200, (answer.status_code, answer.get_data(as_text=True)[-1500:])
    # First without the profiler, for the CPU a post costs (the test client's share included), then under it.
    plain = time.process_time()
    for body in bodies[50:50 + count]:
        client.post(setup["path"], data=body, headers=headers)
    plain = time.process_time() - plain
    profiler = cProfile.Profile(time.process_time)
    cpu = time.process_time()
    profiler.enable()
    for body in bodies[50 + count:]:
        client.post(setup["path"], data=body, headers=headers)
    profiler.disable()
    cpu = time.process_time() - cpu
    if os.environ.get("BENCH_PROFILE_OUT"):
        profiler.dump_stats(os.environ["BENCH_PROFILE_OUT"])
    out = io.StringIO()
    out.write(f"{count} door records, {plain / count * 1000:.2f} ms CPU each without the profiler, "
              f"{cpu / count * 1000:.2f} ms under it\n")
    out.write(parts(app, setup, count))
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top * 2)
    with app.app_context():
        from canvass.extensions import db
        db.engine.dispose()
    return out.getvalue()


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    if backend == "postgresql":
        store = databases.postgres()
        try:
            print(profile(store.create(), count))
        finally:
            store.close()
    else:
        with tempfile.TemporaryDirectory() as folder:
            print(profile(f"sqlite:///{folder}/bench.sqlite", count))


if __name__ == "__main__":
    main()
