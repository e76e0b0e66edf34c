"""Every route in the URL map against every role and branch, generated from the map itself.

A new route without a line in POLICY fails the test, so nobody can add a page and forget who may
see it. Everything is seeded in Sagene (Oslo): the other branch's coordinator and canvasser, the
committee and Bærum must be turned away, and no page any of them can open may show Sagene's
personal data.
"""
import io
import zipfile
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from canvass.extensions import db
from canvass.insight.export import XLSX
from canvass.models import (AddressNote, Branch, Contact, ConsentRecord, Conversation, Organisation, ProgrammeSection,
                            Role, SectionLink, Theme, User)
from canvass.privacy import consent
from canvass.services import actions, committees, people, programme, turfs
from tests.conftest import PASSWORD, _dispose, login, make_app

ANON, DANIEL, FRIDA, SAGENE, FROGNER, ADMIN, KOMITE, BAERUM, BAERUM_KOMITE = (
    "anonymous", "daniel", "frida", "sagene", "frogner", "admin", "komite", "baerum", "baerum_komite")
EVERYONE = {DANIEL, FRIDA, SAGENE, FROGNER, ADMIN, KOMITE, BAERUM, BAERUM_KOMITE}
OSLO = {DANIEL, FRIDA, SAGENE, FROGNER, ADMIN, KOMITE}
PUBLIC = EVERYONE | {ANON}
MANAGES_SAGENE = {SAGENE, ADMIN}
MANAGERS = {SAGENE, FROGNER, ADMIN, BAERUM}
ADMINS = {ADMIN, BAERUM}
COMMITTEES = {KOMITE, BAERUM_KOMITE}

# Who gets the page (GET) or may do the thing (POST), for objects that belong to Sagene in Oslo.
# A page for "own scope" (the people list, the follow-up list) is open to every manager; what it shows
# is checked by SECRETS below.
POLICY = {
    "actions.assign": MANAGES_SAGENE, "actions.campaign": MANAGES_SAGENE, "actions.coverage_map": MANAGES_SAGENE,
    "actions.create": MANAGES_SAGENE, "actions.create_campaign": MANAGES_SAGENE, "actions.index": MANAGES_SAGENE,
    "actions.my_sheet": {DANIEL}, "actions.my_turf_shape": {DANIEL}, "actions.progress_fragment": MANAGES_SAGENE,
    "actions.release": MANAGES_SAGENE, "actions.second_round": MANAGES_SAGENE, "actions.show": MANAGES_SAGENE,
    # Any volunteer of the organisation may sign up for any branch's action.
    "actions.signup": OSLO,
    "admin.geodata": ADMINS, "admin.map_data": ADMINS, "admin.upload": ADMINS,
    "auth.join": PUBLIC, "auth.language": PUBLIC, "auth.login": PUBLIC, "auth.logout": EVERYONE,
    # Only after the right password; anyone else is sent back to the login page.
    "auth.second_factor": set(),
    "branches.create": ADMINS, "branches.from_district": {ADMIN}, "branches.map_data": MANAGERS,
    "branches.overview": MANAGERS, "branches.set_codes": {ADMIN}, "branches.show": MANAGES_SAGENE,
    "committee.add_section": COMMITTEES, "committee.compare": COMMITTEES, "committee.consider_input": {KOMITE},
    "committee.consider_theme": {KOMITE}, "committee.dashboard": COMMITTEES, "committee.delete_section": {KOMITE},
    "committee.export": COMMITTEES, "committee.find_themes": COMMITTEES, "committee.input": COMMITTEES,
    "committee.link": COMMITTEES, "committee.merge_themes": {KOMITE}, "committee.postal_codes": COMMITTEES,
    "committee.programme": COMMITTEES, "committee.rename_theme": {KOMITE}, "committee.report": COMMITTEES,
    "committee.set_k": COMMITTEES, "committee.split_theme": {KOMITE}, "committee.tag_input": {KOMITE},
    "committee.theme": {KOMITE}, "committee.unlink": {KOMITE}, "committee.update_section": {KOMITE},
    "field.conversation": {DANIEL}, "field.note": {DANIEL}, "field.record": {DANIEL},
    "field.stand_input": EVERYONE, "field.undo": {DANIEL}, "field.walk": {DANIEL},
    "home.index": EVERYONE,
    "people.index": MANAGERS, "people.invite": MANAGES_SAGENE, "people.revoke_invite": MANAGES_SAGENE,
    "people.show_invite": MANAGES_SAGENE,
    "privacy.audit_log": ADMINS, "privacy.contacts": MANAGERS, "privacy.contacts_export": MANAGERS,
    "privacy.delete_contact": MANAGES_SAGENE, "privacy.followed_up": MANAGES_SAGENE,
    "privacy.subject_erase": ADMINS, "privacy.subject_export": ADMINS, "privacy.subject_request": ADMINS,
    "pwa.manifest": PUBLIC, "pwa.service_worker": PUBLIC,
    # Published reports are for the whole organisation: counts and scrubbed quotes only.
    "reports.index": EVERYONE, "reports.show": OSLO,
    "static": PUBLIC,
    "sync.device": EVERYONE, "sync.events": {DANIEL},
    "turf.cut": MANAGES_SAGENE, "turf.index": MANAGES_SAGENE, "turf.merge": MANAGES_SAGENE,
    "turf.move": MANAGES_SAGENE, "turf.outlines": MANAGES_SAGENE, "turf.rename": MANAGES_SAGENE,
    "turf.shape": MANAGES_SAGENE, "turf.sheet": MANAGES_SAGENE, "turf.show": MANAGES_SAGENE,
    "turf.split": MANAGES_SAGENE,
}

CONTACT_NAME, CONTACT_PHONE = "Hemmelig Kontaktesen", "41234599"
NOTE = "Kodelås 4711 bak Sagene-huset"
# Personal data seeded in Sagene, and who may ever see it. Any other actor's page showing it is a leak.
SECRETS = {CONTACT_NAME: MANAGES_SAGENE, CONTACT_PHONE: MANAGES_SAGENE,
           "Daniel Dørbanker": {DANIEL, SAGENE, ADMIN}, "91234567": set(), NOTE: {DANIEL}}
DENIED = {401, 403, 404}


@pytest.fixture
def world(databases_, demo_template):
    """Sagene's action, turf, volunteer, contact and door note; a Frogner volunteer; committees in Oslo and Bærum."""
    # CSRF and rate limits have their own tests; here they would only stand between the actors and the checks.
    app = make_app(databases_.create(demo_template), WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        oslo = db.session.scalar(select(Organisation).where(Organisation.name == "Oslo"))
        baerum = db.session.scalar(select(Organisation).where(Organisation.name == "Bærum"))
        sagene, frogner = (db.session.scalar(select(Branch).where(Branch.name == n)) for n in ("Sagene", "Frogner"))
        coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
        daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
        frida = people.create_user(oslo, Role.CANVASSER, "Frida Frogner", phone="+4790000001", branch=frogner)
        people.create_user(baerum, Role.COMMITTEE, "Bente Bærum", email="komite@baerum.demo", password=PASSWORD)
        turf = turfs.cut_turfs(sagene, ["0473"], target=60)[0]
        other = turfs.cut_turfs(sagene, ["0474"], target=60)[0]
        action = actions.create_action(sagene, "Torshov", "door", datetime.now() - timedelta(hours=1))
        actions.assign(action, turf, [daniel])
        frogner_turf = turfs.cut_turfs(frogner, ["0254"], target=60)[0]
        actions.assign(actions.create_action(frogner, "Frogner", "door", datetime.now()), frogner_turf, [frida])
        campaign = actions.create_campaign(sagene, "Høst", datetime.now().date(), datetime.now().date())
        invite = people.create_invite(sagene, coordinator, 30)
        address = turf.stops[0].address_id
        db.session.add(AddressNote(client_uuid="00000000-0000-4000-8000-000000000001", organisation_id=oslo.id,
                                   address_id=address, text=NOTE, author_id=daniel.id, recorded_at=datetime.now()))
        contact = Contact(event_key="s" * 64, organisation_id=oslo.id, branch_id=sagene.id, name=CONTACT_NAME,
                          phone=CONTACT_PHONE)
        contact.consents.append(ConsentRecord(organisation_id=oslo.id, action_id=action.id, purpose=consent.FOLLOW_UP,
                                              text_version=consent.VERSION, text=consent.TEXT,
                                              given_at=datetime.now(), delete_after=datetime.now() + timedelta(days=9)))
        db.session.add(contact)
        said = Conversation(visit_uuid="00000000-0000-4000-8000-000000000002", organisation_id=oslo.id,
                            branch_id=sagene.id, action_id=action.id, postnummer="0473", topics="bolig",
                            words="Husleia er for høy", recorded_at=datetime.now())
        db.session.add(said)
        committee = committees.committee_for(db.session.scalar(select(User).where(User.email == "komite@oslo.demo")))
        theme = Theme(committee_id=committee.id, topic="bolig", label="Husleie")
        section = ProgrammeSection(committee_id=committee.id, title="Bolig")
        db.session.add_all([theme, section])
        db.session.flush()
        link = SectionLink(section_id=section.id, theme_id=theme.id)
        db.session.add(link)
        db.session.commit()
        report = programme.publish(committee, "Rapport", "")
        app.ids = {"branch_id": sagene.id, "action_id": action.id, "campaign_id": campaign.id, "turf_id": other.id,
                   "assignment_id": actions.my_assignments(daniel)[0].id, "invite_id": invite.id,
                   "contact_id": contact.id, "theme_id": theme.id, "section_id": section.id, "link_id": link.id,
                   "report_id": report.id, "conversation_id": said.id, "kind": "csv", "filename": "css/app.css",
                   "token": invite.token}
        app.action_token = action.signup_token
        app.frida_invite = people.create_invite(frogner, coordinator, 30).token
    yield app
    _dispose(app)


def _clients(app) -> dict:
    with app.app_context():
        return _logged_in(app)


def _logged_in(app) -> dict:
    clients = {ANON: app.test_client()}
    for name, email in ((SAGENE, "sagene@oslo.demo"), (FROGNER, "frogner@oslo.demo"), (ADMIN, "admin@oslo.demo"),
                        (KOMITE, "komite@oslo.demo"), (BAERUM, "admin@baerum.demo"),
                        (BAERUM_KOMITE, "komite@baerum.demo")):
        clients[name] = app.test_client()
        login(clients[name], email)
    for name, token, who, phone in ((DANIEL, app.ids["token"], "Daniel Dørbanker", "+4791234567"),
                                    (FRIDA, app.frida_invite, "Frida Frogner", "+4790000001")):
        clients[name] = app.test_client()
        assert clients[name].post(f"/bli-med/{token}", data={"name": who, "phone": phone}).status_code == 302
    return clients


def _url(app, rule) -> str:
    values = {arg: (app.action_token if rule.endpoint == "actions.signup" else app.ids[arg]) for arg in rule.arguments}
    with app.test_request_context():
        from flask import url_for
        return url_for(rule.endpoint, **values)


def _text(response) -> str:
    """What a person could read in the answer; an Excel file is a zip of XML. PDFs are compressed and are
    covered by their own tests."""
    if response.mimetype == XLSX:
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as book:
            return "".join(book.read(name).decode() for name in book.namelist())
    if response.mimetype == "application/pdf":
        return ""
    return response.get_data(as_text=True)


def _let_in(response) -> bool:
    """The page itself, or a redirect to the user's own place in the app (the start page does that)."""
    return response.status_code == 200 or (response.status_code == 302 and not response.location.startswith("/login"))


def _turned_away(response) -> bool:
    if response.status_code == 302:
        return response.location.startswith("/login")
    return response.status_code in DENIED


def test_every_route_has_a_policy(world):
    assert sorted({rule.endpoint for rule in world.url_map.iter_rules()} - set(POLICY)) == []
    assert sorted(set(POLICY) - {rule.endpoint for rule in world.url_map.iter_rules()}) == []


def test_every_route_lets_in_exactly_who_it_should_and_leaks_nothing(world):
    clients = _clients(world)
    wrong = []
    for rule in sorted(world.url_map.iter_rules(), key=lambda r: r.rule):
        url, allowed = _url(world, rule), POLICY[rule.endpoint]
        for actor, client in clients.items():
            if "GET" in rule.methods:
                response = client.get(url)
                if actor in allowed and not _let_in(response):
                    wrong.append(f"GET {url} as {actor}: {response.status_code}, expected to be let in")
                elif actor not in allowed and not _turned_away(response):
                    wrong.append(f"GET {url} as {actor}: {response.status_code}, expected to be turned away")
                body = _text(response) if response.status_code == 200 else ""
                wrong += [f"GET {url} as {actor} shows {secret!r}" for secret, may in SECRETS.items()
                          if actor not in may and secret in body]
            if "POST" in rule.methods and actor not in allowed:
                # The sync API answers to a phone's credential, not to a session: without one it is turned away.
                response = client.post(url, data={"branch": world.ids["branch_id"]})
                if not _turned_away(response):
                    wrong.append(f"POST {url} as {actor}: {response.status_code}, expected to be turned away")
    assert wrong == [], "\n".join(wrong)
