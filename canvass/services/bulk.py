"""Many rows in one statement: the rows go to the database as one JSON document, which it unpacks into rows itself
(PostgreSQL's json_to_recordset, SQLite's json_each).

Sync stores a batch of up to 200 records with their conversations, topics, answers and counts. Sent the usual way
(an executemany, or one array per column), every value of every row passes through SQLAlchemy's and the driver's
per-value Python code, which was most of a batch's time; `json.dumps` writes the whole batch in C, and the
statement's text is the same for every batch, so it is compiled once here and prepared once by the database.

Flask-free: give it the session or a connection.
"""
import functools
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum as PyEnum

from sqlalchemy import JSON, Enum, Table, Text, bindparam, cast, column, func, select, true
from sqlalchemy.dialects import postgresql, sqlite


def _dialect(connection):
    bind = connection.get_bind() if hasattr(connection, "get_bind") else connection
    return postgresql if bind.dialect.name == "postgresql" else sqlite


@functools.cache
def _statement(dialect, table: Table, names: tuple[str, ...], key: tuple[str, ...] | None, add: tuple[str, ...],
               returning: tuple[str, ...]):
    """INSERT … SELECT from the JSON document, built once for each shape: SQLAlchemy then finds it compiled."""
    document = bindparam("rows", type_=Text())
    if dialect is postgresql:
        source = func.json_to_recordset(cast(document, JSON)).table_valued(
            *(column(name, table.c[name].type) for name in names)).render_derived(name="each_row", with_types=True)
        picked = select(*(source.c[name] for name in names))
    else:
        # SQLite reads each object's fields; `WHERE true` keeps its parser from taking ON CONFLICT for a join's.
        source = func.json_each(document).table_valued("value")
        picked = select(*(func.json_extract(source.c.value, f"$.{name}").label(name) for name in names)).where(true())
    stmt = dialect.insert(table).from_select(list(names), picked)
    if add:
        stmt = stmt.on_conflict_do_update(index_elements=list(key),
                                          set_={name: table.c[name] + stmt.excluded[name] for name in add})
    elif key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(key) or None)
    if returning:
        stmt = stmt.returning(*(table.c[name] for name in returning))
    return stmt


def _sqlite_text(value):
    """Dates and times as SQLAlchemy stores them on SQLite (with microseconds, so they compare as text)."""
    if isinstance(value, datetime):
        return value.isoformat(" ", "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value))


def _postgresql_text(value):
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    raise TypeError(type(value))


def insert(connection, table: Table, rows: Sequence[Mapping], *, key: Sequence[str] | None = None,
           add: Sequence[str] = (), returning: Sequence[str] = ()) -> list:
    """Insert the rows (each naming the same columns) in one statement; the `returning` columns of the rows
    inserted.

    `key`: the unique columns a row may already be stored under. Without `add` such a row is left as it is
    (ON CONFLICT DO NOTHING; an empty key: any conflict); with `add` the stored row's `add` columns are increased
    by the new row's. Columns not named take their defaults, a Python default worked out once for the batch."""
    if not rows:
        return []
    names = tuple(rows[0])
    # Each row as long as the first, and no name beyond the first's among them all: every row names the same.
    if set(map(len, rows)) != {len(names)} or len(set().union(*rows)) != len(names):
        raise ValueError("every row must name the same columns")
    dialect = _dialect(connection)
    enums = [name for name in names if isinstance(table.c[name].type, Enum)]
    if enums:
        # As SQLAlchemy stores a non-native Enum: the member's name.
        rows = [{**row, **{name: row[name].name if isinstance(row[name], PyEnum) else row[name] for name in enums}}
                for row in rows]
    document = json.dumps(rows, default=_postgresql_text if dialect is postgresql else _sqlite_text,
                          ensure_ascii=False, check_circular=False)
    stmt = _statement(dialect, table, names, None if key is None else tuple(key), tuple(add), tuple(returning))
    result = connection.execute(stmt, {"rows": document})
    return result.all() if returning else []

