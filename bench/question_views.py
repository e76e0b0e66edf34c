"""The committee's question views over many conversations with answers, on SQLite and PostgreSQL.

BENCH_CONVERSATIONS conversations (1,000,000 by default) in one organisation, spread over 4 branches,
12 districts (drawn as squares, so the map has outlines to colour), 60 postal codes and 26 weeks, each
answering a yes/no, a 1–5 and a several-of-several question. A district has five postal codes of its own,
and one conversation in ten is at a postal code of the next district (codes that straddle a border, as
0473 does Sagene and Grünerløkka). They are written with bulk inserts of the rows sync would store, not
through sync, and the answer counts are then made by the app's own recount (answer_counts.rebuild, what
`flask counts rebuild-answers` runs); the load time includes it. Each view is requested through the app
(SQL, k rule, SVG and HTML) with the timing loop of bench/timing.py; the median is reported against issue
16's 300 ms. BENCH_SQLITE_ONLY=1 or BENCH_POSTGRESQL_ONLY=1 runs one database.

    PYTHONPATH=$PWD .venv/bin/python bench/question_views.py

The load is long (13 and 31 minutes at 1,000,000 on a busy machine), so the loaded database is kept between
runs in BENCH_KEEP (/var/tmp/canvass-bench by default), keyed by the number of conversations and `LOAD` (raise
it when what is loaded changes): SQLite as the file itself, PostgreSQL as a `pg_dump -Fc` archive. A run copies
the SQLite file, or restores the archive with `pg_restore -j2` into its own throwaway cluster, then applies the
migrations newer than the kept database (`flask db upgrade`, as a deployment would: a migration that builds a
new table from the counts is timed by that), and measures. The load times reported are those of the run that
loaded. Delete the folder to load afresh; BENCH_KEEP= (empty) keeps nothing.
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, make_url, select, text  # noqa: E402

from bench.timing import median_ms  # noqa: E402
from canvass import create_app  # noqa: E402
from canvass.extensions import db  # noqa: E402
from canvass.models import (  # noqa: E402
    Action,
    Answer,
    Branch,
    Conversation,
    District,
    Organisation,
    OrganisationMunicipality,
    PostalArea,
    Question,
    QuestionSet,
    Role,
)
from canvass.services.committee import answer_counts  # noqa: E402
from canvass.services.people import people  # noqa: E402
from canvass.services.turf import actions, questions  # noqa: E402
from tests import databases  # noqa: E402

CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS", 1_000_000))
REPEAT = 5
CHUNK = 20_000
PASSWORD = "bench-passord-123"
# What is loaded: raise it when the generated data changes, so a kept database of the old data is not reused.
LOAD = 1
KEEP = Path(os.environ.get("BENCH_KEEP", "/var/tmp/canvass-bench"))


def _bulk(table, rows: list[dict]) -> None:
    """Insert the rows: with COPY on PostgreSQL (several times faster than an INSERT per row there)."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])


def prepared(url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        organisation = Organisation(name="Oslo")
        db.session.add(organisation)
        db.session.flush()
        db.session.add(OrganisationMunicipality(organisation_id=organisation.id, kommunenummer="0301"))
        db.session.add_all(District(number=f"0301{n:02d}", name=f"Bydel {n}", kommunenummer="0301",
                                    geometry=_square(n)) for n in range(12))
        db.session.add_all(PostalArea(postnummer=f"04{n:02d}", poststed=f"Sted {n}", kommunenummer="0301")
                           for n in range(60))
        branches = [Branch(organisation=organisation, name=f"Lag {n}") for n in range(4)]
        db.session.add_all(branches)
        db.session.flush()
        people.create_user(organisation, Role.COMMITTEE, "Komité", email="komite@bench.example.no",
                           password=PASSWORD)
        admin = people.create_user(organisation, Role.ADMIN, "Admin", email="admin@bench.example.no")
        db.session.commit()
        asked = QuestionSet(organisation_id=organisation.id, branch_id=None, name="Spørsmål")
        db.session.add(asked)
        db.session.commit()
        yes_no = questions.add_question(asked, "yes_no", "Bør bussen gå oftere?")
        scale = questions.add_question(asked, "scale", "Hvor trygt er nabolaget?", low="Utrygt", high="Trygt")
        many = questions.add_question(asked, "many", "Hva bruker du?", "Buss\nTrikk\nSykkel\nBil")
        action_ids = [actions.create_action(b, "Aksjon", "door", datetime(2026, 1, 5, 17), question_set=asked).id
                      for b in branches]
        del admin
        started = time.perf_counter()
        rng = random.Random(16)
        monday = date(2026, 1, 5)
        next_id = 1
        while next_id <= CONVERSATIONS:
            rows, answers = [], []
            for cid in range(next_id, min(next_id + CHUNK, CONVERSATIONS + 1)):
                b = rng.randrange(4)
                d = rng.randrange(12)
                district = f"0301{d:02d}"
                code = ((d + 1) % 12 if rng.random() < 0.1 else d) * 5 + rng.randrange(5)
                week = monday + timedelta(weeks=rng.randrange(26))
                rows.append({"id": cid, "visit_uuid": f"{cid:036d}", "organisation_id": organisation.id,
                             "branch_id": branches[b].id, "action_id": action_ids[b],
                             "postnummer": f"04{code:02d}", "district_number": district,
                             "topics": "bolig", "words": "", "importance": 2, "wants_membership": False,
                             "wants_contact": False, "unlinked": False,
                             "recorded_at": datetime.combine(week, datetime.min.time()) + timedelta(hours=18),
                             "week": week})
                cell = {"conversation_id": cid, "organisation_id": organisation.id, "branch_id": branches[b].id,
                        "action_id": action_ids[b], "district_number": district, "week": week}
                answers.append({**cell, "question_id": yes_no.id,
                                "value": rng.choice(("yes", "yes", "no", "dont_know"))})
                answers.append({**cell, "question_id": scale.id, "value": str(rng.randint(1, 5))})
                for option in rng.sample(("1", "2", "3", "4"), rng.randint(1, 2)):
                    answers.append({**cell, "question_id": many.id, "value": option})
            _bulk(Conversation.__table__, rows)
            _bulk(Answer.__table__, answers)
            db.session.commit()
            next_id += CHUNK
            print(f"\r{min(next_id - 1, CONVERSATIONS):,}/{CONVERSATIONS:,}", end="", file=sys.stderr)
        app.insert_seconds = time.perf_counter() - started
        answer_counts.rebuild()
        db.session.commit()
        app.load_seconds = time.perf_counter() - started
        app.ids = {"yes_no": yes_no.id, "scale": scale.id, "many": many.id, "action": action_ids[0],
                   "branch": branches[1].id}
    if url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        engine.dispose()
    print(file=sys.stderr)
    return app


def _square(n: int) -> str:
    """District n as a small square of a 4 × 3 grid over Oslo, in GeoJSON."""
    x, y = 10.6 + (n % 4) * 0.05, 59.88 + (n // 4) * 0.03
    ring = [[x, y], [x + 0.05, y], [x + 0.05, y + 0.03], [x, y + 0.03], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def views(ids) -> list[tuple[str, str]]:
    yes_no, scale, many, branch = ids["yes_no"], ids["scale"], ids["many"], ids["branch"]
    return [
        ("every question, no filter", "/komite/sporsmal"),
        ("every question, one action", f"/komite/sporsmal?aksjon={ids['action']}"),
        ("yes/no by postal code", f"/komite/sporsmal/{yes_no}?per=postnummer"),
        ("yes/no by district", f"/komite/sporsmal/{yes_no}?per=district"),
        ("yes/no by branch", f"/komite/sporsmal/{yes_no}?per=branch"),
        ("yes/no by week", f"/komite/sporsmal/{yes_no}?per=week"),
        ("1–5 by postal code, one branch", f"/komite/sporsmal/{scale}?per=postnummer&area=b:{branch}"),
        ("several-of-several by week, a month", f"/komite/sporsmal/{many}?per=week&start=2026-03-01"
                                                "&end=2026-03-31"),
        ("compare two districts", f"/komite/sporsmal/{yes_no}/sammenlign?a=d:030101&b=d:030105"),
        ("compare two postal codes", f"/komite/sporsmal/{yes_no}/sammenlign?a=p:0401&b=p:0459"),
        ("map: share answering yes", f"/komite/sporsmal/{yes_no}/kart?svar=yes"),
        ("map: mean of the scale, one branch", f"/komite/sporsmal/{scale}/kart?svar=mean&area=b:{branch}"),
        ("CSV export, by postal code", f"/komite/sporsmal/{yes_no}/eksport.csv?per=postnummer"),
        ("Excel export (every grouping)", f"/komite/sporsmal/{yes_no}/eksport.xlsx"),
        ("PDF export (every grouping)", f"/komite/sporsmal/{yes_no}/eksport.pdf"),
    ]


def _ids(app) -> dict:
    """The questions, action and branch the views ask for, read from a kept database."""
    with app.app_context():
        kinds = dict(db.session.execute(select(Question.kind, Question.id)).all())
        action_ids = list(db.session.scalars(select(Action.id).order_by(Action.id)))
        branch_ids = list(db.session.scalars(select(Branch.id).order_by(Branch.id)))
    return {"yes_no": kinds["yes_no"], "scale": kinds["scale"], "many": kinds["many"], "action": action_ids[0],
            "branch": branch_ids[1]}


def _tool(store, tool: str) -> list[str]:
    cluster = store.cluster
    return [*cluster.as_user, str(cluster.bin / tool)] if cluster else [tool]


def _pg_args(url: str) -> list[str]:
    parsed = make_url(url)
    return ["-h", parsed.host, "-p", str(parsed.port), "-U", parsed.username, "-d", parsed.database]


def kept(database: str, url: str, store=None):
    """The loaded app, from the kept database when there is one (and kept for the next run when not)."""
    if not os.environ.get("BENCH_KEEP", "x"):
        return prepared(url)
    KEEP.mkdir(parents=True, exist_ok=True)
    os.chmod(KEEP, 0o777)  # pg_dump and pg_restore run as the cluster's user
    name = KEEP / f"question_views-{CONVERSATIONS}-{LOAD}.{'sqlite' if database == 'sqlite' else 'pgdump'}"
    times = name.with_suffix(name.suffix + ".json")
    if not name.exists():
        app = prepared(url)
        if database == "sqlite":
            with app.app_context():
                # Everything into the file itself (the app writes ahead in WAL mode) before it is copied.
                db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
                db.session.remove()
                db.engine.dispose()
            shutil.copy(url.removeprefix("sqlite:///"), name)
        else:
            subprocess.run([*_tool(store, "pg_dump"), "-Fc", "-Z1", "-f", str(name), *_pg_args(url)], check=True)
        times.write_text(json.dumps({"load": app.load_seconds, "insert": app.insert_seconds}))
        return app
    started = time.perf_counter()
    if database == "sqlite":
        shutil.copy(name, url.removeprefix("sqlite:///"))
    else:
        subprocess.run([*_tool(store, "pg_restore"), "-j2", "--no-owner", *_pg_args(url), str(name)], check=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    restored = time.perf_counter()
    with app.app_context():
        upgrade()
    if database != "sqlite":
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
        engine.dispose()
    loaded = json.loads(times.read_text())
    app.load_seconds, app.insert_seconds = loaded["load"], loaded["insert"]
    app.restore_seconds, app.upgrade_seconds = restored - started, time.perf_counter() - restored
    app.ids = _ids(app)
    print(f"kept {name}: restored in {app.restore_seconds:.0f} s, upgraded in {app.upgrade_seconds:.0f} s",
          file=sys.stderr)
    return app


def measure(database: str, url: str, store=None) -> list[tuple[str, float]]:
    app = kept(database, url, store)
    client = app.test_client()
    client.post("/login", data={"email": "komite@bench.example.no", "password": PASSWORD})
    results = [(f"load: {CONVERSATIONS:,} conversations with answers, counted", app.load_seconds * 1000),
               ("load: of which the recount of the answer counts", (app.load_seconds - app.insert_seconds) * 1000)]
    if hasattr(app, "upgrade_seconds"):
        results.append(("load: migrations newer than the kept database", app.upgrade_seconds * 1000))
    for name, path in views(app.ids):
        results.append((name, median_ms(client, path, REPEAT)))
    return results


def _rows(database: str, results) -> list[tuple[str, str, str]]:
    return [(f"{database}: {name}", f"{value / 1000:,.0f} s" if name.startswith("load") else f"{value:,.0f} ms",
             "" if name.startswith("load") else "≤ 300 ms") for name, value in results]


def run() -> list[tuple[str, str, str]]:
    rows = []
    if not os.environ.get("BENCH_POSTGRESQL_ONLY"):
        with tempfile.TemporaryDirectory() as folder:
            rows += _rows("SQLite", measure("sqlite", f"sqlite:///{folder}/bench.sqlite"))
    if os.environ.get("BENCH_SQLITE_ONLY"):
        return rows
    store = databases.postgres()
    try:
        rows += _rows("PostgreSQL", measure("postgresql", store.create(), store))
    finally:
        store.close()
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
