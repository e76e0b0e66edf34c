"""How representative the input is: per area, the doors there, the doors knocked, and conversations per 1,000.

A committee reading "bolig came first in Sagene" needs to know whether that rests on 12 conversations
in an area of 2,400 dwellings or on 600. The dwellings of an area are its addresses' Matrikkel
dwellings (Leilighetsnivå), or where an address has none, the estimate from its building
(`canvass.geo.doors`); an area holding any estimate is marked as estimated.

Doors knocked are the doors with a visit in the filters that was not a leaflet, counting a door
once however often it was knocked on, leaving out corrected visits and any door the address does not have.
Conversations are the committee's own figures (`canvass.services.committee.committees`): for a district or a
branch the residents in its visible cells; a postal code is finer than a cell, so its conversations are summed
from each visible cell's pieces in it of at least k (`_postal_conversations`), whatever was said. Neither depends
on the topic chosen.
"""
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from sqlalchemy import func, select

from canvass.extensions import db
from canvass.geo import doors
from canvass.insight import cells
from canvass.insight.tally import ALL_TOPICS, LOCAL
from canvass.models import (
    Action,
    Address,
    Branch,
    BranchPostalCode,
    Committee,
    Conversation,
    Dwelling,
    Outcome,
    Visit,
)
from canvass.services.committee import committees
from canvass.services.committee.committees import WHOLE, Filters
from canvass.services.turf import progress


@dataclass
class Reach:
    """One area's doors, doors knocked and conversations."""

    dwellings: int = 0
    estimated: bool = False
    knocked: int = 0
    # None when fewer than k: a count of a group that small is not shown.
    conversations: int | None = 0

    @property
    def knocked_share(self) -> float | None:
        return min(self.knocked / self.dwellings, 1.0) if self.dwellings else None

    @property
    def per_thousand(self) -> float | None:
        """Conversations per 1,000 dwellings."""
        if not self.dwellings or self.conversations is None:
            return None
        return 1000 * self.conversations / self.dwellings


@dataclass
class Coverage:
    scope: Reach
    districts: dict[str, Reach]
    branches: dict[int, Reach]
    postal_codes: dict[str, Reach]


@lru_cache(maxsize=8)
def _dwellings(kommuner: tuple[str, ...], addresses: int, units: int) -> tuple[dict, dict]:
    """Dwellings per postal code and per district as (count, any estimated), worked out once per state of the
    address register (`addresses` and `units` change when it is imported again)."""
    per_code: dict[str, list] = {}
    per_district: dict[str, list] = {}
    spans: dict[str, set] = {}
    rows = db.session.execute(
        select(Address.postnummer, Address.district_number, Address.building_type, Address.building_levels,
               func.count(Dwelling.id))
        .outerjoin(Dwelling, Dwelling.address_id == Address.id)
        .where(Address.kommunenummer.in_(kommuner))
        .group_by(Address.id, Address.postnummer, Address.district_number, Address.building_type,
                  Address.building_levels))
    for code, district, kind, levels, units_here in rows:
        count = doors.count_doors(units_here, kind, levels)
        spans.setdefault(code, set()).add(district)
        for table, key in ((per_code, code), (per_district, district)):
            if key:
                entry = table.setdefault(key, [0, False])
                entry[0] += count.doors
                entry[1] = entry[1] or count.estimated
    return ({k: tuple(v) for k, v in per_code.items()}, {k: tuple(v) for k, v in per_district.items()},
            {k: frozenset(v) for k, v in spans.items()})


def _register(kommuner: list[str]) -> tuple[dict, dict, dict]:
    key = tuple(sorted(kommuner))
    addresses = db.session.scalar(select(func.count(Address.id)).where(Address.kommunenummer.in_(key)))
    units = db.session.scalar(select(func.count(Dwelling.id)))
    return _dwellings(key, addresses or 0, units or 0)


def dwellings(kommuner: list[str]) -> tuple[dict, dict]:
    """(per postal code, per district): dwellings and whether any of them were estimated."""
    per_code, per_district, _ = _register(kommuner)
    return per_code, per_district


def _utc(day) -> datetime:
    """Midnight in Oslo on `day`, as the naive UTC time visits are stored in."""
    return datetime.combine(day, time(0), LOCAL).astimezone(timezone.utc).replace(tzinfo=None)


def _knocked(committee: Committee, filters: Filters) -> list[tuple]:
    """Each door knocked within the scope and filters once, with its postal code, district and branch."""
    cancelled = select(Visit.corrects).where(Visit.corrects.is_not(None),
                                             Visit.organisation_id == committee.organisation_id)
    where = [Visit.organisation_id == committee.organisation_id, Visit.corrects.is_(None),
             Visit.client_uuid.not_in(cancelled), Visit.outcome != Outcome.LEAFLET]
    if committee.branch_id is not None:
        where.append(Action.branch_id == committee.branch_id)
    if filters.campaign_id:
        where.append(Action.campaign_id == filters.campaign_id)
    if filters.branch_id:
        where.append(Action.branch_id == filters.branch_id)
    if filters.district:
        where.append(Address.district_number == filters.district)
    start, end = cells.snap(filters.start, filters.end)
    # A period from the calendar's first week or to its last is no bound at all (and would not fit in a datetime).
    if start and start > date.min + timedelta(days=7):
        where.append(Visit.recorded_at >= _utc(start))
    if end and end < date.max - timedelta(days=7):
        where.append(Visit.recorded_at < _utc(end + timedelta(days=1)))
    doors_ = (select(Visit.address_id, Visit.unit, func.max(Action.branch_id).label("branch_id"))
              .outerjoin(Action, Action.id == Visit.action_id)
              .join(Address, Address.id == Visit.address_id)
              .where(*where).group_by(Visit.address_id, Visit.unit).subquery())
    knocked = db.session.execute(
        select(doors_.c.address_id, doors_.c.unit, Address.building_type, Address.building_levels,
               Address.postnummer, Address.district_number, doors_.c.branch_id)
        .join(doors_, doors_.c.address_id == Address.id)).all()
    # Only the doors the address has (its dwellings, else its estimated doors by number) or that were added in the
    # field and not rejected: a phone naming "11" at a house of one door, or a leaflet round's entrance, knocked none.
    units, added = progress.known_doors(select(doors_.c.address_id))
    slots: dict[int, set[str]] = {}
    found = []
    for address_id, unit, kind, levels, code, district, branch_id in knocked:
        if address_id not in slots:
            mine = units[address_id]
            slots[address_id] = set(doors.slots(mine, doors.count_doors(len(mine), kind, levels).doors))
        if unit in slots[address_id] or (address_id, unit) in added:
            found.append((code, district, branch_id))
    return found


def _postal_conversations(committee: Committee, filters: Filters) -> dict[str, int]:
    """Conversations per postal code within the filters: the sum of the visible cells' pieces in each postal code,
    a piece (one cell's conversations in one postal code) counted only when it holds at least k.

    A postal code is finer than a cell. Summed from whole pieces of at least k, two views (a period and the same
    period a week shorter, say) differ by none or by at least k in every postal code; summed from the conversations,
    the difference told how many spoke in one postal code in one week, down to one."""
    c = Conversation
    campaign = func.coalesce(Action.campaign_id, 0)
    pieces = (select(c.postnummer, func.count().label("n")).outerjoin(Action, Action.id == c.action_id)
              .where(*committees.conditions(committee, filters, Conversation), c.postnummer.is_not(None),
                     committees.visible_atom(committee))
              .group_by(campaign, func.coalesce(c.branch_id, 0), func.coalesce(c.district_number, ""), c.week,
                        c.postnummer)
              .having(func.count() >= committee.k).subquery())
    return dict(db.session.execute(select(pieces.c.postnummer, func.sum(pieces.c.n)).group_by(pieces.c.postnummer))
                .all())


def coverage(committee: Committee, filters: Filters) -> Coverage:
    """Doors, doors knocked and conversations for the committee's scope within the filters, per area.

    The topic filter is left out: how many were heard does not depend on what they said.
    """
    filters = replace(filters, topic=None)
    k = committee.k
    per_code, per_district, spans = _register(committee.organisation.kommunenummer)
    territory: dict[int, list[str]] = {}
    for branch_id, code in db.session.execute(
            select(BranchPostalCode.branch_id, BranchPostalCode.postnummer).join(Branch)
            .where(Branch.organisation_id == committee.organisation_id)):
        territory.setdefault(branch_id, []).append(code)
    names = committees.area_names(committee)
    branches = {b: Reach() for b in names["branch"] if committee.branch_id in (None, b)}
    for branch_id, reach in branches.items():
        for code in territory.get(branch_id, []):
            count, estimated = per_code.get(code, (0, False))
            reach.dwellings += count
            reach.estimated = reach.estimated or estimated
    districts = {d: Reach(*per_district.get(d, (0, False))) for d in names["district"]}
    codes = {code: Reach(*per_code.get(code, (0, False))) for code in per_code}
    if committee.branch_id is not None:
        own = set(territory.get(committee.branch_id, []))
        codes = {code: reach for code, reach in codes.items() if code in own}
        districts = {d: reach for d, reach in districts.items() if any(d in spans.get(c, ()) for c in own)}
    for code, district, branch_id in _knocked(committee, filters):
        for table, key in ((codes, code), (districts, district), (branches, branch_id)):
            if key in table:
                table[key].knocked += 1
    visible = committees.sums(committee, filters, "district_number")
    for district, reach in districts.items():
        reach.conversations = _residents(visible.get(district), k)
    by_branch = committees.sums(committee, filters, "branch_id")
    for branch_id, reach in branches.items():
        reach.conversations = _residents(by_branch.get(branch_id), k)
    # A postal code with no piece of at least k says "under k", also where nobody spoke: "0" beside "under k" would
    # tell whether anyone there did.
    counted = _postal_conversations(committee, filters)
    for code, reach in codes.items():
        reach.conversations = counted.get(code)
    scope = _scope(committee, filters, districts, branches, codes, k)
    # The tables list the areas the filters choose, with those where nobody was heard among them.
    if filters.branch_id:
        own = set(territory.get(filters.branch_id, []))
        codes = {code: reach for code, reach in codes.items() if code in own}
        branches = {b: reach for b, reach in branches.items() if b == filters.branch_id}
        districts = {d: reach for d, reach in districts.items() if any(d in spans.get(c, ()) for c in own)}
    if filters.district:
        districts = {d: reach for d, reach in districts.items() if d == filters.district}
        codes = {code: reach for code, reach in codes.items() if filters.district in spans.get(code, ())}
    return Coverage(scope, districts, branches, codes)


def _residents(counts: dict | None, k: int) -> int:
    """Residents in the visible cells summed in `counts`: none, or at least k."""
    return counts[ALL_TOPICS].residents if counts and ALL_TOPICS in counts else 0


def _scope(committee: Committee, filters: Filters, districts: dict, branches: dict, codes: dict, k: int) -> Reach:
    """The area the filters choose: a district, a branch, or the committee's whole scope."""
    if filters.district:
        return districts.get(filters.district, Reach())
    if filters.branch_id:
        return branches.get(filters.branch_id, Reach())
    if committee.branch_id is not None:
        return branches.get(committee.branch_id, Reach())
    total = committees.sums(committee, filters).get(WHOLE)
    return Reach(sum(r.dwellings for r in codes.values()), any(r.estimated for r in codes.values()),
                 sum(r.knocked for r in codes.values()), _residents(total, k))

