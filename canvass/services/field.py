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
    last_id: str | None = None
    # The latest record was made in this action (by anyone on the turf): the door is done tonight.
    tonight: bool = False

    @property
    def done(self) -> bool:
        """Knocked in this action, or never to be knocked again."""
        return self.tonight or self.last == Outcome.DO_NOT_KNOCK


@dataclass
class Stop:
    number: int
    address_id: int
    label: str
    doors: list[Door]
    notes: list[str]


@dataclass
class Evening:
    """The evening so far, as the walk list's bar and summary show it."""
    total: int
    done: int
    conversation: int
    not_home: int
    next: str  # the anchor of the first door not done, or of the summary when all are


def evening(stops: list[Stop]) -> Evening:
    doors = [(stop.address_id, door) for stop in stops for door in stop.doors]
    done = [door.last for _, door in doors if door.done]
    left = next((f"d-{address_id}-{door.unit}" for address_id, door in doors if not door.done), "summary-title")
    return Evening(len(doors), len(done), done.count(Outcome.CONVERSATION), done.count(Outcome.NOT_HOME), left)


def _latest(turf: Turf, address_ids: list[int]) -> dict[tuple[int, str], Visit]:
    """The latest record that counts at each door, by any canvasser of the turf's branch."""
    # Rows of the columns used, not objects: every visit the branch ever made at these doors is read.
    # Another branch's (or organisation's) results and notes at the same doors stay with it.
    visits = effective(list(db.session.execute(
        select(Visit.id, Visit.client_uuid, Visit.corrects, Visit.address_id, Visit.unit, Visit.outcome,
               Visit.recorded_at, Visit.action_id).join(Turf, Turf.id == Visit.turf_id)
        .where(Visit.address_id.in_(address_ids), Turf.branch_id == turf.branch_id))))
    latest: dict[tuple[int, str], Visit] = {}
    for visit in sorted(visits, key=lambda v: (v.recorded_at, v.id)):
        latest[(visit.address_id, visit.unit)] = visit
    return latest


def door_states(turf: Turf, action_id: int) -> list[list]:
    """What a partner's phone polls: [address, door, outcome, when, id] of every door done in this action."""
    address_ids = list(db.session.scalars(select(TurfAddress.address_id).where(TurfAddress.turf_id == turf.id)))
    return [[v.address_id, v.unit, v.outcome.value, v.recorded_at.isoformat() + "Z", v.client_uuid]
            for v in _latest(turf, address_ids).values()
            if v.action_id == action_id or v.outcome == Outcome.DO_NOT_KNOCK]


def walk_list(turf: Turf, action_id: int | None = None) -> list[Stop]:
    """The turf's addresses in walking order, each with its doors (top floor first) and their latest result.

    A fixed handful of queries however long the turf: the list is opened on a phone at every stairwell.
    """
    stops = db.session.scalars(select(TurfAddress).where(TurfAddress.turf_id == turf.id)
                               .options(joinedload(TurfAddress.address)).order_by(TurfAddress.position)).all()
    address_ids = [s.address_id for s in stops]
    units: dict[int, list[str]] = {}
    for dwelling in db.session.scalars(select(Dwelling).where(Dwelling.address_id.in_(address_ids))):
        units.setdefault(dwelling.address_id, []).append(dwelling.unit)
    latest = _latest(turf, address_ids)
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
            _door(unit, label, latest.get((stop.address_id, unit)), action_id) for unit, label in slots],
            notes.get(stop.address_id, [])[:3]))
    return result


def _door(unit: str, label: str, visit, action_id: int | None) -> Door:
    if visit is None:
        return Door(unit, label)
    return Door(unit, label, visit.outcome, visit.recorded_at, visit.client_uuid,
                action_id is not None and visit.action_id == action_id)
