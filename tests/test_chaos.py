"""Sync under a bad network and a crashing server: 10,000 events from 50 phones arrive exactly once.

The phones talk to gunicorn through a loopback proxy that drops requests, drops answers after the
server has acted on them, sends requests twice and holds them back so they overtake each other.
Part-way through, the server is killed with SIGKILL and started again. Each phone keeps its
outbox until the server has answered for every event, as the service worker does.
"""
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Branch, Role, Visit
from canvass.services.field import sync
from canvass.services.people import people
from canvass.services.turf import turfs
from tests import serving
from tests.conftest import ROOT, _dispose, make_app

PHONES, EVENTS_EACH, BATCH = 50, 200, 25


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in its own process group, so SIGKILL takes the master and every worker at once."""

    def __init__(self, url: str):
        self.url, self.port, self.process = url, _free_port(), None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
             "canvass:create_app()"], cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env={**os.environ, "DATABASE_URL": self.url})
        # gunicorn imports the whole app (scikit-learn, geopandas) before it answers: 5 s on a quiet machine,
        # over 30 s on a busy CI runner. A server that exits fails at once; a slow one is waited for.
        deadline = time.time() + 180
        while time.time() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login", timeout=5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start (exit code {self.process.poll()})")

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


class Proxy(ThreadingHTTPServer):
    """Forwards to the server, misbehaving on purpose; counts what it did."""

    daemon_threads = True

    def __init__(self, upstream_port: int, seed: int):
        self.upstream, self.random, self.lock = upstream_port, random.Random(seed), threading.Lock()
        self.done = {"dropped": 0, "answer_lost": 0, "doubled": 0, "held_back": 0, "server_down": 0}
        super().__init__(("127.0.0.1", 0), ProxyHandler)

    def roll(self) -> float:
        with self.lock:
            return self.random.random()

    def count(self, what: str):
        with self.lock:
            self.done[what] += 1


class ProxyHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _forward(self, body: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.server.upstream}{self.path}", data=body,
                                         method="POST", headers={k: v for k, v in self.headers.items()
                                                                 if k.lower() in ("authorization", "content-type")})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        roll = self.server.roll()
        if roll < 0.1:
            self.server.count("dropped")
            self.close_connection = True
            return
        if roll < 0.3:
            self.server.count("held_back")
            time.sleep(self.server.roll() * 0.3)
        try:
            status, answer = self._forward(body)
            if 0.3 <= roll < 0.4:
                self.server.count("doubled")
                status, answer = self._forward(body)
        except OSError:
            self.server.count("server_down")
            status, answer = 502, b"{}"
        if 0.4 <= roll < 0.5:
            # The server acted; the phone never hears of it and must send again.
            self.server.count("answer_lost")
            self.close_connection = True
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


def _phone(address: str, token: str, outbox: list[dict], delivered: list[int]):
    """Send the outbox in batches until the server has answered for every event; keep what it did not."""
    while outbox:
        batch = outbox[:BATCH]
        request = urllib.request.Request(f"{address}/api/sync/v1/events", method="POST",
                                         data=json.dumps({"protocol": sync.PROTOCOL, "events": batch}).encode(),
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                results = json.loads(answer.read())["results"]
        except (OSError, ValueError):
            time.sleep(0.2)
            continue
        settled = {r["id"] for r in results if r["status"] in ("stored", "duplicate")}
        assert all(r["status"] in ("stored", "duplicate") for r in results), results
        outbox[:] = [e for e in outbox if e["id"] not in settled]
        delivered[0] += len(settled)


def test_ten_thousand_events_through_a_bad_network_and_a_killed_server_are_stored_exactly_once(
        databases_, demo_template):
    url = databases_.create(demo_template)
    app = make_app(url)
    with app.app_context():
        sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
        turf = turfs.cut_turfs(sagene, ["0473"], target=500)[0]
        stops = [s.address_id for s in turf.stops]
        canvassers = [people.create_user(sagene.organisation, Role.CANVASSER, f"Dørbanker {n}",
                                         phone=f"+47900{n:05d}", branch=sagene) for n in range(PHONES)]
        db.session.commit()
        tokens = [sync.issue_device(canvasser) for canvasser in canvassers]
        turf_id = turf.id
    start = datetime.now(timezone.utc) - timedelta(hours=3)
    outboxes = [[{"id": str(uuid.uuid4()), "type": "visit", "outcome": "not_home", "turf_id": turf_id,
                  "address_id": stops[i % len(stops)], "unit": str(1 + (n * EVENTS_EACH + i) % 999),
                  "recorded_at": (start + timedelta(seconds=i)).isoformat()} for i in range(EVENTS_EACH)]
                for n in range(PHONES)]
    every_id = {e["id"] for outbox in outboxes for e in outbox}
    server = Server(url)
    server.start()
    proxy = Proxy(server.port, seed=2027)
    serving.in_thread(proxy)
    delivered = [0]
    phones = [threading.Thread(target=_phone, args=(f"http://127.0.0.1:{proxy.server_port}", token, outbox,
                                                    delivered), daemon=True)
              for token, outbox in zip(tokens, outboxes, strict=True)]
    try:
        for phone in phones:
            phone.start()
        # A phone whose batch was refused stops (its thread fails): then the count never gets there.
        while delivered[0] < 3000 and any(phone.is_alive() for phone in phones):
            time.sleep(0.05)
        server.kill()
        killed_at = delivered[0]
        time.sleep(1)
        server.start()
        for phone in phones:
            phone.join(timeout=600)
        assert not any(phone.is_alive() for phone in phones)
    finally:
        proxy.shutdown()
        proxy.server_close()
        server.kill()
    with app.app_context():
        stored = db.session.scalars(select(Visit.client_uuid).where(Visit.turf_id == turf_id)).all()
        assert db.session.scalar(select(func.count()).select_from(Visit)) == PHONES * EVENTS_EACH
    _dispose(app)
    assert len(stored) == len(set(stored)) == PHONES * EVENTS_EACH and set(stored) == every_id
    assert 3000 <= killed_at < PHONES * EVENTS_EACH
    assert all(count > 0 for count in proxy.done.values()), proxy.done
    print(f"\nchaos: {PHONES * EVENTS_EACH} events, server killed after {killed_at}, proxy {proxy.done}")
