"""The committee's pages over 1,000,000 generated inputs, on SQLite and PostgreSQL.

Each view is requested through the app (SQL, suppression, SVG and HTML), once to warm up and then
REPEAT times; the median is reported. The counts come from the `input_tally` summary table, kept
in step at ingest; each view sums the visible cells (campaign, branch, district, week) of its
filters (docs/committees.md). Before the views are read, the committee finds the themes in
"bolig" for the whole county, as a committee would, so the input pages have themes to count.
"""
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from bench.timing import median_ms  # noqa: E402
from canvass import create_app  # noqa: E402
from canvass.extensions import db  # noqa: E402
from canvass.models import Campaign, InputTally, Theme, User  # noqa: E402
from canvass.services.committee import committee_input, committees  # noqa: E402
from canvass.services.demo import demo, sample_input  # noqa: E402
from tests import databases  # noqa: E402

GEODATA = Path(os.environ.get("CANVASS_GEODATA", ROOT.parent / "shared" / "geodata"))
INPUTS = int(os.environ.get("BENCH_INPUTS", 1_000_000))
REPEAT = 5
VIEWS = [
    ("dashboard, no filter", "/komite/"),
    ("dashboard, one district and topic", "/komite/?area=d:030103&topic=bolig"),
    ("dashboard, one campaign and a month", "/komite/?campaign={campaign}&start=2026-03-01&end=2026-03-31"),
    ("two districts side by side", "/komite/sammenlign?a=d:030101&b=d:030105"),
    ("input by topic, one district", "/komite/innspill?area=d:030103&topic=klima"),
    ("input by topic, whole county (with its themes)", "/komite/innspill?topic=bolig"),
    ("one theme's input, first page", "/komite/temaer/{theme}"),
    ("Excel export, one district", "/komite/eksport.xlsx?area=d:030103"),
]


def prepared(url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        demo.load(GEODATA)
        started = time.perf_counter()
        sample_input.load(sample_input.organisation_named("Oslo"), INPUTS, datetime(2026, 1, 5, 12), weeks=26,
                          keep=False, progress=lambda done, total: print(f"\r{done:,}/{total:,}", end="",
                                                                          file=sys.stderr))
        app.load_seconds = time.perf_counter() - started
        app.tally_rows = db.session.scalar(select(func.count()).select_from(InputTally))
        app.campaign = db.session.scalar(select(Campaign.id))
        committee = committees.committee_for(db.session.scalar(select(User).where(User.email == "komite@oslo.demo")))
        started = time.perf_counter()
        app.themes_made = committee_input.find_themes(committee, committees.Filters(), "bolig")
        app.find_seconds = time.perf_counter() - started
        app.theme = db.session.scalar(select(Theme.id).order_by(Theme.id))
    if url.startswith("postgresql"):
        # What autovacuum does on a live server soon after a bulk load: statistics for the planner and the
        # visibility map that lets it answer from an index alone.
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        engine.dispose()
    print(file=sys.stderr)
    return app


def measure(url: str) -> list[tuple[str, float]]:
    app = prepared(url)
    client = app.test_client()
    client.post("/login", data={"email": "komite@oslo.demo", "password": demo.PASSWORD})
    results = [("load: generate and store the inputs with their counts", app.load_seconds * 1000),
               ("summary rows (`input_tally`, all four grains)", app.tally_rows),
               (f"find themes in bolig, whole county ({app.themes_made} themes; a button, not a view)",
                app.find_seconds * 1000)]
    for name, path, *headers in VIEWS:
        path = path.format(campaign=app.campaign, theme=app.theme)
        results.append((name, median_ms(client, path, REPEAT, dict(*headers))))
    return results


def _rows(database: str, results) -> list[tuple[str, str, str]]:
    rows = []
    for name, value in results:
        if name.startswith("summary"):
            rows.append((f"{database}: {name}", f"{value:,.0f}", ""))
        elif name.startswith(("load", "find")):
            rows.append((f"{database}: {name}", f"{value / 1000:,.0f} s", ""))
        else:
            rows.append((f"{database}: {name}", f"{value:,.0f} ms", "≤ 300 ms"))
    return rows


def run() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        rows = _rows("SQLite", measure(f"sqlite:///{folder}/bench.sqlite"))
    store = databases.postgres()
    try:
        rows += _rows("PostgreSQL", measure(store.create()))
    finally:
        store.close()
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
