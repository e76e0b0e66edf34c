"""Branch territories as sets of postal codes, and how the organisation's area is covered."""
import json
from dataclasses import dataclass

from sqlalchemy import or_, select

from canvass.extensions import db
from canvass.geo import geometry
from canvass.models import Address, Branch, BranchPostalCode, District, Organisation, PostalArea, Turf, TurfAddress


class TerritoryError(ValueError):
    def __init__(self, codes: list[str]):
        super().__init__(", ".join(codes))
        self.codes = codes


def postal_areas(organisation: Organisation) -> list[PostalArea]:
    """The postal codes an organisation should cover: street codes and areas in its municipalities."""
    return list(db.session.scalars(
        select(PostalArea)
        .where(PostalArea.kommunenummer.in_(organisation.kommunenummer))
        .where(or_(PostalArea.geometry.is_not(None), PostalArea.kategori.in_(("G", "B"))))
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


def set_territory(branch: Branch, codes: list[str]) -> None:
    """Replace the branch's territory; codes outside the organisation's area, or newly given while another
    branch holds them, are refused and nothing changes.

    A code the branch already shares (given to two branches before this rule) stays until the admin removes it.
    """
    allowed = {p.postnummer for p in postal_areas(branch.organisation)}
    unknown = sorted(set(codes) - allowed)
    if unknown:
        raise TerritoryError(unknown)
    taken = holders(branch, set(codes) - set(branch.territory))
    if taken:
        raise TerritoryTaken(taken)
    branch.postal_codes = [BranchPostalCode(postnummer=c) for c in sorted(set(codes))]
    db.session.commit()


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
