"""Import official geodata into the database: idempotent, all-or-nothing, with rejected rows reported.

A file is stored in one transaction. A structurally broken file (empty, wrong delimiter, missing
columns, unreadable geometry, coordinates outside Norway) raises GeodataError and stores nothing.
Rows that cannot be used are reported with their line number; unless the caller accepts them
(`skip_invalid`), any rejected row also means nothing is stored.
"""
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import format_number, gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_

from canvass.extensions import db
from canvass.geo import bounded, formats, geometry, sources
from canvass.geo.errors import Rejected
from canvass.models import Address, District, Dwelling, Municipality, PostalArea, SubDistrict
from canvass.refusal import N_
from canvass.services.geography import geodata_scope, kommuner
from canvass.services.geography.upsert import BATCH, upsert

Progress = Callable[[int, int], None]

NOUNS = {
    formats.POSTAL_REGISTER: _l("postnumre"),
    formats.POSTAL_AREAS: _l("postnummerområder"),
    formats.MUNICIPALITIES: _l("kommuner"),
    formats.DISTRICTS: _l("bydeler"),
    formats.SUB_DISTRICTS: _l("delbydeler"),
    formats.MATRIKKEL_ADDRESSES: _l("adresser"),
    formats.OSM_ADDRESSES: _l("adresser"),
    formats.MATRIKKEL_DWELLINGS: _l("boliger"),
}
ADDRESS_COLUMNS = ["kommunenummer", "adressekode", "street", "number", "letter", "postnummer", "lat", "lon",
                   "district_number", "building_id", "building_type", "building_levels", "valgkretsnummer",
                   "valgkretsnavn", "grunnkretsnummer", "grunnkretsnavn"]


@dataclass
class ImportResult:
    path: Path
    kind: str
    added: int = 0
    updated: int = 0  # rows that were stored before and changed
    unchanged: int = 0  # rows that were stored before exactly as in the file
    rejected: list[Rejected] = field(default_factory=list)
    repaired: int = 0
    stored: bool = False
    scope: frozenset[str] | None = None  # the importing organisation's kommuner; None from the command line
    outside: int = 0
    shared: frozenset[str] = frozenset()  # kommuner another organisation depends on: an upload writes nothing there
    refused_shared: dict[str, int] = field(default_factory=dict)  # rows left alone in each shared kommune
    written: set[str] = field(default_factory=set)  # the kommuner an upload's stored rows lie in
    touching: frozenset[str] | None = None  # keep only postal areas with a part in these kommuner
    elsewhere: int = 0
    layer: str | None = None
    skipped_layers: list[str] = field(default_factory=list)
    merged: int = 0
    limits: bounded.Limits | None = None  # an upload's map layers are read in a child process held to these

    def summary(self) -> str:
        text = gettext("%(added)s %(noun)s lagt til, %(updated)s endret, %(unchanged)s uendret, %(rejected)s avvist",
                       added=format_number(self.added), noun=NOUNS[self.kind],
                       updated=format_number(self.updated), unchanged=format_number(self.unchanged),
                       rejected=format_number(len(self.rejected)))
        if self.merged:
            text += ngettext(" (%(count)s postnummer satt sammen av flere deler)",
                             " (%(count)s postnumre satt sammen av flere deler)", self.merged,
                             count=format_number(self.merged))
        if self.repaired:
            text += gettext(" (%(count)s ugyldige flater reparert)", count=format_number(self.repaired))
        if self.outside:
            text += gettext(". %(count)s lå utenfor kommunene deres og ble ikke lagret",
                            count=format_number(self.outside))
        if self.refused_shared:
            text += gettext(". Rader i %(kommuner)s ble ikke lagret (%(count)s): en annen organisasjon arbeider også "
                            "der, og da kommer geodataene bare fra Kartverket. Bruk «Hent fra Geonorge» på "
                            "geodatasiden, eller be den som drifter serveren om å importere dem",
                            count=format_number(sum(self.refused_shared.values())),
                            kommuner=", ".join(kommuner.name(n) for n in sorted(self.refused_shared)))
        if self.elsewhere:
            text += gettext(". %(count)s postnummerområder i andre kommuner ble hoppet over",
                            count=format_number(self.elsewhere))
        if self.skipped_layers:
            text += gettext(". Leste kartlaget «%(layer)s» og hoppet over %(skipped)s",
                            layer=formats.shown_name(self.layer),
                            skipped=", ".join(f"«{formats.shown_name(name)}»" for name in self.skipped_layers[:5]))
        return text

    def rejected_lines(self, limit: int | None = None) -> list[str]:
        unit = gettext("objekt") if self.kind in LAYER_KINDS else gettext("linje")
        return [f"{unit} {r.line}: {gettext(r.message, **r.params)}" for r in self.rejected[:limit]]


LAYER_KINDS = {formats.POSTAL_AREAS, formats.DISTRICTS, formats.SUB_DISTRICTS, formats.MUNICIPALITIES}


def loaded(kommuner: list[str]) -> dict[str, int]:
    """How much geography is stored in these kommuner (an organisation's): postal codes (and how many have an
    area), districts, addresses, dwellings. The geography is shared between organisations; a new party's admin
    is shown what its own kommuner hold, not the whole server's."""
    codes = select(func.count()).select_from(PostalArea).where(PostalArea.kommunenummer.in_(kommuner))
    return {
        "postal_codes": db.session.scalar(codes),
        "postal_areas": db.session.scalar(codes.where(PostalArea.geometry.is_not(None))),
        "districts": db.session.scalar(select(func.count()).select_from(District)
                                       .where(District.kommunenummer.in_(kommuner))),
        "addresses": db.session.scalar(select(func.count()).select_from(Address)
                                       .where(Address.kommunenummer.in_(kommuner))),
        "dwellings": db.session.scalar(select(func.count()).select_from(Dwelling).join(Address)
                                       .where(Address.kommunenummer.in_(kommuner))),
    }


def import_paths(paths: list[Path], skip_invalid: bool = False,
                 progress: Callable[[Path, str, int], Progress] | None = None,
                 scope: list[str] | None = None, touching: list[str] | None = None,
                 shared: frozenset[str] = frozenset(), limits: bounded.Limits | None = None) -> list[ImportResult]:
    """Import several files in dependency order (postal codes before addresses before dwellings).

    Zip files are unpacked by us into a folder that lives as long as the import. With `scope` (an
    organisation's kommuner), only rows in those kommuner are written (geodata_scope). With
    `touching` (a kommune's download from the national file), only the postal areas with a part
    in those kommuner are. With `shared` (an upload's kommuner that another organisation depends on),
    nothing is written there. With `limits`, map layers are read in a child process held to them.
    `progress(path, kind, files)` is asked for each file's progress as its import begins; `files` is how many
    files the import reads, a zip's unpacked ones counted one by one.
    """
    with tempfile.TemporaryDirectory(prefix="canvass-geodata-") as folder:
        files = sources.local_files(paths, Path(folder))
        kinds = {p: _detect(p, limits) for p in files}
        ordered = sorted(kinds, key=lambda p: formats.IMPORT_ORDER.index(kinds[p]))
        return [import_file(p, skip_invalid, progress(p, kinds[p], len(ordered)) if progress else None, scope,
                            touching, kinds[p], shared, limits)
                for p in ordered]


def _detect(path: Path, limits: bounded.Limits | None) -> str:
    """A file's kind. With `limits` (an uploaded file) a GML's is found in a child process held to them, as its
    layer is read: GDAL parses a GML whole for each layer it lists, and 7.5 MB of fifty feature types took 20 s."""
    if limits is not None and sources.sniffed(path) == sources.GML:
        return bounded.call(formats.detect, path, limits=limits, name=path.name)
    return formats.detect(path)


def import_file(path: Path, skip_invalid: bool = False, progress: Progress | None = None,
                scope: list[str] | None = None, touching: list[str] | None = None,
                kind: str | None = None, shared: frozenset[str] = frozenset(),
                limits: bounded.Limits | None = None) -> ImportResult:
    """Import one file; `kind` is given when the caller already detected it (detecting reads the file)."""
    path = Path(path)
    kind = kind or formats.detect(path)
    result = ImportResult(path, kind, scope=None if scope is None else frozenset(scope),
                          touching=None if touching is None else frozenset(touching), shared=frozenset(shared),
                          limits=limits)
    try:
        STORE[kind](path, result, progress)
        if result.rejected and not skip_invalid:
            db.session.rollback()
        else:
            db.session.commit()
            result.stored = True
    except Exception:
        db.session.rollback()
        raise
    if not result.stored:
        result.added = result.updated = result.unchanged = 0
    return result


def _same(new, old) -> bool:
    if isinstance(new, float) and isinstance(old, float):
        return math.isclose(new, old, abs_tol=1e-9)
    return new == old


def _compare(result: ImportResult, table, keys: list[str], columns: list[str], records: list[dict],
             keep_existing: tuple[str, ...] = (), first_polygon: bool = False) -> list[dict]:
    """Count `records` as added, changed or unchanged against the stored rows; the ones to write.

    A column in `keep_existing` keeps its stored value when the record has none, so only a value
    that differs counts as a change. With `first_polygon`, a stored postal code that gets its
    first polygon counts as added."""
    key_columns = [table.c[k] for k in keys]
    stored = {}
    for start in range(0, len(records), BATCH):
        batch = [tuple(r[k] for k in keys) for r in records[start:start + BATCH]]
        where = key_columns[0].in_([b[0] for b in batch]) if len(keys) == 1 else tuple_(*key_columns).in_(batch)
        for row in db.session.execute(select(*key_columns, *(table.c[c] for c in columns)).where(where)):
            stored[tuple(row[:len(keys)])] = dict(zip(columns, row[len(keys):], strict=True))
    write, seen = [], set()
    for record in records:
        key = tuple(record[k] for k in keys)
        old = stored.get(key)
        if old is None or (first_polygon and old["geometry"] is None and record["geometry"] is not None):
            result.added += key not in seen
        elif all(_same(record.get(c) if record.get(c) is not None or c not in keep_existing else old[c], old[c])
                 for c in columns):
            result.unchanged += 1
            continue
        else:
            result.updated += 1
        seen.add(key)
        write.append(record)
    return write


def _finish(result: ImportResult) -> None:
    result.rejected.sort(key=lambda r: r.line)


def _allowed(result: ImportResult, records: list[dict]) -> list[dict]:
    kept, outside, refused, written = geodata_scope.within(result.kind, records, result.scope, result.shared)
    result.written |= written
    result.outside += outside
    for number, count in refused.items():
        result.refused_shared[number] = result.refused_shared.get(number, 0) + count
    return kept


def _store_layer(path, result, progress, table, keys, update, keep_existing=()):
    chunk = _read_layer(path, result)
    records = _compare(result, table, keys, update, _allowed(result, chunk.records), keep_existing)
    upsert(table, records, keys, update, keep_existing)
    _finish(result)
    if progress:
        progress(len(chunk.records) + len(chunk.rejected), len(chunk.records) + len(chunk.rejected))


def _read_layer(path, result: ImportResult) -> formats.Chunk:
    chunk = formats.read_layer(path, result.kind, result.limits)
    result.rejected += chunk.rejected
    result.repaired = chunk.repaired
    result.layer, result.skipped_layers, result.merged = chunk.layer, chunk.skipped_layers, chunk.merged
    return chunk


def _touching(result: ImportResult, records: list[dict]) -> list[dict]:
    """The postal areas with a part in the kommuner asked for; a code without a kommune in the file
    goes by the kommune Posten's register gives it."""
    if result.touching is None:
        return records
    registered = dict(db.session.execute(select(PostalArea.postnummer, PostalArea.kommunenummer)).all())
    kept = [r for r in records
            if set(r["kommuner"] or [registered.get(r["postnummer"])]) & result.touching]
    result.elsewhere += len(records) - len(kept)
    return kept


def _store_postal_areas(path, result, progress):
    """Polygons for postal codes. A code counts as added when it is new or gets its first polygon."""
    chunk = _read_layer(path, result)
    columns = ["poststed", "kommunenummer", "kommunenavn", "kategori", "geometry"]
    keep = ("kommunenummer", "kommunenavn", "kategori", "geometry")
    records = _allowed(result, _touching(result, chunk.records))
    # Only the codes kept count as put together: a kommune's download skips most of the national file's.
    result.merged = sum(1 for r in records if r.get("parts", 1) > 1)
    records = [{c: r[c] for c in ["postnummer", *columns]} for r in records]
    records = _compare(result, PostalArea.__table__, ["postnummer"], columns, records, keep, first_polygon=True)
    upsert(PostalArea.__table__, records, ["postnummer"], columns, keep_existing=keep)
    _finish(result)
    if progress:
        progress(len(chunk.records), len(chunk.records))


def _store_districts(path, result, progress):
    _store_layer(path, result, progress, District.__table__, ["number"], ["name", "kommunenummer", "geometry"])


def _store_sub_districts(path, result, progress):
    _store_layer(path, result, progress, SubDistrict.__table__, ["number"], ["name", "district_number", "geometry"])


def _store_municipalities(path, result, progress):
    _store_layer(path, result, progress, Municipality.__table__, ["kommunenummer"], ["name", "geometry"])


def _csv_chunks(path, kind, progress):
    total = formats.count_lines(path)
    done = 0

    def advance(rows):
        nonlocal done
        done += rows
        if progress:
            progress(done, total)

    return formats.read_csv_chunks(path, kind, advance)


def _store_postal_register(path, result, progress):
    table = PostalArea.__table__
    columns = ["poststed", "kommunenummer", "kommunenavn", "kategori"]
    for chunk in _csv_chunks(path, result.kind, progress):
        result.rejected += chunk.rejected
        records = _compare(result, table, ["postnummer"], columns, _allowed(result, chunk.records))
        upsert(table, records, ["postnummer"], columns)
    _finish(result)


def _store_addresses(path, result, progress):
    table = Address.__table__
    official = result.kind == formats.MATRIKKEL_ADDRESSES
    kommune_of = dict(db.session.execute(select(PostalArea.postnummer, PostalArea.kommunenummer)).all())
    boxes = _postal_boxes()
    districts = {d.number: geometry.from_geojson(d.geometry) for d in db.session.scalars(select(District))}
    district_kommune = dict(db.session.execute(select(District.number, District.kommunenummer)).all())
    for chunk in _csv_chunks(path, result.kind, progress):
        result.rejected += chunk.rejected
        _place(chunk.records, official, districts, district_kommune, kommune_of)
        allowed = {id(r) for r in _allowed(result, chunk.records)}
        found = []
        for line, record in zip(chunk.lines, chunk.records, strict=True):
            if id(record) not in allowed:
                continue
            if record["postnummer"] in kommune_of:
                found.append((line, record))
            elif official:
                # Kartverket's own data defines the postal code; keep it even without a polygon.
                upsert(PostalArea.__table__, [{"postnummer": record["postnummer"], "poststed": record["poststed"],
                                               "kommunenummer": record["kommunenummer"]}], ["postnummer"])
                kommune_of[record["postnummer"]] = record["kommunenummer"]
                found.append((line, record))
            else:
                result.rejected.append(Rejected(line, N_("Ukjent postnummer «%(value)s»."),
                                                {"value": record["postnummer"]}))
        records = _near_their_postal_area(result, found, boxes)
        rows = [{"official_id": r["official_id"], **{c: r.get(c) for c in ADDRESS_COLUMNS}} for r in records]
        upsert(table, _compare(result, table, ["official_id"], ADDRESS_COLUMNS, rows), ["official_id"], ADDRESS_COLUMNS)
    _finish(result)


def _place(records: list[dict], official: bool, districts: dict, district_kommune: dict[str, str],
           kommune_of: dict[str, str]) -> None:
    """Each address's kommune and bydel, worked out before the scope check judges the row, so that it is stored
    where it was judged. A file's bydel is never taken as it stands: it would put an address of the uploader's
    kommune, and its dwellings, into another kommune's bydel and that organisation's figures.

    Kartverket's rows name their kommune; their bydel is the stored district their point lies in, if it is of that
    kommune. OpenStreetMap's name no kommune: a `bydel_nr` that is the stored district the point lies in gives it (an
    address in Oslo with a postal code Posten places in Bærum is Oslo's), else the postal code does, and the
    `bydel_nr` stays only if it is of that kommune."""
    if not records:
        return
    inside = geometry.locate_points([r["lon"] for r in records], [r["lat"] for r in records], districts) \
        if districts else [None] * len(records)
    for record, district in zip(records, inside, strict=True):
        if official:
            record["district_number"] = district if district and district_kommune.get(district) == record[
                "kommunenummer"] else None
            continue
        named = record.get("district_number")
        if named and named == district and district_kommune.get(named):
            record["kommunenummer"] = district_kommune[named]
            continue
        record["kommunenummer"] = kommune_of.get(record["postnummer"])
        if not named or (district_kommune.get(named) or named[:4]) != record["kommunenummer"]:
            record["district_number"] = None


# An address further than this outside its postal area's bounding box has wrong coordinates, most often
# the wrong UTM zone in the EPSG column (25832 for 25833 moves Elverum ~330 km west): refuse it, never move it.
FAR_KM = 5


def _postal_boxes() -> dict[str, tuple]:
    """Each postal area's bounding box (west, south, east, north)."""
    return {code: geometry.bounding_box(shape) for code, shape in db.session.execute(
        select(PostalArea.postnummer, PostalArea.geometry).where(PostalArea.geometry.is_not(None)))}


def _near_their_postal_area(result: ImportResult, found: list[tuple[int, dict]], boxes: dict) -> list[dict]:
    if not found:
        return []
    missing = (math.nan,) * 4
    far = geometry.km_outside([r["lon"] for _, r in found], [r["lat"] for _, r in found],
                              [boxes.get(r["postnummer"], missing) for _, r in found])
    kept = []
    for (line, record), km in zip(found, far, strict=True):
        if km > FAR_KM:
            result.rejected.append(Rejected(line, N_("Adressen ligger %(km)s km utenfor postnummer %(value)s. "
                                                     "Stemmer koordinatene og EPSG-koden?"),
                                            {"km": f"{km:.0f}", "value": record["postnummer"]}))
        else:
            kept.append(record)
    return kept


def _store_dwellings(path, result, progress):
    table = Dwelling.__table__
    for chunk in _csv_chunks(path, result.kind, progress):
        result.rejected += chunk.rejected
        allowed = {id(r) for r in _allowed(result, chunk.records)}
        keys = {(r["kommunenummer"], r["adressekode"], r["number"], r["letter"]) for r in chunk.records}
        found = dict(((k, c, n, letter), i) for i, k, c, n, letter in db.session.execute(
            select(Address.id, Address.kommunenummer, Address.adressekode, Address.number, Address.letter)
            .where(tuple_(Address.kommunenummer, Address.adressekode).in_(sorted({k[:2] for k in keys})))))
        rows = []
        for line, r in zip(chunk.lines, chunk.records, strict=True):
            if id(r) not in allowed:
                continue
            address_id = found.get((r["kommunenummer"], r["adressekode"], r["number"], r["letter"]))
            if address_id is None:
                result.rejected.append(Rejected(line, N_("Adressen finnes ikke. Importer «Matrikkelen – Adresse» "
                                                         "for kommunen først.")))
            else:
                rows.append({"address_id": address_id, "unit": r["unit"]})
        upsert(table, _compare(result, table, ["address_id", "unit"], [], rows), ["address_id", "unit"])
    _finish(result)


STORE = {
    formats.POSTAL_REGISTER: _store_postal_register,
    formats.POSTAL_AREAS: _store_postal_areas,
    formats.MUNICIPALITIES: _store_municipalities,
    formats.DISTRICTS: _store_districts,
    formats.SUB_DISTRICTS: _store_sub_districts,
    formats.MATRIKKEL_ADDRESSES: _store_addresses,
    formats.OSM_ADDRESSES: _store_addresses,
    formats.MATRIKKEL_DWELLINGS: _store_dwellings,
}
