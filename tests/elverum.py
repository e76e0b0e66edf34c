"""Elverum's geodata for a party starting from zero, in the shapes the official files have.

The Matrikkel extract is Kartverket's own (300 addresses of Basisdata_3420_Elverum_25833_MatrikkelenAdresse_CSV,
in ../shared/geodata). Kartverket's postal-area polygons for Elverum are not in the shared data, so each postal
code's polygon is drawn around its addresses and written as the national "Postnummerområder" GeoJSON is
published: EPSG:25833 with the fields postnummer, poststed, kommune. For the Geonorge stand-in the same
polygons join the national file's two layers (tests/data/postnummeromrader), 2406 split in two features as
Geonorge splits codes at kommune borders. Posten's register rows are the real ones for these codes, in the `;`
CSV layout of the shared register.
"""
import json
from pathlib import Path

import geopandas
import pandas as pd
import shapely

NATIONAL = Path(__file__).parent / "data/postnummeromrader/Basisdata_0000_Norge_25833_Postnummeromrader_GeoJSON.geojson"
MATRIKKEL = "kartverket-format/matrikkelen_adresse_sample_3420_elverum.csv"
REGISTER = [("2406", "ELVERUM"), ("2410", "HERNES"), ("2411", "ELVERUM"), ("2412", "SØRSKOGBYGDA"),
            ("2428", "SØRE OSEN")]


def files(geodata: Path, folder: Path, moved_to_hernes: int = 0) -> list[Path]:
    """The register, the postal areas and the Matrikkel addresses for Elverum, written into `folder`.

    `moved_to_hernes`: that many of 2406's addresses are put in valgkrets 8 Hernes, so 2406 lies in two."""
    matrikkel = folder / "Basisdata_3420_Elverum_25833_MatrikkelenAdresse.csv"
    text = (geodata / MATRIKKEL).read_text(encoding="utf-8-sig")
    if moved_to_hernes:
        lines = text.splitlines()
        moved = 0
        for i, line in enumerate(lines[1:], start=1):
            if ";2406;ELVERUM;" in line and ";5;Leiret;" in line and moved < moved_to_hernes:
                lines[i] = line.replace(";5;Leiret;", ";8;Hernes;")
                moved += 1
        text = "\n".join(lines) + "\n"
    matrikkel.write_text(text, encoding="utf-8-sig")

    register = folder / "postnummerregister_elverum.csv"
    register.write_text("postnummer;poststed;kommunenummer;kommunenavn;kategori\n"
                        + "".join(f"{code};{place};3420;ELVERUM;G\n" for code, place in REGISTER), encoding="utf-8")

    rows = [{"postnummer": code, "poststed": place, "kommune": "3420"} for code, place, _ in postal_areas(matrikkel)]
    shapes = [shape for _, _, shape in postal_areas(matrikkel)]
    areas = folder / "Basisdata_0000_Norge_25833_Postnummeromrader_elverum.geojson"
    geopandas.GeoDataFrame(rows, geometry=shapes, crs=25833).to_file(areas, driver="GeoJSON")
    return [register, areas, matrikkel]


def postal_areas(matrikkel: Path) -> list[tuple[str, str, shapely.Polygon]]:
    """Each postal code's polygon in EPSG:25833: 150 m around the hull of its addresses."""
    addresses = pd.read_csv(matrikkel, sep=";", dtype=str, encoding="utf-8-sig")
    found = []
    for (code, place), group in addresses.groupby(["postnummer", "poststed"]):
        points = shapely.points(group["Øst"].astype(float), group["Nord"].astype(float))
        found.append((code, place, shapely.convex_hull(shapely.multipoints(points)).buffer(150)))
    return found


def halves(polygon: shapely.Polygon) -> list[shapely.Polygon]:
    """The polygon cut in two along the north–south line through its centre, as Geonorge splits a code at a
    kommune border."""
    west, south, east, north = polygon.bounds
    middle = polygon.centroid.x
    return [polygon.intersection(shapely.box(west - 1, south - 1, middle, north + 1)),
            polygon.intersection(shapely.box(middle, south - 1, east + 1, north + 1))]


SPLIT = "2406"


def national_geojson(geodata: Path) -> str:
    """Geonorge's national Postnummerområder GeoJSON (tests/data), two layers in one file, with Elverum's postal
    areas added to the area layer and their outlines to the boundary layer; 2406 comes as two features."""
    national = json.loads(NATIONAL.read_text())
    areas = national["postnummeromrader.postnummeromrade"]["features"]
    lines = national["postnummeromrader.postnummeromradegrense"]["features"]
    for code, place, polygon in postal_areas(geodata / MATRIKKEL):
        for part in halves(polygon) if code == SPLIT else [polygon]:
            part = shapely.set_precision(part, 0.01)
            areas.append({"type": "Feature", "geometry": shapely.geometry.mapping(part),
                          "properties": {"oppdateringsdato": "2023-01-26T00:00:00",
                                         "datauttaksdato": "2026-06-01T03:12:00", "kommune": "3420",
                                         "postnummer": code, "poststed": place}})
            lines.append({"type": "Feature", "geometry": shapely.geometry.mapping(part.exterior),
                          "properties": {"oppdateringsdato": "2023-01-26T00:00:00",
                                         "datauttaksdato": "2026-06-01T03:12:00"}})
    return json.dumps(national)


def geonorge_files(geodata: Path) -> dict[str, tuple[str, str]]:
    """What the Geonorge stand-in serves for Elverum: no per-kommune GML (so the national GeoJSON is fetched),
    the Matrikkel address CSV and the dwellings' (header only) CSV."""
    dwellings = (geodata / "kartverket-format/matrikkelen_adresse_leilighetsniva_HEADER_ONLY.csv").read_text(
        encoding="utf-8-sig")
    return {
        "Postnummeromrader/GeoJSON/Basisdata_0000_Norge_25833_Postnummeromrader_GeoJSON.zip":
            ("Basisdata_0000_Norge_25833_Postnummeromrader_GeoJSON.geojson", national_geojson(geodata)),
        "MatrikkelenAdresse/CSV/Basisdata_3420_Elverum_25833_MatrikkelenAdresse_CSV.zip":
            ("matrikkelenAdresse.csv", (geodata / MATRIKKEL).read_text(encoding="utf-8-sig")),
        "MatrikkelenAdresseLeilighetsniva/CSV/Basisdata_3420_Elverum_25833_MatrikkelenAdresseLeilighetsniva_CSV.zip":
            ("matrikkelenAdresseLeilighetsniva.csv", dwellings),
    }
