"""The people of the access tests: one of each role, in two branches and two organisations, and what they own.

Everything is seeded in Sagene (Oslo). The other branch's coordinator and volunteer, the
committee and Bærum stand outside it, so a route that lets them see Sagene's data is a leak.
"""
import io
import shutil
import tempfile
import weakref
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import select

from canvass.extensions import db
from canvass.insight.export import XLSX
from canvass.models import (
    AddressNote,
    Branch,
    ConsentRecord,
    Contact,
    Conversation,
    Device,
    FieldDoor,
    Job,
    JobKind,
    JobState,
    Organisation,
    ProgrammeSection,
    Role,
    SectionLink,
    Theme,
    User,
)
from canvass.privacy import consent
from canvass.services.committee import committees, programme, tallies
from canvass.services.field import sync
from canvass.services.people import logins, people
from canvass.services.turf import actions, drops, holders, questions, turfs
from tests.conftest import PASSWORD, _dispose, login, login_as_volunteer, make_app
from tests.tile_standin import png

ANON, DANIEL, FRIDA, SAGENE, FROGNER, ADMIN, KOMITE, BAERUM, BAERUM_KOMITE = (
    "anonymous", "daniel", "frida", "sagene", "frogner", "admin", "komite", "baerum", "baerum_komite")
CONTACT_NAME, CONTACT_PHONE = "Hemmelig Kontaktesen", "41234599"
# A standing turf holder's phone number: it leaves the app only in the logged export of a leaflet drop.
HOLDER_PHONE = "90000777"
NOTE = "Kodelås 4711 bak Sagene-huset"


def build_world(databases_, demo_template):
    """Sagene's action, turf, volunteer, contact and door note; a Frogner volunteer; committees in Oslo and Bærum."""
    # CSRF and rate limits have their own tests; here they would only stand between the actors and the checks.
    # One map tile waits in the tile cache; the upstream is a closed port, so nothing leaves the machine.
    tile_cache = Path(tempfile.mkdtemp(prefix="canvass-tiles-"))
    (tile_cache / "topograatone" / "16" / "34726").mkdir(parents=True)
    (tile_cache / "topograatone" / "16" / "34726" / "19052.png").write_bytes(png((210, 210, 210)))
    app = make_app(databases_.create(demo_template), WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False,
                   TILE_UPSTREAM="http://127.0.0.1:9/{layer}/{z}/{y}/{x}.png", TILE_CACHE_DIR=tile_cache)
    weakref.finalize(app, shutil.rmtree, tile_cache, True)
    with app.app_context():
        oslo = db.session.scalar(select(Organisation).where(Organisation.name == "Oslo"))
        baerum = db.session.scalar(select(Organisation).where(Organisation.name == "Bærum"))
        sagene, frogner = (db.session.scalar(select(Branch).where(Branch.name == n)) for n in ("Sagene", "Frogner"))
        coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
        daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
        frida = people.create_user(oslo, Role.CANVASSER, "Frida Frogner", phone="+4790000001", branch=frogner)
        people.create_user(baerum, Role.COMMITTEE, "Bente Bærum", email="komite@baerum.demo", password=PASSWORD)
        cut_0473 = turfs.cut_turfs(sagene, ["0473"], target=60)
        turf = cut_0473[0]
        other = turfs.cut_turfs(sagene, ["0474"], target=60)[0]
        action = actions.create_action(sagene, "Torshov", "door", datetime.now() - timedelta(hours=1))
        actions.assign(action, turf, [daniel])
        frogner_turf = turfs.cut_turfs(frogner, ["0254"], target=60)[0]
        actions.assign(actions.create_action(frogner, "Frogner", "door", datetime.now()), frogner_turf, [frida])
        # A standing holder in Sagene, and a leaflet drop (a month ago) that gave her turf to her; Daniel holds
        # the turf the routes are tried on.
        hanne = people.create_user(oslo, Role.CANVASSER, "Hanne Holder", phone="+47" + HOLDER_PHONE, branch=sagene)
        db.session.commit()
        holders.set_holders(cut_0473[1], [(hanne.id, "bydelsutvalg")])
        drop = drops.start(oslo, sagene, "Valgavis", (datetime.now() - timedelta(days=30)).date(),
                           (datetime.now() - timedelta(days=29)).date(), datetime.now() - timedelta(days=30), [],
                           coordinator)
        holders.set_holders(other, [(daniel.id, None)])
        campaign = actions.create_campaign(sagene, "Høst", datetime.now().date(), datetime.now().date())
        asked = questions.create_set(coordinator, "Sagenes spørsmål", sagene.id)
        question = questions.add_question(asked, "yes_no", "Bør bussen gå oftere?")
        invite = people.create_invite(sagene, coordinator, 30)
        address = turf.stops[0].address_id
        db.session.add(
            AddressNote(
                client_uuid="00000000-0000-4000-8000-000000000001",
                organisation_id=oslo.id,
                branch_id=sagene.id,
                address_id=address,
                text=NOTE,
                author_id=daniel.id,
                recorded_at=datetime.now(),
            )
        )
        # A door a canvasser added in the field, waiting for Sagene's coordinator.
        added = FieldDoor(client_uuid="00000000-0000-4000-8000-000000000003", organisation_id=oslo.id,
                          branch_id=sagene.id, turf_id=other.id, address_id=other.stops[0].address_id, kind="door",
                          unit="+0000000", label="Kjeller", added_by_id=daniel.id, recorded_at=datetime.now())
        db.session.add(added)
        contact = Contact(
            event_key="s" * 64, organisation_id=oslo.id, branch_id=sagene.id, name=CONTACT_NAME, phone=CONTACT_PHONE
        )
        contact.consents.append(
            ConsentRecord(
                organisation_id=oslo.id,
                action_id=action.id,
                purpose=consent.FOLLOW_UP,
                text_version=consent.VERSION,
                text=consent.TEXT,
                given_at=datetime.now(),
                delete_after=datetime.now() + timedelta(days=9),
            )
        )
        db.session.add(contact)
        row = {
            "visit_uuid": "00000000-0000-4000-8000-000000000002",
            "organisation_id": oslo.id,
            "branch_id": sagene.id,
            "action_id": action.id,
            "address_id": None,
            "postnummer": "0473",
            "district_number": "030103",
            "topics": "bolig",
            "words": "Husleia er for høy",
            "importance": 2,
            "wants_membership": False,
            "wants_contact": False,
            "recorded_at": datetime.now(),
        }
        said = Conversation(**row)
        db.session.add(said)
        db.session.flush()
        tallies.record([{**row, "id": said.id}])
        committee = committees.committee_for(db.session.scalar(select(User).where(User.email == "komite@oslo.demo")))
        theme = Theme(committee_id=committee.id, topic="bolig", label="Husleie")
        section = ProgrammeSection(committee_id=committee.id, title="Bolig")
        db.session.add_all([theme, section])
        db.session.flush()
        link = SectionLink(section_id=section.id, theme_id=theme.id)
        db.session.add(link)
        db.session.commit()
        report = programme.publish(committee, "Rapport", "")
        job = Job(organisation_id=oslo.id, kind=JobKind.IMPORT, state=JobState.DONE, params={}, result={"files": []},
                  started_by_id=db.session.scalar(select(User.id).where(User.email == "admin@oslo.demo")), attempt=1)
        db.session.add(job)
        login_link, _ = logins.issue_link(daniel, coordinator, timedelta(hours=24))
        sync.issue_device(daniel, "Daniels telefon")
        device = db.session.scalar(select(Device).where(Device.user_id == daniel.id))
        db.session.commit()
        app.ids = {"user_id": daniel.id, "device_id": device.id, "login_link_id": login_link.id,
                   "branch_id": sagene.id, "action_id": action.id, "campaign_id": campaign.id, "turf_id": other.id,
                   "assignment_id": actions.my_assignments(daniel)[0].id, "invite_id": invite.id,
                   "contact_id": contact.id, "theme_id": theme.id, "section_id": section.id, "link_id": link.id,
                   "job_id": job.id, "membership_id": daniel.memberships[0].id, "door_id": added.id,
                   "drop_id": drop.id, "set_id": asked.id, "question_id": question.id,
                   "report_id": report.id, "conversation_id": said.id, "kind": "csv", "filename": "css/app.css",
                   "token": invite.token, "layer": "topograatone", "z": 16, "x": 34726, "y": 19052}
        app.action_token = action.signup_token
        # By id: the hostile-text tests rename everyone before the volunteers log in.
        app.volunteer_ids = {DANIEL: daniel.id, FRIDA: frida.id}
        app.frida_invite = people.create_invite(frogner, coordinator, 30).token
    return app


@pytest.fixture
def world(databases_, demo_template):
    app = build_world(databases_, demo_template)
    yield app
    _dispose(app)


def clients(app) -> dict:
    """A logged-in test client per actor, and one for the anonymous visitor."""
    with app.app_context():
        return _logged_in(app)


def _logged_in(app) -> dict:
    clients = {ANON: app.test_client()}
    for name, email in (
        (SAGENE, "sagene@oslo.demo"),
        (FROGNER, "frogner@oslo.demo"),
        (ADMIN, "admin@oslo.demo"),
        (KOMITE, "komite@oslo.demo"),
        (BAERUM, "admin@baerum.demo"),
        (BAERUM_KOMITE, "komite@baerum.demo"),
    ):
        clients[name] = app.test_client()
        login(clients[name], email)
    for name, user_id in app.volunteer_ids.items():
        clients[name] = app.test_client()
        login_as_volunteer(clients[name], db.session.get(User, user_id))
    return clients


def url(app, rule) -> str:
    """The rule's address, filled in with Sagene's objects."""
    values = {arg: (app.action_token if rule.endpoint == "actions.signup" else app.ids[arg]) for arg in rule.arguments}
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def readable(response) -> str:
    """What a person could read in the answer; an Excel file is a zip of XML. PDFs are compressed and are
    covered by their own tests; a map tile is a picture of the map."""
    if response.mimetype == XLSX:
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as book:
            return "".join(book.read(name).decode() for name in book.namelist())
    if response.mimetype in ("application/pdf", "image/png"):
        return ""
    return response.get_data(as_text=True)
