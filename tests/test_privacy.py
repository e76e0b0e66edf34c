"""What a data protection officer asks for: consent by purpose, deletion on time, access and erasure on request,
and a log of everyone who looked at personal data."""
import bisect
import json
import re
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.models import (
    Address,
    AddressNote,
    AuditEntry,
    Branch,
    ConsentRecord,
    Contact,
    Conversation,
    Device,
    InputTally,
    Organisation,
    Outcome,
    User,
    Visit,
)
from canvass.privacy import consent, retention, subject
from canvass.services.field import sync
from tests import test_sync
from tests.conftest import login, post

field = test_sync.field  # the fixture: Daniel's turf in tonight's action, with a phone credential


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
    assert {p.rule.key: p.count for p in soon if p.count} == {"conversation_door": 1, "contact_key": 1}
    assert one(Conversation, words="Husleia er for høy.").address_id is None
    kept = one(Conversation, words="Husleia er for høy.")
    assert (kept.postnummer, kept.district_number) == (None, "030103"), "the district stays, the postal code goes"

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
    # The contact record found by e-mail gives her number, and the input with it is hers too.
    assert [c.name for c in by_email.contacts] == ["Kari Nordmann"] and len(by_email.conversations) == 1
    elsewhere = one(Organisation, name="Bærum")
    assert subject.find(elsewhere.id, subject.Query.of("41234567", None)).count == 0


def test_access_gives_the_volunteer_everything_about_their_own_account(field):
    conversation(field, contact=KARI)
    oslo = one(Organisation, name="Oslo")
    found = subject.find(oslo.id, subject.Query.of(field["user"].phone, None))
    data = json.loads(json.dumps(subject.export(found)))
    [account] = data["volunteer_accounts"]
    assert account["name"] == "Daniel Dørbanker" and account["assigned_to"] == ["Torshov"]
    # The door is handed over with its day, and a conversation as "opened": which door had one is the residents'.
    [door] = account["doors_recorded"]
    assert door["outcome"] == "opened" and door["address"].endswith("0473") and len(door["day"]) == 10
    assert [d["conversations"] for d in account["conversations_per_day"]] == [1]
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


# ---- Issue 13, finding 8: after the purge nothing links a conversation to a door, a canvasser or a contact.

def evening(demo_app):
    """Yesterday evening on Torshov: Daniel and Berit knock in one action, talk with twelve residents, eight of
    whom leave contact details, write a door note, and take input at a stand; two coordinators look at contacts."""
    from canvass.insight.tally import LOCAL
    from canvass.models import Role
    from canvass.services.people import people
    from canvass.services.turf import actions, turfs
    sagene = one(Branch, name="Sagene")
    cut = turfs.cut_turfs(sagene, ["0473"], target=60)
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() - timedelta(days=1))
    daniel = one(User, name="Daniel Dørbanker")
    berit = people.create_user(daniel.organisation, Role.CANVASSER, "Berit Bank", phone="+4798989898", branch=sagene)
    db.session.flush()
    actions.assign(action, cut[0], [daniel])
    actions.assign(action, cut[1], [berit])
    db.session.commit()
    start = datetime.combine(datetime.now(LOCAL).date() - timedelta(days=1), datetime.min.time(),
                             LOCAL).replace(hour=17).astimezone(timezone.utc)
    truth = {"contact": {}, "visit": {}}
    for who, (user, turf) in enumerate(((daniel, cut[0]), (berit, cut[1]))):
        stops, batch = turf.stops, []
        for i in range(10):
            moment = start + timedelta(minutes=7 * i + who * 3, seconds=11 * i)
            event = {"id": str(uuid.uuid4()), "type": "visit", "turf_id": turf.id, "action_id": action.id,
                     "address_id": stops[i % len(stops)].address_id, "unit": str(i), "recorded_at": moment.isoformat(),
                     "outcome": ("not_home", "not_home", "opened", "refused")[i] if i < 4 else "conversation"}
            if i >= 4:
                words = f"Samtale {who}-{i}: husleia er for høy i gata."
                event["conversation"] = {"topics": ["bolig"], "words": words, "importance": 2,
                                         "wants_membership": i % 2 == 0, "wants_contact": True}
                truth["visit"][words] = event["id"]
                if i >= 6:
                    name = f"Beboer {who}{i}"
                    event["contact"] = {"consent": True, "consent_version": consent.VERSION, "name": name,
                                        "phone": f"+47 9{who}{i} 00 0{i}{who}"}
                    truth["contact"][words] = name
            batch.append(event)
            if i == 5:
                batch.append({"id": str(uuid.uuid4()), "type": "note", "turf_id": turf.id,
                              "address_id": stops[i % len(stops)].address_id, "text": "Ringeklokka virker ikke",
                              "recorded_at": (moment + timedelta(seconds=20)).isoformat()})
        batch.append({"id": str(uuid.uuid4()), "type": "input", "action_id": action.id, "postnummer": "0473",
                      "recorded_at": (start + timedelta(minutes=95 + who)).isoformat(),
                      "conversation": {"topics": ["skole"], "words": f"Stand {who}: flere lærere."}})
        sync.issue_device(user, "telefon")
        assert {r.status for r in sync.ingest(user, batch)} == {"stored"}
    from canvass.privacy import audit
    for email in ("admin@oslo.demo", "sagene@oslo.demo"):
        audit.log(one(User, email=email), audit.VIEW, "kontaktliste", 8)
    db.session.commit()
    return truth


LINKED = ("visit", "address", "user", "contact", "consent_record", "audit_log", "address_note", "device")
# What a row of each table points at: the door, the canvasser (any account) or the contact.
REACHES = {"visit": {"door": "address_id", "person": "canvasser_id"}, "address": {"door": "id"},
           "address_note": {"door": "address_id", "person": "author_id"}, "user": {"person": "id"},
           "device": {"person": "user_id"}, "audit_log": {"person": "user_id"},
           "contact": {"contact": "id"}, "consent_record": {"contact": "contact_id"}}


def _domain(column):
    """What a column's values mean, so integers are compared only with integers of the same table."""
    from sqlalchemy import Boolean, DateTime, Integer, String, Text
    if isinstance(column.type, Boolean):
        return None
    if isinstance(column.type, DateTime):
        return "time"
    if isinstance(column.type, Integer):
        if column.foreign_keys:
            return next(iter(column.foreign_keys)).column.table.name
        return column.table.name if column.primary_key else f"{column.table.name}.{column.name}"
    if isinstance(column.type, String | Text) or hasattr(column.type, "enums"):
        return "text"
    return None


def _joining(rows: list[dict], column: str, domain: str):
    """The rows a value joins in `column`: equal as text, or, for times, within a minute. Looked up in an index, not
    by comparing every conversation with every row (a minute of the suite's time)."""
    if domain == "time":
        timed = sorted(((r[column], i) for i, r in enumerate(rows) if r[column] is not None), key=lambda t: t[0])
        times = [t for t, _ in timed]

        def within(value):
            if value is None:
                return []
            start = bisect.bisect_left(times, value - timedelta(seconds=60))
            return [rows[i] for _, i in timed[start:bisect.bisect_right(times, value + timedelta(seconds=60))]]
        return within
    by_text: dict[str, list[dict]] = {}
    for r in rows:
        if r[column] is not None:
            by_text.setdefault(str(r[column]), []).append(r)
    return lambda value: [] if value is None else by_text.get(str(value), [])


def links_after_purge() -> list[str]:
    """Every single-column join from a conversation to another table that ends at exactly one door, person or
    contact: equal values (integers of the same meaning, any two texts) and times within a minute."""
    tables = db.metadata.tables
    conversations = [dict(r._mapping) for r in db.session.execute(select(tables["conversation"]))]
    found = []
    for name in LINKED:
        rows = [dict(r._mapping) for r in db.session.execute(select(tables[name]))]
        for ours in tables["conversation"].columns:
            for theirs in tables[name].columns:
                domain = _domain(ours)
                if domain is None or domain != _domain(theirs):
                    continue
                joins = _joining(rows, theirs.name, domain)
                for c in conversations:
                    matched = joins(c[ours.name])
                    for kind, column in REACHES[name].items():
                        reached = {r[column] for r in matched if r[column] is not None}
                        if len(reached) == 1:
                            found.append(f"conversation.{ours.name} = {name}.{theirs.name} -> one {kind} "
                                         f"({c['words'][:20]!r})")
    return found


def right_by_order(ours: dict[str, int], theirs: dict[str, int]) -> int:
    """How many pairs come out right when the n-th row of one table is taken for the n-th of the other."""
    keys = sorted(ours, key=ours.get)
    return sum(a == b for a, b in zip(keys, sorted(theirs, key=theirs.get), strict=False))


def test_after_the_purge_no_join_links_a_conversation_to_a_door_a_canvasser_or_a_contact(demo_app):
    truth = evening(demo_app)
    retention.purge(utcnow() + timedelta(days=31))
    db.session.expire_all()
    assert links_after_purge() == []

    words = {c.words: c for c in db.session.scalars(select(Conversation))}
    # Id order: the n-th conversation is not the n-th contact or the n-th visit.
    # Contacts' ids are drawn at random, so they do not follow the order the contacts were stored in
    # (that order is the conversations' order); in order by chance once in 8! = 40,320 runs.
    contacts = {c.name: c.id for c in db.session.scalars(select(Contact))}
    stored_order = list(truth["contact"].values())
    assert sorted(stored_order, key=contacts.get) != stored_order
    visits = {v.client_uuid: v.id for v in db.session.scalars(select(Visit))}
    assert right_by_order({w: words[w].id for w in truth["visit"]},
                          {w: visits[u] for w, u in truth["visit"].items()}) <= len(truth["visit"]) // 2
    # Area and time together: no visit still says a conversation was had at its door.
    assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.outcome == "conversation")) == 0
    # What committees count by stays: district, action and the week (its Monday); not the postal code or the day.
    kept = words["Samtale 0-4: husleia er for høy i gata."]
    assert (kept.postnummer, kept.action_id is not None, kept.address_id, kept.wants_contact) == (None, True,
                                                                                                 None, False)
    assert kept.district_number is not None
    assert kept.recorded_at.time() == datetime.min.time() and kept.recorded_at.date() == kept.week
    assert kept.week.weekday() == 0


def test_the_outside_testers_join_on_action_day_postal_code_and_district_finds_no_door(demo_app):
    """The replay: a purged conversation joined to the visits that opened at its action, on its day, in its
    postal code and district, once named exactly one door (and so its canvasser and the contact's hour)."""
    evening(demo_app)
    retention.purge(utcnow() + timedelta(days=31))
    db.session.expire_all()
    matches = db.session.execute(
        select(Conversation.id, func.count(Visit.id))
        .join(Visit, (Visit.action_id == Conversation.action_id) & (Visit.outcome == Outcome.OPENED))
        .join(Address, Address.id == Visit.address_id)
        .where(Conversation.unlinked.is_(True), Address.postnummer == Conversation.postnummer,
               func.date(Visit.recorded_at) == func.date(Conversation.recorded_at))
        .group_by(Conversation.id)).all()
    assert matches == []


def test_before_the_purge_a_conversation_is_still_tied_to_its_door_for_the_evening(demo_app):
    evening(demo_app)
    retention.purge(utcnow() + timedelta(days=28))  # the evening was yesterday, whatever the hour now
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Conversation).where(
        Conversation.address_id.is_not(None))) == 12


# ---- Issue 13, finding 8: erasure removes the name wherever it stands.

KARIS_WORDS = ("Kari Nordmann vil ha flere barnehageplasser.",
               "kari nordmann sier bussen går for sjelden, ring 412 34 567",
               "Karis mann mener husleia er for høy; skriv til kari at example dot org",
               "Send svar til KARI (at) EXAMPLE (dot) ORG, hilsen Kari Nordmanns nabo")


def karis_evening(field):
    conversation(field, contact=KARI)
    for i, words in enumerate(KARIS_WORDS, start=1):
        conversation(field, i=i, words=words, membership=False)
    conversation(field, i=9, words="Kari Hansen vil ha sykkelvei.", membership=False)
    db.session.add(AddressNote(client_uuid=str(uuid.uuid4()), organisation_id=field["user"].organisation_id,
                               address_id=field["turf"].stops[0].address_id, text="Kari Nordmann vil ha besøk igjen",
                               author_id=field["user"].id, recorded_at=utcnow()))
    db.session.commit()


def no_trace_of_kari():
    texts = [c.words for c in db.session.scalars(select(Conversation))] + \
        [n.text for n in db.session.scalars(select(AddressNote))] + \
        [f"{e.user_name} {e.subject}" for e in db.session.scalars(select(AuditEntry))]
    for text in texts:
        lower = text.lower()
        for trace in ("nordmann", "kari at", "kari (at)", "example", "412 34 567", "karis"):
            assert trace not in lower, text
    assert "Kari Hansen vil ha sykkelvei." in texts, "another Kari keeps her words"
    assert count(Contact) == 0 and count(ConsentRecord) == 0


def test_erasure_from_the_command_line_removes_her_name_number_and_address_in_every_spelling(field, demo_app):
    karis_evening(field)
    result = demo_app.test_cli_runner().invoke(
        args=["privacy", "erase", "--organisation", "Oslo", "--phone", "41234567", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    no_trace_of_kari()
    assert one(Conversation, words="[navn] vil ha flere barnehageplasser.") is not None


def test_erasure_on_the_page_removes_her_name_wherever_it_stands(field, client):
    karis_evening(field)
    login(client, "admin@oslo.demo")
    page = post(client, "/personvern/innsyn", {"email": "kari@example.org"}).get_data(as_text=True)
    assert "4 innspill som nevner" in page
    assert post(client, "/personvern/innsyn/slett", {"email": "kari@example.org", "confirm": "1"}).status_code == 302
    db.session.expire_all()
    no_trace_of_kari()


# ---- Issue 13, finding 7: search input is matched as written, never as a LIKE pattern.

WILDCARDS = ({"email": "%"}, {"email": "_%"}, {"email": "%@%"}, {"email": "%example.org"}, {"email": "per%"},
             {"email": "per_hansen@example_org"}, {"phone": "%"}, {"phone": "4123456_"}, {"phone": "%67"},
             {"name": "%"}, {"name": "Kari%"}, {"name": "_ari Nordmann"}, {"name": "%\\"}, {"email": "\\%"})


def unescaped_like_patterns(statements: list[tuple[str, object]]) -> list[str]:
    """Values sent with a LIKE statement holding a % or _ not escaped with "/" (the wrapping %s are in the SQL)."""
    found = []
    for sql, params in statements:
        if " LIKE " not in sql.upper():
            continue
        values = params.values() if isinstance(params, dict) else params
        found += [value for value in values
                  if isinstance(value, str) and re.search(r"[%_]", re.sub(r"/.", "", value))]
    return found


def test_wildcards_sent_to_the_request_page_over_http_find_only_the_person_they_name(field, live_server):
    from sqlalchemy import event

    from tests.http import HttpClient
    statements = []
    listener = lambda conn, cursor, sql, params, context, many: statements.append((sql, params))  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    conversation(field, contact=KARI)
    conversation(field, i=1, words="Send svar til per_hansen@example.org om bussen.", membership=False,
                 contact={"name": "Per Hansen", "email": "per_hansen@example.org"})
    conversation(field, i=2, words="Skriv til perxhansen@example.org og ring 41234560", membership=False)
    http = HttpClient(live_server)
    login(http, "admin@oslo.demo")
    for form in WILDCARDS:
        response = post(http, "/personvern/innsyn/eksport", form)
        if response.status_code == 200:
            data = response.json()
            assert (data["contact_details"], data["volunteer_accounts"], data["input_naming_you"]) == ([], [], []), form
        else:
            assert response.status_code == 400, form
        page = post(http, "/personvern/innsyn", form).get_data(as_text=True)
        assert "Kari Nordmann" not in page and "Per Hansen" not in page, form
    event.remove(db.engine, "before_cursor_execute", listener)
    assert unescaped_like_patterns(statements) == []
    per = post(http, "/personvern/innsyn/eksport", {"email": "PER_HANSEN@example.org"}).json()
    assert [c["name"] for c in per["contact_details"]] == ["Per Hansen"]
    assert [c["words"] for c in per["input_naming_you"]] == ["Send svar til per_hansen@example.org om bussen."]
    by_name = post(http, "/personvern/innsyn/eksport", {"name": "per  HANSEN"}).json()
    assert [c["name"] for c in by_name["contact_details"]] == ["Per Hansen"]
