"""Who may change the shared geography: an organisation's admin only rows in its own kommuner.

Addresses, postal areas, districts and municipalities are shared by every organisation on the
server. The command line belongs to whoever runs the server and may load national files. An
upload by an organisation's admin writes a row only when the row lies in one of the
organisation's kommuner, its postal code (when it is known) belongs to one of them, and, when it
replaces a stored row, the stored row does too. Otherwise an OpenStreetMap row with another
kommune's node id could rename or move that kommune's address, and a Matrikkel row claiming the
admin's own kommune with another kommune's postal code would land in that kommune's turf.
"""
from collections.abc import Iterable

from sqlalchemy import func, select

from canvass.extensions import db
from canvass.geo import formats
from canvass.models import Address, District, PostalArea, SubDistrict

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


def within(kind: str, records: list[dict], kommuner: Iterable[str] | None) -> tuple[list[dict], int]:
    """The records of `kind` that an organisation with `kommuner` may write, and how many it may not.

    `kommuner` None is the command line: everything may be written."""
    if kommuner is None:
        return records, 0
    allowed, key = set(kommuner), KEYS[kind]
    postal = _postal_kommuner({r["postnummer"] for r in records if r.get("postnummer")})
    stored = _stored(kind, [r[key] for r in records]) if key else {}
    kept = [r for r in records
            if _kommune(kind, r, postal) in allowed and postal.get(r.get("postnummer"), "new") in allowed | {"new"}
            and (key is None or stored.get(r[key], "new") in allowed | {"new"})]
    return kept, len(records) - len(kept)


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
