"""Progress from the visit events: doors knocked, contact rate, what is left, per turf and per canvasser.

A door's state is derived from its events, newest last; a correction cancels the event it names.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from canvass.extensions import db
from canvass.geo import doors
from canvass.insight import charts
from canvass.models import Dwelling, FieldDoor, Outcome, Turf, TurfAddress, Visit
from canvass.models.visit import CONTACT

# A leaflet round marks entrances, not doors: its records name the address with an empty unit. (A leaflet left at a
# door in a door round, Outcome.LEAFLET, names its door like any other outcome.)
ENTRANCES = {Outcome.MAILBOXES}


@dataclass
class DoorProgress:
    """Doors knocked and what came of them (not the committee's counts of what was said: committee/tallies.py)."""

    doors: int = 0
    knocked: int = 0
    contacts: int = 0
    conversations: int = 0
    not_home: int = 0
    by_outcome: dict = field(default_factory=lambda: defaultdict(int))

    @property
    def left(self) -> int:
        return max(self.doors - self.knocked, 0)

    @property
    def contact_rate(self) -> float:
        return self.contacts / self.knocked if self.knocked else 0.0

    @property
    def coverage(self) -> float:
        return min(self.knocked / self.doors, 1.0) if self.doors else 0.0

    @property
    def shade(self) -> str:
        """The turf's fill on the coverage map: five blues, each a fifth of its doors, darker as more are knocked."""
        return charts.BLUES[min(int(self.coverage * len(charts.BLUES)), len(charts.BLUES) - 1)]


def effective(visits: list[Visit]) -> list[Visit]:
    """The events that count: corrections and the events they cancel drop out."""
    cancelled = {v.corrects for v in visits if v.corrects}
    return [v for v in visits if not v.corrects and v.client_uuid not in cancelled]


def _door_progress(visits: list[Visit], doors: int) -> DoorProgress:
    tally = DoorProgress(doors=doors)
    latest: dict[tuple[int, str], Visit] = {}
    for v in sorted(visits, key=lambda v: (v.recorded_at, v.id)):
        latest[(v.address_id, v.unit)] = v
        tally.by_outcome[v.outcome] += 1
        tally.conversations += v.outcome == Outcome.CONVERSATION
    tally.knocked = len(latest)
    tally.contacts = sum(1 for v in latest.values() if v.outcome in CONTACT)
    tally.not_home = sum(1 for v in latest.values() if v.outcome == Outcome.NOT_HOME)
    return tally


def known_doors(addresses) -> tuple[dict[int, list[str]], set[tuple[int, str]]]:
    """For the addresses a query of ids names: their Matrikkel dwellings, and the doors added there in the field that
    were not rejected, as (address, unit). With the estimated count these are an address's doors (`doors.slots`)."""
    units: dict[int, list[str]] = defaultdict(list)
    for address_id, unit in db.session.execute(select(Dwelling.address_id, Dwelling.unit).where(
            Dwelling.address_id.in_(addresses))):
        units[address_id].append(unit)
    added = {tuple(row) for row in db.session.execute(select(FieldDoor.address_id, FieldDoor.unit).where(
        FieldDoor.address_id.in_(addresses), FieldDoor.status != "rejected"))}
    return units, added


def visits_for(turf_ids: list[int], action_id: int | None = None) -> list[Visit]:
    """The visits that count in these turfs (`placed`)."""
    return [v for _, v in placed(turf_ids, action_id)]


def placed(turf_ids: list[int], action_id: int | None = None) -> list[tuple[int, Visit]]:
    """The visits that count in these turfs, each with the turf it counts in: at one of the turf's doors as its walk
    list shows them (`doors.slots`, and doors added in the field the coordinator has not rejected), or at one of its
    entrances in a leaflet round.

    In an action, a door's records follow the door: one recorded in a turf since split, merged, redrawn or cut again
    counts in the turf of the same round that holds its address now, so the action's progress keeps what its
    volunteers did, as their walk lists do. Every visit is kept; one at an address of another turf, or at a door the
    address does not have (a tampered or broken phone sending "-1" or "../x"), is not counted here, or the
    coordinator's "15 of 31 doors" would differ from the walk list's "8 of 31"."""
    if action_id is None:
        query = select(Visit).where(Visit.turf_id.in_(turf_ids))
    else:
        held = select(TurfAddress.address_id).where(TurfAddress.turf_id.in_(turf_ids))
        query = select(Visit).where(Visit.action_id == action_id, Visit.address_id.in_(held))
    visits = effective(list(db.session.scalars(query)))
    visited = select(query.subquery().c.address_id)
    stops, home = {}, {}
    for turf_id, address_id, count, round_ in db.session.execute(
            select(TurfAddress.turf_id, TurfAddress.address_id, TurfAddress.doors, TurfAddress.round).where(
                TurfAddress.turf_id.in_(turf_ids), TurfAddress.address_id.in_(visited))):
        stops[(turf_id, address_id)] = count
        home[(address_id, round_)] = turf_id
    own = set(turf_ids)
    rounds = dict(db.session.execute(select(Turf.id, Turf.round).where(
        Turf.id.in_({v.turf_id for v in visits} - own))).all()) if action_id is not None else {}
    units, added = known_doors(visited)
    rejected = {tuple(row) for row in db.session.execute(select(FieldDoor.address_id, FieldDoor.unit).where(
        FieldDoor.turf_id.in_(turf_ids), FieldDoor.status == "rejected"))}
    slots: dict[tuple[int, int], set[str]] = {}

    def counted_in(v: Visit) -> int | None:
        turf_id = v.turf_id if v.turf_id in own else home.get((v.address_id, rounds.get(v.turf_id)))
        key = (turf_id, v.address_id)
        if key not in stops or (v.address_id, v.unit) in rejected:
            return None
        if v.outcome in ENTRANCES and not v.unit:
            return turf_id
        if key not in slots:
            slots[key] = set(doors.slots(units[v.address_id], stops[key]))
        return turf_id if v.unit in slots[key] or (v.address_id, v.unit) in added else None

    return [(turf_id, v) for v in visits if (turf_id := counted_in(v)) is not None]


def by_turf(turfs: list[Turf], action_id: int | None = None) -> dict[int, DoorProgress]:
    grouped: dict[int, list[Visit]] = defaultdict(list)
    for turf_id, v in placed([t.id for t in turfs], action_id):
        grouped[turf_id].append(v)
    return {t.id: _door_progress(grouped[t.id], t.doors) for t in turfs}


def by_canvasser(turfs: list[Turf], action_id: int | None = None) -> dict[int, DoorProgress]:
    grouped: dict[int, list[Visit]] = defaultdict(list)
    for v in visits_for([t.id for t in turfs], action_id):
        grouped[v.canvasser_id].append(v)
    return {user_id: _door_progress(visits, 0) for user_id, visits in grouped.items()}


def total(tallies: list[DoorProgress]) -> DoorProgress:
    summed = DoorProgress()
    for t in tallies:
        summed.doors += t.doors
        summed.knocked += t.knocked
        summed.contacts += t.contacts
        summed.conversations += t.conversations
        summed.not_home += t.not_home
    return summed


def not_home_addresses(turf: Turf) -> dict[int, int]:
    """Addresses with doors whose latest result is "not home", and how many such doors each has."""
    latest: dict[tuple[int, str], Visit] = {}
    for v in sorted(visits_for([turf.id]), key=lambda v: (v.recorded_at, v.id)):
        latest[(v.address_id, v.unit)] = v
    counts: dict[int, int] = defaultdict(int)
    for (address_id, _), v in latest.items():
        if v.outcome == Outcome.NOT_HOME:
            counts[address_id] += 1
    in_turf = set(db.session.scalars(select(TurfAddress.address_id).where(TurfAddress.turf_id == turf.id)))
    return {a: n for a, n in counts.items() if a in in_turf}
