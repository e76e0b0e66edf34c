"""What a data protection officer asks for: consent by purpose, deletion on time, access and erasure on request,
and a log of everyone who looked at personal data."""
import json
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.models import (AddressNote, AuditEntry, Branch, ConsentRecord, Contact, Conversation, Device, InputTally,
                            Organisation, User, Visit)
from canvass.privacy import consent, retention, subject
from canvass.services import sync
from tests.conftest import login, post
from tests.test_sync import field  # noqa: F401 (a fixture: Daniel's turf in tonight's action)


def one(model, **where):
    return db.session.scalar(select(model).filter_by(**where))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def conversation(field, i=0, words="Husleia er for høy.", contact=None, minutes_ago=10, membership=True):
    moment = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    stops = field["turf"].stops
    event = {"id": str(uuid.uuid4()), "type": "visit", "outcome": "conversation", "turf_id": field["turf"].id,
             "action_id": field["action"].id, "address_id": stops[i % len(stops)].address_id, "unit": str(i),
             "recorded_at": moment.isoformat(),
             "conversation": {"topics": ["bolig"], "words": words, "importance": 3,
                              "wants_membership": membership, "wants_contact": True}}
    if contact:
        event["contact"] = {"consent": True, "consent_version": consent.VERSION, **contact}
    [result] = sync.ingest(field["user"], [event])
    assert result.status == "stored", result
    return event


KARI = {"name": "Kari Nordmann", "phone": "+47 412 34 567", "email": "Kari@Example.org"}


def test_each_purpose_is_its_own_consent_record_and_runs_out_on_its_own(field):
    conversation(field, contact=KARI)
    contact = one(Contact, name="Kari Nordmann")
    assert sorted(contact.purposes) == [consent.FOLLOW_UP, consent.MEMBERSHIP]
    membership = next(r for r in contact.consents if r.purpose == consent.MEMBERSHIP)
    given_at, membership_ends = membership.given_at, membership.delete_after

    retention.purge(membership_ends + timedelta(minutes=1))
    db.session.expire_all()
    assert one(Contact, name="Kari Nordmann").purposes == [consent.FOLLOW_UP]

    done = retention.purge(given_at + consent.RETENTION[consent.FOLLOW_UP])
    assert {p.rule.key: p.count for p in done if p.count} == {"consent_follow_up": 1, "contact": 1}
    assert count(Contact) == 0 and count(ConsentRecord) == 0
    assert one(AuditEntry, event="purge", subject="kontakter uten gyldig samtykke").count == 1


def test_the_purge_forgets_doors_notes_and_old_visits_but_not_the_counts(field):
    conversation(field, contact=KARI)
    db.session.add(AddressNote(client_uuid=str(uuid.uuid4()), organisation_id=field["user"].organisation_id,
                               address_id=field["turf"].stops[0].address_id, text="Kodelås 1234",
                               author_id=field["user"].id, recorded_at=utcnow()))
    db.session.commit()
    counts = db.session.scalar(select(func.sum(InputTally.residents)))

    soon = retention.purge(utcnow() + timedelta(days=31))
    assert {p.rule.key: p.count for p in soon if p.count} == {"conversation_door": 1}
    assert one(Conversation, words="Husleia er for høy.").address_id is None
    assert one(Conversation, words="Husleia er for høy.").postnummer == "0473"

    later = retention.purge(utcnow() + timedelta(days=731))
    assert {p.rule.key: p.count for p in later if p.count} == {
        "consent_membership": 1, "consent_follow_up": 1, "contact": 1, "door_note": 1, "visit": 1}
    assert count(Visit) == 0 and count(AddressNote) == 0
    assert db.session.scalar(select(func.sum(InputTally.residents))) == counts


def test_a_dry_run_counts_and_deletes_nothing(field, demo_app):
    conversation(field, contact=KARI)
    result = demo_app.test_cli_runner().invoke(args=["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0 and "Ville slettet 0." in result.output
    assert "samtykker til medlemskap: 0" in result.output
    with_time = retention.purge(utcnow() + timedelta(days=400), dry_run=True)
    assert sum(p.count for p in with_time) == 4
    assert count(Contact) == 1 and count(ConsentRecord) == 2 and count(AuditEntry) == 0


def test_a_subject_request_finds_the_person_however_the_number_is_written(field):
    conversation(field, contact=KARI)
    conversation(field, i=1, words="Ring meg på 412 34 567 om bussen", contact=None, membership=False)
    oslo = one(Organisation, name="Oslo")
    for phone in ("41234567", "+4741234567", "0047 412 34 567", " 412 34 567 "):
        found = subject.find(oslo.id, subject.Query.of(phone, None))
        assert ([c.name for c in found.contacts], len(found.conversations)) == (["Kari Nordmann"], 1), phone
    by_email = subject.find(oslo.id, subject.Query.of(None, "kari@example.ORG"))
    assert [c.name for c in by_email.contacts] == ["Kari Nordmann"] and by_email.conversations == []
    elsewhere = one(Organisation, name="Bærum")
    assert subject.find(elsewhere.id, subject.Query.of("41234567", None)).count == 0


def test_access_gives_the_volunteer_everything_about_their_own_account(field):
    conversation(field, contact=KARI)
    oslo = one(Organisation, name="Oslo")
    found = subject.find(oslo.id, subject.Query.of(field["user"].phone, None))
    data = json.loads(json.dumps(subject.export(found)))
    [account] = data["volunteer_accounts"]
    assert account["name"] == "Daniel Dørbanker" and account["assigned_to"] == ["Torshov"]
    assert [d["outcome"] for d in account["doors_recorded"]] == ["conversation"]
    assert account["doors_recorded"][0]["address"].endswith("0473")
    assert data["contact_details"] == []


def test_erasure_removes_the_person_and_keeps_the_counts(field, demo_app):
    conversation(field, contact=KARI)
    conversation(field, i=1, words="Send til kari@example.org, eller ring 41234567.", membership=False)
    counts = db.session.execute(select(func.sum(InputTally.residents), func.sum(InputTally.said))).one()
    result = demo_app.test_cli_runner().invoke(
        args=["privacy", "erase", "--organisation", "Oslo", "--phone", "41234567", "--email", "kari@example.org",
              "--yes"])
    assert result.exit_code == 0, result.output
    assert "Slettet 1 kontakter" in result.output
    db.session.expire_all()
    assert count(Contact) == 0 and count(ConsentRecord) == 0
    assert one(Conversation, words="Send til [e-post], eller ring [telefon].") is not None
    assert db.session.execute(select(func.sum(InputTally.residents), func.sum(InputTally.said))).one() == counts
    assert one(AuditEntry, event="erase").user_name == "system"


def test_an_erased_volunteer_keeps_their_doors_but_loses_name_and_ways_in(field):
    conversation(field)
    daniel = field["user"]
    sync.issue_device(daniel, "telefon")
    oslo = one(Organisation, name="Oslo")
    subject.erase(subject.find(oslo.id, subject.Query.of(daniel.phone, None)))
    db.session.commit()
    db.session.expire_all()
    account = db.session.get(User, daniel.id)
    assert (account.name, account.phone, account.email, account.password_hash) == (subject.ERASED_NAME, None, None,
                                                                                    None)
    assert count(Device) == 0 and count(Visit) == 1


def test_coordinators_see_the_contacts_of_their_own_branch_and_every_look_is_logged(field, client):
    conversation(field, contact=KARI)
    frogner = one(Branch, name="Frogner")
    db.session.add(Contact(event_key="f" * 64, organisation_id=frogner.organisation_id, branch_id=frogner.id,
                           name="Per Frogner", phone="98765432"))
    db.session.commit()
    login(client, "sagene@oslo.demo")
    page = client.get("/personvern/kontakter").get_data(as_text=True)
    assert "Kari Nordmann" in page and "Per Frogner" not in page
    entry = one(AuditEntry, event="view")
    assert (entry.user_name, entry.subject, entry.count) == ("Sigrid Sagene", "kontaktliste for Sagene", 1)

    excel = client.get("/personvern/kontakter.xlsx")
    assert excel.status_code == 200 and one(AuditEntry, event="export").count == 1
    per = one(Contact, name="Per Frogner")
    assert post(client, f"/personvern/kontakter/{per.id}/slett").status_code == 404
    kari = one(Contact, name="Kari Nordmann")
    assert post(client, f"/personvern/kontakter/{kari.id}/fulgt-opp").status_code == 302
    assert post(client, f"/personvern/kontakter/{kari.id}/slett").status_code == 302
    assert count(Contact) == 1 and one(AuditEntry, event="erase").count == 1


def test_committee_members_and_canvassers_never_reach_contact_details(field, client):
    conversation(field, contact=KARI)
    login(client, "komite@oslo.demo")
    assert client.get("/personvern/kontakter").status_code == 403
    assert client.post("/personvern/innsyn", data={"phone": "41234567"}).status_code in (400, 403)


def test_an_admin_answers_a_request_on_the_page(field, client):
    conversation(field, contact=KARI)
    login(client, "admin@oslo.demo")
    page = post(client, "/personvern/innsyn", {"phone": "412 34 567"}).get_data(as_text=True)
    assert "Kari Nordmann" in page and "1 kontakt med samtykke" in page
    download = post(client, "/personvern/innsyn/eksport", {"phone": "412 34 567"})
    assert download.mimetype == "application/json"
    assert download.get_json()["contact_details"][0]["consents"][0]["text"] == consent.TEXT
    post(client, "/personvern/innsyn/slett", {"phone": "412 34 567"})
    assert count(Contact) == 1
    assert post(client, "/personvern/innsyn/slett", {"phone": "412 34 567", "confirm": "1"}).status_code == 302
    assert count(Contact) == 0
    log = client.get("/personvern/logg").get_data(as_text=True)
    assert "søk etter en person" in log and "innsyn for en person" in log and "sletting for en person" in log
