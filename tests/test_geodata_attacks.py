"""An admin of another organisation with a hostile file: geodata uploads read only the formats we read.

Replays of the outside audit (issue 13, finding 1) over real HTTP against a live server, and the
same files through the command line and `geodata download`: an OGR VRT that selects the users'
password hashes from the app's own database, one that reads /etc/passwd or the secret key
through the CSV driver, one that makes the server fetch a loopback URL, and the variations a
tester tries next (another name, inside a zip, a GeoJSON whose CRS is a link, a GeoPackage
with a view, GML with an entity or a local schema, a zip bomb).
"""
import http.server
import io
import json
import re
import sqlite3
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Address, District, Job, JobState, PostalArea, User
from tests import serving
from tests.conftest import csrf_token, login
from tests.http import HttpClient

SQUARE = "POLYGON((10.70 59.90, 10.80 59.90, 10.80 60.00, 10.70 59.90))"
POSTAL_HEADER = "postnummer;poststed;kommunenummer;kommunenavn;kategori\n"  # Posten's register, as a CSV with a header


@pytest.fixture
def listener():
    """A loopback HTTP server that records every request made to it (none may come)."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = serving.in_thread(server)
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    thread.join()
    server.server_close()


def vrt(source: str, sql: str | None = None, layer: str = "bydeler") -> bytes:
    select_sql = f'<SrcSQL dialect="sqlite">{sql}</SrcSQL>' if sql else f"<SrcLayer>{layer}</SrcLayer>"
    return (f"<OGRVRTDataSource><OGRVRTLayer name=\"{layer}\"><SrcDataSource>{source}</SrcDataSource>"
            f"{select_sql}<GeometryField encoding=\"WKT\" field=\"wkt\"/><LayerSRS>EPSG:4326</LayerSRS>"
            "</OGRVRTLayer></OGRVRTDataSource>").encode()


def steal_users(database: str) -> bytes:
    """The tester's VRT: every user's e-mail, two-factor key and password hash as Bærum's districts."""
    return vrt(database, "SELECT '3201' || printf('%02d', id) AS bydelsnummer, "
                         "email || coalesce(totp_secret, '') || password_hash AS navn, "
                         f"'{SQUARE}' AS wkt FROM user")


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def geojson_with_crs(crs: dict) -> bytes:
    feature = {"type": "Feature", "properties": {"bydelsnummer": "320101", "navn": "Lenken"},
               "geometry": {"type": "Polygon", "coordinates": [[[10.7, 59.9], [10.8, 59.9], [10.8, 60.0],
                                                                [10.7, 59.9]]]}}
    return json.dumps({"type": "FeatureCollection", "crs": crs, "features": [feature]}).encode()


def gml(prolog: str = "", root_attributes: str = "", name: str = "Bydel") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>{prolog}
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:app="http://example.no/app"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" {root_attributes}>
  <gml:featureMember><app:Bydel gml:id="b1"><app:bydelsnummer>320101</app:bydelsnummer>
    <app:navn>{name}</app:navn><app:omrade><gml:Polygon srsName="urn:ogc:def:crs:EPSG::4326">
    <gml:exterior><gml:LinearRing><gml:posList>59.9 10.7 59.9 10.8 60.0 10.8 59.9 10.7</gml:posList>
    </gml:LinearRing></gml:exterior></gml:Polygon></app:omrade></app:Bydel></gml:featureMember>
</gml:FeatureCollection>""".encode()


def geopackage(path: Path, name: str, *statements: str) -> bytes:
    """A GeoPackage of one plain district layer, "bydeler", named `name`, then `statements` run on it."""
    import geopandas
    import shapely
    frame = geopandas.GeoDataFrame({"bydelsnummer": ["320101"], "navn": [name]},
                                   geometry=[shapely.from_wkt(SQUARE)], crs=4326)
    frame.to_file(path, driver="GPKG", layer="bydeler")
    with sqlite3.connect(path) as conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()
    return path.read_bytes()


def geopackage_with_view(path: Path, secret_source: str) -> bytes:
    """A GeoPackage whose only layer is a view; GDAL would evaluate it when reading."""
    return geopackage(path, "Utsikt",
                      f"CREATE VIEW tyveri AS SELECT fid, geom, {secret_source} AS navn, "
                      "'320102' AS bydelsnummer FROM bydeler",
                      "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
                      "VALUES ('tyveri', 'features', 'tyveri', 4326)",
                      "INSERT INTO gpkg_geometry_columns VALUES ('tyveri', 'geom', 'POLYGON', 4326, 0, 0)")


def geopackage_with_generated_column(path: Path, expression: str) -> bytes:
    """A GeoPackage layer with a column worked out by `expression` whenever a row is read (GDAL's SQL functions
    included)."""
    return geopackage(path, "Regnestykke",
                      f"ALTER TABLE bydeler ADD COLUMN lekk TEXT GENERATED ALWAYS AS ({expression}) VIRTUAL")


def secrets(demo_app) -> list[str]:
    """What must never reach a page: hashes, two-factor keys, the secret key, /etc/passwd."""
    found = [u.password_hash for u in db.session.scalars(select(User)) if u.password_hash]
    found += [u.totp_secret for u in db.session.scalars(select(User)) if u.totp_secret]
    return found + [demo_app.config["SECRET_KEY"], "root:x:0:0"]


def hostile_files(demo_app, tmp_path, loopback) -> dict[str, bytes]:
    database = db.engine.url.database if db.engine.url.get_backend_name() == "sqlite" else "/nonexistent.db"
    return {
        "bydeler.vrt": steal_users(database),
        "bydeler.geojson": steal_users(database),
        "bydeler.csv": steal_users(database),
        "  <postnummer.gml": b"\xef\xbb\xbf\n  " + steal_users(database),
        "passwd.vrt": vrt("CSV:/etc/passwd", layer="passwd"),
        "nokkel.vrt": vrt("CSV:/proc/self/cwd/instance/secret_key", layer="secret_key"),
        "ssrf.vrt": vrt(f"/vsicurl/{loopback}/bydeler.csv", layer="bydeler"),
        "vsizip.vrt": vrt(f"/vsizip/{tmp_path}/x.zip/x.csv", layer="x"),
        "vrt-i-zip.zip": zipped({"Basisdata/bydeler.vrt": steal_users(database)}),
        "gml-i-zip.zip": zipped({"../../postnummer.gml": steal_users(database)}),
        "lenke.geojson": geojson_with_crs({"type": "link", "properties": {"href": f"{loopback}/crs", "type": "proj4"}}),
        "lenke2.geojson": geojson_with_crs({"type": "name", "properties": {"name": f"{loopback}/crs"}}),
        "lenke3.geojson": geojson_with_crs({"type": "link", "properties": {"href": f"{loopback}/crs"}}).replace(
            b'"crs"', b'"\\u0063RS"'),
        "lenke4.geojson": geojson_with_crs({"type": "name", "properties": {"name": "x"}}).replace(
            b'"crs": {"type": "name", "properties": {"name": "x"}}', f"'Crs': {{'type': 'link', 'properties': "
                                                                      f"{{'href': '{loopback}/crs'}}}}".encode()),
        # GDAL's C code ends a key at a NUL: "crs\u0000…" is read as "crs" (the outsider of stop 28).
        "lenke5.geojson": geojson_with_crs({"type": "link", "properties": {"href": f"{loopback}/crs", "type": "proj4"}}
                                           ).replace(b'"crs"', b'"crs\\u0000"'),
        "lenke6.geojson": geojson_with_crs({"type": "link", "properties": {"href": f"{loopback}/crs"}}).replace(
            b'"crs"', b'"CRS\\u0000x\\"y"'),
        "entitet.gml": gml('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', name="&e;"),
        "skjema.gml": gml(root_attributes='xsi:schemaLocation="http://example.no/app /etc/passwd"'),
        "skjema-vsi.gml": gml(root_attributes=f'xsi:schemaLocation="http://example.no/app /vsicurl/{loopback}/s.xsd"'),
        "utsikt.gpkg": geopackage_with_view(tmp_path / "utsikt.gpkg", "'hemmelig'"),
        "piksel.gpkg": geopackage_with_generated_column(
            tmp_path / "piksel.gpkg", f"gdal_get_pixel_value('/vsicurl/{loopback}/px.tif', 1, 'pixel', 0, 0)"),
        "passord.gpkg": geopackage_with_generated_column(
            tmp_path / "passord.gpkg", "gdal_get_pixel_value('/etc/passwd', 1, 'pixel', 0, 0)"),
        # Any virtual table but a layer's spatial index, also one whose arguments spell the index's (fourth round).
        "fts5.gpkg": geopackage(tmp_path / "fts5.gpkg", "Søk",
                                "CREATE VIRTUAL TABLE v USING fts5(a, b UNINDEXED, content='USING rtree(')"),
    }


def upload(client, name: str, content: bytes):
    boundary = "----canvass-hostile"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{csrf_token(client, '/admin/geodata')}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return client.post("/admin/geodata", data=body,
                       headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def job_page(client, response) -> tuple[Job, str]:
    """An upload is a job: the POST answers 303 to the job's page, where its outcome is shown."""
    assert response.status_code == 303, response.get_data(as_text=True)
    assert re.fullmatch(r"/jobber/\d+", response.location), response.location
    page = client.get(response.location)
    assert page.status_code == 200
    db.session.expire_all()
    return db.session.get(Job, int(response.location.rsplit("/", 1)[-1])), page.get_data(as_text=True)


def stored():
    return (db.session.scalar(select(func.count()).select_from(District)),
            db.session.scalar(select(func.count()).select_from(PostalArea)))


def test_a_hostile_file_uploaded_by_another_organisations_admin_is_refused_and_reveals_nothing(
        demo_app, live_server, tmp_path, listener):
    loopback, hits = listener
    client = HttpClient(live_server)
    login(client, "admin@baerum.demo")
    before, hidden = stored(), secrets(demo_app)
    for name, content in hostile_files(demo_app, tmp_path, loopback).items():
        response = upload(client, name, content)
        answer = response.get_data(as_text=True)
        job, page = job_page(client, response)
        # Refused: the job failed, and no file of it was read as data.
        assert job.state == JobState.FAILED and 'data-state="failed"' in page, (name, page)
        assert not (job.result or {}).get("files"), (name, job.result)
        # What reached the reader: the upload's answer, the job's page and what the job stored to show later.
        texts = [answer, page, json.dumps(job.error, ensure_ascii=False), json.dumps(job.result, ensure_ascii=False)]
        for text in texts:
            assert "lagt til" not in text, name
            leaked = [s for s in hidden if s in text]
            assert not leaked, (name, "echoed file contents or a GDAL message")
            assert not re.search(r"\b(GDAL|OGR\w*|CPLE_\w+)\b", text), (name, "a GDAL message reached the page")
            assert not re.search(r"/(tmp|proc|etc|vsi\w+|nonexistent)\b", text), (name, "a path reached the page")
            assert str(demo_app.config["JOB_FILES"]) not in text and job.params["folder"] not in text, (name, text)
        db.session.expire_all()
        assert stored() == before, name
    shown = client.get("/admin/geodata/kart.geojson").get_data(as_text=True)
    assert not [s for s in hidden if s in shown]
    assert hits == [], "the server fetched a URL named in an uploaded file"


def test_the_command_line_and_the_download_refuse_the_same_files(demo_app, tmp_path, listener):
    loopback, hits = listener
    runner = demo_app.test_cli_runner()
    hidden = secrets(demo_app)
    for name, content in hostile_files(demo_app, tmp_path, loopback).items():
        path = tmp_path / "cli" / name.strip(" <")
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        result = runner.invoke(args=["geodata", "import", str(path)])
        assert result.exit_code != 0, (name, result.output)
        assert not [s for s in hidden if s in result.output], name
    for target in ["CSV:/etc/passwd", f"/vsicurl/{loopback}/x.geojson", "/proc/self/cwd/instance/secret_key"]:
        result = runner.invoke(args=["geodata", "import", target])
        assert result.exit_code != 0 and "root:" not in result.output, (target, result.output)
    assert hits == []


def test_files_of_the_formats_we_read_still_load_by_content(app, geodata, tmp_path):
    """GeoJSON (under any name), GML, GeoPackage, FlatGeobuf, a zipped Shapefile, and a zipped GML as Kartverket
    ships it."""
    import geopandas
    import shapely

    from canvass.services.geography.geodata_import import import_paths

    layer = geopandas.read_file(geodata / "postal_areas_oslo_baerum.geojson")[["postnummer", "poststed", "geometry"]]
    layer = layer[~shapely.is_missing(layer.geometry.values) & ~shapely.is_empty(layer.geometry.values)]
    written = {}
    for name, driver in [("postnummer.gml", "GML"), ("postnummer.gpkg", "GPKG"), ("postnummer.fgb", "FlatGeobuf")]:
        layer.to_crs(25833).to_file(tmp_path / name, driver=driver)
        written[name] = tmp_path / name
    shape = tmp_path / "shape"
    shape.mkdir()
    layer.to_crs(25832).to_file(shape / "postnummer.shp", driver="ESRI Shapefile")
    with zipfile.ZipFile(tmp_path / "postnummer_shp.zip", "w") as archive:
        for part in shape.iterdir():
            archive.write(part, f"Basisdata/{part.name}")
    written["postnummer_shp.zip"] = tmp_path / "postnummer_shp.zip"
    with zipfile.ZipFile(tmp_path / "Basisdata_0301_Oslo_25833_Postnummeromrader_GML.zip", "w") as archive:
        archive.write(written["postnummer.gml"], "Basisdata_0301_Oslo_25833_Postnummeromrader_GML.gml")
    written["gml.zip"] = tmp_path / "Basisdata_0301_Oslo_25833_Postnummeromrader_GML.zip"
    renamed = tmp_path / "postnummer.txt"
    renamed.write_bytes((geodata / "postal_areas_oslo_baerum.geojson").read_bytes())
    written["postnummer.txt"] = renamed
    for name, path in written.items():
        [result] = import_paths([path])
        read = result.added + result.updated + result.unchanged
        expected = 469 if path.suffix == ".txt" else len(layer)
        assert (result.kind, read, result.rejected) == ("postal_areas", expected, []), name


def geography():
    """Every shared geography row, to compare before and after an upload.

    Read as rows of every column, not as ORM objects: the tens of thousands of addresses made an object each."""
    from canvass.models import Address, Dwelling, Municipality, SubDistrict

    db.session.expire_all()
    tables = [Address, PostalArea, District, SubDistrict, Municipality, Dwelling]
    return {
        t.__name__: sorted(tuple(map(str, row)) for row in db.session.execute(select(*t.__table__.columns)))
        for t in tables
    }


def oslo_rows(geodata) -> dict[str, bytes]:
    """Rows that would change Oslo's geography, written as Bærum's admin would upload them."""
    osm = (geodata / "addresses_oslo_sentrum_osm.csv").read_text(encoding="utf-8").splitlines()
    header, first = osm[0], osm[1].split(",")
    renamed = ",".join([first[0], "Hackerveien"] + first[2:])
    moved = ",".join(first[:5] + ["1337", "SANDVIKA"] + first[7:])
    matrikkel = (
        (geodata / "kartverket-format" / "matrikkelen_adresse_sample_3420_elverum.csv")
        .read_text(encoding="utf-8-sig")
        .splitlines()
    )
    oslo_address = matrikkel[1].replace(";3420;ELVERUM;", ";0301;OSLO;", 1)
    # Bærum's own kommune claimed, with an Oslo postal code: it would land in Sagene's turf of 0473.
    # A new lokalid: the demo holds this Elverum address already, and Bærum may not replace it either.
    into_oslo_turf = (
        matrikkel[1]
        .replace(";3420;ELVERUM;", ";3201;BÆRUM;", 1)
        .replace(";2410;HERNES;", ";0473;OSLO;")
        .replace("399524883", "999999001")
    )
    area = {
        "type": "Feature",
        "properties": {"postnummer": "0473", "poststed": "HACKET", "kommunenummer": "3201"},
        "geometry": {"type": "Polygon", "coordinates": [[[10.5, 59.9], [10.6, 59.9], [10.6, 60.0], [10.5, 59.9]]]},
    }
    district = {**area, "properties": {"bydelsnummer": "030103", "navn": "Hacket"}}
    kommune = {**area, "properties": {"kommunenummer": "0301", "kommunenavn": "Hacket"}}
    collection = lambda feature: json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()  # noqa: E731
    return {
        "osm-omdopt.csv": f"{header}\n{renamed}\n".encode(),
        "osm-flyttet.csv": f"{header}\n{moved}\n".encode(),
        "matrikkel-oslo.csv": ("\ufeff" + f"{matrikkel[0]}\n{oslo_address}\n").encode(),
        "matrikkel-baerum-0473.csv": ("\ufeff" + f"{matrikkel[0]}\n{into_oslo_turf}\n").encode(),
        "postnummer-oslo.csv": (POSTAL_HEADER + "0473;HACKET;0301;OSLO;B\n").encode(),
        "postnummer-flyttet.csv": (POSTAL_HEADER + "0473;HACKET;3201;BÆRUM;B\n").encode(),
        "postnummeromrade.geojson": collection(area),
        "bydel.geojson": collection(district),
        "kommune.geojson": collection(kommune),
    }


def test_another_organisations_admin_cannot_change_oslos_geography(demo_app, live_server, geodata):
    client = HttpClient(live_server)
    login(client, "admin@baerum.demo")
    before = geography()
    for name, content in oslo_rows(geodata).items():
        job, page = job_page(client, upload(client, name, content))
        assert "utenfor kommunene deres" in page, (name, page)
        assert "utenfor kommunene deres" in json.dumps([job.error, job.result], ensure_ascii=False), name
        assert geography() == before, name
    own = "postnummer;poststed;kommunenummer;kommunenavn;kategori\n1337;SANDVIKA SENTRUM;3201;BÆRUM;B\n"
    job, page = job_page(client, upload(client, "postnummer-baerum.csv", own.encode()))
    assert job.state == JobState.DONE and "0 postnumre lagt til, 1 endret, 0 uendret, 0 avvist" in page
    assert db.session.get(PostalArea, "1337").poststed == "SANDVIKA SENTRUM"


# A fresh process reads a real layer and lists what GDAL can open afterwards, and how; "VRT" and "CSV" would be
# there had the read reached GDAL before it was restricted (pyogrio is imported on the first read, not with the app).
FIRST_READ = r"""
import sys
from canvass import create_app
from canvass.geo import formats
create_app()
assert "pyogrio" not in sys.modules, "GDAL was loaded as the app started"
chunk = formats.read_layer(sys.argv[1], formats.POSTAL_AREAS)
import pyogrio
options = [pyogrio.get_gdal_config_option(name) for name in ("GDAL_HTTP_PROXY", "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS")]
print(len(chunk.records), *options, *sorted(pyogrio.list_drivers()), sep="\n")
"""


def test_the_first_read_of_a_file_finds_gdal_already_restricted_to_the_formats_we_read(geodata):
    read = subprocess.run([sys.executable, "-c", FIRST_READ, str(geodata / "postal_areas_oslo_baerum.geojson")],
                          capture_output=True, text=True, cwd=Path(__file__).parent.parent,
                          env={"SECRET_KEY": "test", "PATH": "/usr/bin:/bin"})
    assert read.returncode == 0, read.stderr[-2000:]
    records, proxy, external_access, *drivers = read.stdout.split("\n")[:-1]
    assert int(records) > 0
    # Any request GDAL still tries goes to a closed port; its SQL functions in a GeoPackage open nothing else.
    assert (proxy, external_access) == ("127.0.0.1:9", "NO")
    assert sorted(drivers) == ["ESRI Shapefile", "FlatGeobuf", "GML", "GPKG", "GeoJSON"]


def test_the_command_line_still_loads_any_kommune(demo_app, geodata, tmp_path):
    path = tmp_path / "postnummer.csv"
    path.write_text("postnummer;poststed;kommunenummer;kommunenavn;kategori\n0473;OSLO NORD;0301;OSLO;B\n")
    result = demo_app.test_cli_runner().invoke(args=["geodata", "import", str(path)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(PostalArea, "0473").poststed == "OSLO NORD"


def test_zips_that_unpack_beyond_the_budget_are_refused_before_anything_is_written(app, tmp_path, monkeypatch):
    """A 1 MB zip of zeros unpacks to a gigabyte: the budget is checked on the stated sizes of all zips at once."""
    from canvass.geo import sources
    from canvass.geo.errors import GeodataError
    from canvass.services.geography.geodata_import import import_paths

    monkeypatch.setattr(sources, "MAX_UNPACKED", 3 << 20)
    monkeypatch.setattr(sources, "_unpack", lambda *args: pytest.fail("unpacked before the budget was checked"))
    bombs = []
    for number in range(2):
        bombs.append(tmp_path / f"bombe{number}.zip")
        bombs[-1].write_bytes(zipped({"a.shp": b"\x00" * 100, "a.dbf": b"\x00" * (2 << 20)}))
    with pytest.raises(GeodataError, match="for store pakket ut"):
        import_paths(bombs)


def test_each_admin_sees_the_counts_of_its_own_kommuner_not_the_whole_servers(demo_app):
    """Outsider: a new party's admin with nothing loaded saw "Adresser 13 527", Oslo's addresses: the geography is
    shared, but the page counts what the organisation's own kommuner hold."""
    def shown(email: str) -> dict[str, int]:
        client = demo_app.test_client()
        login(client, email)
        page = client.get("/admin/geodata").get_data(as_text=True)
        pairs = re.findall(r"<dt>([^<]+)</dt><dd>([\d\xa0 ]+)</dd>", page)
        return {name: int(re.sub(r"\D", "", number)) for name, number in pairs}

    def addresses(kommune: str) -> int:
        return db.session.scalar(select(func.count()).select_from(Address).where(Address.kommunenummer == kommune))

    oslo, baerum = shown("admin@oslo.demo"), shown("admin@baerum.demo")
    assert oslo["Adresser"] == addresses("0301") > 0
    assert baerum["Adresser"] == addresses("3201") < oslo["Adresser"]
    assert oslo["Bydeler"] == db.session.scalar(select(func.count()).select_from(District)
                                                .where(District.kommunenummer == "0301")) > 0
    assert baerum["Bydeler"] == 0


def test_a_geojson_of_escaped_quotes_is_checked_in_one_pass_and_a_crs_key_inside_a_string_is_no_key(tmp_path):
    """The fourth outside round: 176 KB of `\\"crs\\u0000` inside one string held the job queue for every organisation
    for minutes (each doubling of the file took 4–5 times as long), outside the bounded reader. Here 2 MB of it, which
    took hours before, is checked while a thread waits; a real "crs" key after it is still refused."""
    from canvass.geo import sources

    body = '"crs\\u0000' + '\\"crs\\u0000' * 200_000
    path = tmp_path / "crs.geojson"
    path.write_text('{"type":"FeatureCollection","x":"' + body + '","features":[]}')
    done = []
    worker = threading.Thread(target=lambda: done.append(sources.checked(path)), daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert done == [sources.GEOJSON]
    path.write_text('{"type":"FeatureCollection","x":"' + body + '",'
                    '"CRS\\u0000y":{"type":"link","properties":{"href":"http://127.0.0.1:9/crs"}},"features":[]}')
    with pytest.raises(sources.GeodataError):
        sources.checked(path)


@pytest.mark.parametrize("feature", [
    '{"type":"Feature", /* " */ "crs": CRS, /* " */ "properties":{"a":1},"geometry":GEOM}',
    '{"type":"Feature","crs" /**/ : CRS,"properties":{"a":1},"geometry":GEOM}',
    '{"type":"Feature","crs": /**/ CRS,"properties":{"a":1},"geometry":GEOM}',
    '{"type":"Feature","crs": CRS,"properties":{"a":1},"geometry":GEOM} // after',
])
def test_a_lone_feature_with_comments_cannot_slip_a_crs_past_the_check(tmp_path, feature):
    """The re-test of the fourth round: GDAL reads a lone Feature with a parser that skips /* */ comments, and a
    "crs" beside one, or after a quote inside one, reached GDAL unchecked (a PROJ string with +nadgrids= made it
    open any file on the server). JSON has no comments: a file with one is refused."""
    from canvass.geo import sources

    crs = '{"type":"name","properties":{"name":"+proj=longlat +ellps=GRS80 +nadgrids=/etc/passwd +type=crs"}}'
    path = tmp_path / "kommentar.geojson"
    path.write_text(feature.replace("CRS", crs).replace("GEOM", '{"type":"Point","coordinates":[10.75,59.93]}'))
    with pytest.raises(sources.GeodataError) as refused:
        sources.checked(path)
    assert "kommentarer" in refused.value.message or "koordinatsystemet" in refused.value.message
    # A slash inside a string is any text's own: not a comment.
    path.write_text('{"type":"Feature","properties":{"url":"https://example.no/a//b /* x */"},'
                    '"geometry":{"type":"Point","coordinates":[10.75,59.93]}}')
    assert sources.checked(path) == sources.GEOJSON


def test_a_gml_of_fifty_feature_types_is_identified_within_the_uploads_limits_not_in_the_job_consumer(app, tmp_path):
    """The fourth outside round: identifying a file ran in the job consumer, outside the limits its reading is held
    to, and GDAL parses a GML whole for each layer it lists (7.5 MB of fifty feature types: 20 s; a zip of ten: 161 s
    against a 60 s budget). Here a GML costing a few CPU-seconds to identify is refused by the child's one-second
    limit, and the consumer's own process spends almost nothing on it."""
    import resource

    from canvass.geo import bounded
    from canvass.geo.errors import GeodataError
    from canvass.services.geography import geodata_import

    path = tmp_path / "lag.gml"
    feature = ('<gml:featureMember><app:T{t} gml:id="t{t}_{i}"><app:postnummer>1337</app:postnummer>'
               '<app:poststed>X</app:poststed><app:geometry><gml:Polygon srsName="EPSG:4326"><gml:outerBoundaryIs>'
               '<gml:LinearRing><gml:coordinates>10.50,59.88 10.52,59.88 10.52,59.89 10.50,59.88</gml:coordinates>'
               '</gml:LinearRing></gml:outerBoundaryIs></gml:Polygon></app:geometry></app:T{t}></gml:featureMember>\n')
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml"'
                    ' xmlns:app="http://example.com/app">\n'
                    + "".join(feature.format(t=t, i=i) for i in range(100) for t in range(50))
                    + "</gml:FeatureCollection>\n")
    before = resource.getrusage(resource.RUSAGE_SELF)
    with pytest.raises(GeodataError) as refused:
        geodata_import.import_paths([path], scope=["3201"], limits=bounded.Limits(cpu_seconds=1, memory_mb=2048))
    after = resource.getrusage(resource.RUSAGE_SELF)
    assert "krevde mer regnekraft" in refused.value.message
    assert (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) < 1.0
