"""SQLite writers take turns through a lock file (canvass/sqlite_writes.py): a writer that finds another's
transaction open tries the lock file again within a millisecond instead of sleeping in SQLite's retry, and gives
up after its timeout as SQLite would."""
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from canvass import sqlite_writes
from canvass.sqlite_writes import QueuedConnection

ROOT = Path(__file__).resolve().parent.parent
# Another process (a gunicorn worker, the job consumer) holding a write transaction until told to end it.
HOLDER = textwrap.dedent("""
    import sqlite3, sys
    from canvass.sqlite_writes import QueuedConnection
    connection = sqlite3.connect(sys.argv[1], factory=QueuedConnection)
    connection.execute("INSERT INTO doors VALUES ('held')")
    print("holding", flush=True)
    if sys.stdin.readline().strip() == "commit":
        connection.commit()
        print("committed", flush=True)
    sys.stdin.readline()
""")


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "canvass.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE doors (outcome TEXT)")
    connection.close()
    return path


@pytest.fixture
def holder(database):
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(database)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert process.stdout.readline().strip() == "holding"
    yield process
    process.kill()
    process.wait()
    process.stdin.close()
    process.stdout.close()


def _write_in_thread(database, timeout: float) -> tuple[threading.Thread, list]:
    outcome = []

    def write():
        connection = sqlite3.connect(database, factory=QueuedConnection, timeout=timeout)
        try:
            connection.execute("INSERT INTO doors VALUES ('not_home')")
            connection.commit()
            outcome.append("stored")
        except sqlite3.OperationalError as error:
            outcome.append(str(error))
        finally:
            connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    return thread, outcome


def _outcomes(database) -> list[str]:
    connection = sqlite3.connect(database)
    try:
        return sorted(row[0] for row in connection.execute("SELECT outcome FROM doors"))
    finally:
        connection.close()


def test_a_door_recorded_while_another_process_writes_waits_its_turn_on_the_lock_file_and_is_stored(
        database, holder, monkeypatch):
    tries = []
    monkeypatch.setattr(sqlite_writes, "sleep", lambda seconds: (tries.append(seconds), time.sleep(seconds)))
    thread, outcome = _write_in_thread(database, timeout=30)
    waited_until = time.monotonic() + 10
    while len(tries) < 3 and time.monotonic() < waited_until:
        time.sleep(0.01)
    assert len(tries) >= 3, "the writer did not wait for the lock file"
    assert not outcome, "the writer went on while the other process held the database"
    holder.stdin.write("commit\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "committed"
    thread.join(30)
    assert outcome == ["stored"]
    assert _outcomes(database) == ["held", "not_home"]
    assert max(tries) <= 0.001, "a waiting writer tries again at least every millisecond"


def test_a_writer_whose_turn_never_comes_gives_up_after_its_timeout_instead_of_hanging(database, holder):
    thread, outcome = _write_in_thread(database, timeout=0.3)
    thread.join(30)
    assert not thread.is_alive() and outcome and "locked" in outcome[0]
    assert _outcomes(database) == []


def test_a_writer_that_dies_mid_transaction_gives_the_turn_back(database, holder):
    thread, outcome = _write_in_thread(database, timeout=5)
    holder.kill()
    holder.wait()
    thread.join(30)
    assert outcome == ["stored"]
    assert _outcomes(database) == ["not_home"], "the dead writer's open transaction was not kept"


def test_two_connections_of_one_thread_writing_at_once_give_up_after_the_timeout_instead_of_hanging(database):
    first = sqlite3.connect(database, factory=QueuedConnection)
    second = sqlite3.connect(database, factory=QueuedConnection, timeout=0.1)
    try:
        first.execute("INSERT INTO doors VALUES ('first')")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            second.execute("INSERT INTO doors VALUES ('second')")
        first.commit()
        second.execute("INSERT INTO doors VALUES ('second')")
        second.commit()
    finally:
        first.close()
        second.close()
    assert _outcomes(database) == ["first", "second"]


def test_every_sqlite_engine_queues_its_writers_and_reads_do_not_take_a_turn(database):
    import canvass.extensions  # noqa: F401  (the engine hook lives there, as in the app)

    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            assert isinstance(connection.connection.dbapi_connection, QueuedConnection)
            connection.execute(text("SELECT count(*) FROM doors"))
            assert connection.connection.dbapi_connection._turn is None
            connection.execute(text("INSERT INTO doors VALUES ('refused')"))
            assert connection.connection.dbapi_connection._turn is not None
            connection.commit()
            assert connection.connection.dbapi_connection._turn is None
    finally:
        engine.dispose()
    assert _outcomes(database) == ["refused"]
