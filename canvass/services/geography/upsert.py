"""Insert-or-update in bulk, the same way on SQLite and PostgreSQL."""
from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite

from canvass.extensions import db

BATCH = 5_000


def upsert(table: Table, rows: list[dict], keys: list[str], update: list[str] | None = None,
           keep_existing: tuple[str, ...] = ()) -> None:
    """Insert `rows`; where `keys` already exist, overwrite `update` columns (or leave the row as it is).

    Columns in `keep_existing` keep their stored value when the new one is empty.
    """
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    if update:
        values = {c: func.coalesce(stmt.excluded[c], table.c[c]) if c in keep_existing else stmt.excluded[c]
                  for c in update}
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=values)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    for start in range(0, len(rows), BATCH):
        db.session.execute(stmt, rows[start:start + BATCH])


def count(table: Table) -> int:
    return db.session.execute(select(func.count()).select_from(table)).scalar_one()
