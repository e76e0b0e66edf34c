"""The demo `make run` loads: Oslo with its 16 lokallag, Bærum with five partiavdelinger, one user per role, and
(`flask demo load`) a city-wide leaflet drop in which Daniel has put leaflets in some mailboxes."""
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from canvass.extensions import db
from canvass.models import (
    Address,
    Assignment,
    Branch,
    LeafletDrop,
    Organisation,
    OrganisationMunicipality,
    Role,
    TurfAddress,
    User,
)
from canvass.services.field import sync
from canvass.services.geography import geodata_import, territory
from canvass.services.people import people
from canvass.services.turf import drops, holders, turfs

DEMO_FILES = [
    "postnummerregister_oslo_baerum.csv",
    "postal_areas_oslo_baerum.geojson",
    "kommuner_oslo_baerum.geojson",
    "oslo_bydeler.geojson",
    "oslo_delbydeler.geojson",
    "addresses_oslo_sentrum_osm.csv",
    "kartverket-format/matrikkelen_adresse_sample_3420_elverum.csv",
    "kartverket-format/matrikkelen_adresse_leilighetsniva_HEADER_ONLY.csv",
]
# Oslo SV's 16 lokallag (work plan 2024-2027, section 2); all but Studentlaget are district branches.
OSLO_BRANCHES = ["Studentlaget", "Stovner", "Ullern", "Grorud", "Vestre Aker", "Bjerke", "Alna", "Nordstrand",
                 "Søndre Nordstrand", "Frogner", "Nordre Aker", "Østensjø", "St. Hanshaugen", "Sagene",
                 "Grünerløkka", "Gamle Oslo"]
BAERUM_DIVISIONS = {
    "Sandvika og Slependen": ["1336", "1337", "1338", "1341", "1344"],
    "Vestre Bærum": ["1339", "1340", "1346", "1348", "1349", "1350", "1351", "1352", "1353", "1354"],
    "Østerås og Eiksmarka": ["1359", "1361", "1362"],
    "Bekkestua og Stabekk": ["1356", "1357", "1358", "1363", "1365", "1368", "1369"],
    "Fornebu, Lysaker og Snarøya": ["1360", "1364", "1366", "1367"],
}
PASSWORD = "demo-passord"


def geodata_files(folder: Path) -> list[Path]:
    return [folder / name for name in DEMO_FILES if (folder / name).exists()]


def load(folder: Path) -> list[geodata_import.ImportResult]:
    """Load the geodata and create the demo organisations; running it again changes nothing."""
    results = geodata_import.import_paths(geodata_files(folder))
    if db.session.scalar(select(Organisation).where(Organisation.name == "Oslo")) is None:
        _create_organisations()
    return results


def _organisation(name: str, kommuner: list[str]) -> Organisation:
    organisation = Organisation(name=name, municipalities=[OrganisationMunicipality(kommunenummer=k) for k in kommuner])
    db.session.add(organisation)
    return organisation


def _create_organisations() -> None:
    oslo = _organisation("Oslo", ["0301"])
    branches = {name: Branch(organisation=oslo, name=name, kind="lokallag") for name in OSLO_BRANCHES}
    db.session.add_all(branches.values())
    db.session.commit()
    for district in territory.districts(oslo):
        branch = branches.get(district.name)
        if branch is not None:
            territory.set_territory(branch, territory.codes_in_district(district, oslo))

    baerum = _organisation("Bærum", ["3201"])
    divisions = [Branch(organisation=baerum, name=name, kind="partiavdeling") for name in BAERUM_DIVISIONS]
    db.session.add_all(divisions)
    db.session.commit()
    for branch in divisions:
        territory.set_territory(branch, BAERUM_DIVISIONS[branch.name])

    people.create_user(oslo, Role.ADMIN, "Astrid Admin", email="admin@oslo.demo", password=PASSWORD)
    people.create_user(oslo, Role.COORDINATOR, "Sigrid Sagene", email="sagene@oslo.demo", password=PASSWORD,
                       branch=branches["Sagene"])
    people.create_user(oslo, Role.COORDINATOR, "Fredrik Frogner", email="frogner@oslo.demo", password=PASSWORD,
                       branch=branches["Frogner"])
    people.create_user(oslo, Role.COMMITTEE, "Kari Komité", email="komite@oslo.demo", password=PASSWORD)
    people.create_user(oslo, Role.CANVASSER, "Daniel Dørbanker", phone="+4791234567", branch=branches["Sagene"])
    people.create_user(baerum, Role.ADMIN, "Bjørn Bærum", email="admin@baerum.demo", password=PASSWORD)
    db.session.commit()


DROP_TITLE = "Valgavis desember"


def leaflet_drop(today: date) -> LeafletDrop | None:
    """Oslo's city-wide leaflet drop: Sagene's addresses cut into turf, Daniel holding the first and Sigrid Sagene
    the second (the rest listed for assignment), and the first half of Daniel's entrances marked done, a few with
    "nei takk" or a locked door. None if Oslo has one already or Sagene has no addresses. Marked through the sync
    API, as a phone does, so the figures are the app's own."""
    oslo = db.session.scalar(select(Organisation).where(Organisation.name == "Oslo"))
    if oslo is None or db.session.scalar(select(LeafletDrop.id).where(LeafletDrop.organisation_id == oslo.id)):
        return None
    sagene = db.session.scalar(select(Branch).where(Branch.organisation_id == oslo.id, Branch.name == "Sagene"))
    codes = sorted(db.session.scalars(select(Address.postnummer).where(
        Address.postnummer.in_(sagene.territory)).group_by(Address.postnummer)))
    if not codes:
        return None
    cut = turfs.cut_turfs(sagene, codes, target=150)
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    sigrid = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
    admin = db.session.scalar(select(User).where(User.email == "admin@oslo.demo"))
    for turf, holder in zip(cut, (daniel, sigrid), strict=False):
        holders.set_holders(turf, [(holder.id, None)])
    drop = drops.start(oslo, None, DROP_TITLE, today, today + timedelta(days=6),
                       datetime.combine(today, datetime.min.time()), [], admin)
    first = db.session.scalar(select(Assignment).where(Assignment.user_id == daniel.id,
                                                       Assignment.turf_id == cut[0].id))
    stops = db.session.scalars(select(TurfAddress).where(TurfAddress.turf_id == cut[0].id)
                               .order_by(TurfAddress.position)).all()
    now = datetime.now().astimezone() - timedelta(hours=1)
    events = []
    for n, stop in enumerate(stops[: len(stops) // 2]):
        counts = {"no_ads": 1 if n % 4 == 1 and stop.doors >= 2 else 0,
                  "locked": stop.doors if n % 10 == 7 else 0}
        events.append({"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"canvass-demo-drop/{stop.address_id}")),
                       "type": "visit", "recorded_at": (now + timedelta(minutes=n)).isoformat(),
                       "turf_id": first.turf_id, "action_id": first.action_id, "address_id": stop.address_id,
                       "unit": "", "outcome": "mailboxes", "mailboxes": counts})
    sync.ingest(daniel, events)
    return drop

