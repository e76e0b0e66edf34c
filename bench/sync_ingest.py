"""Sync ingest throughput: batches of 50 visit events through `sync.ingest`, next to a raw executemany; and
conversations (a visit with what was said: topics, words, importance), with their tallies, in batches of 200 (a
phone's largest, `sync.MAX_BATCH`) and of 50, and in batches of 200 with three answers each to the action's
questions, counted as they come (`answer_counts`).

And the server's rate: PHONES phones syncing conversations at the same moment, a process each, beside one alone.

Runs on SQLite and on a throwaway PostgreSQL cluster (the test suite's), each with the demo loaded.
"""
import gc
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
from sqlalchemy import delete, func, select  # noqa: E402

from canvass import create_app  # noqa: E402
from canvass.extensions import db  # noqa: E402
from canvass.models import Answer, Branch, Conversation, User, Visit  # noqa: E402
from canvass.services.demo import demo  # noqa: E402
from canvass.services.field import sync  # noqa: E402
from canvass.services.turf import actions, questions, turfs  # noqa: E402
from tests import databases  # noqa: E402

GEODATA = Path(os.environ.get("CANVASS_GEODATA", ROOT.parent / "shared" / "geodata"))
EVENTS = 10_000
BATCH = 50
CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS", 20_000))
# Batch size, and whether the action asks questions (three answers per conversation, counted as they come).
CONVERSATION_RUNS = ((200, False), (50, False), (200, True))
# Phones syncing at the same moment, one process each: one per core of this machine.
PHONES = 2
TOPICS = ("Skole", "Helse", "Klima", "Bolig", "Eldreomsorg", "Kollektivtransport")
WORDS = ("Skolen trenger flere lærere.", "Ventetiden på legevakta er for lang.", "", "For dyrt å leie i Sagene.",
         "Bussen går for sjelden om kvelden.")


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


def conversation_events(turf, action, count: int) -> list[dict]:
    """Conversations as phones send them: topics from the action's list, own words or none, importance, and
    answers to the action's questions when it asks any (`asking`)."""
    now = datetime.now(UTC)
    stops = turf.stops
    asked = list(action.asked.questions) if action.asked is not None else []
    return [{"id": str(uuid.uuid4()), "type": "visit", "outcome": "conversation", "turf_id": turf.id,
             "action_id": action.id, "address_id": stops[i % len(stops)].address_id, "unit": str(i % 9),
             "recorded_at": (now - timedelta(seconds=count - i)).isoformat(),
             "conversation": {"topics": [TOPICS[i % 6], TOPICS[(i * 7) % 6]][: 1 + i % 2], "words": WORDS[i % 5],
                              "importance": 1 + i % 3, "answers": {str(q.id): _answer(q, i) for q in asked}}}
            for i in range(count)]


def _answer(question, i: int):
    return {"yes_no": ("yes", "no", "dont_know")[i % 3], "scale": 1 + i % 5}.get(question.kind, 1 + i % 3)


def asking(branch) -> object:
    """A question set as a branch asks at the door: a yes/no, a 1–5 scale and one of three options."""
    coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
    asked = questions.create_set(coordinator, "Benchmark", branch.id)
    questions.add_question(asked, "yes_no", "Bør skolen få flere lærere?")
    questions.add_question(asked, "scale", "Hvor viktig er kollektivtransport?", low="Lite", high="Svært")
    questions.add_question(asked, "one", "Hva bør kommunen prioritere?", options="Skole\nHelse\nVei")
    return asked


def measure_conversations(url: str) -> dict[int, tuple[float, float]]:
    """Conversations per second through `sync.ingest`, with their tallies, for each run: by the clock, and
    per second of this process's CPU (on a shared machine the steadier figure; on PostgreSQL it leaves out the
    server's share)."""
    app = prepared(url)
    rates = {}
    with app.app_context():
        sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
        turf = turfs.cut_turfs(sagene, ["0473"], target=200)[0]
        daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
        asked = asking(sagene)
        for size, with_answers in CONVERSATION_RUNS:
            action = actions.create_action(sagene, f"Benchmark {size} {with_answers}", "door", datetime.now())
            if with_answers:
                questions.ask(action, asked)
            actions.assign(action, turf, [daniel])
            batch = conversation_events(turf, action, CONVERSATIONS)
            # The setup's garbage (the demo, the events just made) is collected before the clock starts, as a
            # server's is long before a phone syncs; otherwise one full collection of it lands in the first run.
            gc.collect()
            start, cpu = time.perf_counter(), time.process_time()
            for i in range(0, CONVERSATIONS, size):
                results = sync.ingest(daniel, batch[i:i + size])
                assert all(r.status == "stored" and not r.refused_parts for r in results), results[0]
            rates[(size, with_answers)] = (CONVERSATIONS / (time.perf_counter() - start),
                                           CONVERSATIONS / (time.process_time() - cpu))
        stored = db.session.scalar(select(func.count()).select_from(Conversation))
        assert stored >= CONVERSATIONS * len(CONVERSATION_RUNS), stored
        answered = db.session.scalar(select(func.count()).select_from(Answer))
        assert answered == 3 * CONVERSATIONS * sum(1 for _, with_answers in CONVERSATION_RUNS if with_answers)
        db.engine.dispose()
    return rates


def _phone(url: str, user_id: int, turf_id: int, action_id: int, size: int, start_at: float, answers) -> None:
    """One phone's sync, in a process of its own as a web server's worker serves it: CONVERSATIONS conversations in
    batches of `size`, from `start_at` (the clock of every phone starts together); its seconds to `answers`."""
    from canvass.models import Action, Turf

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        user = db.session.get(User, user_id)
        batch = conversation_events(db.session.get(Turf, turf_id), db.session.get(Action, action_id), CONVERSATIONS)
        gc.collect()
        while time.time() < start_at:
            time.sleep(0.001)
        start = time.perf_counter()
        for i in range(0, CONVERSATIONS, size):
            assert all(r.status == "stored" for r in sync.ingest(user, batch[i:i + size]))
        answers.put(time.perf_counter() - start)
        db.engine.dispose()


def measure_phones_at_once(url: str, phones: int, size: int) -> float:
    """Conversations per second by the clock, all phones together, when `phones` volunteers of one branch, each on
    a turf of one action, sync CONVERSATIONS conversations each at the same moment: the server's rate, as opposed to
    one phone's (`measure_conversations`). They share the committees' counts, taken in turns (held_counts.py)."""
    import multiprocessing

    from canvass.models.people import Role
    from canvass.services.people import people

    app = prepared(url)
    with app.app_context():
        sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
        cut = turfs.cut_turfs(sagene, ["0473"], target=200)
        action = actions.create_action(sagene, "Benchmark, phones at once", "door", datetime.now())
        walkers = []
        for n in range(phones):
            person = people.create_user(sagene.organisation, Role.CANVASSER, f"Telefon {n + 1}",
                                        phone=f"+47900000{n:02d}", branch=sagene)
            db.session.commit()
            actions.assign(action, cut[n], [person])
            walkers.append((person.id, cut[n].id))
        action_id = action.id
        db.engine.dispose()
    spawn = multiprocessing.get_context("spawn")
    answers = spawn.Queue()
    start_at = time.time() + 10  # every phone's app built and its events made before the clock starts
    workers = [spawn.Process(target=_phone, args=(url, user_id, turf_id, action_id, size, start_at, answers))
               for user_id, turf_id in walkers]
    for worker in workers:
        worker.start()
    seconds = max(answers.get(timeout=600) for _ in workers)
    for worker in workers:
        worker.join()
    return phones * CONVERSATIONS / seconds


def run() -> list[tuple[str, str, str]]:
    rows = []
    for name in ("SQLite", "PostgreSQL"):
        store = databases.postgres() if name == "PostgreSQL" else None
        with tempfile.TemporaryDirectory() as folder:
            try:
                rates = measure_conversations(store.create() if store else f"sqlite:///{folder}/bench.sqlite")
            finally:
                if store:
                    store.close()
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        rows += [(f"{name}: {CONVERSATIONS:,} conversations with their tallies"
                  f"{' and three answers each' if with_answers else ''} through `sync.ingest`, batches of {size}",
                  f"{rate:,.0f} conversations/s ({cpu:,.0f} per CPU-second; load {load})", "≥ 5,000 conversations/s")
                 for (size, with_answers), (rate, cpu) in rates.items()]
    for name in ("SQLite", "PostgreSQL"):
        for size in (200, 50):
            for phones in (1, PHONES):
                store = databases.postgres() if name == "PostgreSQL" else None
                with tempfile.TemporaryDirectory() as folder:
                    try:
                        rate = measure_phones_at_once(
                            store.create() if store else f"sqlite:///{folder}/bench.sqlite", phones, size)
                    finally:
                        if store:
                            store.close()
                rows.append((f"{name}: {'one phone' if phones == 1 else f'{phones} phones at once'}, "
                             f"{CONVERSATIONS:,} conversations each, batches of {size}, a process per phone",
                             f"{rate:,.0f} conversations/s", "≥ 5,000 conversations/s"))
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
