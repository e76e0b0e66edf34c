"""The practice round (Øvingsrunde): a few real addresses of the volunteer's own branch to learn the walk list on.

Nothing recorded in a practice round is stored on the server, flagged or otherwise. With script the
records live in the tab's sessionStorage (static/js/practice.js) and go when the tab closes; without
it, in the signed session cookie, gone at logout. This is the simplest safe choice: progress, coverage,
committee figures, exports and the sync tables never need a "but not practice" filter that one future
query could forget, there is nothing to purge, and a practice record cannot reach the outbox or the
sync API because it never becomes an event there.

Flask-free: the views pass the branch and the session's practice records in.
"""
from sqlalchemy import select

from canvass.extensions import db
from canvass.geo import doors
from canvass.models import Address, BranchPostalCode, Dwelling, Outcome
from canvass.models.action import DEFAULT_TOPICS
from canvass.services.field.field import Door, Evening, Stop, evening

# Enough to try every button, short enough to finish in a few minutes.
STOPS = 5
DOORS_PER_STOP = 3
# The most practice taps a session cookie keeps (a cookie holds about 4 KB).
KEPT = 40
TOPICS = DEFAULT_TOPICS


def addresses(branch_id: int | None) -> list[Address]:
    """The practice addresses: the first few of the branch's own territory, in street order; none for no branch."""
    if branch_id is None:
        return []
    return list(db.session.scalars(
        select(Address).join(BranchPostalCode, BranchPostalCode.postnummer == Address.postnummer)
        .where(BranchPostalCode.branch_id == branch_id)
        .order_by(Address.postnummer, Address.street, Address.number, Address.letter, Address.id).limit(STOPS)))


def walk_list(branch_id: int | None, done: dict[str, str]) -> list[Stop]:
    """The practice round's stops and doors, top floor first; `done` maps "address unit" to a practised outcome.

    Earlier real records at these doors are not shown: a practice door starts empty, so nothing real
    is mistaken for practice."""
    chosen = addresses(branch_id)
    units: dict[int, list[str]] = {}
    for dwelling in db.session.scalars(select(Dwelling).where(Dwelling.address_id.in_([a.id for a in chosen]))):
        units.setdefault(dwelling.address_id, []).append(dwelling.unit)
    stops = []
    for number, address in enumerate(chosen, start=1):
        slots = doors.units_top_down(units.get(address.id, []))[:DOORS_PER_STOP] or ["1"]
        stops.append(Stop(number, address.id, address.label,
                          [_door(unit, done.get(f"{address.id} {unit}")) for unit in slots], []))
    return stops


def _door(unit: str, outcome: str | None) -> Door:
    try:
        last = Outcome(outcome) if outcome else None
    except ValueError:
        last = None
    return Door(unit, unit, last, None, None, last is not None)


def has_door(branch_id: int | None, address_id: int | None, unit: str) -> bool:
    """Whether the door is one of this branch's practice doors: a practice form names nothing else."""
    return any(stop.address_id == address_id and any(d.unit == unit for d in stop.doors)
               for stop in walk_list(branch_id, {}))


def practise(done: dict[str, str], address_id: int, unit: str, outcome: str | None) -> dict[str, str]:
    """The session's practice records after one more tap (or, with no outcome, an undo); the newest KEPT."""
    key = f"{address_id} {unit}"
    kept = {k: v for k, v in done.items() if k != key}
    if outcome:
        kept[key] = outcome
    return dict(list(kept.items())[-KEPT:])


def tally(stops: list[Stop]) -> Evening:
    return evening(stops)
