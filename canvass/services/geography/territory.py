"""Branch territories as sets of postal codes, and how the organisation's area is covered."""
import json
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, func, or_, select

from canvass import clock
from canvass.extensions import db
from canvass.geo import geometry
from canvass.models import (
    Action,
    ActionTurf,
    Address,
    Branch,
    BranchPostalCode,
    District,
    Organisation,
    PostalArea,
    Turf,
    TurfAddress,
)
from canvass.services import row_locks
from canvass.services.geography import kommuner
from canvass.typed import name_key


class TerritoryError(ValueError):
    def __init__(self, codes: list[str]):
        super().__init__(", ".join(codes))
        self.codes = codes


def postal_areas(organisation: Organisation) -> list[PostalArea]:
    """The postal codes an organisation should cover: street codes and areas in its municipalities.

    A code is one where people live if it has an area, is a street code in Posten's register, or has addresses:
    a party that could load only Kartverket's Matrikkel file has codes with nothing but their addresses."""
    has_addresses = select(Address.id).where(Address.postnummer == PostalArea.postnummer).exists()
    return list(db.session.scalars(
        select(PostalArea)
        .where(PostalArea.kommunenummer.in_(organisation.kommunenummer))
        .where(or_(PostalArea.geometry.is_not(None), PostalArea.kategori.in_(("G", "B")), has_addresses))
        .order_by(PostalArea.postnummer)))


class TerritoryTaken(ValueError):
    """Postal codes the branch was to get that another branch of the organisation holds: {branch name: codes}."""

    def __init__(self, holders: dict[str, list[str]]):
        super().__init__(str(holders))
        self.holders = holders


def holders(branch: Branch, codes) -> dict[str, list[str]]:
    """Which other branches of the organisation hold any of `codes`: {branch name: its codes among them}.

    A postal code belongs to one branch at a time: it is the area that branch organises, knocks
    doors in and reports on (Bærum Ap fixes each division's area by postal code), so two branches
    never cut turf in it, read its input or send canvassers to its doors at once.
    """
    rows = db.session.execute(select(Branch.name, BranchPostalCode.postnummer).join(Branch)
                              .where(Branch.organisation_id == branch.organisation_id, Branch.id != branch.id,
                                     BranchPostalCode.postnummer.in_(list(codes)))
                              .order_by(Branch.name, BranchPostalCode.postnummer))
    found: dict[str, list[str]] = {}
    for name, code in rows:
        found.setdefault(name, []).append(code)
    return found


def set_territory(branch: Branch, codes: list[str], take: bool = False) -> None:
    """Replace the branch's territory; codes outside the organisation's area are refused and nothing changes.

    A code another branch holds is refused too (TerritoryTaken), unless the admin confirmed moving it
    (`take`): then it leaves the other branch in the same transaction. That branch's live turf there stays
    its own until it archives it (turf_left_in). A code the branch already shares (given to two branches
    before this rule) stays until the admin removes it.
    """
    allowed = {p.postnummer for p in postal_areas(branch.organisation)}
    unknown = sorted(set(codes) - allowed)
    if unknown:
        raise TerritoryError(unknown)
    new = set(codes) - set(branch.territory)
    taken = holders(branch, new)
    if taken and not take:
        raise TerritoryTaken(taken)
    if taken:
        others = select(Branch.id).where(Branch.organisation_id == branch.organisation_id, Branch.id != branch.id)
        db.session.execute(delete(BranchPostalCode).where(BranchPostalCode.branch_id.in_(others),
                                                          BranchPostalCode.postnummer.in_(sorted(new))))
        db.session.expire_all()
    branch.postal_codes = [BranchPostalCode(postnummer=c) for c in sorted(set(codes))]
    db.session.commit()


@dataclass
class HeldElsewhere:
    """What moving postal codes from another branch touches there: its live turf and its actions on that turf."""

    branch: Branch
    codes: list[str]
    turfs: list[Turf] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def held_elsewhere(branch: Branch, codes) -> list[HeldElsewhere]:
    """For each other branch holding any of `codes`: those codes, its live turf in them, and the actions that
    have not ended (started within the last day or still to come) with that turf planned."""
    found = []
    for name, held in holders(branch, codes).items():
        other = db.session.scalar(select(Branch).where(Branch.organisation_id == branch.organisation_id,
                                                       Branch.name == name))
        live = list(db.session.scalars(
            select(Turf).where(Turf.branch_id == other.id, Turf.archived_at.is_(None), Turf.id.in_(
                select(TurfAddress.turf_id).join(Address, Address.id == TurfAddress.address_id)
                .where(Address.postnummer.in_(held)))).order_by(Turf.name)))
        recent = clock.utcnow() - timedelta(days=1)
        actions = list(db.session.scalars(
            select(Action).where(Action.branch_id == other.id, Action.starts_at >= recent, Action.id.in_(
                select(ActionTurf.action_id).where(ActionTurf.turf_id.in_([t.id for t in live]))))
            .order_by(Action.starts_at))) if live else []
        found.append(HeldElsewhere(other, held, live, actions))
    return found


@dataclass
class Unit:
    """A kommune, a valgkrets or a grunnkrets, and the postal codes a branch for it would cover."""

    key: str
    name: str
    codes: list[str]
    # Codes with addresses in other units too: each goes to the unit holding most of its addresses.
    split: list[str] = field(default_factory=list)


def kommune_units(organisation: Organisation) -> list[Unit]:
    """One unit per kommune of the organisation, with the postal codes Posten's register puts in it."""
    codes: dict[str, list[str]] = {}
    for area in postal_areas(organisation):
        codes.setdefault(area.kommunenummer, []).append(area.postnummer)
    return [Unit(number, kommuner.name(number), codes.get(number, [])) for number in sorted(organisation.kommunenummer)]


def valgkrets_units(organisation: Organisation) -> list[Unit]:
    """One unit per valgkrets (electoral precinct) of the organisation's kommuner, from the valgkrets every
    Matrikkel address carries."""
    return _precinct_units(organisation, Address.valgkretsnummer, Address.valgkretsnavn)


def grunnkrets_units(organisation: Organisation) -> list[Unit]:
    """One unit per grunnkrets (Statistics Norway's basic statistical unit) of the organisation's kommuner, from
    the grunnkrets number and name every Matrikkel address carries. Grunnkretser are mostly smaller than postal
    codes, so only those holding most of some code's addresses become units."""
    return _precinct_units(organisation, Address.grunnkretsnummer, Address.grunnkretsnavn)


def _precinct_units(organisation: Organisation, number_column, name_column) -> list[Unit]:
    """Units from a numbered area every address names. Postal codes and these areas do not nest: a code goes
    to the area holding most of its addresses, and is listed as split."""
    own = {p.postnummer for p in postal_areas(organisation)}
    counts = db.session.execute(
        select(Address.kommunenummer, number_column, func.max(name_column), Address.postnummer, func.count())
        .where(Address.kommunenummer.in_(organisation.kommunenummer), number_column.is_not(None))
        .group_by(Address.kommunenummer, number_column, Address.postnummer)).all()
    several_kommuner = len(organisation.kommunenummer) > 1
    names: dict[str, str] = {}
    best: dict[str, tuple[int, str]] = {}
    seen: dict[str, set[str]] = {}
    for kommune, number, name, code, n in counts:
        if code not in own:
            continue
        key = f"{kommune}-{number}"
        label = name or number
        names[key] = f"{label} ({kommuner.name(kommune)})" if several_kommuner else label
        seen.setdefault(code, set()).add(key)
        if code not in best or (n, key) > best[code]:
            best[code] = (n, key)
    units = {key: Unit(key, names[key], []) for key in names}
    for code, (_, key) in sorted(best.items()):
        units[key].codes.append(code)
        if len(seen[code]) > 1:
            units[key].split.append(code)
    return sorted((u for u in units.values() if u.codes), key=lambda u: (u.key.split("-")[0], _number(u.key)))


def _number(key: str) -> tuple[int, str]:
    tail = key.split("-", 1)[1]
    return (int(tail), tail) if tail.isdigit() else (10**9, tail)


@dataclass
class Division:
    created: list[str]
    filled: list[str]
    # Codes another branch already held: they stay where they are.
    kept_elsewhere: dict[str, list[str]]
    split: list[str]


def divide(organisation: Organisation, units: list[Unit], kind: str = "lokallag") -> Division:
    """A branch per unit (an existing branch of the same name is reused) with the unit's postal codes that no
    branch holds yet. Codes other branches hold stay with them and are reported. One transaction."""
    row_locks.take(organisation)  # a double tap's second division waits, then finds the branches the first made
    held = dict(db.session.execute(select(BranchPostalCode.postnummer, Branch.name).join(Branch)
                                   .where(Branch.organisation_id == organisation.id)).all())
    existing = {b.name_key: b for b in organisation.branches}
    created, filled, kept, split = [], [], {}, []
    for unit in units:
        branch = existing.get(name_key(unit.name[:100]))
        if branch is None:
            branch = Branch(organisation=organisation, name=unit.name[:100], kind=kind)
            db.session.add(branch)
            existing[branch.name_key] = branch
            created.append(branch.name)
        else:
            filled.append(branch.name)
        free = [c for c in unit.codes if c not in held or held[c] == branch.name]
        for code in unit.codes:
            if code in held and held[code] != branch.name:
                kept.setdefault(held[code], []).append(code)
        current = {p.postnummer for p in branch.postal_codes}
        branch.postal_codes = list(branch.postal_codes) + [BranchPostalCode(postnummer=c) for c in free
                                                           if c not in current]
        for code in free:
            held[code] = branch.name
        split += unit.split
    db.session.commit()
    return Division(created, filled, kept, sorted(split))


def turf_left_in(branch: Branch, codes) -> list[str]:
    """The codes among `codes` where the branch still has live turf (it stays until the branch archives it)."""
    return list(db.session.scalars(
        select(Address.postnummer).join(TurfAddress, TurfAddress.address_id == Address.id)
        .join(Turf, Turf.id == TurfAddress.turf_id)
        .where(Turf.branch_id == branch.id, Turf.archived_at.is_(None), Address.postnummer.in_(list(codes)))
        .distinct().order_by(Address.postnummer)))


def codes_in_district(district: District, organisation: Organisation) -> list[str]:
    """Postal codes lying mostly (by area) inside the district polygon."""
    areas = {p.postnummer: geometry.from_geojson(p.geometry) for p in postal_areas(organisation) if p.geometry}
    if not areas:
        return []
    assigned = geometry.dominant_area(areas, {district.number: geometry.from_geojson(district.geometry)})
    return sorted(assigned)


def districts(organisation: Organisation) -> list[District]:
    return list(db.session.scalars(select(District).where(District.kommunenummer.in_(organisation.kommunenummer))
                                   .order_by(District.number)))


@dataclass
class Coverage:
    owners: dict[str, list[str]]

    @property
    def uncovered(self) -> list[str]:
        return [code for code, names in self.owners.items() if not names]

    @property
    def contested(self) -> list[str]:
        return [code for code, names in self.owners.items() if len(names) > 1]


def coverage(organisation: Organisation) -> Coverage:
    owners: dict[str, list[str]] = {p.postnummer: [] for p in postal_areas(organisation)}
    rows = db.session.execute(select(BranchPostalCode.postnummer, Branch.name).join(Branch)
                              .where(Branch.organisation_id == organisation.id).order_by(Branch.name))
    for code, name in rows:
        owners.setdefault(code, []).append(name)
    return Coverage(owners)


def territory_geojson(organisation: Organisation, branch: Branch | None = None) -> dict:
    """Postal-code polygons with who owns each: all of the organisation's, or one branch's."""
    owners = coverage(organisation).owners
    features = []
    for area in postal_areas(organisation):
        names = owners.get(area.postnummer, [])
        if area.geometry is None or (branch is not None and branch.name not in names):
            continue
        status = "uncovered" if not names else "contested" if len(names) > 1 else "covered"
        features.append({"type": "Feature", "geometry": json.loads(area.geometry), "properties": {
            "postnummer": area.postnummer, "poststed": area.poststed, "branches": names, "status": status}})
    return {"type": "FeatureCollection", "features": features}
