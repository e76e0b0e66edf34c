"""Backups of the database and restoring them: SQLite's online backup, pg_dump and pg_restore for PostgreSQL.

`flask --app canvass backup create FILE` is safe while the app serves: SQLite copies page by
page under its own locks, pg_dump reads one consistent snapshot. Restoring replaces everything
in the database with the backup; stop the app first.
"""
import glob
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from canvass.refusal import N_, Refusal


class BackupError(Refusal):
    """A backup or restore refused; the command line translates the message."""


def _pg_tool(name: str) -> str:
    """The tool from PATH, or from Debian's versioned folder (where the server packages put it)."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise BackupError(N_("Fant ikke %(tool)s. Installer PostgreSQL-klienten (Debian: postgresql-client)."),
                          tool=name)
    return found


def _libpq(url) -> str:
    """The SQLAlchemy URL as libpq understands it (no driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def create(database_url: str, target: Path) -> Path:
    url = make_url(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
    elif url.get_backend_name() == "postgresql":
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), _libpq(url)])
    else:
        raise BackupError(N_("Sikkerhetskopi av %(database)s støttes ikke."), database=url.get_backend_name())
    return target


def restore(database_url: str, source: Path) -> None:
    if not source.is_file():
        raise BackupError(N_("Fant ikke sikkerhetskopien %(path)s."), path=str(source))
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(source) as backup, sqlite3.connect(url.database) as live:
            backup.backup(live)
    elif url.get_backend_name() == "postgresql":
        _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--dbname", _libpq(url), str(source)])
    else:
        raise BackupError(N_("Sikkerhetskopi av %(database)s støttes ikke."), database=url.get_backend_name())


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(N_("%(tool)s feilet: %(detail)s"), tool=Path(command[0]).name, detail=done.stderr.strip())
