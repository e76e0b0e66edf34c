"""An admin who claims another organisation's kommune cannot rewrite the geography that organisation uses.

Replays of the outside security test (finding F2): a new organisation's admin adds Oslo to their
kommuner on /admin/organisasjon/kommuner (allowed: two parties often share a kommune), then uploads
an OpenStreetMap CSV that renames and moves the address Sagene's volunteers walk, or a GeoJSON that
renames and redraws bydel Sagene. Then the variations a tester tries next: Oslo's postal register,
postal areas, sub-districts and Matrikkel addresses; dwellings in a kommune another party holds; a
postal code of the admin's own kommune that spans into a shared one; a postal code inside another
party's branch territory. An upload is untrusted: in a shared kommune it writes nothing and says how
to get the data (the Geonorge download, or the operator); in the admin's own kommune it still writes.
"""
import io
import json

import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.geo import doors
from canvass.models import Address, Branch, BranchPostalCode, District, Dwelling, PostalArea
from canvass.services.people import organisations
from tests.conftest import csrf_token, login
from tests.test_geodata_attacks import geography

EVIL = "evil@example.no"
PASSWORD = "evil-passord-123"
HOW = "Hent fra Geonorge"
# The tester's files, byte for byte (/tmp/outsec/files/osm_hijack.csv and bydel_hijack.geojson).
OSM_HIJACK = (
    "osm_node_id,adressenavn,husnummer,nummer,bokstav,postnummer,poststed,lat,lon,bydel_nr,bydel,delbydel_nr,"
    "delbydel,postnummer_polygon,osm_building_way,osm_building_type,osm_building_levels,osm_building_bygningsnr\n"
    "2789347021,HACKED <img src=x onerror=alert(12)> gata,16,16,A,0474,Oslo,59.0,11.0,,,,,0474,113142136,"
    "apartments,5,\n")
BYDEL_HIJACK = json.dumps({"type": "FeatureCollection", "features": [{
    "type": "Feature",
    "properties": {"bydelsnummer": "030103", "bydelsnavn": "Sagene (omdøpt av Evil Org)",
                   "navn": "Sagene (omdøpt av Evil Org)"},
    "geometry": {"type": "Polygon", "coordinates": [[[10.0, 59.0], [10.01, 59.0], [10.01, 59.01], [10.0, 59.0]]]}}]})
REGISTER = "postnummer;poststed;kommunenummer;kommunenavn;kategori\n"
OSM_HEADER = OSM_HIJACK.split("\n")[0]
TRIANGLE = [[[10.70, 59.90], [10.80, 59.90], [10.80, 60.00], [10.70, 59.90]]]


def collection(properties: dict, coordinates=TRIANGLE) -> str:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": properties, "geometry": {"type": "Polygon", "coordinates": coordinates}}]})


def evil_org(client, kommuner=("3403", "0301")):
    """The tester's setup: a new organisation in Hamar whose admin then claims `kommuner` from the web."""
    organisations.create("Evil <img src=x onerror=alert(1)> Org", ["3403"], "Evil", EVIL, password=PASSWORD)
    login(client, EVIL, PASSWORD)
    response = client.post("/admin/organisasjon/kommuner", data={
        "kommune": list(kommuner), "csrf_token": csrf_token(client, "/admin/organisasjon/kommuner")})
    assert response.status_code == 302, response.get_data(as_text=True)  # claiming a kommune stays possible


def upload(client, name: str, content: str) -> str:
    """Upload one file as the tester did; the job's page, where the outcome is shown."""
    response = client.post("/admin/geodata", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/admin/geodata"), "files": [(io.BytesIO(content.encode()), name)]})
    assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get(response.location)
    assert page.status_code == 200
    db.session.expire_all()
    return page.get_data(as_text=True)


def district(number: str) -> District:
    return db.session.scalar(select(District).where(District.number == number))


def sagenes_address() -> Address:
    return db.session.scalar(select(Address).where(Address.official_id == "osm:2789347021"))


def test_an_admin_who_claims_oslo_cannot_rename_or_move_the_address_sagenes_volunteers_walk(client):
    before = geography()
    address = sagenes_address()
    assert (address.street, address.lat) == ("Valdresgata", 59.930616)
    evil_org(client)
    page = upload(client, "osm_hijack.csv", OSM_HIJACK)
    assert "0 adresser lagt til, 0 endret" in page
    assert "i Oslo ble ikke lagret (1)" in page and HOW in page and "drifter serveren" in page
    assert geography() == before
    assert sagenes_address().street == "Valdresgata"


def test_an_admin_who_claims_oslo_cannot_rename_or_redraw_bydel_sagene(client):
    before = geography()
    evil_org(client)
    page = upload(client, "bydel_hijack.geojson", BYDEL_HIJACK)
    assert "0 bydeler lagt til, 0 endret" in page and "i Oslo ble ikke lagret" in page and HOW in page
    assert geography() == before
    assert district("030103").name == "Sagene"


@pytest.mark.parametrize("name, content", [
    ("postnummer.csv", REGISTER + "0474;KAPRET;0301;OSLO;G\n"),  # rename an Oslo postal code
    ("postnummer-hamar.csv", REGISTER + "0474;KAPRET;3403;HAMAR;G\n"),  # re-home it to the admin's own kommune
    ("postnummer-nytt.csv", REGISTER + "0999;NYTT;0301;OSLO;G\n"),  # add one in Oslo
    ("postnummeromrade.geojson", collection({"postnummer": "0474", "poststed": "KAPRET", "kommunenummer": "3403"})),
    ("delbydel.geojson", collection({"delbydelsnummer": "03010301", "navn": "Kapret", "bydelsnummer": "030103"})),
    ("bydel-ny.geojson", collection({"bydelsnummer": "030199", "navn": "Ny bydel"})),
    ("adresse-ny.csv", OSM_HEADER + "\n9999999999,Kapret gate,1,1,,0474,Oslo,59.93,10.76,,,,,0474,,,,\n"),
])
def test_nor_oslos_postal_codes_areas_districts_or_new_addresses(client, name, content):
    before = geography()
    evil_org(client)
    page = upload(client, name, content)
    assert "i Oslo ble ikke lagret" in page and HOW in page, page
    assert geography() == before


def test_a_matrikkel_address_and_dwellings_in_a_kommune_another_party_holds_are_not_written(client, geodata):
    """Elverum (3420) holds Kartverket's sample in the demo; a second party works there before the tester."""
    organisations.create("Elverum SV", ["3420"], "Lene", "lene@elverum-sv.no", password="lang-nok-passord")
    before = geography()
    evil_org(client, ("3403", "3420"))
    matrikkel = (geodata / "kartverket-format" / "matrikkelen_adresse_sample_3420_elverum.csv").read_text(
        encoding="utf-8-sig").splitlines()
    renamed = matrikkel[1].replace(";Gobakkvegen;", ";Kapret veg;").replace(";Gobakkvegen 438;", ";Kapret veg 438;")
    page = upload(client, "adresser.csv", "\ufeff" + matrikkel[0] + "\n" + renamed + "\n")
    assert "i Elverum ble ikke lagret (1)" in page and HOW in page
    header = (geodata / "kartverket-format" / "matrikkelen_adresse_leilighetsniva_HEADER_ONLY.csv").read_text(
        encoding="utf-8-sig").strip()
    fields = dict.fromkeys(header.split(";"), "")
    fields.update(kommunenummer="3420", kommunenavn="ELVERUM", adressekode="3390", adressenavn="Gobakkvegen",
                  nummer="438", bruksenhetsnummerTekst="H0101", postnummer="2410", poststed="HERNES")
    page = upload(client, "leiligheter.csv", header + "\n" + ";".join(fields.values()) + "\n")
    assert "0 boliger lagt til" in page and "i Elverum ble ikke lagret (1)" in page, page
    assert geography() == before
    assert db.session.scalar(select(Dwelling).limit(1)) is None


def test_a_postal_code_of_the_admins_own_kommune_that_spans_into_oslo_is_left_alone(client):
    """Posten's register gives each code one kommune; the addresses show where else it reaches."""
    db.session.add(PostalArea(postnummer="2399", poststed="GRENSE", kommunenummer="3403"))
    db.session.flush()  # the address refers to it
    db.session.add(Address(official_id="matrikkel:1", kommunenummer="0301", street="Grensevei", number=1, letter="",
                           postnummer="2399", lat=59.93, lon=10.76))
    db.session.commit()
    before = geography()
    evil_org(client, ("3403",))
    page = upload(client, "postnummer.csv", REGISTER + "2399;KAPRET;3403;HAMAR;G\n")
    assert "i Oslo ble ikke lagret (1)" in page
    page = upload(client, "postnummeromrade.geojson", collection({"postnummer": "2399", "poststed": "KAPRET"}, [
        [[11.0, 60.8], [11.1, 60.8], [11.1, 60.9], [11.0, 60.8]]]))
    assert "i Oslo ble ikke lagret" in page
    # A new code whose larger part is in Hamar and a small part in Oslo, as Geonorge's file splits them.
    parts = [({"postnummer": "2398", "poststed": "TO DELER", "kommunenummer": kommune}, ring) for kommune, ring in [
        ("3403", [[11.0, 60.8], [11.1, 60.8], [11.1, 60.9], [11.0, 60.8]]),
        ("0301", [[10.70, 59.90], [10.71, 59.90], [10.71, 59.91], [10.70, 59.90]])]]
    page = upload(client, "postnummeromrade-to-deler.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": p, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for p, ring in parts]}))
    assert "i Oslo ble ikke lagret (1)" in page
    assert geography() == before


def test_a_postal_code_in_another_partys_branch_territory_is_left_alone(client):
    """Sagene's branch holds a Hamar code (a branch's territory is its own business): the tester holds Hamar."""
    db.session.add(PostalArea(postnummer="2317", poststed="HAMAR", kommunenummer="3403"))
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    db.session.add(BranchPostalCode(branch_id=sagene.id, postnummer="2317"))
    db.session.commit()
    before = geography()
    evil_org(client, ("3403",))
    page = upload(client, "postnummer.csv", REGISTER + "2317;KAPRET;3403;HAMAR;G\n")
    assert "i Hamar ble ikke lagret (1)" in page
    assert geography() == before


def test_in_its_own_kommune_an_upload_still_writes_and_a_mixed_file_keeps_only_that_part(client):
    evil_org(client)
    page = upload(client, "postnummer.csv", REGISTER + "2317;HAMAR;3403;HAMAR;G\n0474;KAPRET;0301;OSLO;G\n")
    assert "1 postnumre lagt til, 0 endret" in page and "i Oslo ble ikke lagret (1)" in page
    assert db.session.get(PostalArea, "2317").poststed == "HAMAR"
    assert db.session.get(PostalArea, "0474").poststed == "OSLO"
    page = upload(client, "postnummeromrade.geojson", collection(
        {"postnummer": "2317", "poststed": "HAMAR", "kommunenummer": "3403"},
        [[[11.0, 60.8], [11.1, 60.8], [11.1, 60.9], [11.0, 60.8]]]))
    assert "1 postnummerområder lagt til" in page and "ble ikke lagret" not in page
    assert db.session.get(PostalArea, "2317").geometry is not None


def test_the_operators_command_line_still_writes_shared_geography(demo_app, tmp_path):
    organisations.create("Evil Org", ["3403", "0301"], "Evil", EVIL, password=PASSWORD)
    path = tmp_path / "bydel.geojson"
    path.write_text(collection({"bydelsnummer": "030103", "navn": "Sagene"}))
    result = demo_app.test_cli_runner().invoke(args=["geodata", "import", str(path)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert json.loads(district("030103").geometry)["coordinates"][0][0] == [10.7, 59.9]


def test_a_party_that_claims_a_kommune_where_another_uploaded_first_is_told_to_fetch_it_afresh(client):
    """Elverum is nobody's yet, so the tester's rename of postal code 2410 is stored; when Oslo's admin then adds
    Elverum, the page says who might have written that geography and how to get Kartverket's."""
    evil_org(client, ("3403", "3420"))
    page = upload(client, "postnummer.csv", REGISTER + "2410;KAPRET;3420;ELVERUM;G\n")
    assert "0 postnumre lagt til, 1 endret" in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    login(client, "admin@oslo.demo")
    response = client.post("/admin/organisasjon/kommuner", data={
        "kommune": ["0301", "3420"], "csrf_token": csrf_token(client, "/admin/organisasjon/kommuner")},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Geodata i 3420 Elverum er lastet opp som fil av en annen organisasjon" in page and HOW in page
    # From now on Elverum is shared: the tester's next upload there changes nothing.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    login(client, EVIL, PASSWORD)
    page = upload(client, "postnummer.csv", REGISTER + "2410;KAPRET IGJEN;3420;ELVERUM;G\n")
    assert "i Elverum ble ikke lagret (1)" in page
    assert db.session.get(PostalArea, "2410").poststed == "KAPRET"


def test_an_address_of_the_admins_own_kommune_cannot_name_another_kommunes_bydel(client):
    """The fourth outside round: Bærum's admin uploaded an OpenStreetMap row with Bærum's postal code 1366, a point in
    Frogner (within 5 km of Lysaker) and `bydel_nr` 030105. The bydel gave the address kommune 0301 after the scope
    check had judged it by its postal code: Oslo's committee read 113,562 dwellings in Frogner, not 13,562, and
    Bærum could no longer take the row back. Any other kommune's bydel number did the same.

    Now a bydel the point lies in makes the address that kommune's before the scope check (Oslo's: not Bærum's to
    write), and one it does not lie in is dropped, the postal code's kommune kept."""
    login(client, "admin@baerum.demo")
    frogner = db.session.scalar(select(func.count()).select_from(Address).where(
        Address.district_number == "030105"))
    page = upload(client, "osm.csv", OSM_HEADER + "\n"
                  "990000001,Frognerveien,1,1,,1366,LYSAKER,59.9200,10.7100,030105,Frogner,,,1366,,apartments,5,\n"
                  "990000003,Hamarveien,1,1,,1366,LYSAKER,59.9100,10.6200,340301,Hamar,,,1366,,house,,\n"
                  "990000005,Bygdøy allé,1,1,,1366,LYSAKER,59.9100,10.6200,030105,Frogner,,,1366,,house,,\n")
    assert "2 adresser lagt til" in page and "1 lå utenfor kommunene deres" in page, page
    stored = {a.official_id: (a.kommunenummer, a.district_number) for a in db.session.scalars(
        select(Address).where(Address.official_id.like("osm:99000000%")))}
    assert stored == {"osm:990000003": ("3201", None), "osm:990000005": ("3201", None)}
    assert db.session.scalar(select(func.count()).select_from(Address).where(
        Address.district_number == "030105")) == frogner
    # And a row it wrote is still Bærum's to change.
    page = upload(client, "osm.csv", OSM_HEADER + "\n"
                  "990000003,Hamarveien,3,3,,1366,LYSAKER,59.9100,10.6200,,,,,1366,,house,,\n")
    assert "utenfor kommunene" not in page and db.session.scalar(
        select(Address.number).where(Address.official_id == "osm:990000003")) == 3


def test_a_building_of_fifty_thousand_floors_is_refused_and_a_stored_one_is_counted_as_at_most_sixty(client):
    """The same round: one row of "apartments" with 25,000 levels gave an address 50,000 estimated doors, and one
    walk-list PDF of it took 16–24 s of a web worker every organisation shares."""
    login(client, "admin@baerum.demo")
    row = "990000002,Sandvikaveien,7,7,,1337,SANDVIKA,59.8900,10.5230,,,,,1337,,apartments,{},\n"
    page = upload(client, "osm.csv", OSM_HEADER + "\n" + row.format(25000))
    assert "Urimelig mange etasjer: «25000»." in page and "Ingenting fra denne fila ble lagret." in page, page
    assert db.session.scalar(select(Address).where(Address.official_id == "osm:990000002")) is None
    assert "1 adresser lagt til" in upload(client, "osm.csv", OSM_HEADER + "\n" + row.format(12))
    assert doors.count_doors(0, "apartments", 12) == doors.DoorCount(24, True)
    assert doors.count_doors(0, "apartments", 10**9) == doors.DoorCount(doors.MAX_LEVELS * doors.FLATS_PER_FLOOR, True)
