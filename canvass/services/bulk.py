"""Many rows in one statement. On PostgreSQL the rows go as one JSON document, which the server unpacks into rows
itself (json_to_recordset); on SQLite as the driver's executemany of one prepared statement.

Sync stores a batch of up to 200 records with their conversations, topics, answers and counts. Sent to PostgreSQL the
usual way (an executemany, or one array per column), every value of every row passes through the driver's per-value
Python code (for text in arrays, a regex each), which was most of a batch's time; `json.dumps` writes the whole
batch in C, and the statement's text is the same for every batch, so it is compiled once here and planned once. SQLite
works in this process: there json_extract would parse each row's object again for every column, and its executemany
(in C) was as fast or faster in a side-by-side run.

Flask-free: give it the session or a connection.
"""
import functools
import json
from collections.abc import Mapping, Sequence
from datetime import date
from enum import Enum as PyEnum

from sqlalchemy import JSON, Enum, Table, Text, bindparam, cast, column, func, select
from sqlalchemy.dialects import postgresql, sqlite


def _dialect(connection):
    bind = connection.get_bind() if hasattr(connection, "get_bind") else connection
    return postgresql if bind.dialect.name == "postgresql" else sqlite


@functools.cache
def _statement(dialect, table: Table, names: tuple[str, ...], key: tuple[str, ...] | None, add: tuple[str, ...],
               returning: tuple[str, ...]):
    """The INSERT, built once for each shape: SQLAlchemy then finds it compiled. On PostgreSQL INSERT … SELECT from
    the JSON document; on SQLite a plain INSERT for executemany."""
    if dialect is postgresql:
        document = bindparam("rows", type_=Text())
        source = func.json_to_recordset(cast(document, JSON)).table_valued(
            *(column(name, table.c[name].type) for name in names)).render_derived(name="each_row", with_types=True)
        stmt = dialect.insert(table).from_select(list(names), select(*(source.c[name] for name in names)))
    else:
        stmt = dialect.insert(table)
    if add:
        stmt = stmt.on_conflict_do_update(index_elements=list(key),
                                          set_={name: table.c[name] + stmt.excluded[name] for name in add})
    elif key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(key) or None)
    if returning:
        stmt = stmt.returning(*(table.c[name] for name in returning))
    return stmt


def _text(value):
    """Dates and times as PostgreSQL reads them."""
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    raise TypeError(type(value))


def insert(connection, table: Table, rows: Sequence[Mapping], *, key: Sequence[str] | None = None,
           add: Sequence[str] = (), returning: Sequence[str] = ()) -> list:
    """Insert the rows (each naming the same columns) in one statement; the `returning` columns of the rows
    inserted.

    `key`: the unique columns a row may already be stored under. Without `add` such a row is left as it is
    (ON CONFLICT DO NOTHING; an empty key: any conflict); with `add` the stored row's `add` columns are increased
    by the new row's. Columns not named take their defaults (on PostgreSQL a Python default is worked out once for
    the batch)."""
    if not rows:
        return []
    names = tuple(rows[0])
    # Each row as long as the first, and no name beyond the first's among them all: every row names the same.
    if set(map(len, rows)) != {len(names)} or len(set().union(*rows)) != len(names):
        raise ValueError("every row must name the same columns")
    dialect = _dialect(connection)
    stmt = _statement(dialect, table, names, None if key is None else tuple(key), tuple(add), tuple(returning))
    if dialect is not postgresql:
        result = connection.execute(stmt, list(rows))
        return result.all() if returning else []
    enums = [name for name in names if isinstance(table.c[name].type, Enum)]
    if enums:
        # As SQLAlchemy stores a non-native Enum: the member's name.
        rows = [{**row, **{name: row[name].name if isinstance(row[name], PyEnum) else row[name] for name in enums}}
                for row in rows]
    document = json.dumps(rows, default=_text, ensure_ascii=False, check_circular=False)
    result = connection.execute(stmt, {"rows": document})
    return result.all() if returning else []

