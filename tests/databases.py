"""Throwaway databases for the suite: SQLite files and a PostgreSQL cluster started from the Debian binaries.

Each test gets its own database, cloned from a template (file copy on SQLite, CREATE DATABASE …
TEMPLATE on PostgreSQL) so the demo geography is loaded once per backend, not once per test, and
dropped when the test is over. They live in memory (/dev/shm) where the machine has room there.

The pytest-xdist workers of one run share a folder (`SHARED`, made by the first process, see
tests/conftest.py): one PostgreSQL cluster and every template are made once by whichever worker
needs them first, under a lock, and the others copy from them; the run's first process stops the
cluster and removes the folder at the end.
"""
import fcntl
import glob
import json
import os
import pickle
import shutil
import socket
import subprocess
import tempfile
import time
import traceback
import uuid
import weakref
from contextlib import contextmanager
from pathlib import Path

import psycopg
import sqlalchemy


def fast_folder() -> str | None:
    """Memory (/dev/shm) when it has room, else the usual temp folder.

    On this machine's disk (ext4 mounted with discard) a PostgreSQL copy of a 17 MB template took 0.6–1.1 s,
    in memory 0.1–0.2 s; a suite makes one per test."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 4 * 2**30:
        return str(shm)
    return None


SHARED = "CANVASS_TEST_SHARED"


def start_run() -> Path:
    """The folder the workers of this run share, made by the run's first process and handed on in the environment."""
    folder = Path(tempfile.mkdtemp(prefix="canvass-tests-", dir=fast_folder()))
    os.environ[SHARED] = str(folder)
    return folder


def end_run(folder: Path):
    """Stop the run's PostgreSQL cluster, if a worker started one, and remove everything the run made."""
    started = folder / "postgresql.json"
    if started.exists():
        PostgresCluster.stopped(json.loads(started.read_text()))
    shutil.rmtree(folder, ignore_errors=True)


def _shared() -> Path:
    return Path(os.environ[SHARED])


@contextmanager
def _alone(name: str):
    """Only one worker of the run at a time gets past this point for `name`."""
    with open(_shared() / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def built_once(name: str, build):
    """What `build()` returns, built by the first worker of the run that asks and read back by the others."""
    with _alone(name):
        kept = _shared() / f"{name}.pickle"
        if kept.exists():
            return pickle.loads(kept.read_bytes())
        value = build()
        kept.write_bytes(pickle.dumps(value))
        return value


class SqliteDatabases:
    name = "sqlite"

    def __init__(self):
        self.templates: dict[str, object] = {}
        # In a test run, templates are made here by one worker and copied by all, and end_run removes the folder.
        self.own = SHARED not in os.environ
        self.folder = Path(tempfile.mkdtemp(prefix="canvass-sqlite-", dir=fast_folder())) if self.own \
            else _shared() / "sqlite"
        self.folder.mkdir(exist_ok=True)

    def create(self, template: str | None = None) -> str:
        path = self.folder / f"{uuid.uuid4().hex}.sqlite"
        if template:
            shutil.copy(template.removeprefix("sqlite:///"), path)
        return f"sqlite:///{path}"

    def drop(self, url: str):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(path + suffix).unlink(missing_ok=True)

    def close(self):
        if self.own:  # in a test run the templates outlive this worker
            shutil.rmtree(self.folder, ignore_errors=True)


class PostgresDatabases:
    name = "postgresql"

    def __init__(self, server_url: str, cluster: "PostgresCluster | None" = None):
        self.server_url = server_url
        self.cluster = cluster  # stopped by close(); in a test run the cluster is the run's (end_run)
        self.templates: dict[str, object] = {}
        self.engine = sqlalchemy.create_engine(server_url, isolation_level="AUTOCOMMIT")
        with self.engine.connect() as conn:
            version = conn.execute(sqlalchemy.text("SHOW server_version_num")).scalar_one()
        # Since PostgreSQL 15 a copy goes through the write-ahead log page by page unless told to copy the
        # files, which for the demo (13 MB) is the slower way by a third.
        self.strategy = " STRATEGY = FILE_COPY" if int(version) >= 150000 else ""

    def create(self, template: str | None = None) -> str:
        name = f"t_{uuid.uuid4().hex[:16]}"
        clause = f' TEMPLATE "{template.rsplit("/", 1)[1]}"{self.strategy}' if template else ""
        with self.engine.connect() as conn:
            conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"{clause}'))
        return self.server_url.rsplit("/", 1)[0] + "/" + name

    def drop(self, url: str):
        # FORCE: a connection a test left behind must not keep its copy (13 MB and up) for the rest of the run.
        with self.engine.connect() as conn:
            conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))

    def close(self):
        self.engine.dispose()
        if self.cluster:
            self.cluster.stop()


class PostgresCluster:
    """A PostgreSQL server in a temp dir on a loopback port, run as an unprivileged user when we are root."""

    def __init__(self):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (or set DATABASE_URL)")
        self.bin = Path(binaries[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="canvass-pg-", dir=fast_folder()))
        self.port = _free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")

    def start(self) -> str:
        data = self.dir / "data"
        self._run("initdb", "-D", str(data), "-U", "canvass", "--auth=trust", "-E", "UTF8", "--no-sync")
        self._run("pg_ctl", "-D", str(data), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-p {self.port} -h 127.0.0.1 -k {self.dir} -F -c fsync=off -c full_page_writes=off "
                  f"-c synchronous_commit=off -c max_connections=200", "start")
        return f"postgresql+psycopg://canvass@127.0.0.1:{self.port}/postgres"

    def stop(self):
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def described(self) -> dict:
        return {"bin": str(self.bin), "dir": str(self.dir), "as_user": self.as_user}

    @classmethod
    def stopped(cls, described: dict):
        """Stop the cluster another process started and `described`."""
        cluster = cls.__new__(cls)
        cluster.bin, cluster.dir, cluster.as_user = Path(described["bin"]), Path(described["dir"]), described["as_user"]
        cluster.stop()

    def _run(self, tool: str, *args: str):
        subprocess.run([*self.as_user, str(self.bin / tool), *args], check=True, cwd=self.dir,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


# Every psycopg connection of this process, with where it was opened: the test that leaves one open fails itself
# when its app is closed (conftest._dispose), naming the place, instead of whichever later test the garbage
# collector happens to run in (ResourceWarning, an error under pyproject's filterwarnings).
_OPENED: "weakref.WeakKeyDictionary[psycopg.Connection, tuple[str, str]]" = weakref.WeakKeyDictionary()


@sqlalchemy.event.listens_for(sqlalchemy.engine.Engine, "connect")
def _remember_where_opened(connection, _record) -> None:
    if isinstance(connection, psycopg.Connection):
        ours = [frame for frame in traceback.extract_stack()[:-1] if "site-packages" not in frame.filename]
        where = "".join(traceback.format_list(ours[-8:]))
        _OPENED[connection] = (connection.info.dbname, f"{os.environ.get('PYTEST_CURRENT_TEST')}\n{where}")


def close_left_open(database: str) -> list[str]:
    """Close the connections to `database` still open in this process; where each was opened."""
    left = [(connection, where) for connection, (name, where) in list(_OPENED.items())
            if name == database and not connection.closed]
    for connection, _ in left:
        connection.close()
    return [where for _, where in left]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres() -> PostgresDatabases:
    """DATABASE_URL's server if it names one; in a test run the cluster its first worker starts; else (the
    benchmarks) a cluster of the caller's own, stopped by close()."""
    if os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        return PostgresDatabases(os.environ["DATABASE_URL"])
    if SHARED not in os.environ:
        cluster = PostgresCluster()
        return PostgresDatabases(_answering(cluster.start()), cluster)
    with _alone("postgresql"):
        started = _shared() / "postgresql.json"
        if not started.exists():
            cluster = PostgresCluster()
            url = _answering(cluster.start())
            started.write_text(json.dumps({**cluster.described(), "url": url}))
        return PostgresDatabases(json.loads(started.read_text())["url"])


def _answering(url: str) -> str:
    for _ in range(50):
        try:
            sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool).connect().close()
            break
        except sqlalchemy.exc.OperationalError:
            time.sleep(0.1)
    return url
