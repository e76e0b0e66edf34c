"""Flask extensions, created unbound and attached in `create_app`."""
import sqlite3

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from htmx_flask import Htmx
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

from canvass.signing import CSRF
from canvass.sqlite_writes import QueuedConnection

# Named constraints so migrations are the same on SQLite and PostgreSQL.
naming = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
db = SQLAlchemy(metadata=MetaData(naming_convention=naming))
migrate = Migrate()
login = LoginManager()
# Flask-WTF's CSRFProtect on a kept serializer, refusing posts from other sites too (canvass/signing.py).
csrf = CSRF()
babel = Babel()
htmx = Htmx()
# Phones on weak signal: pages and fragments go out compressed, also without a proxy in front.
compress = Compress()
# Limits only where a guess is worth something (login, codes, invite links); storage from RATELIMIT_STORAGE_URI.
limiter = Limiter(get_remote_address)


@event.listens_for(Engine, "do_connect")
def _sqlite_writers_queue(dialect, _record, _args, params) -> None:
    """SQLite writers wait their turn on a lock file, not in SQLite's sleeping retry (canvass/sqlite_writes.py)."""
    if dialect.name == "sqlite":
        params.setdefault("factory", QueuedConnection)


@event.listens_for(Engine, "connect")
def _sqlite_cache(connection, _record) -> None:
    """The write-ahead log, and 64 MiB of page cache instead of SQLite's 2 MiB: the committees' counts are read
    and upserted in the hundreds of thousands of rows, and a small cache turns every one into a trip to the file."""
    if isinstance(connection, sqlite3.Connection):
        connection.execute("PRAGMA cache_size = -65536")
        # Write-ahead log: a commit is one write and one fsync of the log instead of a rollback journal's
        # several, and gunicorn's workers read while one writes (a door record no longer waits behind another's
        # fsync). As durable: synchronous stays FULL, so a committed record is on disk. Kept in the file.
        connection.execute("PRAGMA journal_mode = WAL")
