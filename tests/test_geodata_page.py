"""The admin loads geodata from a web page and sees the result, file by file.

The import runs as a job (tests/test_jobs.py runs it in a real consumer); here the test app runs each
job as it is started, so the job's page already shows how it ended."""
import io

import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Address, PostalArea
from tests import geonorge_standin
from tests.conftest import csrf_token, login


def upload(client, files: dict[str, bytes], **extra):
    data = {"csrf_token": csrf_token(client, "/admin/geodata"), **extra,
            "files": [(io.BytesIO(content), name) for name, content in files.items()]}
    return client.post("/admin/geodata", data=data, content_type="multipart/form-data")


def test_the_geodata_page_shows_what_is_loaded(client):
    login(client, "admin@oslo.demo")
    page = client.get("/admin/geodata").get_data(as_text=True)
    # Oslo's own addresses, not the whole server's (Bærum's are another organisation's).
    oslo = db.session.scalar(select(func.count()).select_from(Address).where(Address.kommunenummer == "0301"))
    everything = db.session.scalar(select(func.count()).select_from(Address))
    assert 13_000 < oslo < everything and f"<dd>{oslo:,}</dd>".replace(",", "\u00a0") in page, (oslo, everything)
    assert "© Kartverket (CC BY 4.0)" in page and "© OpenStreetMap contributors (ODbL)" in page


def test_uploading_a_file_again_reports_it_unchanged(client, geodata):
    login(client, "admin@oslo.demo")
    # The first 2,000 addresses keep the upload small enough for the test client's in-memory body.
    content = b"\n".join((geodata / "addresses_oslo_sentrum_osm.csv").read_bytes().split(b"\n")[:2001]) + b"\n"
    response = upload(client, {"adresser.csv": content})
    assert response.status_code == 303 and response.location.startswith("/jobber/")
    response = client.get(response.location)
    assert response.status_code == 200
    assert "0 adresser lagt til, 0 endret, 2\u00a0000 uendret, 0 avvist" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Address)) == 13527


def test_a_broken_upload_is_explained_and_changes_nothing(client):
    login(client, "admin@oslo.demo")
    response = upload(client, {"kart.geojson": b'{"type": "FeatureCollection", "features": [{"type":'})
    page = client.get(response.location).get_data(as_text=True)
    assert "Feilet" in page and "kan ikke leses som geodata" in page
    assert db.session.scalar(select(func.count()).select_from(Address)) == 13527


def test_htmx_gets_only_the_result_fragment(client, geodata):
    login(client, "admin@oslo.demo")
    response = client.post("/admin/geodata", headers={"HX-Request": "true"}, content_type="multipart/form-data",
                           data={"csrf_token": csrf_token(client, "/admin/geodata"),
                                 "files": [(io.BytesIO(b""), "tom.csv")]})
    body = response.get_data(as_text=True)
    assert response.status_code == 202 and "<html" not in body
    assert "Fila tom.csv er tom." in body


def test_no_file_chosen_is_explained(client):
    login(client, "admin@oslo.demo")
    response = upload(client, {})
    assert response.status_code == 400 and "Velg minst én fil." in response.get_data(as_text=True)


def test_uploads_over_200_mb_are_refused_before_reading_them(client):
    login(client, "admin@oslo.demo")
    response = client.post("/admin/geodata", data=b"x" * 10, content_type="multipart/form-data; boundary=x",
                           environ_overrides={"CONTENT_LENGTH": str(200 * 1024 * 1024 + 1)})
    assert response.status_code == 413
    assert "Det du sendte er for stort. Største tillatte størrelse her er 200 MB." in response.get_data(as_text=True)


@pytest.fixture
def geonorge_server(tmp_path, geodata):
    yield from geonorge_standin.serve(tmp_path, geodata)


def fetch(client, kommune: str, **extra):
    """The fetch runs as a job (here inside the request, as tests configure the queue); its page shows the result."""
    return client.post("/admin/geodata/hent", data={"csrf_token": csrf_token(client, "/admin/geodata"),
                                                    "kommune": kommune, **extra}, follow_redirects=True)


def test_the_admin_fetches_the_organisations_kommune_from_geonorge_on_the_page(client, geonorge_server):
    client.application.config.update(GEONORGE_BASE_URL=geonorge_server)
    login(client, "admin@baerum.demo")
    page = client.get("/admin/geodata").get_data(as_text=True)
    assert '<option value="3201">3201 Bærum</option>' in page
    oslo_0756 = db.session.get(PostalArea, "0756").geometry
    response = fetch(client, "3201")
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert "Basisdata_3201_Baerum_25833_Postnummeromrader_GML.gml" in body
    # Bærum's three codes get Kartverket's newer shapes; 0756 reaches into Bærum but is Oslo's to change.
    assert "0 postnummerområder lagt til, 3 endret, 0 uendret, 0 avvist" in body
    assert "1 lå utenfor kommunene deres og ble ikke lagret" in body
    assert "20 adresser lagt til" in body
    db.session.expire_all()
    assert db.session.get(PostalArea, "0756").geometry == oslo_0756
    again = fetch(client, "3201", navn="Bærum").get_data(as_text=True)
    assert "0 postnummerområder lagt til, 0 endret, 3 uendret" in again
    assert "0 adresser lagt til, 0 endret, 20 uendret" in again


def test_an_admin_cannot_fetch_another_organisations_kommune(client, geonorge_server):
    client.application.config.update(GEONORGE_BASE_URL=geonorge_server)
    login(client, "admin@baerum.demo")
    before = db.session.scalar(select(func.count()).select_from(Address))
    response = fetch(client, "0301", navn="Oslo")
    assert response.status_code == 400
    assert "Velg en av kommunene deres." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Address)) == before
