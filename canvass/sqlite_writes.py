"""SQLite writers take turns through a lock file instead of SQLite's sleeping retry.

SQLite lets one connection write at a time. A writer that finds the database taken waits in SQLite's busy
handler, which sleeps 1, 2, 5, 10, 15, 20, 25 … ms between tries whatever happens meanwhile. With gunicorn's
workers recording doors side by side (bench/door_record_wrk.py), a py-spy profile of the workers found about half
their time inside the first INSERT of a door's transaction, asleep there while the lock had long come free.

Here each connection takes an exclusive `flock` on `<database>-writer` before its first write, and gives it
back when its transaction ends (or its process dies). A writer that finds it taken tries again within a
millisecond. Within one process a thread lock queues the threads first, since `flock` would not tell two
threads of one process apart (they share its descriptor). A writer that waited the connection's timeout goes
on without its turn, to SQLite's busy handler and, as before, "database is locked": two connections of one
thread writing at once, or a writer whose transaction never ends, make the others wait that long, not for ever.

SQLite's own locking is unchanged and still decides: the lock file only orders the writers that go through
here. Reads never wait for it.
"""
import fcntl
import os
import sqlite3
import threading
import weakref
from time import monotonic, sleep

# The statements that take SQLite's write lock, or begin a transaction that will. Anything else (SELECT,
# PRAGMA, SAVEPOINT …) goes straight on; a write it opens is queued by the statement that writes.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "BEGIN IMMEDIATE",
           "BEGIN EXCLUSIVE", "VACUUM", "REINDEX", "ANALYZE")
# A taken lock file is tried again after 0.2 ms, then 0.4, 0.8 and every 1 ms: a blocking flock would start the
# next writer sooner still, but could not give up, and a writer must not wait for ever on one that never ends.
_FIRST_TRY, _LAST_TRY = 0.0002, 0.001


class _Turn:
    """One process's place in the queue for one database file: a thread lock and the lock file."""

    def __init__(self, path: str):
        self.threads = threading.Lock()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def __del__(self) -> None:
        # The last connection to the file is gone (a test's database, a backup's copy): so is its descriptor.
        os.close(self.fd)

    def take(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the turn; False if it did not come."""
        deadline = monotonic() + timeout
        if not self.threads.acquire(timeout=timeout):
            return False
        wait = _FIRST_TRY
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if monotonic() >= deadline:
                    self.threads.release()
                    return False
                sleep(wait)
                wait = min(wait * 2, _LAST_TRY)

    def give_back(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.threads.release()


# Per process and file, for as long as a connection to the file holds it. Per process: a descriptor inherited
# over fork (gunicorn --preload) would share its lock with the parent's.
_turns: weakref.WeakValueDictionary[tuple[int, str], _Turn] = weakref.WeakValueDictionary()
_turns_lock = threading.Lock()


def _turn_for(database: str) -> _Turn | None:
    if not database or database == ":memory:" or database.startswith("file:") or "mode=memory" in database:
        return None
    path = os.path.abspath(database) + "-writer"
    key = (os.getpid(), path)
    with _turns_lock:
        turn = _turns.get(key)
        if turn is None:
            turn = _turns[key] = _Turn(path)
        return turn


def _writes(sql: str) -> bool:
    return sql.lstrip()[:16].upper().startswith(_WRITES)


class QueuedConnection(sqlite3.Connection):
    """A sqlite3 connection that queues for the lock file before it writes (see the module's docstring)."""

    def __init__(self, database, *args, timeout: float = 5.0, **kwargs):
        super().__init__(database, *args, timeout=timeout, **kwargs)
        self._database = os.fspath(database)
        self._timeout = timeout
        self._queue: tuple[int, _Turn | None] | None = None  # (process, its turn for the file), found at a write
        self._turn: _Turn | None = None  # the turn taken, while this connection holds it

    def cursor(self, factory=None):
        return super().cursor(factory or _QueuedCursor)

    # The shortcuts make their cursor in C, not through `cursor` above.
    def execute(self, sql, parameters=(), /):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters, /):
        return self.cursor().executemany(sql, seq_of_parameters)

    def executescript(self, sql_script, /):
        return self.cursor().executescript(sql_script)

    def _before(self, sql: str) -> None:
        if self._turn is None and _writes(sql):
            # Checked at each write: a connection made before a fork writes in the child's turn.
            if self._queue is None or self._queue[0] != os.getpid():
                self._queue = (os.getpid(), _turn_for(self._database))
            turn = self._queue[1]
            if turn is not None and turn.take(self._timeout):
                self._turn = turn

    def _after(self) -> None:
        # In a transaction the write lock is SQLite's until it ends; a statement on its own has ended already.
        if self._turn is not None and not self.in_transaction:
            self._give_back()

    def _give_back(self) -> None:
        turn, self._turn = self._turn, None
        turn.give_back()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._after()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._after()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._turn is not None:
                self._give_back()

    def __del__(self) -> None:
        # Dropped without close(): SQLite rolls its transaction back, and the turn goes with it.
        if getattr(self, "_turn", None) is not None:
            self._give_back()


class _QueuedCursor(sqlite3.Cursor):
    def execute(self, sql, parameters=(), /):
        self.connection._before(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection._after()

    def executemany(self, sql, seq_of_parameters, /):
        self.connection._before(sql)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            self.connection._after()

    def executescript(self, sql_script, /):
        # A script may write anywhere in it; it commits what was open first and runs on its own.
        self.connection._before("BEGIN IMMEDIATE")
        try:
            return super().executescript(sql_script)
        finally:
            self.connection._after()
