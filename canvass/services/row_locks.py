"""Rows taken for the rest of a transaction, so that two requests changing the same thing at once take turns.

A check and the write it allows are two statements: two requests at the same moment (a double tap, two
coordinators) both pass the check before either writes. A request that takes the rows its change depends on
first makes the other wait until it has committed, and the other then reads what it left.
"""
import functools

from sqlalchemy import update

from canvass.extensions import db


def take(*records) -> None:
    """Take these rows (of one table) for the rest of the transaction, and read each again; in order of id, so two
    requests taking the same rows never each wait for the other.

    The write changes nothing, in a column no key or index holds: PostgreSQL then locks the row against other
    writes (not against the inserts that only refer to it, such as a door recorded in the turf), and SQLite gives
    the transaction its one writer (canvass/sqlite_writes.py). Reads after it see what the other request
    committed."""
    for record in sorted(records, key=lambda r: r.id):
        table = type(record).__table__
        column = _plain(table)
        db.session.execute(update(table).where(table.c.id == record.id).values({column: table.c[column]}))
        db.session.refresh(record)


@functools.cache
def _plain(table) -> str:
    """A column of `table` that no key, foreign key or index holds."""
    held = {c.name for index in table.indexes for c in index.columns}
    held |= {c.name for constraint in table.constraints for c in getattr(constraint, "columns", ())}
    return next(c.name for c in table.c if not (c.primary_key or c.foreign_keys or c.unique or c.name in held))
