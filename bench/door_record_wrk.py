"""Door records over HTTP with Debian `wrk`: the walk list's post on gunicorn -w 4, SQLite and PostgreSQL,
side by side with a bare Flask hello-world in one run.

The load generator is wrk (C, one thread, 50 connections) with bench/wrk/door.lua, which posts as the
phone's script does: multipart FormData with the session cookie and the form's CSRF token, Accept:
application/json, a fresh record id per tap. On this 2-core machine wrk is pinned to core 0 and the
servers (gunicorn and the PostgreSQL cluster) to core 1, so the figures are for one server core.
The paced runs (each connection a door every half second, after a fixed wait or a random one) go through
nginx as docs/deploy.md sets it up (Debian `nginx`), since a gunicorn sync worker straight behind wrk waits on
connections wrk opened early (`behind_nginx`); the flat-out runs and hello-world go straight to gunicorn.
Three rounds, each measuring hello-world, SQLite and PostgreSQL one after the other; the table shows
the median round (by rate) and the load average when the run began, since the machine is shared.
Beside each rate it shows the server's CPU per request (gunicorn's processes, and for PostgreSQL the cluster's):
the rate falls when other work takes the core, the CPU per request hardly moves, so hello-world's CPU per
request over the door record's is the share of hello-world's rate a core given wholly to the server allows.

BENCH_WRK_BEFORE=<folder> names a checkout of the code before a change (`git archive <commit> | tar -x -C
<folder>`): its servers run beside this checkout's on the same databases and are measured in the same rounds,
so before and after meet the same machine.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("SECRET_KEY", "bench")

from http_load import free_port, serve  # noqa: E402
from sqlalchemy import select  # noqa: E402

from tests import databases  # noqa: E402

CONNECTIONS = 50
WORKERS = 4
SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", 10))
ROUNDS = int(os.environ.get("BENCH_WRK_ROUNDS", 3))
PACE_MS = 500  # each connection a door every half second: 100 doors/s in all
# The phone's browser, at login and at every tap. Flask-Login ties a session to the address and browser it was made
# on, and the lean path takes only such a session: a load generator sending no User-Agent measured the ordinary path.
AGENT = ("Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0 Mobile Safari/537.36")
# BENCH_WRK_PIN=0 leaves the placement to the kernel (on a machine others keep busy, one core may be too few).
PIN = (os.cpu_count() or 1) > 1 and os.environ.get("BENCH_WRK_PIN", "1") != "0"
SERVER_CPU, CLIENT_CPU = ("1", "0") if PIN else (None, None)
LUA = ROOT / "bench" / "wrk"
# How the walk list's script posts a door (static/js/walk.js); BENCH_WRK_ENCODING=multipart measures FormData.
ENCODING = os.environ.get("BENCH_WRK_ENCODING", "urlencoded")
BEFORE = Path(os.environ["BENCH_WRK_BEFORE"]) if os.environ.get("BENCH_WRK_BEFORE") else None


def pinned(cpu: str | None, command: list[str]) -> list[str]:
    return ["taskset", "-c", cpu, *command] if cpu and shutil.which("taskset") else command


def prepare(url: str) -> dict:
    """A demo database with Daniel holding a turf of 200 doors; what his phone sends with every tap."""
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
        turf = turfs.cut_turfs(sagene, ["0473"], target=200)[0]
        action = actions.create_action(sagene, "Benchmark", "door", datetime.now())
        daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
        actions.assign(action, turf, [daniel])
        admin = db.session.scalar(select(User).where(User.email == "admin@oslo.demo"))
        _, link = logins.issue_link(daniel, admin, timedelta(hours=1))
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = AGENT
        page = client.get(f"/inn/{link}").get_data(as_text=True)
        client.post(f"/inn/{link}", data={"csrf_token": re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)})
        assignment = actions.my_assignments(daniel)[0]
        walk = client.get(f"/felt/{assignment.id}")
        assert walk.status_code == 200, f"the walk list answered {walk.status_code}: not logged in as Daniel"
        page = walk.get_data(as_text=True)
        with client.session_transaction() as session:
            token = session["_user_id"]
        setup = {
            "path": f"/felt/{assignment.id}/besok",
            "cookie": "; ".join(f"{c.key}={c.value}" for c in client._cookies.values()),
            "csrf": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "turf": str(turf.id), "action": str(action.id),
            "page": re.search(r'name="page" value="([^"]+)"', page).group(1),
            "addresses": ",".join(str(stop.address_id) for stop in turf.stops),
            # The login's token, as the session cookie carries it (bench/bare_tap.py records with it directly).
            "token": token,
        }
        db.engine.dispose()
    return setup


def wrk(port: int, script: str, args: list[str], seconds: int = SECONDS, connections: int = CONNECTIONS) -> dict:
    """One wrk run: rate, latency percentiles (ms) and errors (non-2xx included)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA / script),
               f"http://127.0.0.1:{port}/", "--", *args]
    out = subprocess.run(pinned(CLIENT_CPU, command), capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    values = {k: float(v) for k, v in (part.split("=") for part in line.split()[1:])}
    values["rate"] = values["requests"] / values["seconds"]
    return values


def usage(pid: int) -> tuple[float, float, int]:
    """User and system CPU seconds and context switches so far of a process and its children: gunicorn's master and
    workers, or the PostgreSQL server and its backends."""
    user = system = switches = 0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:  # the server ended
        children = []
    for each in [pid, *map(int, children)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{each}/status").read_text().splitlines()
        except FileNotFoundError:  # a process that ended in between
            continue
        user += int(fields[11])
        system += int(fields[12])
        switches += sum(int(line.split()[1]) for line in status
                        if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")))
    tick = os.sysconf("SC_CLK_TCK")
    return user / tick, system / tick, switches


def with_cpu(pids: list[int], run) -> dict:
    """`run()`'s wrk figures, with the server's CPU milliseconds per request (`cpu_ms`, split into `user_ms` and
    `system_ms`) and its context switches per request: unlike the rate, they hardly move when other work shares
    the machine, so they tell what one core could do."""
    before = [usage(pid) for pid in pids]
    figures = run()
    after = [usage(pid) for pid in pids]
    requests = max(figures["requests"], 1)
    for n, key in enumerate(("user_ms", "system_ms", "switches")):
        spent = sum(a[n] - b[n] for a, b in zip(after, before, strict=True)) / requests
        figures[key] = spent if key == "switches" else spent * 1000
    figures["cpu_ms"] = figures["user_ms"] + figures["system_ms"]
    return figures


def postmaster(store) -> list[int]:
    cluster = getattr(store, "cluster", None)
    return [int((cluster.dir / "data" / "postmaster.pid").read_text().split()[0])] if cluster else []


def pin_cluster(store) -> None:
    """The PostgreSQL server (and the backends it forks) on the servers' core."""
    cluster = getattr(store, "cluster", None)
    if cluster and SERVER_CPU:
        subprocess.run(["taskset", "-a", "-p", "-c", SERVER_CPU, str(postmaster(store)[0])], check=True,
                       capture_output=True)


# docs/deploy.md's nginx in front of gunicorn, without TLS: nginx reads a request whole before it hands it on.
NGINX_CONF = """daemon off; worker_processes 1; user root; pid {folder}/nginx.pid; error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off; client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi; uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://127.0.0.1:{upstream};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }}
  }}
}}
"""


def behind_nginx(upstream: int, folder: Path) -> tuple[subprocess.Popen, int]:
    """nginx on the servers' core, proxying to gunicorn on `upstream`, as deployed; its port.

    A paced connection of wrk connects the moment its answer came and sends its next post only when its wait is
    over. Straight to gunicorn, a sync worker takes that connection and sits on it until then: with four workers
    and fifty connections waiting half a second, posts queued behind idle connections, not behind work (randomly
    paced, the rate halved, 100 asked, 47 served). A phone's request through nginx reaches gunicorn whole."""
    folder.mkdir()
    port = free_port()
    (folder / "nginx.conf").write_text(NGINX_CONF.format(folder=folder, port=port, upstream=upstream))
    server = subprocess.Popen(pinned(SERVER_CPU, ["nginx", "-c", str(folder / "nginx.conf")]))
    return server, port


def door_args(setup: dict, pace: int, pacing: str = "fixed") -> list[str]:
    return [setup["path"], setup["cookie"], setup["csrf"], setup["turf"], setup["action"], setup["page"],
            setup["addresses"], str(pace), ENCODING, AGENT, pacing]


def measure() -> tuple[str, list[dict]]:
    """The load average at the start, and every round's figures: {name: wrk result} for hello-world, and for each
    backend (and each checkout, with BENCH_WRK_BEFORE) its door record flat out, and paced through nginx."""
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    store = databases.postgres()
    folder = tempfile.mkdtemp(prefix="canvass-wrk-")
    servers = []
    prefix = pinned(SERVER_CPU, [])
    checkouts = {"": ROOT, **({" before": BEFORE} if BEFORE else {})}
    try:
        pin_cluster(store)
        urls = {"SQLite": f"sqlite:///{folder}/bench.sqlite", "PostgreSQL": store.create()}
        setups = {name: prepare(url) for name, url in urls.items()}
        hello, port = serve("hello:app", dict(os.environ), prefix=prefix)
        servers.append(hello)
        ports, pids = {"hello": port}, {"hello": [hello.pid]}
        for name, url in urls.items():
            for label, checkout in checkouts.items():
                server, ports[name + label] = serve("canvass:create_app()", {**os.environ, "DATABASE_URL": url},
                                                    cwd=checkout, prefix=prefix)
                servers.append(server)
                pids[name + label] = [server.pid] + (postmaster(store) if name == "PostgreSQL" else [])
                proxy, ports[f"{name}{label} nginx"] = behind_nginx(ports[name + label],
                                                                    Path(folder) / f"nginx{len(servers)}")
                servers.append(proxy)
        doors = {name + label: setups[name] for name in urls for label in checkouts}
        # Workers import the app after the port opens; a first run, not counted, waits for all four and checks the
        # posts are accepted (wrk counts any answer but 2xx or 3xx as an error).
        warm = {"hello": wrk(ports["hello"], "hello.lua", ["0"], 5)}
        warm.update({name: wrk(ports[name], "door.lua", door_args(setup, 0), 10) for name, setup in doors.items()})
        warm.update({f"{name} nginx": wrk(ports[f"{name} nginx"], "door.lua", door_args(setup, 0), 2)
                     for name, setup in doors.items()})
        failing = [name for name, figures in warm.items() if figures["errors"]]
        assert not failing, f"refused or unanswered while warming up: {failing} {warm}"
        rounds = []
        for _ in range(ROUNDS):
            figures = {"hello": with_cpu(pids["hello"], lambda: wrk(ports["hello"], "hello.lua", ["0"]))}
            for name, setup in doors.items():
                figures[name] = with_cpu(pids[name], lambda: wrk(ports[name], "door.lua", door_args(setup, 0)))  # noqa: B023
                # Paced as a canvasser posts, through nginx as deployed: each post after a fixed wait, and after a
                # random one (independent canvassers' posts do not arrive in step).
                for kind, pacing in (("paced", "fixed"), ("at random", "random")):
                    figures[f"{name} {kind}"] = wrk(ports[f"{name} nginx"], "door.lua",
                                                    door_args(setup, PACE_MS, pacing))
            rounds.append(figures)
        return load, rounds
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


def listed(values, spec: str = ",.0f") -> str:
    return ", ".join(format(value, spec) for value in values)


def run() -> list[tuple[str, str, str]]:
    load, rounds = measure()
    placed = (f"wrk pinned to core {CLIENT_CPU}, gunicorn and PostgreSQL to core {SERVER_CPU}" if PIN
              else "nothing pinned")
    rows = [("machine", f"{os.cpu_count()} cores, {placed}; load average {load} at the start; median of "
                        f"{len(rounds)} rounds of {SECONDS} s; the phone's post {ENCODING}", "")]
    hello = statistics.median(r["hello"]["rate"] for r in rounds)
    hello_cpu = statistics.median(r["hello"]["cpu_ms"] for r in rounds)
    rows.append((f"bare Flask hello-world, gunicorn -w {WORKERS}, {CONNECTIONS} connections",
                 f"{hello:,.0f} req/s (rounds: {listed(r['hello']['rate'] for r in rounds)}); "
                 f"{hello_cpu:.2f} ms of server CPU per request", ""))
    for backend in ("SQLite", "PostgreSQL"):
        for name in [f"{backend} before"] * bool(BEFORE) + [backend]:
            ratios = sorted(r[name]["rate"] / r["hello"]["rate"] for r in rounds)
            rate = statistics.median(r[name]["rate"] for r in rounds)
            p95 = statistics.median(r[name]["p95_ms"] for r in rounds)
            errors = sum(r[name]["errors"] for r in rounds)
            cpu = statistics.median(r[name]["cpu_ms"] for r in rounds)
            rows.append((f"door record (`POST /felt/…/besok`), {name}, {CONNECTIONS} connections flat out",
                         f"{rate:,.0f} req/s, p95 {p95:.0f} ms, {errors:.0f} errors; {cpu:.2f} ms of server CPU "
                         f"per request{' (gunicorn and PostgreSQL)' if 'PostgreSQL' in name else ''}", ""))
            rows.append((f"hello-world's CPU per request ÷ the door record's, {name}",
                         f"{hello_cpu / cpu:.0%}: the share of hello-world's rate one busy core allows", "≥ 40 %"))
            rows.append((f"door record ÷ hello-world, {name} (same round)",
                         f"{statistics.median(ratios):.0%} (rounds: {', '.join(f'{x:.0%}' for x in ratios)})",
                         "≥ 40 %"))
            for kind, how in (("paced", f"each posting every {PACE_MS} ms"),
                              ("at random", f"each posting after a random wait of {PACE_MS} ms on average")):
                paced = [r[f"{name} {kind}"] for r in rounds]
                rows.append((f"door record through nginx, {name}, {CONNECTIONS} connections {how}",
                             f"{statistics.median(p['rate'] for p in paced):,.0f} req/s, "
                             f"p95 {statistics.median(p['p95_ms'] for p in paced):.1f} ms "
                             f"(rounds: {listed((p['p95_ms'] for p in paced), '.1f')}), "
                             f"{sum(p['errors'] for p in paced):.0f} errors", "p95 ≤ 20 ms"))
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
