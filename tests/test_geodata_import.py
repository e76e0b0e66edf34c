"""Importing the real Oslo/Bærum files and the official Kartverket layout, and refusing bad files whole."""
import json

import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.geo.errors import GeodataError
from canvass.models import Address, District, Dwelling, Municipality, PostalArea, SubDistrict
from canvass.services.committee import coverage
from canvass.services.geography.geodata_import import import_file, import_paths
from tests import elverum

ELVERUM = "kartverket-format/matrikkelen_adresse_sample_3420_elverum.csv"
TABLES = (PostalArea, District, SubDistrict, Municipality, Address, Dwelling)


def counts() -> dict:
    return {t.__name__: db.session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def rows(path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()


def write(path, lines: list[str], bom: bool = False):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig" if bom else "utf-8")
    return path


@pytest.fixture
def postal_codes(app, geodata):
    import_file(geodata / "postnummerregister_oslo_baerum.csv")


def test_postal_register_loads_all_696_codes(app, geodata):
    result = import_file(geodata / "postnummerregister_oslo_baerum.csv")
    assert (result.added, result.updated, result.rejected, result.stored) == (696, 0, [], True)
    assert db.session.get(PostalArea, "0562").poststed == "OSLO"
    assert db.session.get(PostalArea, "1337").kommunenummer == "3201"


def test_postal_areas_load_469_codes_and_keep_the_two_without_polygon(app, geodata):
    result = import_file(geodata / "postal_areas_oslo_baerum.geojson")
    assert (result.added, result.updated, len(result.rejected)) == (469, 0, 0)
    assert db.session.scalar(select(func.count()).where(PostalArea.geometry.is_not(None))) == 467
    assert db.session.get(PostalArea, "0359").geometry is None
    assert result.summary() == "469 postnummerområder lagt til, 0 endret, 0 uendret, 0 avvist"


def test_polygons_added_after_the_register_count_as_added_once(app, geodata, postal_codes):
    first = import_file(geodata / "postal_areas_oslo_baerum.geojson")
    again = import_file(geodata / "postal_areas_oslo_baerum.geojson")
    assert (first.added, first.updated) == (467, 2)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 469)
    assert again.summary() == "0 postnummerområder lagt til, 0 endret, 469 uendret, 0 avvist"
    assert counts()["PostalArea"] == 696


def test_districts_sub_districts_and_municipalities(app, geodata):
    results = import_paths([geodata / "oslo_delbydeler.geojson", geodata / "oslo_bydeler.geojson",
                            geodata / "kommuner_oslo_baerum.geojson"])
    assert [(r.kind, r.added) for r in results] == [("municipalities", 2), ("districts", 15), ("sub_districts", 87)]
    assert db.session.scalar(select(District.name).where(District.number == "030103")) == "Sagene"


def test_all_13227_osm_addresses_load_with_their_own_postal_code(app, geodata, postal_codes):
    result = import_file(geodata / "addresses_oslo_sentrum_osm.csv")
    assert (result.added, result.updated, result.rejected) == (13227, 0, [])
    assert result.summary() == "13\u00a0227 adresser lagt til, 0 endret, 0 uendret, 0 avvist"
    henrik_ibsen = db.session.scalar(select(Address).where(Address.official_id == "osm:6548811039"))
    assert (henrik_ibsen.label, henrik_ibsen.postnummer) == ("Henrik Ibsens gate 25", "0010")
    assert db.session.scalar(select(func.count(func.distinct(Address.postnummer)))) == 146
    # 873 central addresses lie in Sentrum, which is no district.
    assert db.session.scalar(select(func.count()).where(Address.district_number.is_(None))) == 873


def test_osm_addresses_lie_in_their_kommune_so_committees_can_count_the_homes_there(app, geodata, postal_codes):
    """OpenStreetMap names no kommune: each address takes its bydel's, or its postal code's from Posten's
    register, so dwellings per area (counted by kommune) are not "0 boliger"."""
    import_file(geodata / "addresses_oslo_sentrum_osm.csv")
    by_kommune = dict(db.session.execute(
        select(Address.kommunenummer, func.count()).group_by(Address.kommunenummer)).all())
    assert by_kommune == {"0301": 13227}
    per_code, per_district = coverage.dwellings(["0301"])
    assert per_code["0473"][0] > 1000 and per_district["030103"][0] > 1000


def test_reimport_matches_by_official_id_never_duplicates_and_says_unchanged(app, geodata, postal_codes):
    import_file(geodata / "addresses_oslo_sentrum_osm.csv")
    again = import_file(geodata / "addresses_oslo_sentrum_osm.csv")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 13227)
    assert "uendret" in again.summary() and "oppdatert" not in again.summary()
    assert counts()["Address"] == 13227


def test_matrikkel_csv_in_utm33_loads_300_elverum_addresses(app, geodata):
    result = import_file(geodata / ELVERUM)
    assert (result.added, result.rejected) == (300, [])
    gobakkvegen = db.session.scalar(select(Address).where(Address.official_id == "matrikkel:399524883"))
    assert gobakkvegen.label == "Gobakkvegen 438"
    assert gobakkvegen.postnummer == "2410" and gobakkvegen.kommunenummer == "3420"
    assert (gobakkvegen.lon, gobakkvegen.lat) == pytest.approx((11.53, 61.04), abs=0.05)
    # Kartverket defines the postal code: it exists now, without a polygon.
    assert db.session.get(PostalArea, "2410").poststed == "HERNES"


def test_matrikkel_in_utm32_lands_in_the_same_place(app, geodata, tmp_path):
    from pyproj import Transformer
    lines = rows(geodata / ELVERUM)[:2]
    fields = lines[1].split(";")
    header = lines[0].split(";")
    north, east = float(fields[header.index("Nord")]), float(fields[header.index("Øst")])
    x, y = Transformer.from_crs(25833, 25832, always_xy=True).transform(east, north)
    fields[header.index("EPSG-kode")], fields[header.index("Nord")], fields[header.index("Øst")] = (
        "25832",
        f"{y:.2f}",
        f"{x:.2f}",
    )
    import_file(write(tmp_path / "utm32.csv", [lines[0], ";".join(fields)], bom=True))
    address = db.session.scalar(select(Address))
    reference = Transformer.from_crs(25833, 4326, always_xy=True).transform(east, north)
    assert (address.lon, address.lat) == pytest.approx(reference, abs=1e-6)


def test_dwellings_from_leilighetsniva_attach_to_their_addresses(app, geodata, tmp_path):
    import_file(geodata / ELVERUM)
    header = rows(geodata / "kartverket-format/matrikkelen_adresse_leilighetsniva_HEADER_ONLY.csv")[0].split(";")
    source_header = rows(geodata / ELVERUM)[0].split(";")
    lines = [";".join(header)]
    for source in rows(geodata / ELVERUM)[1:4]:
        values = dict(zip(source_header, source.split(";"), strict=True))
        for unit in ("H0101", "H0102", "H0201"):
            lines.append(";".join({**values, "bruksenhetsnummerTekst": unit}.get(c, "") for c in header))
    unknown = dict(
        zip(source_header, rows(geodata / ELVERUM)[1].split(";"), strict=True),
        nummer="9999",
        bruksenhetsnummerTekst="H0101",
    )
    lines.append(";".join(unknown.get(c, "") for c in header))
    path = write(tmp_path / "leiligheter.csv", lines, bom=True)

    refused = import_file(path)
    assert refused.rejected_lines() == [
        "linje 11: Adressen finnes ikke. Importer «Matrikkelen – Adresse» for kommunen først."
    ]
    assert counts()["Dwelling"] == 0

    accepted = import_file(path, skip_invalid=True)
    assert (accepted.added, len(accepted.rejected), accepted.stored) == (9, 1, True)
    gobakkvegen = db.session.scalar(select(Address).where(Address.official_id == "matrikkel:399524883"))
    assert sorted(d.unit for d in gobakkvegen.dwellings) == ["H0101", "H0102", "H0201"]


def test_the_header_only_dwelling_file_is_an_empty_import(app, geodata):
    result = import_file(geodata / "kartverket-format/matrikkelen_adresse_leilighetsniva_HEADER_ONLY.csv")
    assert (result.kind, result.added, result.stored) == ("matrikkel_dwellings", 0, True)


# Bad input: a clear Norwegian message, and the database exactly as it was.


def refused(path, match: str):
    before = counts()
    with pytest.raises(GeodataError) as error:
        import_file(path)
    assert match in str(error.value)
    assert counts() == before
    return error.value


def test_empty_file(app, tmp_path):
    (tmp_path / "tom.csv").write_text("")
    refused(tmp_path / "tom.csv", "er tom")


def test_wrong_delimiter(app, geodata, tmp_path):
    path = write(tmp_path / "komma.csv", [line.replace(";", ",") for line in rows(geodata / ELVERUM)], bom=True)
    refused(path, "Feil skilletegn i komma.csv: fila bruker «,», formatet bruker «;».")


def test_missing_columns(app, geodata, tmp_path):
    lines = [line.split(";") for line in rows(geodata / ELVERUM)]
    drop = lines[0].index("Nord")
    path = write(
        tmp_path / "uten-nord.csv", [";".join(v for i, v in enumerate(cells) if i != drop) for cells in lines], bom=True
    )
    refused(path, "mangler kolonnene: Nord")


def test_unrecognised_csv(app, tmp_path):
    path = write(tmp_path / "noe.csv", ["navn;alder", "Kari;40"])
    refused(path, "Kjenner ikke igjen formatet")


def test_broken_geojson(app, geodata, tmp_path):
    text = (geodata / "oslo_bydeler.geojson").read_text()
    (tmp_path / "brutt.geojson").write_text(text[: len(text) // 2])
    refused(tmp_path / "brutt.geojson", "kan ikke leses som geodata")


def test_geojson_in_metres_labelled_as_degrees(app, tmp_path):
    feature = {
        "type": "Feature",
        "properties": {"postnummer": "0562", "poststed": "OSLO"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[262000, 6650000], [263000, 6650000], [263000, 6651000], [262000, 6650000]]],
        },
    }
    (tmp_path / "utm.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    refused(tmp_path / "utm.geojson", "utenfor Norge")


def test_a_layer_in_utm33_is_reprojected(app, tmp_path):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}}
    feature = {
        "type": "Feature",
        "properties": {"postnummer": "0562", "poststed": "OSLO"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[262000, 6650000], [263000, 6650000], [263000, 6651000], [262000, 6650000]]],
        },
    }
    (tmp_path / "utm.geojson").write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": [feature]}))
    assert import_file(tmp_path / "utm.geojson").added == 1
    area = json.loads(db.session.get(PostalArea, "0562").geometry)
    lon, lat = area["coordinates"][0][0]
    assert (lon, lat) == pytest.approx((10.75, 59.92), abs=0.03)


def test_truncated_csv_reports_the_cut_line_and_stores_nothing(app, geodata, postal_codes, tmp_path):
    text = (geodata / "addresses_oslo_sentrum_osm.csv").read_text()
    path = tmp_path / "avkuttet.csv"
    path.write_text(text[: len(text) - 60])
    before = counts()
    result = import_file(path)
    assert not result.stored
    assert result.rejected_lines() == ["linje 13228: For få felt (11 av 18). Er fila avkuttet?"]
    assert counts() == before


def test_unknown_postal_code_is_reported_and_nothing_stored(app, geodata, postal_codes, tmp_path):
    lines = rows(geodata / "addresses_oslo_sentrum_osm.csv")[:4]
    lines[2] = lines[2].replace(",0010,Oslo,", ",9999,Oslo,")
    before = counts()
    result = import_file(write(tmp_path / "ukjent.csv", lines))
    assert result.rejected_lines() == ["linje 3: Ukjent postnummer «9999»."]
    assert not result.stored and counts() == before
    assert "0 adresser lagt til, 0 endret, 0 uendret, 1 avvist" == result.summary()


def test_wrong_or_unknown_crs_in_matrikkel_rows(app, geodata, tmp_path):
    lines = rows(geodata / ELVERUM)[:4]
    lines[1] = lines[1].replace(";25833;", ";3857;")
    lines[2] = lines[2].replace(";25833;", ";4326;")
    result = import_file(write(tmp_path / "crs.csv", lines, bom=True))
    assert result.rejected_lines() == [
        "linje 2: Ukjent koordinatsystem «EPSG:3857».",
        "linje 3: Koordinatene ligger utenfor Norge: feil koordinatsystem?",
    ]
    assert counts()["Address"] == 0


def test_addresses_in_the_wrong_utm_zone_are_refused_and_stay_where_they_were(app, geodata, tmp_path):
    """An outside tester set EPSG-kode 25832 on five Elverum rows whose coordinates are in 25833: they were
    stored 330 km west, in Sogn, as "5 endret". A point far outside its own postal area is refused instead."""
    import_paths(elverum.files(geodata, tmp_path))
    lines = rows(geodata / ELVERUM)
    lines[1:6] = [line.replace(";25833;", ";25832;") for line in lines[1:6]]
    result = import_file(write(tmp_path / "feil_sone.csv", lines, bom=True))
    assert len(result.rejected) == 5 and not result.stored
    assert result.rejected_lines()[0].startswith("linje 2: Adressen ligger 3")
    assert result.rejected_lines()[0].endswith("Stemmer koordinatene og EPSG-koden?")
    gobakkvegen = db.session.scalar(select(Address).where(Address.official_id == "matrikkel:399524883"))
    assert (gobakkvegen.lon, gobakkvegen.lat) == pytest.approx((11.53, 61.04), abs=0.05)


def test_utm_coordinates_swapped_are_outside_norway(app, geodata, tmp_path):
    lines = [line.split(";") for line in rows(geodata / ELVERUM)[:2]]
    n, e = lines[0].index("Nord"), lines[0].index("Øst")
    lines[1][n], lines[1][e] = lines[1][e], lines[1][n]
    result = import_file(write(tmp_path / "byttet.csv", [";".join(cells) for cells in lines], bom=True))
    assert result.rejected_lines() == ["linje 2: Koordinatene ligger utenfor Norge: feil koordinatsystem?"]


def test_self_intersecting_polygon_is_repaired_and_stored_valid(app, tmp_path):
    bow_tie = [[[10.70, 59.90], [10.72, 59.92], [10.72, 59.90], [10.70, 59.92], [10.70, 59.90]]]
    feature = {
        "type": "Feature",
        "properties": {"postnummer": "0562", "poststed": "OSLO"},
        "geometry": {"type": "Polygon", "coordinates": bow_tie},
    }
    (tmp_path / "sløyfe.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    result = import_file(tmp_path / "sløyfe.geojson")
    assert result.summary() == ("1 postnummerområder lagt til, 0 endret, 0 uendret, 0 avvist "
                                "(1 ugyldige flater reparert)")
    from canvass.geo.geometry import from_geojson

    assert from_geojson(db.session.get(PostalArea, "0562").geometry).is_valid


def test_a_failing_file_in_a_batch_leaves_the_earlier_files_stored(app, geodata, tmp_path):
    (tmp_path / "tom.geojson").write_text("")
    with pytest.raises(GeodataError):
        import_paths([geodata / "postnummerregister_oslo_baerum.csv", tmp_path / "tom.geojson"])
    assert counts()["PostalArea"] == 0


@pytest.mark.parametrize("suffix, driver", [(".gml", "GML"), (".gpkg", "GPKG")])
def test_postal_areas_in_other_ogr_formats_and_utm33_load_the_same(app, geodata, tmp_path, suffix, driver):
    import geopandas

    layer = geopandas.read_file(geodata / "postal_areas_oslo_baerum.geojson").to_crs(25833)
    path = tmp_path / f"Postnummeromrader{suffix}"
    layer.to_file(path, driver=driver)
    result = import_file(path)
    assert (result.kind, result.added, result.rejected) == ("postal_areas", 469, [])
    area = json.loads(db.session.get(PostalArea, "0562").geometry)
    assert area["type"] in ("Polygon", "MultiPolygon")
    from canvass.geo.geometry import from_geojson

    assert from_geojson(db.session.get(PostalArea, "0562").geometry).centroid.x == pytest.approx(10.76, abs=0.02)
