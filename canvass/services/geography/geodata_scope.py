"""Who may change the shared geography: an organisation's admin only rows in its own kommuner, and
never in a kommune another organisation depends on.

Addresses, postal areas, districts and municipalities are shared by every organisation on the
server. The command line belongs to whoever runs the server and may load national files. An
upload by an organisation's admin writes a row only when the row lies in one of the
organisation's kommuner, its postal code (when it is known) belongs to one of them, and, when it
replaces a stored row, the stored row does too. Otherwise an OpenStreetMap row with another
kommune's node id could rename or move that kommune's address, and a Matrikkel row claiming the
admin's own kommune with another kommune's postal code would land in that kommune's turf.

An admin chooses the organisation's kommuner themselves, so that list is no authority over geography
others use. A kommune that another organisation also holds, or where another organisation's branches
hold postal codes, is shared: there an upload writes nothing, and the geography comes only from the
trusted sources, the server's own download from Geonorge and the operator's command line. A row is in
a shared kommune when the row, its postal code, the stored row it would replace, or (for a postal
code) any address with that postal code lies in one: a postal code spanning two kommuner is as
shared as its most shared part.
"""
from collections.abc import Iterable

from sqlalchemy import func, select

from canvass.extensions import db
from canvass.geo import formats
from canvass.models import (
    Address,
    Branch,
    BranchPostalCode,
    District,
    Job,
    JobKind,
    JobState,
    OrganisationMunicipality,
    PostalArea,
    SubDistrict,
)

BATCH = 5_000
KEYS = {
    formats.POSTAL_AREAS: "postnummer",
    formats.POSTAL_REGISTER: "postnummer",
    formats.DISTRICTS: "number",
    formats.SUB_DISTRICTS: "number",
    formats.MUNICIPALITIES: "kommunenummer",
    formats.MATRIKKEL_ADDRESSES: "official_id",
    formats.OSM_ADDRESSES: "official_id",
    formats.MATRIKKEL_DWELLINGS: None,  # dwellings are only ever added, never replaced
}


def shared_kommuner(organisation_id: int) -> frozenset[str]:
    """The kommuner another organisation depends on: it holds them, or its branches hold postal codes there."""
    held = db.session.scalars(select(OrganisationMunicipality.kommunenummer)
                              .where(OrganisationMunicipality.organisation_id != organisation_id))
    territory = db.session.scalars(
        select(PostalArea.kommunenummer).join(BranchPostalCode, BranchPostalCode.postnummer == PostalArea.postnummer)
        .join(Branch, Branch.id == BranchPostalCode.branch_id)
        .where(Branch.organisation_id != organisation_id, PostalArea.kommunenummer.is_not(None)))
    return frozenset(held) | frozenset(territory)


def within(kind: str, records: list[dict], kommuner: Iterable[str] | None,
           shared: Iterable[str] = ()) -> tuple[list[dict], int, dict[str, int], set[str]]:
    """The records of `kind` that an organisation with `kommuner` may write, how many lie outside its
    kommuner, how many it may not write in each `shared` kommune (one another organisation depends on),
    and the kommuner the records it may write lie in (an upload's mark on them, see uploaded_by_others).

    `kommuner` None is the command line or the server's own download: everything may be written."""
    if kommuner is None:
        return records, 0, {}, set()
    allowed, shared, key = set(kommuner), frozenset(shared), KEYS[kind]
    postal = _postal_kommuner({r["postnummer"] for r in records if r.get("postnummer")})
    stored = _stored(kind, [r[key] for r in records]) if key else {}
    spanning = _spanning(kind, records, key, shared)
    kept, outside, refused, written = [], 0, {}, set()
    for record in records:
        places = {_kommune(kind, record, postal), postal.get(record.get("postnummer"), "new"),
                  stored.get(record[key], "new") if key else "new"}
        if not places <= allowed | {"new"}:
            outside += 1
            continue
        # A postal area's parts and addresses may reach into a neighbour: that makes it shared, not outside.
        reaches = {*record.get("kommuner", ()), spanning.get(record[key]) if key else None}
        touched = sorted((places | reaches) & shared)
        if touched:
            refused[touched[0]] = refused.get(touched[0], 0) + 1
            continue
        kept.append(record)
        written |= places - {"new", None}
    return kept, outside, refused, written


def uploaded_by_others(organisation_id: int, numbers: Iterable[str]) -> list[str]:
    """Of the kommuner `numbers`, those where another organisation's upload wrote geography: it may be
    anything, since the kommune was nobody else's then (jobs record the kommuner each file wrote in)."""
    wanted, found = set(numbers), set()
    if not wanted:
        return []
    for result in db.session.scalars(select(Job.result).where(Job.kind == JobKind.IMPORT, Job.state == JobState.DONE,
                                                              Job.organisation_id != organisation_id)):
        for described in (result or {}).get("files", []):
            found |= wanted & set(described.get("kommuner", []))
    return sorted(found)


def _spanning(kind: str, records: list[dict], key: str | None, shared: frozenset[str]) -> dict[str, str]:
    """For postal codes: a shared kommune that addresses with the code lie in (the code spans into it)."""
    if kind not in (formats.POSTAL_AREAS, formats.POSTAL_REGISTER) or not shared:
        return {}
    found = {}
    codes = sorted({r[key] for r in records})
    for batch in _batches(codes):
        found.update(db.session.execute(select(Address.postnummer, func.min(Address.kommunenummer))
                                        .where(Address.postnummer.in_(batch),
                                               Address.kommunenummer.in_(sorted(shared)))
                                        .group_by(Address.postnummer)).all())
    return found


def _kommune(kind: str, record: dict, postal: dict) -> str | None:
    if kind == formats.SUB_DISTRICTS:
        return record["number"][:4]
    if kind in (formats.OSM_ADDRESSES, formats.POSTAL_AREAS):
        # OSM rows carry no kommune and older postal-area files may not: the postal code's tells.
        return record.get("kommunenummer") or postal.get(record["postnummer"])
    return record.get("kommunenummer")


def _batches(values: list) -> Iterable[list]:
    for start in range(0, len(values), BATCH):
        yield values[start:start + BATCH]


def _postal_kommuner(codes: set[str]) -> dict[str, str | None]:
    found = {}
    for batch in _batches(sorted(codes)):
        found.update(db.session.execute(select(PostalArea.postnummer, PostalArea.kommunenummer)
                                        .where(PostalArea.postnummer.in_(batch))).all())
    return found


def _stored(kind: str, keys: list[str]) -> dict[str, str | None]:
    """The kommune of each stored row that a record with the same key would replace."""
    if kind in (formats.POSTAL_AREAS, formats.POSTAL_REGISTER):
        return _postal_kommuner(set(keys))
    if kind == formats.MUNICIPALITIES:
        return {}  # a municipality's key is its kommune
    query = {
        formats.DISTRICTS: lambda batch: select(District.number, District.kommunenummer)
        .where(District.number.in_(batch)),
        formats.SUB_DISTRICTS: lambda batch: select(SubDistrict.number, func.substr(SubDistrict.number, 1, 4))
        .where(SubDistrict.number.in_(batch)),
        formats.MATRIKKEL_ADDRESSES: lambda batch: _address_kommuner(batch),
        formats.OSM_ADDRESSES: lambda batch: _address_kommuner(batch),
    }[kind]
    found = {}
    for batch in _batches(sorted(set(keys))):
        found.update(db.session.execute(query(batch)).all())
    return found


def _address_kommuner(official_ids: list[str]):
    return (select(Address.official_id, func.coalesce(Address.kommunenummer, PostalArea.kommunenummer))
            .outerjoin(PostalArea, Address.postnummer == PostalArea.postnummer)
            .where(Address.official_id.in_(official_ids)))
