"""What a canvasser's walk list shows: each address's doors and what the branch's earlier canvassers recorded there."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.geo import doors
from canvass.models import AddressNote, Dwelling, FieldDoor, Outcome, Turf, TurfAddress, User, Visit
from canvass.services.turf.progress import effective


@dataclass
class Door:
    unit: str
    label: str
    last: Outcome | None = None
    last_at: datetime | None = None
    last_id: str | None = None
    # The latest record was made in this action (by anyone on the turf), in this round or a later one: the door is
    # done tonight. A second round's list opens the doors the first round found nobody at, in the same action too.
    tonight: bool = False
    # Added in the field (a FieldDoor), not from the Matrikkel: its label is shown as typed.
    added: bool = False

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
               Visit.recorded_at, Visit.action_id, Turf.round).join(Turf, Turf.id == Visit.turf_id)
        .where(Visit.address_id.in_(address_ids), Turf.branch_id == turf.branch_id))))
    latest: dict[tuple[int, str], Visit] = {}
    for visit in sorted(visits, key=lambda v: (v.recorded_at, v.id)):
        latest[(visit.address_id, visit.unit)] = visit
    return latest


def door_states(turf: Turf, action_id: int) -> list[list]:
    """What a partner's phone polls: [address, door, "door", when, id, label] of every door added at the turf's
    stops (first, so the records at them find them), [address, door, outcome, when, id] of every door done in
    this action, and [address, door, "undone", when, id, the id it undid] of every undo in it, so a door undone
    on one phone opens again on the other."""
    address_ids = list(db.session.scalars(select(TurfAddress.address_id).where(TurfAddress.turf_id == turf.id)))
    added = [[d.address_id, d.unit, "door", d.recorded_at.isoformat() + "Z", d.client_uuid, d.label]
             for d in added_doors(turf.branch_id, address_ids)]
    done = [[v.address_id, v.unit, v.outcome.value, v.recorded_at.isoformat() + "Z", v.client_uuid]
            for v in _latest(turf, address_ids).values()
            if _tonight(v, action_id, turf.round) or v.outcome == Outcome.DO_NOT_KNOCK]
    undone = db.session.execute(
        select(Visit.address_id, Visit.unit, Visit.recorded_at, Visit.client_uuid, Visit.corrects)
        .join(Turf, Turf.id == Visit.turf_id)
        .where(Visit.address_id.in_(address_ids), Turf.branch_id == turf.branch_id, Visit.action_id == action_id,
               Visit.corrects.is_not(None)))
    return added + done + [[a, u, "undone", t.isoformat() + "Z", i, c] for a, u, t, i, c in undone]


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
    added: dict[int, list[FieldDoor]] = {}
    for door in added_doors(turf.branch_id, address_ids):
        added.setdefault(door.address_id, []).append(door)
    notes: dict[int, list[str]] = {}
    for note in db.session.scalars(select(AddressNote).where(AddressNote.address_id.in_(address_ids),
                                                              AddressNote.branch_id == turf.branch_id)
                                   .order_by(AddressNote.recorded_at.desc())):
        notes.setdefault(note.address_id, []).append(note.text)
    result = []
    for stop in stops:
        slots = [(unit, unit) for unit in doors.slots(units.get(stop.address_id, []), stop.doors)]
        slots += [(door.unit, door.label) for door in added.get(stop.address_id, [])]
        result.append(Stop(stop.position + 1, stop.address_id, stop.address.label, [
            _door(unit, label, latest.get((stop.address_id, unit)), action_id, turf.round) for unit, label in slots],
            notes.get(stop.address_id, [])[:3]))
    return result


def added_doors(branch_id: int, address_ids: list[int]) -> list[FieldDoor]:
    """The doors and addresses the branch's canvassers added at these stops, unless the coordinator rejected them.

    By address, not by turf: a turf cut again, or a second round, keeps them."""
    return list(db.session.scalars(select(FieldDoor).where(
        FieldDoor.address_id.in_(address_ids), FieldDoor.branch_id == branch_id, FieldDoor.status != "rejected")
        .order_by(FieldDoor.recorded_at, FieldDoor.id)))


def pending_doors(turf_ids: list[int]) -> dict[int, list[FieldDoor]]:
    """What canvassers added to these turfs that the coordinator has not confirmed or rejected, per turf."""
    pending: dict[int, list[FieldDoor]] = {}
    query = select(FieldDoor).where(FieldDoor.turf_id.in_(turf_ids), FieldDoor.status == "pending")
    for door in db.session.scalars(query.options(joinedload(FieldDoor.address), joinedload(FieldDoor.added_by))
                                   .order_by(FieldDoor.recorded_at, FieldDoor.id)):
        pending.setdefault(door.turf_id, []).append(door)
    return pending


def decide(door: FieldDoor, user: User, confirm: bool) -> None:
    """Confirm or reject a door added in the field. A rejected door leaves its turf's door count (and
    progress and walk lists), but the visits and conversations recorded at it stay: they happened."""
    status = "confirmed" if confirm else "rejected"
    if status == door.status:
        return
    change = (door.status == "rejected") - (status == "rejected")
    if change:
        db.session.execute(update(Turf).where(Turf.id == door.turf_id).values(doors=Turf.doors + change))
    door.status, door.decided_by_id, door.decided_at = status, user.id, utcnow()
    db.session.commit()


def _tonight(visit, action_id: int | None, round_: int) -> bool:
    """Whether a door's latest record (`_latest`'s row) makes it done on a list of this action and round."""
    return action_id is not None and visit.action_id == action_id and visit.round >= round_


def _door(unit: str, label: str, visit, action_id: int | None, round_: int) -> Door:
    added = unit.startswith("+")
    if visit is None:
        return Door(unit, label, added=added)
    return Door(unit, label, visit.outcome, visit.recorded_at, visit.client_uuid, _tonight(visit, action_id, round_),
                added)
