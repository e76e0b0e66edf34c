"""Branch territories as sets of postal codes, and how the organisation's area is covered."""
import json
from dataclasses import dataclass

from sqlalchemy import or_, select

from canvass.extensions import db
from canvass.geo import geometry
from canvass.models import Branch, BranchPostalCode, District, Organisation, PostalArea


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


def set_territory(branch: Branch, codes: list[str]) -> None:
    """Replace the branch's territory; codes outside the organisation's area are refused and nothing changes."""
    allowed = {p.postnummer for p in postal_areas(branch.organisation)}
    unknown = sorted(set(codes) - allowed)
    if unknown:
        raise TerritoryError(unknown)
    branch.postal_codes = [BranchPostalCode(postnummer=c) for c in sorted(set(codes))]
    db.session.commit()


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
