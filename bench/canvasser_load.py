"""300 canvassers for 5 minutes with locust against gunicorn and PostgreSQL on loopback.

The canvassers are real accounts in the demo, each with a turf in tonight's action, a session
and a phone credential; `bench/locustfile.py` says what each does. The answer: throughput,
latency percentiles and errors, from locust's own statistics.
"""
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench")

from http_load import serve  # noqa: E402
from sqlalchemy import select  # noqa: E402

from tests import databases  # noqa: E402

CANVASSERS = int(os.environ.get("BENCH_LOAD_USERS", 300))
DURATION = os.environ.get("BENCH_LOAD_TIME", "5m")
WORKERS = 4


def prepare(url: str) -> list[dict]:
    """The demo, with CANVASSERS volunteers in Sagene, three to a turf, each logged in on a phone."""
    from flask import g
    from flask_migrate import upgrade
    from sync_ingest import GEODATA

    from canvass import create_app
    from canvass.extensions import db
    from canvass.models import Branch, User
    from canvass.services.demo import demo
    from canvass.services.field import sync
    from canvass.services.people import people
    from canvass.services.turf import actions, turfs

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    # Requests from many test clients inside one app context: each must start with its own `g` (CSRF state).
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: g.__dict__.clear())
    people_out = []
    with app.app_context():
        upgrade()
        demo.load(GEODATA)
        sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
        coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
        cut = turfs.cut_turfs(sagene, sagene.territory, target=30)
        assert len(cut) * 3 >= CANVASSERS, f"{len(cut)} turfs are too few for {CANVASSERS} canvassers"
        action = actions.create_action(sagene, "Lasttest", "door", datetime.now())
        invite = people.create_invite(sagene, coordinator, 1)
        phones = []
        for n in range(CANVASSERS):
            client = app.test_client()
            page = client.get(f"/bli-med/{invite.token}").get_data(as_text=True)
            token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
            joined = client.post(f"/bli-med/{invite.token}", data={"name": f"Dørbanker {n}",
                                                                   "phone": f"+4799{n:06d}", "csrf_token": token})
            assert joined.status_code == 302, joined.get_data(as_text=True)[-3000:]
            phones.append((client, db.session.scalar(select(User).where(User.phone == f"+4799{n:06d}"))))
        for start in range(0, CANVASSERS, 3):
            actions.assign(action, cut[start // 3], [user for _, user in phones[start:start + 3]])
        for client, user in phones:
            assignment = actions.my_assignments(user)[0]
            turf = assignment.turf
            page = client.get(f"/felt/{assignment.id}").get_data(as_text=True)
            people_out.append({
                "cookie": "; ".join(f"{c.key}={c.value}" for c in client._cookies.values()),
                "csrf": re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1),
                "token": sync.issue_device(user, "lasttest"), "turf": turf.id, "action": action.id,
                "doors": [s.address_id for s in turf.stops if s.doors] or [turf.stops[0].address_id],
                "walk": f"/felt/{assignment.id}", "record": f"/felt/{assignment.id}/besok"})
        db.engine.dispose()
    return people_out


def _until_every_worker_answers(port: int) -> None:
    """A worker's first requests compile templates and open its database connection: wait until every worker
    has served some, so the figures are of a running server and not of its start."""
    quick = 0
    while quick < 4 * WORKERS:
        started = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=60) as answer:
            answer.read()
        quick = quick + 1 if time.perf_counter() - started < 0.5 else 0


def run() -> list[tuple[str, str, str]]:
    store = databases.postgres()
    folder = Path(tempfile.mkdtemp(prefix="canvass-load-"))
    try:
        url = store.create()
        people_file = folder / "people.json"
        people_file.write_text(json.dumps(prepare(url)))
        server, port = serve("canvass:create_app()", {**os.environ, "DATABASE_URL": url})
        try:
            _until_every_worker_answers(port)
            subprocess.run([str(ROOT / ".venv" / "bin" / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
                            "--headless", "-u", str(CANVASSERS), "-r", "20", "-t", DURATION, "--only-summary",
                            "--host", f"http://127.0.0.1:{port}", "--csv", str(folder / "load")],
                           env={**os.environ, "CANVASS_LOAD_PEOPLE": str(people_file)}, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            server.terminate()
            server.wait()
        with open(folder / "load_stats.csv") as f:
            rows = {row["Name"]: row for row in csv.DictReader(f)}
    finally:
        store.close()
    total = rows["Aggregated"]
    result = [(f"{CANVASSERS} canvassers for {DURATION}, gunicorn -w {WORKERS}, PostgreSQL: all requests",
               f"{float(total['Requests/s']):,.0f} req/s, {int(total['Request Count']):,} requests, "
               f"{int(total['Failure Count'])} errors", "0 errors"),
              ("latency of all requests: median / p95 / p99 / max",
               f"{total['50%']} / {total['95%']} / {total['99%']} / {float(total['Max Response Time']):.0f} ms",
               "p99 ≤ 250 ms")]
    for name in ("GET walk list", "POST door (htmx)", "POST sync events"):
        row = rows[name]
        result.append((f"{name}: median / p99", f"{row['50%']} / {row['99%']} ms "
                       f"({int(row['Request Count']):,} requests, {int(row['Failure Count'])} errors)", ""))
    return result


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
