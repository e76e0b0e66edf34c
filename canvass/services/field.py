"""What a canvasser's walk list shows: each address's doors and what the branch's earlier canvassers recorded there."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from canvass.extensions import db
from canvass.geo import doors
from canvass.models import AddressNote, Dwelling, Outcome, Turf, TurfAddress, Visit
from canvass.services.progress import effective


@dataclass
class Door:
    unit: str
    label: str
    last: Outcome | None = None
    last_at: datetime | None = None


@dataclass
class Stop:
    number: int
    address_id: int
    label: str
    doors: list[Door]
    notes: list[str]


def walk_list(turf: Turf) -> list[Stop]:
    """The turf's addresses in walking order, each with its doors (top floor first) and their latest result.

    A fixed handful of queries however long the turf: the list is opened on a phone at every stairwell.
    """
    stops = db.session.scalars(select(TurfAddress).where(TurfAddress.turf_id == turf.id)
                               .options(joinedload(TurfAddress.address)).order_by(TurfAddress.position)).all()
    address_ids = [s.address_id for s in stops]
    units: dict[int, list[str]] = {}
    for dwelling in db.session.scalars(select(Dwelling).where(Dwelling.address_id.in_(address_ids))):
        units.setdefault(dwelling.address_id, []).append(dwelling.unit)
    latest: dict[tuple[int, str], Visit] = {}
    # Rows of the columns used, not objects: every visit the branch ever made at these doors is read.
    # Another branch's (or organisation's) results and notes at the same doors stay with it.
    visits = effective(list(db.session.execute(
        select(Visit.id, Visit.client_uuid, Visit.corrects, Visit.address_id, Visit.unit, Visit.outcome,
               Visit.recorded_at).join(Turf, Turf.id == Visit.turf_id)
        .where(Visit.address_id.in_(address_ids), Turf.branch_id == turf.branch_id))))
    for visit in sorted(visits, key=lambda v: (v.recorded_at, v.id)):
        latest[(visit.address_id, visit.unit)] = visit
    notes: dict[int, list[str]] = {}
    for note in db.session.scalars(select(AddressNote).where(AddressNote.address_id.in_(address_ids),
                                                              AddressNote.branch_id == turf.branch_id)
                                   .order_by(AddressNote.recorded_at.desc())):
        notes.setdefault(note.address_id, []).append(note.text)
    result = []
    for stop in stops:
        known = doors.units_top_down(units.get(stop.address_id, []))
        slots = [(unit, unit) for unit in known] or [(str(n), str(n)) for n in range(1, stop.doors + 1)]
        result.append(Stop(stop.position + 1, stop.address_id, stop.address.label, [
            Door(unit, label, *_last(latest.get((stop.address_id, unit)))) for unit, label in slots],
            notes.get(stop.address_id, [])[:3]))
    return result


def _last(visit: Visit | None):
    return (visit.outcome, visit.recorded_at) if visit else (None, None)
