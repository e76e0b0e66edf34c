"""The bad-input catalogue: what a tired volunteer, a broken phone or a hostile tester sends, and what they get back.

Every case names who sends it, what, the status it must get (a page with a message is 200 or
400, the API answers with a precise 4xx) and the Norwegian message it must show. The database
must be exactly as it was afterwards: every table's rows are compared before and after.
The sync endpoint is also fuzzed with hypothesis (bottom).
"""
import io
import json
import re
import uuid
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Address, AddressNote, Branch, ConsentRecord, Contact, Conversation, Organisation, User, Visit
from canvass.privacy import consent
from canvass.services.committee import committees
from canvass.services.field import sync
from canvass.services.people import people
from canvass.services.turf import actions
from tests.conftest import _dispose, csrf_token, daniels_turf_tonight, login, login_as_volunteer, make_app
from tests.snapshot import snapshot


@pytest.fixture(scope="module")
def world(databases_, demo_template):
    """Daniel's turf in a Sagene action, his phone's credential, one visit already stored; logged-in clients."""
    app = make_app(databases_.create(demo_template), RATELIMIT_ENABLED=False)
    with app.app_context():
        turf, action, daniel = daniels_turf_tonight()
        sagene = turf.branch
        app.token = sync.issue_device(daniel, "test")
        baerum = db.session.scalar(select(Branch).join(Organisation).where(Organisation.name == "Bærum").limit(1))
        app.baerum_action = actions.create_action(baerum, "Bekkestua", "door", datetime.now()).id
        frogner = db.session.scalar(select(Branch).where(Branch.name == "Frogner"))
        app.frogner_action = actions.create_action(frogner, "Stand på Majorstuen", "door", datetime.now()).id
        app.turf, app.action, app.branch = turf.id, action.id, sagene.id
        app.door = next(s.address_id for s in turf.stops if s.doors)
        app.foreign_door = db.session.scalar(select(Address.id).where(Address.postnummer == "0254").limit(1))
        app.assignment = actions.my_assignments(daniel)[0].id
        app.stored_id = str(uuid.uuid4())
        assert sync.ingest(daniel, [visit(app, id=app.stored_id)])[0].status == "stored"
        app.clients = {}
        for who, email in (
            ("admin", "admin@oslo.demo"),
            ("sagene", "sagene@oslo.demo"),
            ("komite", "komite@oslo.demo"),
        ):
            app.clients[who] = app.test_client()
            login(app.clients[who], email)
        phone = app.test_client()
        link = people.create_invite(sagene, db.session.scalar(select(User).where(User.email == "sagene@oslo.demo")), 30)
        app.invite = link.token
        login_as_volunteer(phone, daniel)
        app.clients["daniel"] = phone
        app.clients["anonymous"] = app.test_client()
        # The committee is made on a member's first visit; make it now, so the cases start from it.
        committees.committee_for(db.session.scalar(select(User).where(User.email == "komite@oslo.demo")))
        db.session.commit()  # committee_for makes it on first use and leaves storing it to the caller
    yield app
    _dispose(app)


def visit(app, **fields) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "visit",
        "outcome": "not_home",
        "turf_id": app.turf,
        "action_id": app.action,
        "address_id": app.door,
        "unit": "1",
        "recorded_at": (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat(),
        **fields,
    }


def talk(app, conversation=None, contact=None, **fields) -> dict:
    said = {
        "topics": ["bolig"],
        "words": "Husleia",
        "importance": 2,
        "wants_membership": True,
        "wants_contact": False,
        **(conversation or {}),
    }
    event = visit(app, outcome="conversation", conversation=said, **fields)
    if contact is not None:
        event["contact"] = {
            "consent": True,
            "consent_version": consent.VERSION,
            "name": "Kari Nordmann",
            "phone": "41234567",
            **contact,
        }
    return event


@dataclass
class Case:
    name: str
    who: str
    send: callable
    status: tuple
    message: str = ""
    # For the sync API: the reason the one event in the batch must be rejected with.
    reason: str = ""
    extra: dict = dataclass_field(default_factory=dict)


def api(body, token=True, raw=False):
    def send(app, client):
        headers = (
            {"Authorization": f"Bearer {app.token}"} if token is True else ({"Authorization": token} if token else {})
        )
        if raw:
            return client.post(
                "/api/sync/v1/events", data=body, headers={**headers, "Content-Type": "application/json"}
            )
        return client.post("/api/sync/v1/events", json=body(app) if callable(body) else body, headers=headers)

    return send


def nested(depth: int):
    value = "H0101"
    for _ in range(depth):
        value = [value]
    return value


def events(*make):
    return lambda app: {"protocol": 1, "events": [m(app) for m in make]}


def form(path, data=None, files=None):
    def send(app, client):
        address = path(app) if callable(path) else path
        values = data(app) if callable(data) else dict(data or {})
        values["csrf_token"] = csrf_token(client, "/")
        if files:
            values["files"] = [(io.BytesIO(content), name) for name, content in files.items()]
            return client.post(address, data=values, content_type="multipart/form-data")
        return client.post(address, data=values)

    return send


REJECTED = (200,)
SYNC = [
    Case(
        "the body is not JSON",
        "daniel",
        api(b"{events: [", raw=True),
        (400,),
        "Ugyldig forespørsel: sendingen er ikke gyldig JSON.",
    ),
    Case(
        "the JSON is a list, not an object",
        "daniel",
        api([{"id": 1}]),
        (400,),
        "Ugyldig forespørsel: sendingen må være et JSON-objekt med «events».",
    ),
    Case(
        "events is not a list",
        "daniel",
        api({"protocol": 1, "events": {"id": 1}}),
        (400,),
        "Ugyldig forespørsel: «events» må være en liste.",
    ),
    Case(
        "JSON nested 100,000 deep",
        "daniel",
        api(b'{"events": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", raw=True),
        (400,),
        "Ugyldig forespørsel: JSON-en er for dypt nøstet (høyst 8 nivåer).",
    ),
    Case(
        "an event nested 20 deep",
        "daniel",
        api(lambda app: {"events": [visit(app, unit=nested(20))]}),
        (400,),
        "Ugyldig forespørsel: JSON-en er for dypt nøstet (høyst 8 nivåer).",
    ),
    Case(
        "a body of 31 MB",
        "daniel",
        api(b'{"events": [], "fyll": "' + b"x" * (31 * 1024 * 1024) + b'"}', raw=True),
        (413,),
        "Sendingen er for stor (høyst 2 MB).",
    ),
    Case(
        "an id of 5,000 digits",
        "daniel",
        api(b'{"events": [{"id": ' + b"9" * 5000 + b', "type": "visit"}]}', raw=True),
        REJECTED,
        reason="Ugyldig id på registreringen.",
    ),
    Case(
        "a time in year 1 an hour east of UTC",
        "daniel",
        api(events(lambda app: visit(app, recorded_at="0001-01-01T00:30:00+01:00"))),
        REJECTED,
        reason="Tidspunktet for registreringen er ugyldig.",
    ),
    Case(
        "a time at the end of year 9999 west of UTC",
        "daniel",
        api(events(lambda app: visit(app, recorded_at="9999-12-31T23:59:59-01:00"))),
        REJECTED,
        reason="Tidspunktet for registreringen er ugyldig.",
    ),
    Case(
        "an importance of true",
        "daniel",
        api(events(lambda app: talk(app, {"importance": True}))),
        REJECTED,
        reason="Samtaleinnholdet er ugyldig.",
    ),
    Case(
        "a door that is a list",
        "daniel",
        api(events(lambda app: visit(app, unit=["H0101"]))),
        REJECTED,
        reason="Ugyldig dør «['H0101']».",
    ),
    Case(
        "a visit's id resent as stand input",
        "daniel",
        api(
            events(
                lambda app: {
                    "id": app.stored_id,
                    "type": "input",
                    "conversation": {"topics": ["bolig"]},
                    "recorded_at": datetime.now(timezone.utc).isoformat(),
                }
            )
        ),
        REJECTED,
        reason="En annen registrering har samme id.",
    ),
    Case(
        "stand input under another branch's action",
        "daniel",
        api(
            events(
                lambda app: {
                    "id": str(uuid.uuid4()),
                    "type": "input",
                    "action_id": app.frogner_action,
                    "conversation": {"topics": ["bolig"]},
                    "recorded_at": datetime.now(timezone.utc).isoformat(),
                }
            )
        ),
        REJECTED,
        reason="Ukjent aksjon.",
    ),
    Case(
        "stand input from another branch's postal code",
        "daniel",
        api(
            events(
                lambda app: {
                    "id": str(uuid.uuid4()),
                    "type": "input",
                    "postnummer": "0253",
                    "conversation": {"topics": ["bolig"]},
                    "recorded_at": datetime.now(timezone.utc).isoformat(),
                }
            )
        ),
        REJECTED,
        reason="Postnummeret 0253 hører ikke til lagets område.",
    ),
    Case(
        "a batch of 201 events",
        "daniel",
        api(lambda app: {"events": [visit(app) for _ in range(201)]}),
        (413,),
        "For mange registreringer i én sending",
    ),
    Case("no credential", "daniel", api(events(visit), token=None), (401,), "Telefonen er ikke registrert"),
    Case(
        "a forged credential",
        "daniel",
        api(events(visit), token="Bearer " + "A" * 43),
        (401,),
        "Telefonen er ikke registrert",
    ),
    Case(
        "a credential without 'Bearer'",
        "daniel",
        api(events(visit), token="Basic ZGFuaWVs"),
        (401,),
        "Telefonen er ikke registrert",
    ),
    Case("an event that is a string", "daniel", api({"events": ["besøk"]}), REJECTED, reason="Ugyldig registrering."),
    Case(
        "an id that is not a UUID",
        "daniel",
        api(events(lambda app: visit(app, id="1; DROP TABLE visit"))),
        REJECTED,
        reason="Ugyldig id på registreringen.",
    ),
    Case(
        "an unknown type",
        "daniel",
        api(events(lambda app: visit(app, type="vote"))),
        REJECTED,
        reason="Ukjent type registrering.",
    ),
    Case(
        "an unknown outcome",
        "daniel",
        api(events(lambda app: visit(app, outcome="kidnapped"))),
        REJECTED,
        reason="Ukjent resultat «kidnapped».",
    ),
    Case(
        "a time two days ahead",
        "daniel",
        api(events(lambda app: visit(app, recorded_at=(datetime.now(timezone.utc) + timedelta(days=2)).isoformat()))),
        REJECTED,
        reason="Tidspunktet for registreringen er ugyldig.",
    ),
    Case(
        "a time a year ago",
        "daniel",
        api(events(lambda app: visit(app, recorded_at=(datetime.now(timezone.utc) - timedelta(days=365)).isoformat()))),
        REJECTED,
        reason="Tidspunktet for registreringen er ugyldig.",
    ),
    Case(
        "a time without a time zone",
        "daniel",
        api(events(lambda app: visit(app, recorded_at=datetime.now().isoformat()))),
        REJECTED,
        reason="Tidspunktet for registreringen er ugyldig.",
    ),
    Case(
        "a time that is not a time",
        "daniel",
        api(events(lambda app: visit(app, recorded_at="i går"))),
        REJECTED,
        reason="Tidspunktet for registreringen er ugyldig.",
    ),
    Case(
        "a door outside the turf",
        "daniel",
        api(events(lambda app: visit(app, address_id=app.foreign_door))),
        REJECTED,
        reason="Du kan ikke registrere besøk på denne adressen.",
    ),
    Case(
        "a door that does not exist",
        "daniel",
        api(events(lambda app: visit(app, address_id=10**9))),
        REJECTED,
        reason="Du kan ikke registrere besøk på denne adressen.",
    ),
    Case(
        "a turf id that is a string",
        "daniel",
        api(events(lambda app: visit(app, turf_id=str(app.turf)))),
        REJECTED,
        reason="Du kan ikke registrere besøk på denne adressen.",
    ),
    Case(
        "an action that is a list",
        "daniel",
        api(events(lambda app: visit(app, action_id=[]))),
        REJECTED,
        reason="Ukjent aksjon.",
    ),
    Case(
        "another organisation's action",
        "daniel",
        api(events(lambda app: visit(app, action_id=app.baerum_action))),
        REJECTED,
        reason="Ukjent aksjon.",
    ),
    Case(
        "a turf id too big for the database",
        "daniel",
        api(events(lambda app: visit(app, turf_id=2**63))),
        REJECTED,
        reason="Du kan ikke registrere besøk på denne adressen.",
    ),
    Case(
        "a replayed id with other content",
        "daniel",
        api(events(lambda app: visit(app, id=app.stored_id, outcome="refused"))),
        REJECTED,
        reason="En annen registrering har samme id.",
    ),
    Case(
        "words over 4,000 characters",
        "daniel",
        api(events(lambda app: talk(app, {"words": "x" * 4001}))),
        REJECTED,
        reason="Teksten kan være høyst 4000 tegn (denne har 4001).",
    ),
    Case(
        "topics that are not a list",
        "daniel",
        api(events(lambda app: talk(app, {"topics": "bolig"}))),
        REJECTED,
        reason="Samtaleinnholdet er ugyldig.",
    ),
    Case(
        "an importance of 7",
        "daniel",
        api(events(lambda app: talk(app, {"importance": 7}))),
        REJECTED,
        reason="Samtaleinnholdet er ugyldig.",
    ),
    Case(
        "a conversation on a door nobody opened",
        "daniel",
        api(events(lambda app: {**talk(app), "outcome": "not_home"})),
        REJECTED,
        reason="Samtaleinnholdet hører bare til en samtale.",
    ),
    Case(
        "a door note of 201 characters",
        "daniel",
        api(
            events(
                lambda app: {
                    "id": str(uuid.uuid4()),
                    "type": "note",
                    "turf_id": app.turf,
                    "address_id": app.door,
                    "text": "n" * 201,
                    "recorded_at": datetime.now(timezone.utc).isoformat(),
                }
            )
        ),
        REJECTED,
        reason="Notatet må ha mellom 1 og 200 tegn.",
    ),
    Case(
        "stand input dated next week",
        "daniel",
        api(
            events(
                lambda app: {
                    "id": str(uuid.uuid4()),
                    "type": "input",
                    "conversation": {"topics": ["bolig"]},
                    "recorded_at": (datetime.now(timezone.utc) + timedelta(days=7)).isoformat(),
                }
            )
        ),
        REJECTED,
        reason="Tidspunktet for registreringen er ugyldig.",
    ),
    Case(
        "stand input for another organisation's action",
        "daniel",
        api(
            events(
                lambda app: {
                    "id": str(uuid.uuid4()),
                    "type": "input",
                    "action_id": app.baerum_action,
                    "conversation": {"topics": ["bolig"]},
                    "recorded_at": datetime.now(timezone.utc).isoformat(),
                }
            )
        ),
        REJECTED,
        reason="Ukjent aksjon.",
    ),
    Case(
        "stand input with a postal code of letters",
        "daniel",
        api(
            events(
                lambda app: {
                    "id": str(uuid.uuid4()),
                    "type": "input",
                    "postnummer": "abcd",
                    "conversation": {"topics": ["bolig"]},
                    "recorded_at": datetime.now(timezone.utc).isoformat(),
                }
            )
        ),
        REJECTED,
        reason="Ugyldig postnummer «abcd».",
    ),
]
FORMS = [
    Case(
        "a branch without a name",
        "admin",
        form("/lag/", {"name": "", "kind": "lokallag"}),
        (200, 400),
        "Skriv et navn.",
    ),
    Case(
        "a branch name of 300 characters",
        "admin",
        form("/lag/", {"name": "L" * 300, "kind": "lokallag"}),
        (200, 400),
        "Feltet kan ikke være lenger enn 100 tegn.",
    ),
    Case(
        "turf of 5 doors",
        "sagene",
        form(lambda app: f"/lag/{app.branch}/roder", {"postnummer": ["0473"], "target": "5"}),
        (302,),
        "Rodestørrelsen må være mellom 10 og 500 dører.",
    ),
    Case(
        "turf with no postal code chosen",
        "sagene",
        form(lambda app: f"/lag/{app.branch}/roder", {"target": "60"}),
        (302,),
        "Velg minst ett postnummer.",
    ),
    Case(
        "turf in another branch's postal code",
        "sagene",
        form(lambda app: f"/lag/{app.branch}/roder", {"postnummer": ["0260"], "target": "60"}),
        (302,),
        "hører ikke til Sagene",
    ),
    Case(
        "a turf renamed to nothing",
        "sagene",
        form(lambda app: f"/roder/{app.turf}/navn", {"name": "   "}),
        (302,),
        "Navnet må ha mellom 1 og 120 tegn.",
    ),
    Case(
        "an action without a date",
        "sagene",
        form(
            lambda app: f"/lag/{app.branch}/aksjoner", {"title": "Aksjon", "kind": "door", "day": "", "time": "18:00"}
        ),
        (200, 400),
        "Velg en dato.",
    ),
    Case(
        "an action on 31 February",
        "sagene",
        form(
            lambda app: f"/lag/{app.branch}/aksjoner",
            {"title": "Aksjon", "kind": "door", "day": "2026-02-31", "time": "18:00"},
        ),
        (200, 400),
        "Velg en dato.",
    ),
    Case(
        "a campaign week that ends before it starts",
        "sagene",
        form(
            lambda app: f"/lag/{app.branch}/kampanjer",
            {"name": "Uke 48", "starts_on": "2026-11-30", "ends_on": "2026-11-23"},
        ),
        (302,),
        "Kampanjeuka kan ikke slutte før den begynner.",
    ),
    Case(
        "joining with neither phone nor e-mail",
        "anonymous",
        form(lambda app: f"/bli-med/{app.invite}", {"name": "Ola"}),
        (200, 400),
        "Skriv mobilnummer eller e-post",
    ),
    Case(
        "joining with a phone number of letters",
        "anonymous",
        form(lambda app: f"/bli-med/{app.invite}", {"name": "Ola", "phone": "ring meg"}),
        (200, 400),
        "Ugyldig mobilnummer.",
    ),
    Case(
        "logging in with a malformed e-mail",
        "anonymous",
        form("/login", {"email": "admin@", "password": "x"}),
        (200, 400),
        "Ugyldig e-postadresse.",
    ),
    Case(
        "a conversation at a door outside the turf",
        "daniel",
        form(
            lambda app: f"/felt/{app.assignment}/samtale",
            lambda app: {
                "id": str(uuid.uuid4()),
                "recorded_at": datetime.now(timezone.utc).isoformat(),
                "turf_id": app.turf,
                "action_id": app.action,
                "address_id": app.foreign_door,
                "unit": "1",
                "topic": ["bolig"],
            },
        ),
        (400,),
        "Du kan ikke registrere besøk på denne adressen.",
    ),
    Case(
        "a door note of 500 characters from the walk list",
        "daniel",
        form(
            lambda app: f"/felt/{app.assignment}/notat",
            lambda app: {
                "id": str(uuid.uuid4()),
                "recorded_at": datetime.now(timezone.utc).isoformat(),
                "address_id": app.door,
                "text": "n" * 500,
            },
        ),
        (400,),
        "Notatet må ha mellom 1 og 200 tegn.",
    ),
    Case(
        "a committee threshold of zero",
        "komite",
        form("/komite/k", {"k": "0"}),
        (302,),
        "Minste gruppe må være et helt tall på minst 5.",
    ),
    Case(
        "a committee threshold of letters",
        "komite",
        form("/komite/k", {"k": "fem"}),
        (302,),
        "Minste gruppe må være et helt tall på minst 5.",
    ),
    Case(
        "a programme section without a title",
        "komite",
        form("/komite/program", {"title": ""}),
        (200, 302, 400),
        "Overskriften må ha mellom 1 og 200 tegn.",
    ),
    Case(
        "a form of 2 MB",
        "anonymous",
        form("/login", {"email": "a@b.no", "password": "x" * (2 * 1024 * 1024)}),
        (413,),
        "Det du sendte er for stort. Største tillatte størrelse her er 500 kB.",
    ),
    Case(
        "a subject request with nothing to search for",
        "admin",
        form("/personvern/innsyn", {"phone": " "}),
        (400,),
        "Skriv mobilnummer eller e-post.",
    ),
]
IMPORTS = [
    Case("a truncated GeoJSON file", "admin", form("/admin/geodata", files={
        "kart.geojson": b'{"type": "FeatureCollection", "features": [{"type":'}), (303,),
         "kan ikke leses som geodata"),
    Case("an empty file", "admin", form("/admin/geodata", files={"tom.csv": b""}), (303,), "er tom"),
    Case("a CSV with the wrong columns", "admin", form("/admin/geodata", files={
        "adresser.csv": "navn;alder\nKari;40\n".encode()}), (303,), "Kjenner ikke igjen formatet"),
    Case("a CSV in Latin-1", "admin", form("/admin/geodata", files={
        "postnummer.csv": "Postnummer\tPoststed\n0473\tOSLO\n0160\tBÆRUM\n".encode("latin-1")}), (303,),
         "er ikke UTF-8-tekst"),
    Case("a ZIP that is not a ZIP", "admin", form("/admin/geodata", files={"adresser.zip": b"PK\x03\x04 tull"}),
         (303,), ""),
]
CATALOGUE = SYNC + FORMS + IMPORTS
# A conversation whose contact part is bad is stored without it (docs/sync.md): what was said at the
# door is not lost to a mistyped phone number; no contact or consent is kept and the answer says why.
CONTACT_PARTS = [
    Case(
        "contact details without consent",
        "daniel",
        api(events(lambda app: talk(app, contact={"consent": False}))),
        REJECTED,
        reason="Kontaktinformasjon kan bare lagres med samtykke.",
    ),
    Case(
        "contact details under an old consent text",
        "daniel",
        api(events(lambda app: talk(app, contact={"consent_version": "2019-v0"}))),
        REJECTED,
        reason="Kontaktinformasjon kan bare lagres med samtykke.",
    ),
    Case(
        "contact details nobody asked for",
        "daniel",
        api(events(lambda app: talk(app, {"wants_membership": False}, contact={}))),
        REJECTED,
        reason="Kontaktinformasjon kan bare lagres når beboeren vil bli medlem eller kontaktet.",
    ),
    Case(
        "a phone number of letters",
        "daniel",
        api(events(lambda app: talk(app, contact={"phone": "ring meg"}))),
        REJECTED,
        reason="Kontaktinformasjonen er ufullstendig eller ugyldig.",
    ),
    Case(
        "a 500-character name",
        "daniel",
        api(events(lambda app: talk(app, contact={"name": "K" * 500}))),
        REJECTED,
        reason="Kontaktinformasjonen er ufullstendig eller ugyldig.",
    ),
]


def test_the_catalogue_holds_at_least_forty_cases():
    assert len(CATALOGUE) >= 40 and len({case.name for case in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("case", CATALOGUE, ids=[case.name for case in CATALOGUE])
def test_bad_input_gets_a_clear_answer_and_changes_nothing(world, case):
    with world.app_context():
        before = snapshot()
        response = case.send(world, world.clients[case.who])
        body = response.get_data(as_text=True)
        assert response.status_code in case.status, body[:500]
        if case.reason:
            [result] = response.get_json()["results"]
            assert result["status"] in ("rejected", "conflict") and result["reason"] == case.reason
        if response.status_code in (302, 303):
            # Post, redirect, get: the message waits on the page the form sends the user back to (for an
            # import, the page of the job that refused the file).
            body = world.clients[case.who].get(response.location).get_data(as_text=True)
        if case.message:
            shown = response.get_json()["error"] if response.is_json else body
            assert case.message in shown, re.findall(r'class="(?:error|flash[^"]*)"[^>]*>([^<]*)', shown)
        assert snapshot() == before


@pytest.mark.parametrize("case", CONTACT_PARTS, ids=[case.name for case in CONTACT_PARTS])
def test_a_bad_contact_part_is_refused_and_the_conversation_kept(world, case):
    with world.app_context():
        contacts = db.session.scalar(select(func.count()).select_from(Contact))
        consents = db.session.scalar(select(func.count()).select_from(ConsentRecord))
        conversations = db.session.scalar(select(func.count()).select_from(Conversation))
        response = case.send(world, world.clients[case.who])
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        [result] = response.get_json()["results"]
        assert result["status"] == "stored" and result["refused"] == {"part": "contact", "reason": case.reason}
        assert db.session.scalar(select(func.count()).select_from(Contact)) == contacts
        assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == consents
        assert db.session.scalar(select(func.count()).select_from(Conversation)) == conversations + 1


def stored_records() -> int:
    """Visits, door notes and input without a door: what one event of each kind stores."""
    return sum(
        db.session.scalar(select(func.count()).select_from(model)) for model in (Visit, AddressNote, Conversation)
    ) - db.session.scalar(select(func.count()).select_from(Conversation).where(Conversation.address_id.is_not(None)))


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50)
JUNK = (
    SCALARS
    | st.lists(SCALARS, max_size=4)
    | st.dictionaries(st.text(max_size=12), SCALARS | st.lists(SCALARS), max_size=5)
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    JUNK,
    st.sampled_from(
        [
            "id",
            "type",
            "outcome",
            "turf_id",
            "address_id",
            "recorded_at",
            "conversation",
            "contact",
            "corrects",
            "unit",
            "text",
            "postnummer",
            "action_id",
        ]
    ),
    st.sampled_from(["visit", "note", "input"]),
)
def test_the_sync_endpoint_survives_anything_in_any_field(world, junk, key, kind):
    """Whatever a field holds, the phone gets an answer per event and nothing half-stored: a record is stored
    whole or not at all."""
    with world.app_context():
        now = datetime.now(timezone.utc).isoformat()
        base = {
            "visit": talk(world),
            "note": {
                "id": str(uuid.uuid4()),
                "type": "note",
                "turf_id": world.turf,
                "address_id": world.door,
                "text": "Kodelås",
                "recorded_at": now,
            },
            "input": {
                "id": str(uuid.uuid4()),
                "type": "input",
                "action_id": world.action,
                "postnummer": "0473",
                "conversation": {"topics": ["bolig"], "words": "Bussen"},
                "recorded_at": now,
            },
        }[kind]
        event = {**base, key: junk}
        before = stored_records()
        response = world.clients["daniel"].post(
            "/api/sync/v1/events",
            json={"protocol": 1, "events": [event]},
            headers={"Authorization": f"Bearer {world.token}"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        [result] = response.get_json()["results"]
        assert result["status"] in ("stored", "rejected", "duplicate", "conflict")
        assert stored_records() - before == (1 if result["status"] == "stored" else 0)
        assert result["status"] == "stored" or result.get("reason")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_the_sync_endpoint_answers_any_body_with_a_4xx_or_results(world, body):
    with world.app_context():
        response = world.clients["daniel"].post(
            "/api/sync/v1/events",
            data=body,
            headers={"Authorization": f"Bearer {world.token}", "Content-Type": "application/json"},
        )
        assert response.status_code in (200, 400)
        assert json.loads(response.get_data(as_text=True))["protocol"] == sync.PROTOCOL


def _edge_time(moment: datetime) -> str:
    return moment.isoformat()


OFFSETS = st.builds(
    timezone, st.timedeltas(min_value=-timedelta(hours=23, minutes=59), max_value=timedelta(hours=23, minutes=59))
)
# Times at both ends of the calendar (where moving to UTC overflows), around now, and strings that only look like times.
TIMES = (
    st.sampled_from(
        [
            "0001-01-01T00:30:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999+14:00",
            "2026-02-30T18:00:00+01:00",
            "T",
            "Z",
            "-1",
        ]
    )
    | st.datetimes(timezones=OFFSETS).map(_edge_time)
    | st.datetimes(
        min_value=datetime.now() - timedelta(days=70), max_value=datetime.now() + timedelta(days=2), timezones=OFFSETS
    ).map(_edge_time)
)
# Whole numbers beyond any column, beyond Python's int-from-text limit (a placeholder, written as digits into the body),
# and floats including NaN and infinities (which Python's JSON reads).
NUMBERS = (
    st.integers(min_value=2**31, max_value=2**70)
    | st.integers(min_value=-(2**70), max_value=0)
    | st.integers(min_value=19, max_value=6000).map(lambda digits: f"@@DIGITS{digits}@@")
    | st.floats()
)
NESTED = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=25,
)
HOSTILE = TIMES | NUMBERS | NESTED | JUNK


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    HOSTILE,
    st.sampled_from(
        [
            "id",
            "type",
            "outcome",
            "turf_id",
            "address_id",
            "recorded_at",
            "conversation",
            "contact",
            "corrects",
            "unit",
            "text",
            "postnummer",
            "action_id",
        ]
    ),
    st.sampled_from(["visit", "note", "input"]),
)
def test_a_bad_field_is_refused_alone_and_the_good_events_beside_it_are_stored(world, junk, key, kind):
    """The attack that stuck a phone's outbox: one event with a hostile field in a batch must never fail the batch."""
    with world.app_context():
        now = datetime.now(timezone.utc).isoformat()
        base = {
            "visit": talk(world),
            "note": {
                "id": str(uuid.uuid4()),
                "type": "note",
                "turf_id": world.turf,
                "address_id": world.door,
                "text": "Kodelås",
                "recorded_at": now,
            },
            "input": {
                "id": str(uuid.uuid4()),
                "type": "input",
                "action_id": world.action,
                "postnummer": "0473",
                "conversation": {"topics": ["bolig"], "words": "Bussen"},
                "recorded_at": now,
            },
        }[kind]
        bad = {**base, key: junk}
        good_note = {
            "id": str(uuid.uuid4()),
            "type": "note",
            "turf_id": world.turf,
            "address_id": world.door,
            "text": "Ringeklokka virker ikke",
            "recorded_at": now,
        }
        body = json.dumps({"protocol": 1, "events": [visit(world), bad, good_note]})
        body = re.sub(r'"@@DIGITS(\d+)@@"', lambda found: "9" * int(found.group(1)), body)
        before = stored_records()
        response = world.clients["daniel"].post(
            "/api/sync/v1/events",
            data=body.encode(),
            headers={"Authorization": f"Bearer {world.token}", "Content-Type": "application/json"},
        )
        answer = response.get_json()
        if _depth(bad) + 2 > sync.MAX_DEPTH:
            # Nesting no phone sends refuses the request as a whole, with a reason, and stores nothing.
            assert response.status_code == 400 and "for dypt nøstet" in answer["error"]
            assert stored_records() == before
            return
        assert response.status_code == 200, response.get_data(as_text=True)
        first, middle, last = answer["results"]
        assert first["status"] == "stored" and last["status"] == "stored"
        assert middle["status"] == "stored" or (middle["status"] in ("rejected", "conflict") and middle["reason"])
        if bad["id"] is None or isinstance(bad["id"], str) and not bad["id"].startswith("@@DIGITS"):
            # The phone finds its event in the answer by the id it sent, whatever that was.
            assert middle["id"] == bad["id"]
        assert stored_records() - before == 2 + (middle["status"] == "stored")


def test_a_nul_character_in_any_form_or_address_is_refused_in_norwegian_and_stores_nothing(client):
    """Tester I: a NUL in a branch's name gave the error page on PostgreSQL, which cannot store one."""
    login(client, "admin@oslo.demo")
    said = "Skjemaet inneholder et tegn som ikke kan lagres (NUL)."
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    before = snapshot()
    for path, data in (("/lag/", {"name": "Nye\x00 Sagene", "kind": "lokallag"}),
                       (f"/lag/{sagene.id}/aksjoner", {"title": "Tors\x00hov", "kind": "door", "day": "2026-12-10",
                                                       "time": "17:30"}),
                       (f"/lag/{sagene.id}/aksjoner", {"title\x00": "Torshov"})):
        response = client.post(path, data={**data, "csrf_token": csrf_token(client)})
        assert response.status_code == 400 and said in response.get_data(as_text=True), path
    response = client.get("/komite/", query_string={"tema": "bolig\x00"})
    assert response.status_code == 400 and said in response.get_data(as_text=True)
    assert snapshot() == before
