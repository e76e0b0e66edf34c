"""Elverum's geodata for a party starting from zero, in the shapes the official files have.

The Matrikkel extract is Kartverket's own (300 addresses of Basisdata_3420_Elverum_25833_MatrikkelenAdresse_CSV,
in ../shared/geodata). Kartverket's postal-area polygons for Elverum are not in the shared data, so each postal
code's polygon is drawn around its addresses and written as the national "Postnummerområder" GeoJSON is
published: EPSG:25833 with the fields postnummer, poststed, kommune. Posten's register rows are the real ones
for these codes, in the `;` CSV layout of the shared register.
"""
from pathlib import Path

import geopandas
import pandas as pd
import shapely

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

    addresses = pd.read_csv(matrikkel, sep=";", dtype=str, encoding="utf-8-sig")
    shapes, rows = [], []
    for (code, place), group in addresses.groupby(["postnummer", "poststed"]):
        points = shapely.points(group["Øst"].astype(float), group["Nord"].astype(float))
        shapes.append(shapely.convex_hull(shapely.multipoints(points)).buffer(150))
        rows.append({"postnummer": code, "poststed": place, "kommune": "3420"})
    areas = folder / "Basisdata_0000_Norge_25833_Postnummeromrader_elverum.geojson"
    geopandas.GeoDataFrame(rows, geometry=shapes, crs=25833).to_file(areas, driver="GeoJSON")
    return [register, areas, matrikkel]
