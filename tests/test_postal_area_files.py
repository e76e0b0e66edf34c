"""Postnummerområder as Kartverket and Geonorge publish them, and as people pass them around.

The fixtures in tests/data/postnummeromrader/ are built from the real Oslo/Bærum files by
build.py there: the national GeoJSON with two layers, the per-kommune GML with two feature
types, a GeoPackage with two layers, an older copy with POSTNR as an integer, and postal codes
split over several features (0153 and 1337 one feature per island, 0756 one per kommune).
"""
import json
import zipfile

import geopandas
import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.geo import geometry, sources
from canvass.geo.errors import GeodataError
from canvass.models import PostalArea
from canvass.services.geography.geodata_import import import_file, import_paths
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "data" / "postnummeromrader"
NATIONAL = FIXTURES / "Basisdata_0000_Norge_25833_Postnummeromrader_GeoJSON.geojson"
BAERUM_GML = FIXTURES / "Basisdata_3201_Baerum_25833_Postnummeromrader_GML.gml"
GEOPACKAGE = FIXTURES / "postnummeromrader_to_lag.gpkg"
OLD_COPY = FIXTURES / "postnummer_gammel_kopi.geojson"
AREA_LAYER = {NATIONAL: "postnummeromrader.postnummeromrade", BAERUM_GML: "Postnummerområde"}
SPLIT = {NATIONAL: ["0153", "0756", "1337"], BAERUM_GML: ["0756", "1337"]}


def stored(postnummer: str) -> PostalArea:
    return db.session.get(PostalArea, postnummer)


def parts_union_area(path, postnummer: str) -> float:
    """The area in m² of the union of the code's features, read with geopandas straight from the file."""
    # GML is opened with our options, so GDAL writes no .gfs beside the fixture.
    options = sources.open_options(sources.GML) if path.suffix == ".gml" else {}
    frame = geopandas.read_file(path, layer=AREA_LAYER[path], engine="pyogrio", **options).to_crs(25833)
    frame["postnummer"] = frame["postnummer"].astype(str).str.zfill(4)
    parts = frame[frame["postnummer"] == postnummer]
    assert len(parts) > 1, "the fixture must hold the code as several features"
    return parts.geometry.union_all().area


def test_the_national_geojson_reads_the_postal_area_layer_and_says_so(app):
    result = import_file(NATIONAL)
    assert (result.added, result.updated, result.unchanged, result.rejected) == (8, 0, 0, [])
    assert result.summary() == (
        "8 postnummerområder lagt til, 0 endret, 0 uendret, 0 avvist (3 postnumre satt sammen av flere deler). "
        "Leste kartlaget «postnummeromrader.postnummeromrade» og hoppet over "
        "«postnummeromrader.postnummeromradegrense»")
    assert db.session.scalar(select(func.count()).select_from(PostalArea)) == 8
    assert (stored("1358").poststed, stored("1358").kommunenummer) == ("JAR", "3201")


@pytest.mark.parametrize("path", [NATIONAL, BAERUM_GML], ids=["national-geojson", "kommune-gml"])
def test_each_split_code_is_stored_once_as_the_union_of_its_parts(app, path):
    import_file(path)
    for code in SPLIT[path]:
        area = geometry.from_geojson(stored(code).geometry)
        assert area.is_valid and area.geom_type in ("Polygon", "MultiPolygon")
        assert geometry.metric_area([area])[0] == pytest.approx(parts_union_area(path, code), rel=0.001), code


def test_islands_stay_one_multipolygon_and_a_code_over_two_kommuner_joins_into_one_polygon(app):
    import_file(NATIONAL)
    assert json.loads(stored("1337").geometry)["type"] == "MultiPolygon"
    assert len(geometry.from_geojson(stored("1337").geometry).geoms) == 2
    assert json.loads(stored("0153").geometry)["type"] == "MultiPolygon"
    # 0756 is cut along the Oslo/Bærum border; the larger part (and Posten's register) puts it in Oslo.
    assert geometry.from_geojson(stored("0756").geometry).geom_type == "Polygon"
    assert stored("0756").kommunenummer == "0301"


def test_the_per_kommune_gml_reads_the_postal_area_feature_type_and_skips_the_boundaries(app, tmp_path):
    archive = tmp_path / "Basisdata_3201_Baerum_25833_Postnummeromrader_GML.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(BAERUM_GML, f"{archive.stem}/{BAERUM_GML.name}")
    [result] = import_paths([archive])
    assert (result.kind, result.added, result.rejected, result.merged) == ("postal_areas", 4, [], 2)
    assert "Leste kartlaget «Postnummerområde» og hoppet over «Postnummerområdegrense»" in result.summary()
    # GDAL reads the nested postnummer as a number: 0756 keeps its leading zero.
    assert sorted(db.session.scalars(select(PostalArea.postnummer))) == ["0756", "1336", "1337", "1358"]
    assert stored("1336").poststed == "SANDVIKA"


def test_a_geopackage_with_an_area_layer_and_a_line_layer_reads_the_areas(app):
    result = import_file(GEOPACKAGE)
    assert (result.added, result.rejected, result.layer, result.skipped_layers) == (
        4, [], "postnummeromrade", ["postnummeromradegrense"])
    assert (stored("1336").kommunenummer, stored("1336").kommunenavn) == ("3201", "Bærum")


def test_an_older_copy_with_integer_postnr_and_poststedsn_keeps_the_leading_zero(app):
    result = import_file(OLD_COPY)
    assert (result.added, result.rejected, result.skipped_layers) == (5, [], [])
    assert sorted(db.session.scalars(select(PostalArea.postnummer))) == ["0010", "0015", "0150", "0151", "1336"]
    assert stored("0151").poststed == "OSLO"
    assert "kartlaget" not in result.summary()


def test_importing_the_same_file_again_says_unchanged_not_updated(app):
    import_file(NATIONAL)
    again = import_file(NATIONAL)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 8)
    assert again.summary().startswith("0 postnummerområder lagt til, 0 endret, 8 uendret, 0 avvist")
    assert "oppdatert" not in again.summary()


def test_a_file_that_changes_one_poststed_counts_one_changed(app, tmp_path):
    import_file(NATIONAL)
    document = json.loads(NATIONAL.read_text())
    for feature in document["postnummeromrader.postnummeromrade"]["features"]:
        if feature["properties"]["postnummer"] == "1358":
            feature["properties"]["poststed"] = "JAR STASJON"
    changed = tmp_path / "endret.geojson"
    changed.write_text(json.dumps(document))
    result = import_file(changed)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 7)
    assert stored("1358").poststed == "JAR STASJON"


def test_a_layer_without_postal_fields_is_refused_naming_the_fields_expected_and_found(app, tmp_path):
    document = json.loads(OLD_COPY.read_text())
    for feature in document["features"]:
        feature["properties"] = {"zip": feature["properties"]["POSTNR"], "city": feature["properties"]["POSTSTEDSN"]}
    path = tmp_path / "postnummer.geojson"
    path.write_text(json.dumps(document))
    with pytest.raises(GeodataError) as refused:
        import_file(path)
    message = str(refused.value)
    assert "feltene postnummer og poststed (også POSTNR og POSTSTEDSN) for postnummerområder" in message
    assert "Fant: postnummer (city, zip; Polygon)" in message
    assert db.session.scalar(select(func.count()).select_from(PostalArea)) == 0


def test_the_boundary_layer_alone_is_refused_as_lines(app, tmp_path):
    document = json.loads(NATIONAL.read_text())
    lines = {"postnummeromrader.postnummeromradegrense": document["postnummeromrader.postnummeromradegrense"]}
    path = tmp_path / "Basisdata_0000_Norge_25833_Postnummeromrader_GeoJSON_EKS_postnummeromrade.geojson"
    path.write_text(json.dumps(lines))
    with pytest.raises(GeodataError) as refused:
        import_file(path)
    assert ("Fant: postnummeromrader.postnummeromradegrense (datauttaksdato, oppdateringsdato; LineString)"
            in str(refused.value))


def test_postal_codes_as_lines_are_refused_not_read(app, tmp_path):
    document = json.loads(OLD_COPY.read_text())
    for feature in document["features"]:
        feature["geometry"] = {"type": "LineString", "coordinates": feature["geometry"]["coordinates"][0]}
    path = tmp_path / "linjer.geojson"
    path.write_text(json.dumps(document))
    with pytest.raises(GeodataError, match="Fant: linjer \\(postnr, poststedsn; LineString\\)"):
        import_file(path)
