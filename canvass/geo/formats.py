"""Readers for the official geodata formats, returning plain records and rejected rows.

Each file kind is recognised from its header or fields, never from its name:
Geonorge "Postnummerområder" (any OGR format), Oslo's district polygons, municipality
polygons, Posten's postal register, Kartverket "Matrikkelen – Adresse" and its
"Leilighetsnivå" variant, and the OpenStreetMap-derived address CSV.

pandas and geopandas are imported by the functions that read a file, not with the module: the app imports it as it
starts, in every web worker, job consumer and `flask` command, and few of those read a geodata file. GDAL is reached
through `sources.gdal()` alone, which restricts it first.
"""
from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely

from canvass.geo import bounded, doors, geometry, sources
from canvass.geo.errors import GeodataError, Rejected
from canvass.refusal import N_

if TYPE_CHECKING:
    import pandas as pd

POSTAL_AREAS = "postal_areas"
DISTRICTS = "districts"
SUB_DISTRICTS = "sub_districts"
MUNICIPALITIES = "municipalities"
POSTAL_REGISTER = "postal_register"
OSM_ADDRESSES = "osm_addresses"
MATRIKKEL_ADDRESSES = "matrikkel_addresses"
MATRIKKEL_DWELLINGS = "matrikkel_dwellings"

# Dependencies first: addresses need postal codes, dwellings need addresses.
IMPORT_ORDER = [POSTAL_REGISTER, POSTAL_AREAS, MUNICIPALITIES, DISTRICTS, SUB_DISTRICTS,
                MATRIKKEL_ADDRESSES, OSM_ADDRESSES, MATRIKKEL_DWELLINGS]

CHUNK_ROWS = 100_000
POSTNUMMER = re.compile(r"^\d{4}$")
FIELD_NAME = re.compile(r"^[\w\- ]{1,40}$")


@dataclass(frozen=True)
class CsvLayout:
    kind: str
    delimiter: str
    required: tuple[str, ...]


CSV_LAYOUTS = [
    CsvLayout(MATRIKKEL_DWELLINGS, ";", ("kommunenummer", "adressekode", "nummer", "bokstav",
                                          "bruksenhetsnummerTekst", "postnummer")),
    CsvLayout(MATRIKKEL_ADDRESSES, ";", ("lokalid", "kommunenummer", "adressekode", "adressenavn",
                                          "nummer", "bokstav", "adresseTekst", "EPSG-kode", "Nord",
                                          "Øst", "postnummer", "poststed")),
    CsvLayout(OSM_ADDRESSES, ",", ("osm_node_id", "adressenavn", "nummer", "bokstav", "postnummer",
                                    "lat", "lon")),
    CsvLayout(POSTAL_REGISTER, ";", ("postnummer", "poststed", "kommunenummer", "kommunenavn", "kategori")),
]
# A header carrying one of these columns is that layout, whatever else is missing.
CSV_MARKERS = {
    MATRIKKEL_DWELLINGS: "bruksenhetsnummerTekst",
    MATRIKKEL_ADDRESSES: "lokalid",
    OSM_ADDRESSES: "osm_node_id",
    POSTAL_REGISTER: "kategori",
}


@dataclass
class Chunk:
    """Records ready to store, with the file line of each, and the rows that were rejected."""

    records: list[dict]
    lines: list[int]
    rejected: list[Rejected] = field(default_factory=list)
    repaired: int = 0
    layer: str | None = None  # the layer read, for files with several
    skipped_layers: list[str] = field(default_factory=list)
    merged: int = 0  # postal codes put together from several features


def detect(path: Path) -> str:
    """The kind of geodata file at `path`, or a GeodataError saying why it is not one."""
    path = Path(path)
    source = sources.checked(path)
    if source == sources.ZIP:
        raise GeodataError(N_("Zip-fila %(name)s må pakkes ut før den leses."), name=path.name)
    if source == sources.TEXT:
        return _csv_layout(path).kind
    return _detect_vector(path, source)


# Field names (lower case) that carry each value of a postal area, in the spellings in use:
# Geonorge's files (postnummer, poststed, kommune), our register join (kommunenummer,
# kommunenavn) and older copies passed around (POSTNR as an integer, POSTSTEDSN).
POSTAL_CODE_FIELDS = ("postnummer", "postnr")
POSTAL_PLACE_FIELDS = ("poststed", "poststedsn", "poststedsnavn")
# GDAL's names for layers that may hold polygons ("Polygon Z", "MultiSurface", "Unknown" for a mix).
POLYGONAL = re.compile(r"^(Multi)?(Polygon|Surface|CurvePolygon)\b|^Unknown")
MAX_LAYERS = 50
LAYER_NAME = re.compile(r"^[\w\-. ]{1,80}$")


@dataclass(frozen=True)
class Layer:
    """One layer of a vector file: its name, its fields in lower case and its geometry type."""

    name: str
    fields: frozenset[str]
    geometry: str | None


def layers(path: Path, source: str) -> list[Layer]:
    """The layers of a vector file, each opened with our GDAL options (pyogrio.list_layers takes none).

    GDAL parses a whole GeoJSON or GML file to open it, so the answer is kept for the read that
    follows the detection (keyed by the file's identity, so a changed file is looked at again)."""
    status = path.stat()
    key = (str(path), source, status.st_size, status.st_mtime_ns, status.st_ino)
    found = _LAYERS.get(key)
    if found is None:
        found = _list_layers(path, source)
        _LAYERS.clear()
        _LAYERS[key] = found
    return found


_LAYERS: dict[tuple, list[Layer]] = {}


def _list_layers(path: Path, source: str) -> list[Layer]:
    pyogrio = sources.gdal()
    found = []
    for index in range(MAX_LAYERS):
        try:
            info = pyogrio.read_info(path, layer=index, **sources.open_options(source))
        except pyogrio.errors.DataLayerError:
            break
        except Exception as exc:
            raise sources.unreadable(path, exc) from exc
        found.append(Layer(info["layer_name"], frozenset(f.lower() for f in info["fields"]), info["geometry_type"]))
    if not found:
        raise sources.unreadable(path, ValueError("no layers"))
    return found


def _layer_kind(layer: Layer) -> str | None:
    """The kind of geodata a layer holds, from its fields; only polygon layers hold any of ours."""
    if not POLYGONAL.match(layer.geometry or ""):
        return None
    fields = layer.fields
    if fields & set(POSTAL_CODE_FIELDS):
        return POSTAL_AREAS
    if "delbydelsnummer" in fields:
        return SUB_DISTRICTS
    if fields & {"bydelsnummer", "bydel_id"}:
        return DISTRICTS
    if {"kommunenummer", "kommunenavn"} <= fields:
        return MUNICIPALITIES
    return None


def pick_layer(path: Path, source: str) -> tuple[str, Layer, list[Layer]]:
    """The kind and layer to read from a vector file, and all its layers.

    Geonorge's national Postnummerområder file holds the postal areas beside their boundary
    lines (in GML as two feature types): the layer whose fields and polygons make it one of
    ours is read, the others are left alone. When no layer is ours, the refusal names the
    fields we read beside those each layer has."""
    every = layers(path, source)
    for layer in every:
        kind = _layer_kind(layer)
        if kind is not None:
            return kind, layer, every
    found = "; ".join(f"{shown_name(layer.name)} ({_shown(layer.fields)}; {layer.geometry or '-'})"
                      for layer in every[:5])
    raise GeodataError(N_("Kjenner ikke igjen kartlaget i %(name)s. Vi leser flater med feltene postnummer og "
                          "poststed (også POSTNR og POSTSTEDSN) for postnummerområder, bydelsnummer og navn for "
                          "bydeler, delbydelsnummer og navn for delbydeler, eller kommunenummer og kommunenavn "
                          "for kommuner. Fant: %(fields)s."),
                       name=path.name, fields=found)


def shown_name(name: str | None) -> str:
    """A layer's name for a message, when it looks like one."""
    return _shown([name], LAYER_NAME) if name else "-"


def _detect_vector(path: Path, source: str) -> str:
    kind, _, _ = pick_layer(sources.regular_file(path), source)
    return kind


def _shown(columns, pattern: re.Pattern = FIELD_NAME) -> str:
    """Column names for a message, only when they look like names: never a line of someone's file."""
    if columns and all(pattern.match(c) for c in columns):
        return ", ".join(sorted(columns)[:20])
    return "-"


def _header(path: Path) -> str:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return f.readline().rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise GeodataError(N_("Fila %(name)s er ikke UTF-8-tekst."), name=path.name) from exc


def _csv_layout(path: Path) -> CsvLayout:
    header = _header(path)
    for layout in CSV_LAYOUTS:
        marker = CSV_MARKERS[layout.kind]
        for delimiter in (";", ",", "\t", "|"):
            columns = next(csv.reader([header], delimiter=delimiter))
            if marker not in columns:
                continue
            if delimiter != layout.delimiter:
                raise GeodataError(
                    N_("Feil skilletegn i %(name)s: fila bruker «%(found)s», formatet bruker «%(expected)s»."),
                    name=path.name, found=delimiter, expected=layout.delimiter)
            missing = [c for c in layout.required if c not in columns]
            if missing:
                raise GeodataError(N_("Fila %(name)s mangler kolonnene: %(columns)s."),
                                   name=path.name, columns=", ".join(missing))
            return layout
    if path.suffix.lower() in (".geojson", ".json"):
        _not_json(path)
    columns = [c.strip() for c in re.split(r"[;,\t|]", header)]
    raise GeodataError(N_("Kjenner ikke igjen formatet på %(name)s. Fant kolonnene: %(columns)s."),
                       name=path.name, columns=_shown(columns))


def _not_json(path: Path) -> None:
    """A .geojson file read as text is not JSON: say so, where the parser stopped (in its first megabyte)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        start = f.read(1 << 20)
    try:
        json.loads(start)
    except json.JSONDecodeError as exc:
        raise GeodataError(N_("Fila %(name)s kan ikke leses som GeoJSON: den er ikke gyldig JSON (linje %(line)s, "
                              "tegn %(column)s)."), name=path.name, line=exc.lineno, column=exc.colno) from exc
    raise GeodataError(N_("Fila %(name)s kan ikke leses som GeoJSON."), name=path.name)


def count_lines(path: Path) -> int:
    """Data rows in a CSV file (for progress), without parsing it."""
    count, last = 0, b"\n"
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n") - 1


def short_rows(path: Path, delimiter: str, fields: int) -> dict[int, int]:
    """Lines with fewer fields than the header (a truncated file ends with one): line -> fields."""
    short = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for number, line in enumerate(f, start=1):
            if line.count(delimiter) >= fields - 1:
                continue
            found = len(next(csv.reader([line], delimiter=delimiter))) if '"' in line else line.count(delimiter) + 1
            if found < fields:
                short[number] = found
    return short


def read_csv_chunks(path: Path, kind: str, progress: Callable[[int], None] | None = None) -> Iterator[Chunk]:
    """Read a CSV geodata file of `kind` in chunks of records."""
    import pandas as pd

    path = Path(path)
    layout = _csv_layout(path)
    if layout.kind != kind:
        raise GeodataError(N_("Fila %(name)s er ikke av forventet type."), name=path.name)
    columns = next(csv.reader([_header(path)], delimiter=layout.delimiter))
    short = short_rows(path, layout.delimiter, len(columns))
    converter = CONVERTERS[kind]
    try:
        reader = pd.read_csv(path, sep=layout.delimiter, dtype=str, encoding="utf-8-sig",
                             keep_default_na=False, chunksize=CHUNK_ROWS, engine="c")
        first_line = 2
        for frame in reader:
            lines = np.arange(first_line, first_line + len(frame))
            first_line += len(frame)
            rejected = [Rejected(int(n), N_("For få felt (%(found)s av %(expected)s). Er fila avkuttet?"),
                                 {"found": short[n], "expected": len(columns)})
                        for n in lines if n in short]
            if rejected:
                keep = ~np.isin(lines, list(short))
                frame, lines = frame[keep], lines[keep]
            chunk = converter(frame.reset_index(drop=True), lines)
            chunk.rejected[:0] = rejected
            yield chunk
            if progress:
                progress(len(lines) + len(rejected))
    except pd.errors.ParserError as exc:
        raise GeodataError(N_("Fila %(name)s har feil oppbygning: %(detail)s"),
                           name=path.name, detail=str(exc).strip()[:200]) from exc
    except UnicodeDecodeError as exc:
        raise GeodataError(N_("Fila %(name)s er ikke UTF-8-tekst."), name=path.name) from exc


def _reject(mask: np.ndarray, lines: np.ndarray, message: str, values=None, param: str = "value") -> list[Rejected]:
    idx = np.flatnonzero(mask)
    return [Rejected(int(lines[i]), message, {param: values[i]} if values is not None else {}) for i in idx]


def _numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """House numbers as floats (NaN when empty) and a mask of values that are not numbers at all."""
    import pandas as pd

    values = pd.to_numeric(series.replace("", np.nan), errors="coerce").to_numpy(dtype=float)
    bad = (series.to_numpy() != "") & np.isnan(values)
    return values, bad


def _validate_postal(frame: pd.DataFrame, lines, bad: np.ndarray, rejected: list[Rejected]) -> np.ndarray:
    import pandas as pd

    postnummer = frame["postnummer"].to_numpy(dtype=str)
    wrong = ~bad & ~pd.Series(postnummer).str.fullmatch(r"\d{4}").to_numpy()
    rejected += _reject(wrong, lines, N_("Ugyldig postnummer «%(value)s»."), postnummer)
    return bad | wrong


def _coordinates(frame, lines, east_col, north_col, epsg: np.ndarray, bad, rejected):
    import pandas as pd

    east = pd.to_numeric(frame[east_col], errors="coerce").to_numpy(dtype=float)
    north = pd.to_numeric(frame[north_col], errors="coerce").to_numpy(dtype=float)
    wrong = ~bad & (np.isnan(east) | np.isnan(north))
    rejected += _reject(wrong, lines, N_("Ugyldige koordinater."))
    bad = bad | wrong
    lon, lat = np.full(len(frame), np.nan), np.full(len(frame), np.nan)
    for code in np.unique(epsg[~bad]):
        sel = ~bad & (epsg == code)
        lon[sel], lat[sel] = geometry.project_points(east[sel], north[sel], int(code))
    outside = ~bad & ~geometry.inside_norway(lon, lat)
    rejected += _reject(outside, lines, N_("Koordinatene ligger utenfor Norge: feil koordinatsystem?"))
    return lon, lat, bad | outside


def _epsg_codes(frame, lines, bad, rejected):
    import pandas as pd

    raw = frame["EPSG-kode"].to_numpy(dtype=str)
    codes = pd.to_numeric(frame["EPSG-kode"], errors="coerce").fillna(-1).to_numpy(dtype=int)
    wrong = ~bad & ~np.isin(codes, list(geometry.ADDRESS_CRS))
    rejected += _reject(wrong, lines, N_("Ukjent koordinatsystem «EPSG:%(value)s»."), raw)
    return codes, bad | wrong


def _records(keep: np.ndarray, columns: dict) -> list[dict]:
    """Row dicts for the kept rows, built column-wise (per-row DataFrame access is far too slow)."""
    idx = np.flatnonzero(keep)
    names = list(columns)
    picked = [np.asarray(columns[name], dtype=object)[idx].tolist() for name in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*picked, strict=True)]


def _optional(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A text column with empty values (or a missing column) as None."""
    if column not in frame:
        return np.full(len(frame), None)
    values = frame[column].to_numpy(dtype=object)
    values[values == ""] = None
    return values


def _ints(values: np.ndarray) -> np.ndarray:
    """Whole numbers as Python ints, NaN as None."""
    out = np.full(len(values), None, dtype=object)
    present = ~np.isnan(values)
    out[present] = values[present].astype(np.int64)
    return out


def _address_records(frame, lines, bad, official_id, street, number, lon, lat, extra: dict) -> Chunk:
    keep = ~bad
    columns = {"official_id": official_id, "street": street, "number": _ints(number),
               "letter": frame["bokstav"].to_numpy(), "postnummer": frame["postnummer"].to_numpy(),
               "lat": np.round(lat, 7), "lon": np.round(lon, 7), **extra}
    return Chunk(_records(keep, columns), lines[keep].tolist())


def _address_checks(frame: pd.DataFrame, lines: np.ndarray, id_column: str):
    """The checks every address layout shares: an id, a postal code and a house number."""
    rejected: list[Rejected] = []
    bad = frame[id_column].to_numpy(dtype=str) == ""
    rejected += _reject(bad, lines, N_("Mangler %(value)s."), np.full(len(frame), id_column))
    bad = _validate_postal(frame, lines, bad, rejected)
    number, wrong = _numbers(frame["nummer"])
    rejected += _reject(wrong & ~bad, lines, N_("Ugyldig husnummer «%(value)s»."), frame["nummer"].to_numpy())
    return rejected, bad | wrong, number


def _matrikkel_addresses(frame: pd.DataFrame, lines: np.ndarray) -> Chunk:
    import pandas as pd

    rejected, bad, number = _address_checks(frame, lines, "lokalid")
    epsg, bad = _epsg_codes(frame, lines, bad, rejected)
    lon, lat, bad = _coordinates(frame, lines, "Øst", "Nord", epsg, bad, rejected)
    street = np.where(frame["adressenavn"] != "", frame["adressenavn"], frame["adresseTekst"])
    code = pd.to_numeric(frame["adressekode"], errors="coerce").to_numpy(dtype=float)
    chunk = _address_records(
        frame, lines, bad, ("matrikkel:" + frame["lokalid"]).to_numpy(), street, number, lon, lat,
        {"kommunenummer": frame["kommunenummer"].to_numpy(),
         "adressekode": _ints(code),
         "poststed": frame["poststed"].str.upper().to_numpy(),
         # Every Matrikkel address names its electoral precinct and its grunnkrets: branches can be cut
         # along either.
         "valgkretsnummer": _optional(frame, "valgkretsnummer"),
         "valgkretsnavn": _optional(frame, "valgkretsnavn"),
         "grunnkretsnummer": _optional(frame, "grunnkretsnummer"),
         "grunnkretsnavn": _optional(frame, "grunnkretsnavn")},
    )
    chunk.rejected = sorted(rejected, key=lambda r: r.line)
    return chunk


def _osm_addresses(frame: pd.DataFrame, lines: np.ndarray) -> Chunk:
    import pandas as pd

    rejected, bad, number = _address_checks(frame, lines, "osm_node_id")
    lon, lat, bad = _coordinates(frame, lines, "lon", "lat", np.full(len(frame), 4326), bad, rejected)

    levels = pd.to_numeric(frame.get("osm_building_levels", pd.Series([""] * len(frame))), errors="coerce")
    too_many = ~bad & (levels.to_numpy(dtype=float) > doors.MAX_LEVELS)
    rejected += _reject(too_many, lines, N_("Urimelig mange etasjer: «%(value)s»."),
                        frame["osm_building_levels"].to_numpy(dtype=str) if too_many.any() else None)
    bad = bad | too_many
    chunk = _address_records(
        frame, lines, bad, ("osm:" + frame["osm_node_id"]).to_numpy(), frame["adressenavn"].to_numpy(),
        number, lon, lat,
        {"district_number": _optional(frame, "bydel_nr"),
         "building_id": _optional(frame, "osm_building_way"),
         "building_type": _optional(frame, "osm_building_type"),
         "building_levels": _ints(levels.to_numpy(dtype=float))},
    )
    chunk.rejected = sorted(rejected, key=lambda r: r.line)
    return chunk


def _dwellings(frame: pd.DataFrame, lines: np.ndarray) -> Chunk:
    import pandas as pd

    rejected: list[Rejected] = []
    unit = frame["bruksenhetsnummerTekst"].to_numpy(dtype=str)
    bad = ~pd.Series(unit).str.fullmatch(doors.DWELLING_NUMBER).to_numpy()
    rejected += _reject(bad, lines, N_("Ugyldig bruksenhetsnummer «%(value)s»."), unit)
    bad = _validate_postal(frame, lines, bad, rejected)
    number, wrong = _numbers(frame["nummer"])
    code = pd.to_numeric(frame["adressekode"], errors="coerce").to_numpy(dtype=float)
    wrong |= np.isnan(code)
    rejected += _reject(wrong & ~bad, lines, N_("Ugyldig adressekode eller husnummer."))
    bad |= wrong
    records = _records(~bad, {"kommunenummer": frame["kommunenummer"].to_numpy(), "adressekode": _ints(code),
                              "number": _ints(number), "letter": frame["bokstav"].to_numpy(), "unit": unit})
    return Chunk(records, lines[~bad].tolist(), sorted(rejected, key=lambda r: r.line))


def _postal_register(frame: pd.DataFrame, lines: np.ndarray) -> Chunk:
    rejected: list[Rejected] = []
    bad = _validate_postal(frame, lines, np.zeros(len(frame), bool), rejected)
    records = _records(~bad, {"postnummer": frame["postnummer"].to_numpy(), "poststed": frame["poststed"].to_numpy(),
                              "kommunenummer": _optional(frame, "kommunenummer"),
                              "kommunenavn": _optional(frame, "kommunenavn"),
                              "kategori": _optional(frame, "kategori")})
    return Chunk(records, lines[~bad].tolist(), rejected)


CONVERTERS = {
    MATRIKKEL_ADDRESSES: _matrikkel_addresses,
    OSM_ADDRESSES: _osm_addresses,
    MATRIKKEL_DWELLINGS: _dwellings,
    POSTAL_REGISTER: _postal_register,
}


def read_layer(path: Path, kind: str, limits: bounded.Limits | None = None) -> Chunk:
    """Read the polygon layer of `kind`, reprojected to EPSG:4326 and made valid.

    Postal codes split over several features (one per kommune, or islands) become one record
    whose polygon is the union of the parts. With `limits` (an uploaded file: repairing and
    joining its polygons may cost without bound) the reading happens in a child process held to them."""
    if limits is not None:
        return bounded.call(_read_layer, Path(path), kind, limits=limits, name=Path(path).name)
    return _read_layer(path, kind)


def _read_layer(path: Path, kind: str) -> Chunk:
    path = Path(path)
    source = sources.checked(path)
    if source in (sources.ZIP, sources.TEXT):
        raise GeodataError(N_("Fila %(name)s er ikke et kartlag."), name=path.name)
    path = sources.regular_file(path)
    found, layer, every = pick_layer(path, source)
    if found != kind:
        raise GeodataError(N_("Fila %(name)s er ikke av forventet type."), name=path.name)
    sources.gdal()
    import geopandas

    try:
        frame = geopandas.read_file(path, layer=layer.name, engine="pyogrio", **sources.open_options(source))
    except Exception as exc:
        raise sources.unreadable(path, exc) from exc
    if frame.crs is None:
        raise GeodataError(N_("Fila %(name)s oppgir ikke koordinatsystem."), name=path.name)
    frame = frame.to_crs(4326)
    frame.columns = [c if c == "geometry" else c.lower() for c in frame.columns]
    shapes = frame.geometry.to_numpy()
    present = ~shapely.is_missing(shapes) & ~shapely.is_empty(shapes)
    if present.any():
        geometry.check_inside_norway(shapes[present])
    rejected, records, lines, repaired = [], [], [], 0
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        geom = row.geometry
        if geom is None or geom.is_empty:
            if kind == POSTAL_AREAS:
                # A postal code without a polygon is still a postal code (Kartverket has several).
                record = LAYER_FIELDS[kind](row._asdict())
                if record is not None:
                    records.append({**record, "geometry": None})
                    lines.append(i)
                    continue
            rejected.append(Rejected(i, N_("Objektet mangler geometri.")))
            continue
        repaired += not geom.is_valid
        geom = geometry.repair(geom)
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            rejected.append(Rejected(i, N_("Objektet er ikke en flate (%(value)s)."), {"value": geom.geom_type}))
            continue
        record = LAYER_FIELDS[kind](row._asdict())
        if record is None:
            rejected.append(Rejected(i, N_("Objektet mangler nøkkelfelt.")))
            continue
        record["geometry"] = geom
        records.append(record)
        lines.append(i)
    chunk = Chunk(records, lines, rejected, repaired, layer=layer.name,
                  skipped_layers=[other.name for other in every if other is not layer])
    if kind == POSTAL_AREAS:
        _merge_parts(chunk)
    for record in chunk.records:
        if record["geometry"] is not None:
            record["geometry"] = geometry.to_geojson(record["geometry"])
    return chunk


def _merge_parts(chunk: Chunk) -> None:
    """One record per postal code: the parts' union, named by the first part, in the kommune holding most of it.

    `kommuner` lists every kommune a part lies in, so a kommune's download keeps the codes touching it."""
    groups: dict[str, list[int]] = {}
    for index, record in enumerate(chunk.records):
        groups.setdefault(record["postnummer"], []).append(index)
    merged, lines = [], []
    for indexes in groups.values():
        parts = [chunk.records[i] for i in indexes]
        record = dict(parts[0])
        shapes = [p["geometry"] for p in parts if p["geometry"] is not None]
        record["kommuner"] = sorted({p["kommunenummer"] for p in parts if p["kommunenummer"]})
        record["parts"] = len(parts)
        if len(parts) > 1:
            chunk.merged += 1
            if shapes:
                with_shape = [p for p in parts if p["geometry"] is not None]
                largest = with_shape[int(geometry.metric_area(shapes).argmax())]
                for name in ("kommunenummer", "kommunenavn", "poststed"):
                    record[name] = largest[name] or record[name]
                record["geometry"] = geometry.union(shapes)
        merged.append(record)
        lines.append(chunk.lines[indexes[0]])
    chunk.records, chunk.lines = merged, lines


def _text(value) -> str:
    """A field as text; whole numbers as integers (GDAL reads POSTNR and GML's postnummer as numbers)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _first(row: dict, names: tuple[str, ...]) -> str:
    return next((text for text in (_text(row.get(name)) for name in names) if text), "")


def _postal_area_fields(row: dict) -> dict | None:
    postnummer = _first(row, POSTAL_CODE_FIELDS).zfill(4)
    if not POSTNUMMER.match(postnummer):
        return None
    # Geonorge's `kommune` is the kommune's number; some copies put its name there.
    kommune = _text(row.get("kommune"))
    number = _text(row.get("kommunenummer")) or (kommune if kommune.isdigit() else "")
    return {"postnummer": postnummer, "poststed": _first(row, POSTAL_PLACE_FIELDS).upper(),
            "kommunenummer": number.zfill(4) if number.isdigit() else None,
            "kommunenavn": _text(row.get("kommunenavn")) or (kommune if kommune and not kommune.isdigit() else None),
            "kategori": _text(row.get("kategori")) or None}


def _district_fields(row: dict) -> dict | None:
    number = _text(row.get("bydelsnummer"))
    name = _text(row.get("navn") or row.get("bydelsnavn"))
    if not number or not name:
        return None
    return {"number": number, "name": name, "kommunenummer": number[:4]}


def _sub_district_fields(row: dict) -> dict | None:
    number = _text(row.get("delbydelsnummer"))
    name = _text(row.get("navn"))
    if not number or not name:
        return None
    return {"number": number, "name": name, "district_number": _text(row.get("bydelsnummer")) or None}


def _municipality_fields(row: dict) -> dict | None:
    number = _text(row.get("kommunenummer")).zfill(4)
    if not POSTNUMMER.match(number):
        return None
    return {"kommunenummer": number, "name": _text(row.get("kommunenavn"))}


LAYER_FIELDS = {
    POSTAL_AREAS: _postal_area_fields,
    DISTRICTS: _district_fields,
    SUB_DISTRICTS: _sub_district_fields,
    MUNICIPALITIES: _municipality_fields,
}
