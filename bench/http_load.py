"""Door records over HTTP: 50 concurrent phones posting one door each, on gunicorn with PostgreSQL.

Each client keeps a connection open and posts `/felt/<assignment>/besok` as the walk list does
(session cookie, CSRF token, a fresh UUID per door) for a fixed time; the same run against a bare
Flask hello-world on the same gunicorn settings gives the yardstick.
"""
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench")

from sqlalchemy import select  # noqa: E402

from tests import databases  # noqa: E402

CLIENTS = 50
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", 15))
WORKERS = 4
PACE = 0.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, target: int = 200) -> tuple[str, str, dict]:
    """A demo database with Daniel holding a turf; his session cookie, CSRF token and a door's form."""
    from flask_migrate import upgrade
    from sync_ingest import GEODATA

    from canvass import create_app
    from canvass.extensions import db
    from canvass.models import Branch, User
    from canvass.services.demo import demo
    from canvass.services.people import logins
    from canvass.services.turf import actions, turfs

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        demo.load(GEODATA)
        sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
        turf = turfs.cut_turfs(sagene, ["0473"], target=target)[0]
        action = actions.create_action(sagene, "Benchmark", "door", datetime.now())
        daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
        actions.assign(action, turf, [daniel])
        # Into Daniel's own account the one way there is: a personal login link (an invite makes a new account).
        admin = db.session.scalar(select(User).where(User.email == "admin@oslo.demo"))
        _, link = logins.issue_link(daniel, admin, timedelta(hours=1))
        client = app.test_client()
        page = client.get(f"/inn/{link}").get_data(as_text=True)
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        client.post(f"/inn/{link}", data={"csrf_token": token})
        assignment = actions.my_assignments(daniel)[0]
        walk = client.get(f"/felt/{assignment.id}")
        assert walk.status_code == 200, f"the walk list answered {walk.status_code}: not logged in as Daniel"
        page = walk.get_data(as_text=True)
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        cookie = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
        form = {"csrf_token": token, "turf_id": turf.id, "action_id": action.id,
                "address_id": turf.stops[0].address_id, "unit": "1", "outcome": "not_home"}
        path = f"/felt/{assignment.id}/besok"
        db.engine.dispose()
    return path, cookie, form


def serve(target: str, env: dict, cwd: Path | None = None, prefix: list[str] | None = None,
          ready: str = "/", workers: int = WORKERS, threads: int = 0) -> tuple[subprocess.Popen, int]:
    """gunicorn -w `workers` serving `target` from `cwd` (the bench folder for hello-world, else the checkout),
    preloaded so the app is imported before the workers fork; once `ready` answers, all of them can.

    `prefix` goes before the command (`taskset -c 1` pins the server to a core). With `threads`, each worker is
    gunicorn's threaded worker (gthread) with that many threads instead of the plain one that serves one request
    at a time."""
    port = free_port()
    cwd = cwd or (ROOT / "bench" if "hello" in target else ROOT)
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "--log-level", "warning", "--preload",
               *(["-k", "gthread", "--threads", str(threads)] if threads else []), target]
    server = subprocess.Popen([*(prefix or []), *command], cwd=cwd, env=env)
    # Up to three minutes while it lives: on a busy shared machine the preloaded app took over a minute to import.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and server.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", ready)
            connection.getresponse().read()
            connection.close()
            return server, port
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
    server.kill()
    server.wait()
    raise RuntimeError("gunicorn did not start")


def load(port: int, method: str, path: str, headers: dict, body_for, every: float = 0) -> tuple[float, float, int]:
    """Requests/s, p95 latency in ms and errors of CLIENTS clients posting back to back, or each once per `every` s.

    Paced clients keep to their schedule when an answer is late, so a slow server shows in the latency
    instead of quietly lowering the load.
    """
    latencies, errors, stop = [], [0], time.perf_counter() + SECONDS
    lock = threading.Lock()

    def client(offset: float):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        due = time.perf_counter() + offset
        while time.perf_counter() < stop:
            if every:
                time.sleep(max(0.0, due - time.perf_counter()))
                due += every
            start = min(time.perf_counter(), due - every) if every else time.perf_counter()
            try:
                connection.request(method, path, body=body_for(), headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                ok = False
            mine.append(time.perf_counter() - start)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(every * i / CLIENTS,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return len(latencies) / SECONDS, latencies[int(len(latencies) * 0.95)] * 1000, errors[0]


def run() -> list[tuple[str, str, str]]:
    store = databases.postgres()
    try:
        url = store.create()
        path, cookie, form = prepare(url)
        env = {**os.environ, "DATABASE_URL": url}
        server, port = serve("canvass:create_app()", env)
        try:
            def door():
                return urlencode({**form, "id": str(uuid.uuid4()), "recorded_at": datetime.now(UTC).isoformat()})
            headers = {"Cookie": cookie, "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"}
            rate, p95, errors = load(port, "POST", path, headers, door)
            paced_rate, paced_p95, paced_errors = load(port, "POST", path, headers, door, every=PACE)
        finally:
            server.terminate()
            server.wait()
        hello, hello_port = serve("hello:app", env)
        try:
            hello_rate, hello_p95, hello_errors = load(hello_port, "GET", "/", {}, lambda: None)
        finally:
            hello.terminate()
            hello.wait()
    finally:
        store.close()
    return [
        (f"door record (`POST /felt/…/besok`), {CLIENTS} clients, gunicorn -w {WORKERS}, PostgreSQL",
         f"{rate:,.0f} req/s, p95 {p95:.0f} ms, {errors} errors", "≥ 50 % of hello-world, p95 ≤ 20 ms"),
        (f"bare Flask hello-world, same gunicorn, {CLIENTS} clients",
         f"{hello_rate:,.0f} req/s, p95 {hello_p95:.0f} ms, {hello_errors} errors", ""),
        ("door record ÷ hello-world", f"{rate / hello_rate:.0%}", "≥ 50 %"),
        (f"door record, {CLIENTS} clients each posting every {PACE:g} s (a door every 30 s is a brisk canvasser)",
         f"{paced_rate:,.0f} req/s, p95 {paced_p95:.0f} ms, {paced_errors} errors", "p95 ≤ 20 ms"),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
