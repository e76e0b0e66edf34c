"""A loopback stand-in for nedlasting.geonorge.no, serving zips shaped like Geonorge's Basisdata downloads.

A test file makes it a fixture: `yield from geonorge_standin.serve(tmp_path, geodata)`.
"""
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import geopandas

from tests import serving
from tests.conftest import ROOT

KARTVERKET = "kartverket-format"
POSTAL = ROOT / "tests" / "data" / "postnummeromrader"
BASIS = "Basisdata"


def moved_to_sandvika(elverum_csv, rows: int = 20) -> str:
    """Elverum's real Matrikkel rows, moved into Bærum's 1337 Sandvika: a Bærum file of the real layout."""
    lines = elverum_csv.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    column = {name: i for i, name in enumerate(header)}
    area = geopandas.read_file(POSTAL / "Basisdata_0000_Norge_25833_Postnummeromrader_GeoJSON.geojson",
                               layer="postnummeromrader.postnummeromrade", engine="pyogrio")
    inside = area[area.postnummer == "1337"].geometry.union_all().representative_point()
    out = [lines[0]]
    for number, line in enumerate(lines[1:rows + 1]):
        fields = line.split(";")
        fields[column["lokalid"]] = str(900_000_000 + number)  # not Elverum's addresses, which the demo holds
        fields[column["kommunenummer"]], fields[column["kommunenavn"]] = "3201", "BÆRUM"
        fields[column["postnummer"]], fields[column["poststed"]] = "1337", "SANDVIKA"
        fields[column["Nord"]], fields[column["Øst"]] = f"{inside.y + number:.2f}", f"{inside.x + number:.2f}"
        out.append(";".join(fields))
    return "\n".join(out) + "\n"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(tmp_path, geodata):
    """Serves zips laid out as Geonorge's Basisdata: per-kommune Matrikkel CSV, per-kommune GML for Bærum
    and the national Postnummerområder GeoJSON, built from the real files."""
    root = tmp_path / "geonorge"
    elverum = geodata / KARTVERKET / "matrikkelen_adresse_sample_3420_elverum.csv"
    dwellings = (geodata / KARTVERKET / "matrikkelen_adresse_leilighetsniva_HEADER_ONLY.csv").read_text(
        encoding="utf-8-sig")
    files = {
        "Postnummeromrader/GeoJSON/Basisdata_0000_Norge_25833_Postnummeromrader_GeoJSON.zip":
            ("Basisdata_0000_Norge_25833_Postnummeromrader_GeoJSON.geojson",
             (POSTAL / "Basisdata_0000_Norge_25833_Postnummeromrader_GeoJSON.geojson").read_text()),
        "Postnummeromrader/GML/Basisdata_3201_Baerum_25833_Postnummeromrader_GML.zip":
            ("Basisdata_3201_Baerum_25833_Postnummeromrader_GML.gml",
             (POSTAL / "Basisdata_3201_Baerum_25833_Postnummeromrader_GML.gml").read_text(encoding="utf-8")),
        "MatrikkelenAdresse/CSV/Basisdata_3420_Elverum_25833_MatrikkelenAdresse_CSV.zip":
            ("matrikkelenAdresse.csv", elverum.read_text(encoding="utf-8-sig")),
        "MatrikkelenAdresse/CSV/Basisdata_3201_Baerum_25833_MatrikkelenAdresse_CSV.zip":
            ("matrikkelenAdresse.csv", moved_to_sandvika(elverum)),
    }
    for kommune in ("3420_Elverum", "3201_Baerum"):
        folder = "MatrikkelenAdresseLeilighetsniva/CSV"
        files[f"{folder}/Basisdata_{kommune}_25833_MatrikkelenAdresseLeilighetsniva_CSV.zip"] = (
            "matrikkelenAdresseLeilighetsniva.csv", dwellings)
    yield from serve_files(root, files)


def serve_files(root, files: dict[str, tuple[str, str]], gate: "Gate | None" = None):
    """Serves `files` (URL path under Basisdata/ → the member's name and text) zipped as Geonorge zips them;
    anything else answers 404. With a `gate`, a request for a name holding `gate.hold` waits until it opens."""
    for url_path, (member, text) in files.items():
        target = root / BASIS / url_path
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            encoding = "utf-8-sig" if member.endswith(".csv") else "utf-8"
            archive.writestr(f"{target.stem}/{member}", text.encode(encoding))
            archive.writestr(f"{target.stem}/LES_MEG.txt", "Kartverket")

    class Gated(Quiet):
        def do_GET(self):
            if gate and gate.hold and gate.hold in self.path:
                gate.held.set()
                gate.opened.wait(60)
            try:
                super().do_GET()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the consumer this was for has gone

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Gated, directory=str(root)))
    thread = serving.in_thread(server)
    yield f"http://127.0.0.1:{server.server_port}"
    if gate:
        gate.opened.set()
    server.shutdown()
    thread.join()
    server.server_close()


class Gate:
    """Holds back the downloads whose name holds `hold` until `open()`: how a test sees a job while it runs."""

    def __init__(self, hold: str):
        self.hold, self.held, self.opened = hold, threading.Event(), threading.Event()

    def open(self) -> None:
        self.opened.set()
