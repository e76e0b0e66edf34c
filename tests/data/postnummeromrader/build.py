"""Build the Postnummerområder fixtures from the real Oslo/Bærum files in ../shared/geodata.

Each fixture has the shape of a file people really load, with a few real features:
- Basisdata_0000_Norge_25833_Postnummeromrader_GeoJSON.geojson: Geonorge's national GeoJSON,
  two layers in one file (postnummeromrader.postnummeromrade beside
  postnummeromrader.postnummeromradegrense), fields postnummer/poststed/kommune, EPSG:25833.
  Split codes as Geonorge has them: 0153 and 1337 one feature per island, 0756 one feature
  per kommune (cut along the kommune border of kommuner_oslo_baerum.geojson).
- Basisdata_3201_Baerum_25833_Postnummeromrader_GML.gml: the per-kommune GML, two feature types
  (app:Postnummerområde, app:Postnummerområdegrense), postnummer nested under
  postnummerOmrådeId, the postal areas touching Bærum (0756 reaches into it).
- postnummeromrader_to_lag.gpkg: a GeoPackage with a postal-area layer (kommunenummer,
  kommunenavn) and a boundary-line layer.
- postnummer_gammel_kopi.geojson: an older copy, POSTNR as an integer (151 for 0151) and POSTSTEDSN.

Run: PYTHONPATH=. .venv/bin/python tests/data/postnummeromrader/build.py ../shared/geodata
"""
import json
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, mapping, shape

HERE = Path(__file__).parent
TO_UTM = Transformer.from_crs(4326, 25833, always_xy=True)
APP = "http://skjema.geonorge.no/SOSI/produktspesifikasjon/Postnummeromrader/20180215"


def utm(geometry):
    return shapely.set_precision(shapely.transform(geometry, TO_UTM.transform, interleaved=False), 0.01)


def parts(source: Path) -> list[dict]:
    """The features of the national file: one per polygon part, 0756 cut along the kommune border."""
    areas = {f["properties"]["postnummer"]: f for f in json.loads((source / "postal_areas_oslo_baerum.geojson")
                                                                  .read_text())["features"]}
    kommuner = {f["properties"]["kommunenummer"]: shape(f["geometry"])
                for f in json.loads((source / "kommuner_oslo_baerum.geojson").read_text())["features"]}
    out = []
    for code in ("0010", "0015", "0153", "0756", "0760", "1336", "1337", "1358"):
        feature = areas[code]
        geometry, kommune = shape(feature["geometry"]), feature["properties"]["kommunenummer"]
        if code == "0756":
            oslo = kommuner["0301"]
            pieces = [(geometry.intersection(oslo), "0301"), (geometry.difference(oslo), "3201")]
        else:
            pieces = [(g, kommune) for g in getattr(geometry, "geoms", [geometry])]
        for piece, number in pieces:
            out.append({"postnummer": code, "poststed": feature["properties"]["poststed"], "kommune": number,
                        "geometry": utm(piece)})
    return out


def national(features: list[dict]) -> None:
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}}
    areas = [{"type": "Feature", "properties": {"oppdateringsdato": "2023-01-26T00:00:00",
                                                "datauttaksdato": "2026-06-01T03:12:00",
                                                "kommune": f["kommune"], "postnummer": f["postnummer"],
                                                "poststed": f["poststed"]},
              "geometry": mapping(f["geometry"])} for f in features]
    lines = [{"type": "Feature", "properties": {"oppdateringsdato": "2023-01-26T00:00:00",
                                                "datauttaksdato": "2026-06-01T03:12:00"},
              "geometry": mapping(LineString(polygon.exterior.coords))}
             for f in features for polygon in getattr(f["geometry"], "geoms", [f["geometry"]])]
    document = {"postnummeromrader.postnummeromrade": {"type": "FeatureCollection", "crs": crs, "features": areas},
                "postnummeromrader.postnummeromradegrense": {"type": "FeatureCollection", "crs": crs,
                                                             "features": lines}}
    (HERE / "Basisdata_0000_Norge_25833_Postnummeromrader_GeoJSON.geojson").write_text(json.dumps(document) + "\n")


def pos_list(ring) -> str:
    return " ".join(f"{x:.2f} {y:.2f}" for x, y in ring.coords)


def first_ring(geometry):
    return getattr(geometry, "geoms", [geometry])[0].exterior


def gml(features: list[dict]) -> None:
    members = []
    for number, f in enumerate(f for f in features if f["kommune"] == "3201" or f["postnummer"] == "0756"):
        patches = "".join(
            "<gml:PolygonPatch><gml:exterior><gml:LinearRing><gml:posList>"
            f"{pos_list(polygon.exterior)}</gml:posList></gml:LinearRing></gml:exterior>"
            + "".join(f"<gml:interior><gml:LinearRing><gml:posList>{pos_list(r)}</gml:posList></gml:LinearRing>"
                      "</gml:interior>" for r in polygon.interiors)
            + "</gml:PolygonPatch>"
            for polygon in getattr(f["geometry"], "geoms", [f["geometry"]]))
        members.append(f"""  <gml:featureMember>
    <app:Postnummerområde gml:id="postnummeromrade.{number}">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>pnr-{f['postnummer']}-{number}</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:datauttaksdato>2026-06-01T03:12:00</app:datauttaksdato>
      <app:område><gml:Surface gml:id="flate.{number}" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:patches>{patches}</gml:patches></gml:Surface></app:område>
      <app:postnummerOmrådeId><app:PostnummerområdeId><app:postnummer>{f['postnummer']}</app:postnummer>
        <app:poststed>{escape(f['poststed'])}</app:poststed></app:PostnummerområdeId></app:postnummerOmrådeId>
      <app:kommune>{f['kommune']}</app:kommune>
    </app:Postnummerområde>
  </gml:featureMember>
  <gml:featureMember>
    <app:Postnummerområdegrense gml:id="postnummeromradegrense.{number}">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>grense-{number}</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:grense><gml:Curve gml:id="kurve.{number}" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:segments><gml:LineStringSegment><gml:posList>{pos_list(first_ring(f['geometry']))}</gml:posList>
        </gml:LineStringSegment></gml:segments></gml:Curve></app:grense>
    </app:Postnummerområdegrense>
  </gml:featureMember>""")
    document = f"""<?xml version="1.0" encoding="utf-8"?>
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:app="{APP}" gml:id="Postnummeromrader"
  xsi:schemaLocation="{APP} {APP}/Postnummeromrader.xsd http://www.opengis.net/gml/3.2 http://schemas.opengis.net/gml/3.2.1/gml.xsd">
{chr(10).join(members)}
</gml:FeatureCollection>
"""
    (HERE / "Basisdata_3201_Baerum_25833_Postnummeromrader_GML.gml").write_text(document, encoding="utf-8")


def geopackage(source: Path) -> None:
    frame = geopandas.read_file(source / "postal_areas_oslo_baerum.geojson")
    frame = frame[frame.postnummer.isin(["0010", "0015", "0153", "1336"])][
        ["postnummer", "poststed", "kommunenummer", "kommunenavn", "geometry"]].to_crs(25833)
    lines = geopandas.GeoDataFrame({"oppdateringsdato": ["2023-01-26"] * len(frame)},
                                   geometry=frame.geometry.boundary.to_numpy(), crs=25833)
    target = HERE / "postnummeromrader_to_lag.gpkg"
    target.unlink(missing_ok=True)
    frame.to_file(target, layer="postnummeromrade", driver="GPKG", engine="pyogrio")
    lines.to_file(target, layer="postnummeromradegrense", driver="GPKG", engine="pyogrio")


def old_copy(source: Path) -> None:
    frame = geopandas.read_file(source / "postal_areas_oslo_baerum.geojson")
    frame = frame[frame.postnummer.isin(["0010", "0015", "0150", "0151", "1336"])]
    features = [{"type": "Feature", "properties": {"POSTNR": int(row.postnummer), "POSTSTEDSN": row.poststed},
                 "geometry": mapping(row.geometry)} for row in frame.itertuples()]
    (HERE / "postnummer_gammel_kopi.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}) + "\n")


if __name__ == "__main__":
    shared = Path(sys.argv[1])
    features = parts(shared)
    national(features)
    gml(features)
    geopackage(shared)
    old_copy(shared)
