"""Sync ingest throughput: batches of 50 visit events through `sync.ingest`, next to a raw executemany.

Runs on SQLite and on a throwaway PostgreSQL cluster (the test suite's), each with the demo loaded.
"""
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import delete, select  # noqa: E402

from canvass import create_app  # noqa: E402
from canvass.extensions import db  # noqa: E402
from canvass.models import Branch, User, Visit  # noqa: E402
from canvass.services import actions, demo, sync, turfs  # noqa: E402
from tests import databases  # noqa: E402

GEODATA = Path(os.environ.get("CANVASS_GEODATA", ROOT.parent / "shared" / "geodata"))
EVENTS = 10_000
BATCH = 50


def prepared(url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        demo.load(GEODATA)
    return app


def events(turf, action) -> list[dict]:
    now = datetime.now(UTC)
    stops = turf.stops
    return [{"id": str(uuid.uuid4()), "type": "visit", "outcome": "not_home", "turf_id": turf.id,
             "action_id": action.id, "address_id": stops[i % len(stops)].address_id, "unit": str(i % 9),
             "recorded_at": (now - timedelta(seconds=EVENTS - i)).isoformat()} for i in range(EVENTS)]


def measure(url: str) -> tuple[float, float]:
    app = prepared(url)
    with app.app_context():
        sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
        turf = turfs.cut_turfs(sagene, ["0473"], target=200)[0]
        action = actions.create_action(sagene, "Benchmark", "door", datetime.now())
        daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
        actions.assign(action, turf, [daniel])
        batch = events(turf, action)
        start = time.perf_counter()
        for i in range(0, EVENTS, BATCH):
            results = sync.ingest(daniel, batch[i:i + BATCH])
            assert all(r.status == "stored" for r in results)
        ingest_rate = EVENTS / (time.perf_counter() - start)

        rows = [{key: value for key, value in row.items() if not key.startswith("_")}
                for row in db.session.execute(select(Visit.__table__)).mappings()]
        db.session.execute(delete(Visit))
        db.session.commit()
        table = Visit.__table__
        columns = [c.name for c in table.columns if c.name != "id"]
        marker = "?" if url.startswith("sqlite") else "%s"
        sql = f"INSERT INTO visit ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"
        values = [tuple(str(r[c].value) if hasattr(r[c], "value") else r[c] for c in columns) for r in rows]
        connection = db.engine.raw_connection()
        start = time.perf_counter()
        for i in range(0, len(values), BATCH):
            cursor = connection.cursor()
            cursor.executemany(sql, values[i:i + BATCH])
            connection.commit()
        raw_rate = len(values) / (time.perf_counter() - start)
        connection.close()
        db.engine.dispose()
    return ingest_rate, raw_rate


def run() -> list[tuple[str, str, str]]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        ingest, raw = measure(f"sqlite:///{folder}/bench.sqlite")
        rows.append(("SQLite: `sync.ingest`, batches of 50", f"{ingest:,.0f} events/s", "≥ 5,000 events/s"))
        rows.append(("SQLite: raw `executemany` of the same rows, batches of 50", f"{raw:,.0f} rows/s", ""))
    store = databases.postgres()
    try:
        ingest, raw = measure(store.create())
    finally:
        store.close()
    rows.append(("PostgreSQL: `sync.ingest`, batches of 50", f"{ingest:,.0f} events/s", "≥ 5,000 events/s"))
    rows.append(("PostgreSQL: raw `executemany` of the same rows, batches of 50", f"{raw:,.0f} rows/s", ""))
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
