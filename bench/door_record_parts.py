"""What a door tap's server CPU is made of under gunicorn, on SQLite, measured side by side in one run with Debian
`wrk` (pinned to core 0, every server to core 1, as in bench/door_record_wrk.py):

- a bare Flask hello-world, gunicorn -w 4, 50 connections: the yardstick;
- `bench/bare_tap.py` `raw`: only a tap-shaped SQLite transaction with a durable commit, the floor for any door
  record on this machine;
- `bench/bare_tap.py` `record`: the tap's own storage (`door_tap.record`), without the session, token, form and
  answer around it;
- the walk list's tap through the whole app, at -w 4 with 50 connections and at -w 1 with one connection (what four
  workers sharing the core add);
- the same tap with SQLite's busy handler in place of the writers' queue (`bench/without_writers_queue.py`);
- the tap served by one process with eight threads (gunicorn's gthread worker), 50 connections: no other process
  to re-read the database's pages after or to wait on its lock file.

For each: the rate, and per request the server's CPU split into user and system time and its context switches
(gunicorn's master and workers, from /proc), so a figure is the server's alone and not wrk's.
"""
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("SECRET_KEY", "bench")

from door_record_wrk import PIN, SERVER_CPU, door_args, pinned, prepare, with_cpu, wrk  # noqa: E402
from http_load import serve  # noqa: E402

SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", 10))
ROUNDS = int(os.environ.get("BENCH_WRK_ROUNDS", 3))
CONNECTIONS = 50


def measure() -> tuple[str, list[dict]]:
    """The load average at the start and every round's figures by server."""
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    folder = Path(tempfile.mkdtemp(prefix="canvass-parts-"))
    setup = prepare(f"sqlite:///{folder}/prepared.sqlite")
    assignment = setup["path"].split("/")[2]
    address = setup["addresses"].split(",")[0]
    env = {**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}", "BARE_TAP_TOKEN": setup["token"],
           "BARE_TAP_DOOR": ",".join((assignment, setup["turf"], setup["action"], address))}
    prefix = pinned(SERVER_CPU, [])
    plain = ("hello.lua", ["0"])
    tap = ("door.lua", door_args(setup, 0))
    # name: (gunicorn target, folder, workers, connections, wrk script and its arguments)
    threaded = {"tap -w 1, 8 threads": 8}
    servers = {
        "hello-world": ("hello:app", ROOT / "bench", 4, CONNECTIONS, plain),
        "raw": ("bare_tap:raw", ROOT / "bench", 4, CONNECTIONS, plain),
        "record": ("bare_tap:record", ROOT / "bench", 4, CONNECTIONS, plain),
        "tap -w 4": ("canvass:create_app()", ROOT, 4, CONNECTIONS, tap),
        "tap -w 1": ("canvass:create_app()", ROOT, 1, 1, tap),
        "tap -w 4, no queue": ("without_writers_queue:app", ROOT / "bench", 4, CONNECTIONS, tap),
        "tap -w 1, 8 threads": ("canvass:create_app()", ROOT, 1, CONNECTIONS, tap),
    }
    started = {}
    try:
        for n, (name, (target, cwd, workers, _, _)) in enumerate(servers.items()):
            # Each server on its own copy of the prepared database: every one starts from the same rows, and none
            # measures a database the others have grown.
            copy = folder / f"server{n}.sqlite"
            with closing(sqlite3.connect(folder / "prepared.sqlite")) as prepared, closing(sqlite3.connect(copy)) as to:
                prepared.backup(to)  # with what the write-ahead log still holds
            started[name] = serve(target, {**env, "DATABASE_URL": f"sqlite:///{copy}"}, cwd=cwd, prefix=prefix,
                                  workers=workers, threads=threaded.get(name, 0))
        warm = {name: wrk(started[name][1], script, args, 3, connections)
                for name, (_, _, _, connections, (script, args)) in servers.items()}
        failing = [name for name, figures in warm.items() if figures["errors"]]
        assert not failing, f"refused or unanswered while warming up: {failing} {warm}"
        rounds = []
        for _ in range(ROUNDS):
            rounds.append({
                name: with_cpu([started[name][0].pid],
                               lambda port=started[name][1], script=script, args=args, connections=connections:
                               wrk(port, script, args, SECONDS, connections))
                for name, (_, _, _, connections, (script, args)) in servers.items()})
        return load, rounds
    finally:
        for server, _ in started.values():
            server.terminate()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)


WHAT = {
    "hello-world": "bare Flask hello-world, gunicorn -w 4, 50 connections",
    "raw": "the floor: a tap-shaped SQLite transaction alone (`bare_tap:raw`), -w 4, 50 connections",
    "record": "the tap's storage alone (`bare_tap:record`, `door_tap.record`), -w 4, 50 connections",
    "tap -w 4": "the walk list's tap through the app, -w 4, 50 connections",
    "tap -w 1": "the walk list's tap through the app, -w 1, one connection",
    "tap -w 4, no queue": "the tap, -w 4, 50 connections, SQLite's busy handler instead of the writers' queue",
    "tap -w 1, 8 threads": "the tap, one process with 8 threads (gthread), 50 connections",
}


def run() -> list[tuple[str, str, str]]:
    load, rounds = measure()
    placed = f"wrk on core 0, gunicorn on core {SERVER_CPU}" if PIN else "nothing pinned"
    rows = [("machine", f"{os.cpu_count()} cores, {placed}; load average {load} at the start; median of "
                        f"{len(rounds)} rounds of {SECONDS} s; SQLite", "")]
    hello = statistics.median(r["hello-world"]["cpu_ms"] for r in rounds)
    for name, what in WHAT.items():
        def median(key, name=name):
            return statistics.median(r[name][key] for r in rounds)
        errors = sum(r[name]["errors"] for r in rounds)
        rows.append((what, f"{median('rate'):,.0f} req/s, {errors:.0f} errors; per request {median('cpu_ms'):.2f} ms "
                           f"of server CPU (user {median('user_ms'):.2f}, system {median('system_ms'):.2f}), "
                           f"{median('switches'):.1f} context switches; hello-world's CPU ÷ this: "
                           f"{hello / median('cpu_ms'):.0%}", "≥ 40 %" if name.startswith("tap") else ""))
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
