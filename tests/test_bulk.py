"""Rows sync stores many at a time (canvass/services/bulk.py: one JSON document per table on PostgreSQL) are stored
exactly as the ORM stores them, so a resend compares equal, a period query finds them, and the counts add up."""
import uuid
from datetime import date, datetime

import pytest
from sqlalchemy import select, text

from canvass.extensions import db
from canvass.models import Address, InputTally, Outcome, User, Visit
from canvass.services import bulk


def _visit(user: User, address: Address, **values) -> dict:
    return {"client_uuid": str(uuid.uuid4()), "organisation_id": user.organisation_id, "address_id": address.id,
            "unit": "H0101", "outcome": Outcome.CONVERSATION, "canvasser_id": user.id,
            "recorded_at": datetime(2026, 3, 29, 0, 30, 0), "received_at": datetime(2026, 3, 29, 0, 31, 5, 120),
            "corrects": None, **values}


def _stored(client_uuid: str):
    """The row as the database holds it, read past SQLAlchemy's types (on SQLite: the text it wrote)."""
    return db.session.execute(text("SELECT organisation_id, address_id, unit, outcome, canvasser_id, recorded_at, "
                                   "received_at, corrects FROM visit WHERE client_uuid = :id"),
                              {"id": client_uuid}).one()


@pytest.fixture
def daniel(demo_app):
    return db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))


def test_a_visit_stored_in_one_document_is_stored_as_the_orm_stores_it(daniel):
    address = db.session.scalar(select(Address).limit(1))
    by_orm, in_document = _visit(daniel, address), _visit(daniel, address)
    db.session.add(Visit(**by_orm))
    db.session.flush()
    stored = bulk.insert(db.session.connection(), Visit.__table__, [in_document], key=("client_uuid",),
                         returning=("client_uuid",))
    assert stored == [(in_document["client_uuid"],)]
    assert _stored(in_document["client_uuid"]) == _stored(by_orm["client_uuid"])
    found = db.session.scalars(select(Visit.client_uuid).where(
        Visit.recorded_at >= datetime(2026, 3, 29, 0, 30), Visit.recorded_at < datetime(2026, 3, 29, 0, 30, 1)))
    assert set(found) == {by_orm["client_uuid"], in_document["client_uuid"]}
    db.session.rollback()


def test_a_row_whose_key_is_stored_already_is_left_as_it_was_and_not_returned(daniel):
    address = db.session.scalar(select(Address).limit(1))
    first = _visit(daniel, address)
    bulk.insert(db.session.connection(), Visit.__table__, [first, _visit(daniel, address)], key=("client_uuid",))
    again = {**first, "unit": "U0101"}
    new = _visit(daniel, address)
    stored = bulk.insert(db.session.connection(), Visit.__table__, [again, new], key=("client_uuid",),
                         returning=("client_uuid",))
    assert stored == [(new["client_uuid"],)]
    assert db.session.scalar(select(Visit.unit).where(Visit.client_uuid == first["client_uuid"])) == "H0101"
    db.session.rollback()


def test_counts_sent_for_a_cell_stored_already_are_added_to_it(daniel):
    cell = {"organisation_id": daniel.organisation_id, "grain": 3, "day": date(2026, 3, 23), "action_id": 0,
            "branch_id": 0, "postnummer": "", "district_number": "030101", "topic": "Skole"}
    measures = ("residents", "importance_sum", "importance_count", "strong", "said")
    for n in (1, 2):
        bulk.insert(db.session.connection(), InputTally.__table__, [{**cell, **dict.fromkeys(measures, n)}],
                    key=tuple(cell), add=measures)
    row = db.session.scalar(select(InputTally).where(InputTally.topic == "Skole", InputTally.day == date(2026, 3, 23)))
    assert [getattr(row, name) for name in measures] == [3] * 5
    db.session.rollback()


def test_rows_that_do_not_name_the_same_columns_are_refused_before_anything_is_sent(daniel):
    address = db.session.scalar(select(Address).limit(1))
    one, other = _visit(daniel, address), _visit(daniel, address)
    del other["corrects"]
    other["no_ads"] = 1
    with pytest.raises(ValueError):
        bulk.insert(db.session.connection(), Visit.__table__, [one, other])
    with pytest.raises(ValueError):
        bulk.insert(db.session.connection(), Visit.__table__, [one, {**other, "corrects": None}])
