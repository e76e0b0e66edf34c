"""A form sent twice does its work once: the id the form was given when it opened (canvass/web/form_ids.py) is
stored, unique, with what it made, so a second send (a double tap, or again after Back) finds that record."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute

from canvass.extensions import db
from canvass.refusal import Refusal


class FormUsed(Refusal):
    """The form sent again with other contents than the record it made (Back, then a change): that may be a
    correction or a copy, so neither is guessed; the page shows the form again with a new id."""


def as_sent(record, fields: dict) -> bool:
    """Whether `record` holds what the form says now: `fields` by attribute."""
    return all(getattr(record, name) == value for name, value in fields.items())


def made_with(column: InstrumentedAttribute, key: str):
    """The record whose form id `column` is `key`, or None."""
    return db.session.scalar(select(column.class_).where(column == key))


def committed(record, column: InstrumentedAttribute, key: str | None):
    """Commit `record`, made by the form `key`. If the other tap's request stored the same form in between, the
    unique key refuses this one, and the record that request made is the answer."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        earlier = made_with(column, key) if key is not None else None
        if earlier is None:
            raise
        return earlier
    return record
