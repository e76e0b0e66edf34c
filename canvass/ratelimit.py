"""The count of login, code and invite-link attempts, kept in the app's own database (`database://`).

Flask-Limiter counts through a `limits` storage. Its `memory://` counts inside one process, so with
gunicorn's four workers a guesser got four times the limit, and more with more servers. Redis or
memcached share a count but are one more service to run. Every worker and every app server already
shares the database, so by default the count lives there: one row per limit and client, bumped by a
single atomic upsert (SQLite and PostgreSQL alike), so workers racing on the same key never lose a
hit. `CANVASS_RATELIMIT_STORAGE=redis://…` still points the limits at Redis where one runs.

Keys are stored as an HMAC-SHA-256 under the app's secret key: the key holds the client's IP address,
which the counts do not need to keep. A row lives as long as its window (at most an hour) and expired
rows are removed as new ones are counted.
"""
import hashlib
import hmac
import time

from flask import current_app
from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from canvass.extensions import db


class RateLimitCount(db.Model):
    __tablename__ = "rate_limit"
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch, as `limits` hands them over and compares them.
    expires_at: Mapped[float] = mapped_column(Float, index=True)


TABLE = RateLimitCount.__table__
INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def _hash(key: str) -> str:
    # Keyed with the app's secret: without it the 2^32 IPv4 addresses could be hashed and matched.
    return hmac.new(current_app.secret_key.encode(), key.encode(), hashlib.sha256).hexdigest()


class DatabaseStorage(Storage):
    """A `limits` storage for the fixed-window strategy (Flask-Limiter's default) on the app's database."""

    STORAGE_SCHEME = ["database"]

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        # `db.engine` is the database of the app serving the request: one storage object serves them all.
        engine = db.engine
        insert = INSERTS[engine.dialect.name](TABLE).values(key_hash=_hash(key), count=amount, expires_at=now + expiry)
        # One statement per hit: a new window starts when the stored one has run out, else the count goes up.
        expired = TABLE.c.expires_at <= now
        upsert = insert.on_conflict_do_update(index_elements=[TABLE.c.key_hash], set_={
            "count": case((expired, amount), else_=TABLE.c.count + amount),
            "expires_at": case((expired, now + expiry), else_=TABLE.c.expires_at),
        }).returning(TABLE.c.count)
        with engine.begin() as connection:
            count = connection.execute(upsert).scalar_one()
        self._forget_expired(engine, now)
        return count

    @staticmethod
    def _forget_expired(engine, now: float) -> None:
        """Tidying only: two workers tidying at once may deadlock on PostgreSQL, and the next hit tidies again."""
        try:
            with engine.begin() as connection:
                connection.execute(delete(TABLE).where(TABLE.c.expires_at <= now))
        except SQLAlchemyError:
            pass

    def get(self, key: str) -> int:
        with db.engine.connect() as connection:
            found = connection.execute(select(TABLE.c.count).where(
                TABLE.c.key_hash == _hash(key), TABLE.c.expires_at > time.time())).scalar()
        return found or 0

    def get_expiry(self, key: str) -> float:
        with db.engine.connect() as connection:
            found = connection.execute(select(TABLE.c.expires_at).where(TABLE.c.key_hash == _hash(key))).scalar()
        return found if found is not None else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(select(func.count()).select_from(TABLE))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(TABLE)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(TABLE).where(TABLE.c.key_hash == _hash(key)))
