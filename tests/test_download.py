"""`geodata download` fetches a municipality's official files, here from a Geonorge stand-in on loopback."""
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Address, PostalArea
from canvass.services import geonorge

KARTVERKET = "kartverket-format"


@pytest.fixture
def geonorge_server(tmp_path, geodata):
    """Serves zips laid out as Geonorge's Basisdata, built from the real files in ../shared/geodata."""
    root = tmp_path / "geonorge"
    files = {
        "Basisdata/Postnummeromrader/GeoJSON/Basisdata_0000_Norge_4258_Postnummeromrader_GeoJSON.zip":
            geodata / "postal_areas_oslo_baerum.geojson",
        "Basisdata/MatrikkelenAdresse/CSV/Basisdata_3420_Elverum_25833_MatrikkelenAdresse_CSV.zip":
            geodata / KARTVERKET / "matrikkelen_adresse_sample_3420_elverum.csv",
        "Basisdata/MatrikkelenAdresseLeilighetsniva/CSV/Basisdata_3420_Elverum_25833_MatrikkelenAdresseLeilighetsniva_CSV.zip":
            geodata / KARTVERKET / "matrikkelen_adresse_leilighetsniva_HEADER_ONLY.csv",
    }
    for url_path, source in files.items():
        target = root / url_path
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w") as archive:
            archive.write(source, f"{target.stem}/{source.name}")
            archive.writestr(f"{target.stem}/LES_MEG.txt", "Kartverket")
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_download_fetches_unpacks_and_imports_a_municipality(app, geonorge_server, tmp_path):
    app.config.update(GEONORGE_BASE_URL=geonorge_server, DOWNLOAD_DIR=tmp_path / "downloads")
    result = app.test_cli_runner().invoke(args=["geodata", "download", "--kommune", "3420", "--navn", "Elverum"])
    assert result.exit_code == 0, result.output
    assert "postal_areas_oslo_baerum.geojson: 469 postnummerområder lagt til" in result.stdout
    assert "matrikkelen_adresse_sample_3420_elverum.csv: 300 adresser lagt til" in result.stdout
    assert db.session.scalar(select(func.count()).select_from(Address)) == 300
    assert db.session.get(PostalArea, "2410") is not None
    assert (tmp_path / "downloads" / "3420").is_dir()


def test_a_missing_dataset_is_reported_and_nothing_is_imported(app, geonorge_server, tmp_path):
    app.config.update(GEONORGE_BASE_URL=geonorge_server, DOWNLOAD_DIR=tmp_path / "downloads")
    result = app.test_cli_runner().invoke(args=["geodata", "download", "--kommune", "0301", "--navn", "Oslo"])
    assert result.exit_code == 1
    assert "Fikk ikke lastet ned Matrikkelen – Adresse (HTTP 404" in result.output
    assert db.session.scalar(select(func.count()).select_from(PostalArea)) == 0


def test_an_unknown_municipality_name_asks_for_it(app):
    result = app.test_cli_runner().invoke(args=["geodata", "download", "--kommune", "9999"])
    assert result.exit_code == 1 and "Oppgi det med --navn" in result.output


@pytest.mark.parametrize("name, expected", [("Bærum", "Baerum"), ("Våler", "Valer"), ("Nord-Aurdal", "Nord-Aurdal"),
                                            ("OSLO", "Oslo"), ("Sør-Varanger", "Sor-Varanger")])
def test_municipality_names_are_spelled_as_geonorge_does(name, expected):
    assert geonorge.file_name(name) == expected
