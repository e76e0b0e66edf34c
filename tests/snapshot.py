"""The whole database as one comparable value, to show that something changed nothing (or restored everything)."""
import hashlib

from sqlalchemy import func, inspect, select, text

from canvass.extensions import db

# Tables too big to hash for every case: the row count must hold, and nothing here writes to them.
COUNTED_ONLY = {"address", "dwelling", "postal_area", "turf_address", "sub_district", "district", "municipality"}
# When a phone was last heard from is bookkeeping, not data: it changes on every request, good or bad.
NOT_DATA = {"device": "last_seen_at"}
# A job is the record of an attempt, a refused import's too (its page says why); what the job would have
# changed is in the other tables. So is an audit line: a refused data-subject request is logged on purpose,
# so the data protection officer sees words being tried.
ATTEMPTS = {"job", "audit_log"}


def snapshot(everything: bool = False) -> dict:
    """Every table's rows as a hash; for the big geography tables only the count, unless `everything`."""
    db.session.expire_all()
    state = {}
    for table in inspect(db.engine).get_table_names():
        if table == "alembic_version" or (table in ATTEMPTS and not everything):
            continue
        if table in COUNTED_ONLY and not everything:
            state[table] = db.session.scalar(select(func.count()).select_from(text(f'"{table}"')))
            continue
        rows = sorted(repr(tuple(value for key, value in row._mapping.items() if key != NOT_DATA.get(table)))
                      for row in db.session.execute(text(f'SELECT * FROM "{table}"')))
        state[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return state
