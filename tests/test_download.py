"""`geodata download` fetches a municipality's official files, here from a Geonorge stand-in on loopback.

It runs the download job's own code in the foreground, for operators without a queue consumer: the same steps
and results as the job on the geodata page, progress on stderr, a summary per file on stdout."""
import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Address, Job, PostalArea
from canvass.services.geography import geonorge
from tests import geonorge_standin


@pytest.fixture
def geonorge_server(tmp_path, geodata):
    yield from geonorge_standin.serve(tmp_path, geodata)


def test_a_kommune_with_its_own_postal_file_gets_that_file_and_its_addresses(app, geonorge_server, tmp_path):
    app.config.update(GEONORGE_BASE_URL=geonorge_server, DOWNLOAD_DIR=tmp_path / "downloads")
    result = app.test_cli_runner().invoke(args=["geodata", "download", "--kommune", "3201", "--navn", "Bærum"])
    assert result.exit_code == 0, result.output
    assert "Basisdata_3201_Baerum_25833_Postnummeromrader_GML.zip" in result.stderr
    assert "Norge" not in result.stderr
    assert ("Basisdata_3201_Baerum_25833_Postnummeromrader_GML.gml: 4 postnummerområder lagt til, 0 endret, "
            "0 uendret, 0 avvist (2 postnumre satt sammen av flere deler). Leste kartlaget «Postnummerområde» "
            "og hoppet over «Postnummerområdegrense»") in result.stdout
    assert "matrikkelenAdresse.csv: 20 adresser lagt til" in result.stdout
    assert db.session.get(PostalArea, "1337").geometry.startswith('{"type":"MultiPolygon"')
    assert db.session.scalar(select(func.count()).select_from(Address).where(Address.postnummer == "1337")) == 20
    assert (tmp_path / "downloads" / "3201").is_dir()


def test_without_a_kommune_file_the_national_file_gives_the_postal_areas_touching_the_kommune(
        app, geonorge_server, tmp_path):
    app.config.update(GEONORGE_BASE_URL=geonorge_server, DOWNLOAD_DIR=tmp_path / "downloads")
    runner = app.test_cli_runner()
    # As docs/getting-started.md says, with the number alone: a new server knows the name from its bundled list.
    result = runner.invoke(args=["geodata", "download", "--kommune", "3420"])
    assert result.exit_code == 0, result.output
    assert "Basisdata_0000_Norge_25833_Postnummeromrader_GeoJSON.zip" in result.stderr
    # The national fixture holds Oslo and Bærum only: none of its postal areas touches Elverum.
    assert ("Basisdata_0000_Norge_25833_Postnummeromrader_GeoJSON.geojson: 0 postnummerområder lagt til, 0 endret, "
            "0 uendret, 0 avvist. 8 postnummerområder i andre kommuner "
            "ble hoppet over") in result.stdout
    assert "matrikkelenAdresse.csv: 300 adresser lagt til" in result.stdout
    assert db.session.get(PostalArea, "2410").geometry is None
    assert db.session.get(PostalArea, "0010") is None


def test_the_national_fallback_keeps_a_split_code_whose_part_reaches_into_the_kommune(app, geonorge_server, tmp_path):
    app.config.update(GEONORGE_BASE_URL=geonorge_server, DOWNLOAD_DIR=tmp_path / "downloads")
    kommune_file = tmp_path / "geonorge" / "Basisdata" / "Postnummeromrader" / "GML" / \
        "Basisdata_3201_Baerum_25833_Postnummeromrader_GML.zip"
    kommune_file.unlink()
    result = app.test_cli_runner().invoke(args=["geodata", "download", "--kommune", "3201", "--navn", "Bærum"])
    assert result.exit_code == 0, result.output
    assert ("4 postnummerområder lagt til, 0 endret, 0 uendret, 0 avvist (2 postnumre satt sammen av flere deler). "
            "4 postnummerområder i andre kommuner") in result.stdout
    assert sorted(db.session.scalars(select(PostalArea.postnummer).where(PostalArea.geometry.is_not(None)))) == [
        "0756", "1336", "1337", "1358"]


def test_a_missing_dataset_is_reported_and_nothing_is_imported(app, geonorge_server, tmp_path):
    app.config.update(GEONORGE_BASE_URL=geonorge_server, DOWNLOAD_DIR=tmp_path / "downloads")
    result = app.test_cli_runner().invoke(args=["geodata", "download", "--kommune", "0301", "--navn", "Oslo"])
    assert result.exit_code == 1
    assert "Fikk ikke lastet ned Matrikkelen – Adresse (HTTP 404" in result.output
    assert db.session.scalar(select(func.count()).select_from(PostalArea)) == 0


@pytest.mark.parametrize("base, expected", [
    ("http://127.0.0.1:9", "Fikk ikke kontakt med 127.0.0.1. Prøv igjen senere, eller last ned filene selv"),
    # .invalid never resolves (RFC 6761): the server without a name service, as an outside tester's was.
    ("http://geonorge.invalid", "Fant ikke geonorge.invalid: serveren er kanskje uten nett."),
])
def test_a_server_that_cannot_reach_geonorge_says_so_in_norwegian_without_the_system_error(app, tmp_path, base,
                                                                                          expected):
    app.config.update(GEONORGE_BASE_URL=base, DOWNLOAD_DIR=tmp_path / "downloads")
    result = app.test_cli_runner().invoke(args=["geodata", "download", "--kommune", "3420"])
    assert result.exit_code == 1
    assert expected in result.output and "Errno" not in result.output
    assert db.session.scalar(select(func.count()).select_from(PostalArea)) == 0


def test_a_kommune_number_that_is_not_four_digits_is_refused_before_any_download(app, tmp_path):
    app.config.update(GEONORGE_BASE_URL="http://127.0.0.1:9", DOWNLOAD_DIR=tmp_path / "downloads")
    result = app.test_cli_runner().invoke(args=["geodata", "download", "--kommune", "../../x", "--navn", "Oslo"])
    assert result.exit_code == 1 and "er ikke fire sifre" in result.output
    assert not (tmp_path / "downloads").exists()


def test_an_unknown_municipality_name_asks_for_it(app):
    result = app.test_cli_runner().invoke(args=["geodata", "download", "--kommune", "9999"])
    assert result.exit_code == 1 and "Oppgi det med --navn" in result.output


@pytest.mark.parametrize("name, expected", [("Bærum", "Baerum"), ("Våler", "Valer"), ("Nord-Aurdal", "Nord-Aurdal"),
                                            ("OSLO", "Oslo"), ("Sør-Varanger", "Sor-Varanger")])
def test_municipality_names_are_spelled_as_geonorge_does(name, expected):
    assert geonorge.file_name(name) == expected


def test_several_kommuner_are_fetched_in_the_foreground_with_each_step_printed(app, geonorge_server, tmp_path):
    app.config.update(GEONORGE_BASE_URL=geonorge_server, DOWNLOAD_DIR=tmp_path / "downloads")
    result = app.test_cli_runner().invoke(args=["geodata", "download", "--kommune", "3420", "--kommune", "3201"])
    assert result.exit_code == 0, result.output
    # No --navn: the names come from the kommune list the app ships.
    assert "Kommune 3420 Elverum" in result.stderr and "Kommune 3201 Bærum" in result.stderr
    assert (f"Del 2 av 3: Matrikkelen – Adresse ({geonorge_server}/Basisdata/MatrikkelenAdresse/CSV/"
            "Basisdata_3420_Elverum_25833_MatrikkelenAdresse_CSV.zip)") in result.stderr
    # Then the import, file by file, as the job's page shows it.
    assert "Del 2 av 3: matrikkelenAdresse.csv" in result.stderr
    assert "matrikkelenAdresse.csv [" in result.stderr and "300/300" in result.stderr
    assert result.stdout.count("matrikkelenAdresse.csv: ") == 2
    assert "matrikkelenAdresse.csv: 300 adresser lagt til" in result.stdout
    assert "matrikkelenAdresse.csv: 20 adresser lagt til" in result.stdout
    assert db.session.scalar(select(func.count()).select_from(Address)) == 320
    # Run here and now: no job was queued or recorded.
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_kommune_that_fails_is_reported_in_norwegian_the_others_are_stored_and_the_exit_is_not_zero(
        app, geonorge_server, tmp_path):
    app.config.update(GEONORGE_BASE_URL=geonorge_server, DOWNLOAD_DIR=tmp_path / "downloads")
    result = app.test_cli_runner().invoke(args=["geodata", "download", "--kommune", "0301", "--kommune", "3420"])
    assert result.exit_code == 1
    assert "Fikk ikke lastet ned Matrikkelen – Adresse (HTTP 404" in result.stderr
    assert "matrikkelenAdresse.csv: 300 adresser lagt til" in result.stdout
    assert db.session.scalar(select(func.count()).select_from(Address).where(Address.kommunenummer == "0301")) == 0


def test_a_name_given_for_several_kommuner_is_refused(app):
    result = app.test_cli_runner().invoke(args=["geodata", "download", "--kommune", "3420", "--kommune", "3201",
                                                "--navn", "Elverum"])
    assert result.exit_code == 1 and "--navn kan bare brukes med én --kommune." in result.output


def test_import_runs_the_import_job_in_the_foreground_and_refuses_a_missing_file(app, geodata, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["geodata", "import", str(tmp_path / "borte.csv")])
    assert result.exit_code == 1 and f"Fant ikke fila: {tmp_path / 'borte.csv'}." in result.output
    result = runner.invoke(args=["geodata", "import", str(geodata / "postnummerregister_oslo_baerum.csv"),
                                 str(geodata / "oslo_bydeler.geojson")])
    assert result.exit_code == 0, result.output
    assert "Del 1 av 2: postnummerregister_oslo_baerum.csv" in result.stderr
    assert "Del 2 av 2: oslo_bydeler.geojson" in result.stderr
    assert result.stdout.splitlines() == [
        "postnummerregister_oslo_baerum.csv: 696 postnumre lagt til, 0 endret, 0 uendret, 0 avvist",
        "oslo_bydeler.geojson: 15 bydeler lagt til, 0 endret, 0 uendret, 0 avvist"]
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
