"""Geodata files as untrusted input: the format comes from the content, and GDAL sees only ours.

Any organisation's admin can upload a file, so a file is hostile until shown otherwise. GDAL can
do far more than read a file: an OGR VRT opens another data source (the app's own database,
`CSV:/etc/passwd`, `/vsicurl/http://…`), a GeoJSON CRS can be a link GDAL fetches, GML can
name a schema or declare entities, and a GeoPackage view is SQL GDAL runs. So:

- GDAL keeps only the drivers of the formats we read (GeoJSON, GML, GeoPackage, Shapefile,
  FlatGeobuf), and any HTTP request it would still make goes to a closed port. CSV files are
  parsed by our own code in formats.py, never by GDAL.
- The format is recognised from the first bytes, never from the name, and each format is checked
  for what would make GDAL look beyond the file before GDAL opens it.
- Zip files are unpacked here, with limits on members and size, into a folder of ours; GDAL
  never sees a `/vsi…` path or a driver prefix, only absolute paths of regular files.

Refusals are GeodataError with our own words: GDAL's messages can quote the files it read.
"""
import contextlib
import functools
import json
import logging
import mmap
import re
import shutil
import sqlite3
import stat
import urllib.request
import xml.parsers.expat
import zipfile
from collections.abc import Iterator
from pathlib import Path

from canvass.geo.errors import GeodataError
from canvass.refusal import N_

log = logging.getLogger(__name__)

GEOJSON, GML, GEOPACKAGE, FLATGEOBUF, SHAPEFILE, ZIP, TEXT = (
    "GeoJSON", "GML", "GPKG", "FlatGeobuf", "ESRI Shapefile", "zip", "text")
GDAL_DRIVERS = (GEOJSON, GML, GEOPACKAGE, FLATGEOBUF, SHAPEFILE)
# GDAL must not download an application schema named in a GML file, nor write a .gfs beside it.
OPEN_OPTIONS = {GML: {"DOWNLOAD_SCHEMA": "NO", "WRITE_GFS": "NO", "SKIP_RESOLVE_ELEMS": "ALL"}}

# Members a zip may hold that we read: data files, and the parts a Shapefile needs beside it.
DATA_SUFFIXES = {".csv", ".geojson", ".json", ".gml", ".gpkg", ".fgb", ".shp"}
SHAPEFILE_PARTS = {".dbf", ".shx", ".prj", ".cpg"}
MAX_MEMBERS = 200
MAX_UNPACKED = 2 << 30  # per import, all zips together

SQLITE_MAGIC = b"SQLite format 3\x00"
GEOPACKAGE_IDS = {b"GPKG", b"GP10", b"GP11"}
FLATGEOBUF_MAGIC = b"fgb\x03fgb"
SHAPEFILE_MAGIC = b"\x00\x00\x27\x0a"
ZIP_MAGIC = b"PK\x03\x04"
GML_NAMESPACES = ("http://www.opengis.net/gml", "http://www.opengis.net/wfs")
# A schema GDAL may read: a web address (never downloaded, see OPEN_OPTIONS) or a file beside the GML.
SCHEMA_LOCATION = re.compile(r"^(https?://\S+|[\w\-]+(\.[\w\-]+)*\.xsd)$")
# Every JSON string, in double or single quotes (GDAL's JSON parser takes both), up to its closing quote or the end of
# the file. Possessive, and matching whatever follows once begun, so one pass finds each string once and the scan
# takes time in proportion to the file: a pattern that could fail half-way was tried again at every quote inside a
# string, and a 176 KB file of escaped quotes held the job queue for minutes.
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)|\'(?:[^\'\\]|\\.)*+(?:\'|\\?\Z)', re.DOTALL)
# A key GDAL reads as "crs": those letters in any case, with or without \\u escapes, and anything after a NUL (GDAL's
# C code ends the key there: "crs\\u0000x").
CRS_KEY = re.compile(rb"(?:[cC]|\\u00[46]3)(?:[rR]|\\u00[57]2)(?:[sS]|\\u00[57]3)(?:(?:\\u0000|\x00).*)?", re.DOTALL)
KEY_END = re.compile(rb"\s*:\s*")
COMMENTS = N_("GeoJSON-fila %(name)s har kommentarer (/* */ eller //), som GeoJSON ikke har. Fjern dem og prøv igjen.")
CRS_MAX = 64 << 10
CRS_NAME = re.compile(r"^(urn:ogc:def:crs:(epsg:[\d.]*:\d+|ogc:1\.3:crs84)|epsg:\d+)$", re.IGNORECASE)


@functools.cache
def gdal():
    """pyogrio, once GDAL keeps only the drivers of the formats we read and sends any request it still tries to a
    closed port. The one way to GDAL here, so no file of ours is opened before it is restricted.

    Imported when a file is first read, not when the app starts: pyogrio brings pandas, about a quarter of the CPU
    every process (a web worker, a job consumer, each `flask` command) spent starting the app, and few of them ever
    read a geodata file."""
    import pyogrio
    from pyogrio import _ogr

    unwanted = [name for name in pyogrio.list_drivers() if name not in GDAL_DRIVERS]
    _ogr.set_gdal_config_options({
        "GDAL_SKIP": ",".join(unwanted),
        "GDAL_HTTP_PROXY": "127.0.0.1:9",
        "GDAL_HTTP_TIMEOUT": "1",
        "GDAL_HTTP_MAX_RETRY": "0",
        "CPL_VSIL_CURL_ALLOWED_FILENAME": "/nonexistent/canvass",
        "GDAL_VRT_ENABLE_PYTHON": "NO",
        # GDAL's SQL functions in a GeoPackage or SQLite file may not open other files or URLs (its default, said
        # here so that no environment variable turns it on).
        "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    })
    # GDAL applies GDAL_SKIP when it registers its drivers: registering again unloads them.
    _ogr._register_drivers()
    return pyogrio


def checked(path: Path) -> str:
    """The format of the file at `path`, from its content, after the checks for that format."""
    path = regular_file(path)
    source = sniffed(path)
    if source in CHECKS:
        CHECKS[source](path)
    return source


def sniffed(path: Path) -> str:
    """The format of the file at `path` from its first bytes alone, before any check of what it holds: only for
    choosing where the file is checked and read, never for reading it."""
    with open(regular_file(path), "rb") as f:
        start = f.read(4096)
    for magic, source in ((SQLITE_MAGIC, GEOPACKAGE), (FLATGEOBUF_MAGIC, FLATGEOBUF), (SHAPEFILE_MAGIC, SHAPEFILE),
                          (ZIP_MAGIC, ZIP)):
        if start.startswith(magic):
            return source
    text = start.lstrip(b"\xef\xbb\xbf \t\r\n")
    return {b"{": GEOJSON, b"<": GML}.get(text[:1], TEXT)


def regular_file(path: Path) -> Path:
    """`path` as an absolute path to a regular file, so GDAL can read it as nothing else."""
    path = Path(path)
    if not path.exists():
        raise GeodataError(N_("Fant ikke fila %(path)s."), path=str(path))
    path = path.resolve()
    if not stat.S_ISREG(path.stat().st_mode) or str(path).startswith("/vsi"):
        raise GeodataError(N_("%(name)s er ikke en vanlig fil."), name=path.name)
    if path.stat().st_size == 0:
        raise GeodataError(N_("Fila %(name)s er tom."), name=path.name)
    return path


def open_options(source: str) -> dict:
    """GDAL's open options for a file that `checked` found to be of format `source`."""
    return OPEN_OPTIONS.get(source, {})


def unreadable(path: Path, exc: Exception) -> GeodataError:
    """The refusal for a file GDAL could not read; GDAL's own message goes to the log only."""
    log.info("GDAL could not read %s: %s", path, exc)
    return GeodataError(N_("Fila %(name)s kan ikke leses som geodata. Kontroller at den er hel og i et av "
                           "formatene GeoJSON, GML, GeoPackage, FlatGeobuf eller Shapefile i zip."),
                        name=Path(path).name)


def _refuse(path: Path, message: str) -> GeodataError:
    return GeodataError(message, name=Path(path).name)


# The one virtual table a GeoPackage has: a layer's spatial index, as GDAL writes it. Nothing but the statement whole
# (a module's arguments could spell "USING rtree(" inside another module's table).
RTREE_INDEX = re.compile(r'\s*CREATE\s+VIRTUAL\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(["`]?)rtree_\w+\1\s+USING\s+rtree\s*'
                         r"\(\s*\w+(?:\s*,\s*\w+)*\s*\)\s*;?\s*", re.IGNORECASE)


def _check_geopackage(path: Path) -> None:
    """A GeoPackage with plain tables only: views, virtual tables and generated columns would be SQL run by GDAL."""
    with open(path, "rb") as f:
        start = f.read(72)
    if start[68:72] not in GEOPACKAGE_IDS:
        raise _refuse(path, N_("Fila %(name)s er en SQLite-database, men ikke en GeoPackage."))
    uri = "file:" + urllib.request.pathname2url(str(path)) + "?mode=ro&immutable=1"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            objects = conn.execute("SELECT type, name, coalesce(sql, '') FROM sqlite_master").fetchall()
            # A generated column's expression runs as GDAL reads the row, and may call GDAL's own SQL functions
            # (gdal_get_pixel_value opens any raster path or URL): table_xinfo marks them hidden 2 or 3.
            generated = any(column[6] in (2, 3) for kind, name, _ in objects if kind == "table"
                            for column in conn.execute("SELECT * FROM pragma_table_xinfo(?)", (name,)))
    except sqlite3.DatabaseError as exc:
        raise unreadable(path, exc) from exc
    for kind, _, sql in objects:
        virtual = sql.lstrip().upper().startswith("CREATE VIRTUAL TABLE")
        if kind == "view" or (virtual and not RTREE_INDEX.fullmatch(sql)):
            raise _refuse(path, N_("GeoPackage-fila %(name)s inneholder visninger eller virtuelle tabeller. "
                                   "Vi leser bare vanlige kartlag."))
    if generated:
        raise _refuse(path, N_("GeoPackage-fila %(name)s har kolonner som regnes ut når de leses. "
                               "Vi leser bare vanlige kartlag."))


def _check_geojson(path: Path) -> None:
    """No CRS that GDAL would fetch or read from a file: only EPSG codes and CRS84 by name.

    GDAL reads a "crs" object wherever it stands (the collection, a layer, a geometry) and
    matches the key in any case. Rather than parse the whole file, find every key that spells
    "crs" (also with \\u escapes or single quotes, which GDAL's JSON parser accepts) and parse the
    object after it; a "crs" that is a plain value (metadata) is not read by GDAL."""
    with open(path, "rb") as f, contextlib.closing(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)) as data:
        for value in _crs_values(path, data):
            if data[value:value + 1] not in (b"{", b"["):
                continue
            text = data[value:value + CRS_MAX].decode("utf-8", "replace")
            try:
                crs, _ = json.JSONDecoder().raw_decode(text)
            except ValueError as exc:
                raise unreadable(path, exc) from exc
            if not _named_crs(crs):
                raise _refuse(path, N_("GeoJSON-fila %(name)s oppgir koordinatsystemet som en lenke eller et "
                                       "ukjent navn. Bruk en EPSG-kode, f.eks. «EPSG:25833»."))


def _crs_values(path: Path, data) -> Iterator[int]:
    """Where the value of each key that spells "crs" begins: every string of the file is read once, in order, so a
    "crs" inside another string is not taken for a key.

    A "/" between the strings is refused: JSON has none there, and GDAL reads a lone Feature with a parser that
    skips comments, where a "crs" beside /**/, or a quote inside one, would read differently from this scan."""
    last = 0
    for string in JSON_STRING.finditer(data):
        start, end = string.span()
        if data.find(b"/", last, start) != -1:
            raise _refuse(path, COMMENTS)
        last = end
        closed = end - start >= 2 and data[end - 1] == data[start]
        if closed and CRS_KEY.fullmatch(data, start + 1, end - 1) and (colon := KEY_END.match(data, end)):
            yield colon.end()
    if data.find(b"/", last) != -1:
        raise _refuse(path, COMMENTS)


def _named_crs(crs) -> bool:
    """A CRS object of the forms GDAL resolves without a file or the network."""
    if not isinstance(crs, dict) or set(crs) - {"type", "properties"}:
        return False
    kind, properties = str(crs.get("type", "")).lower(), crs.get("properties") or {}
    if kind == "name":
        return set(properties) == {"name"} and bool(CRS_NAME.match(str(properties["name"])))
    return kind == "epsg" and set(properties) == {"code"} and isinstance(properties["code"], int)


class _RootFound(Exception):
    pass


def _check_gml(path: Path) -> None:
    """GML without a DOCTYPE (entities could read files), with schemas on the web or beside the file."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    root, namespaces = {}, []

    def doctype(*args):
        raise _refuse(path, N_("Fila %(name)s inneholder en DOCTYPE-deklarasjon. Vi leser bare GML uten DOCTYPE."))

    def start(name, attributes):
        root.update(name=name, attributes=attributes)
        raise _RootFound

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartNamespaceDeclHandler = lambda prefix, uri: namespaces.append(uri or "")
    parser.StartElementHandler = start
    try:
        with open(path, "rb") as f:
            while block := f.read(1 << 16):
                parser.Parse(block, False)
            parser.Parse(b"", True)
    except _RootFound:
        pass
    except xml.parsers.expat.ExpatError as exc:
        raise unreadable(path, exc) from exc
    if not any(uri.startswith(GML_NAMESPACES) for uri in namespaces):
        raise _refuse(path, N_("Fila %(name)s er XML, men ikke GML."))
    for name, value in root["attributes"].items():
        if name.endswith(" schemaLocation") and not all(map(SCHEMA_LOCATION.match, value.split()[1::2])):
            raise _refuse(path, N_("GML-fila %(name)s viser til et skjema som verken er en nettadresse "
                                   "eller en fil ved siden av den."))


# What each format is checked for before GDAL may open it.
CHECKS = {GEOPACKAGE: _check_geopackage, GEOJSON: _check_geojson, GML: _check_gml}


def local_files(paths: list[Path], folder: Path) -> list[Path]:
    """The files to import: each path, or the data files of a zip unpacked into `folder`.

    All the zips of one import share one budget for what they unpack, and it must fit on the disk
    with room to spare: a 4 MB zip of zeros unpacks to gigabytes."""
    zips = [p for p in map(Path, paths) if checked(p) == ZIP]
    archives: dict[Path, zipfile.ZipFile] = {}
    try:
        for path in zips:
            archives[path] = _open_zip(path)
        planned = {p: _members(p, archive) for p, archive in archives.items()}
        total = sum(m.file_size for members in planned.values() for m in members)
        free = shutil.disk_usage(folder).free
        if total > MAX_UNPACKED or total > free // 2:
            raise GeodataError(N_("Zip-filene er for store pakket ut (%(size)s MB). Last dem opp hver for seg, eller "
                                  "last inn store filer fra kommandolinjen."), size=total >> 20)
        files = []
        for number, path in enumerate(map(Path, paths)):
            if path in archives:
                files += _unpack(path, archives[path], planned[path], folder / str(number))
            else:
                files.append(path)
        return files
    finally:
        for archive in archives.values():
            archive.close()


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise unreadable(path, exc) from exc


def _members(path: Path, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members we would unpack: data files and a Shapefile's parts, checked before any is written."""
    members = [m for m in archive.infolist() if not m.is_dir() and not _hidden(m.filename)]
    if len(members) > MAX_MEMBERS:
        raise _refuse(path, N_("Zip-fila %(name)s er for stor pakket ut."))
    wanted = [m for m in members if Path(m.filename).suffix.lower() in DATA_SUFFIXES | SHAPEFILE_PARTS]
    names = [_member_name(m.filename) for m in wanted]
    if len(set(names)) != len(names):
        raise _refuse(path, N_("Zip-fila %(name)s har flere filer med samme navn i ulike mapper. "
                               "Pakk dem i hver sin zip-fil."))
    if any(stat.S_ISLNK(m.external_attr >> 16) for m in wanted):
        raise _refuse(path, N_("Zip-fila %(name)s inneholder symbolske lenker."))
    if not any(Path(name).suffix.lower() in DATA_SUFFIXES for name in names):
        raise _refuse(path, N_("Fant ingen geodata i zip-fila %(name)s."))
    return wanted


def _unpack(path: Path, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], target: Path) -> list[Path]:
    """Write `members` under our own names into the new folder `target`; zipfile stops each at its stated size."""
    target.mkdir(parents=True)
    names = [_member_name(m.filename) for m in members]
    for member, name in zip(members, names, strict=True):
        try:
            with archive.open(member) as source, open(target / name, "wb") as out:
                while block := source.read(1 << 20):
                    out.write(block)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise unreadable(path, exc) from exc
    found = [target / name for name in names if Path(name).suffix.lower() in DATA_SUFFIXES]
    if any(checked(p) == ZIP for p in found):
        raise _refuse(path, N_("Zip-fila %(name)s inneholder en ny zip-fil. Pakk den ut først."))
    return found


def _hidden(name: str) -> bool:
    return any(part.startswith((".", "__MACOSX")) for part in Path(name).parts)


def _member_name(name: str) -> str:
    """A member's file name without its folders, in characters that are safe on any disk."""
    base = Path(name.replace("\\", "/")).name
    return re.sub(r"[^\w.\-]", "_", base).lstrip(".") or "fil"
