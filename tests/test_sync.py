"""Records from the phone reach the server exactly once, however often and however late they are sent."""
import hashlib
import json
import threading
import urllib.request
import uuid
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event as sqlalchemy_events
from sqlalchemy import func, select

from canvass import clock
from canvass.extensions import db
from canvass.insight.tally import Grain, week_of
from canvass.models import Address, Branch, Contact, Conversation, Device, InputTally, Outcome, Turf, User, Visit
from canvass.models.people import Role
from canvass.privacy import consent
from canvass.services.committee import tallies
from canvass.services.field import sync
from canvass.services.people import people
from canvass.services.turf import actions, turfs
from tests.conftest import csrf_token, daniels_turf_tonight, login, post
from tests.http import HttpClient
from tests.snapshot import snapshot


def one(model, **where):
    return db.session.scalar(select(model).filter_by(**where))


@pytest.fixture
def field(demo_app):
    """Daniel of Sagene holds a turf in tonight's action and has a sync credential on his phone."""
    turf, action, daniel = daniels_turf_tonight()
    return {"turf": turf, "action": action, "user": daniel, "token": sync.issue_device(daniel, "test")}


def events(field, count=30, minutes_ago=10, outcome="not_home"):
    now = datetime.now(timezone.utc)
    stops = field["turf"].stops
    return [{"id": str(uuid.uuid4()), "type": "visit", "outcome": outcome, "turf_id": field["turf"].id,
             "action_id": field["action"].id, "address_id": stops[i % len(stops)].address_id, "unit": str(i),
             "recorded_at": (now - timedelta(minutes=minutes_ago) + timedelta(seconds=i)).isoformat()}
            for i in range(count)]


def send(client, token, batch):
    return client.post("/api/sync/v1/events", json={"protocol": 1, "events": batch},
                       headers={"Authorization": f"Bearer {token}"})


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Visit))


def test_a_batch_is_stored_once_and_a_replay_changes_nothing(client, field):
    batch = events(field)
    first = send(client, field["token"], batch).get_json()
    assert [r["status"] for r in first["results"]] == ["stored"] * 30
    again = send(client, field["token"], batch).get_json()
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 30
    assert stored() == 30
    assert one(Visit, client_uuid=batch[0]["id"]).canvasser_id == field["user"].id


def test_a_replay_the_next_morning_needs_no_session_or_csrf_token(demo_app, field):
    batch = events(field, minutes_ago=14 * 60)
    fresh_phone = demo_app.test_client()
    response = send(fresh_phone, field["token"], batch)
    assert response.status_code == 200 and stored() == 30


def test_the_same_id_with_other_content_is_a_conflict_and_not_stored(client, field):
    batch = events(field, 1)
    send(client, field["token"], batch)
    tampered = [{**batch[0], "outcome": "conversation"}]
    result = send(client, field["token"], tampered).get_json()["results"][0]
    assert result["status"] == "conflict" and result["reason"] == "En annen registrering har samme id."
    assert one(Visit, client_uuid=batch[0]["id"]).outcome == Outcome.NOT_HOME


def test_without_a_valid_device_token_nothing_is_stored(client, field):
    assert client.post("/api/sync/v1/events", json={"events": events(field)}).status_code == 401
    assert send(client, "forfalsket", events(field)).status_code == 401
    device = one(Device, user_id=field["user"].id)
    device.revoked_at = datetime(2026, 1, 1)
    db.session.commit()
    response = send(client, field["token"], events(field))
    assert response.status_code == 401
    assert "Logg inn på nytt" in response.get_json()["error"]
    assert stored() == 0


def test_bad_events_are_rejected_one_by_one_with_a_reason(client, field):
    good = events(field, 1)[0]
    frogner_turf = turfs.cut_turfs(one(Branch, name="Frogner"), ["0253"], target=60)[0]
    batch = [good,
             {**good, "id": "ikke-en-uuid"},
             {**good, "id": str(uuid.uuid4()), "outcome": "kanskje"},
             {**good, "id": str(uuid.uuid4()), "recorded_at": "2031-01-01T00:00:00+00:00"},
             {**good, "id": str(uuid.uuid4()), "turf_id": frogner_turf.id,
              "address_id": frogner_turf.stops[0].address_id},
             "ikke et objekt"]
    results = send(client, field["token"], batch).get_json()["results"]
    assert [(r["status"], r.get("reason")) for r in results] == [
        ("stored", None),
        ("rejected", "Ugyldig id på registreringen."),
        ("rejected", "Ukjent resultat «kanskje»."),
        ("rejected", "Tidspunktet for registreringen er ugyldig."),
        ("rejected", "Du kan ikke registrere besøk på denne adressen."),
        ("rejected", "Ugyldig registrering."),
    ]
    assert stored() == 1


def test_records_still_count_after_the_turf_was_replaced_while_offline(client, field):
    batch = events(field, 5)
    # The coordinator takes the turf back (a turf someone is given is not cut again under them) and cuts again,
    # while the phone, offline, still holds it.
    actions.release(field["action"], field["turf"])
    turfs.cut_turfs(one(Branch, name="Sagene"), ["0473"], target=40)
    assert db.session.get(Turf, field["turf"].id).archived_at is not None
    assert [r["status"] for r in send(client, field["token"], batch).get_json()["results"]] == ["stored"] * 5


def test_oversized_and_malformed_batches_are_refused(client, field):
    assert send(client, field["token"], events(field, sync.MAX_BATCH + 1)).status_code == 413
    response = client.post("/api/sync/v1/events", data="{ikke json", content_type="application/json",
                           headers={"Authorization": f"Bearer {field['token']}"})
    assert response.status_code == 400 and stored() == 0


def test_a_logged_in_phone_gets_its_own_credential(client, field):
    from tests.conftest import csrf_token, login
    login(client, "sagene@oslo.demo")
    response = client.post("/api/sync/v1/device", headers={"X-CSRFToken": csrf_token(client, "/")})
    token = response.get_json()["token"]
    assert len(token) > 30 and sync.device_for(token).user.email == "sagene@oslo.demo"
    assert db.session.scalar(select(Device.token_hash).where(Device.token_hash == token)) is None


def test_two_tabs_sending_the_same_outbox_at_once_store_it_once(live_server, field):
    batch = events(field, 30)

    def tab():
        request = urllib.request.Request(f"{live_server}/api/sync/v1/events", method="POST",
                                         data=json.dumps({"events": batch}).encode(),
                                         headers={"Authorization": f"Bearer {field['token']}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            assert response.status == 200

    tabs = [threading.Thread(target=tab) for _ in range(4)]
    for t in tabs:
        t.start()
    for t in tabs:
        t.join()
    db.session.expire_all()
    assert stored() == 30


def _at_once(demo_app, batches: list[tuple[int, list]], slowed: str, gate: str) -> dict:
    """Sync each batch (a user id and events) at the same moment, each in a thread of its own; what any raised, by
    the batch's place in the list.

    On PostgreSQL every row written to the table `slowed` takes 20 ms, and the syncs are let into their first
    statement starting with `gate` together, so they are inside their writes at the same time. A sync that waits
    for a lock before it gets there (syncs taking turns, as they should) lets the other go on after 2 s."""
    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "CREATE FUNCTION slow_row() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(0.02); RETURN NEW; END $$"
                " LANGUAGE plpgsql")
            connection.exec_driver_sql(f"CREATE TRIGGER slow_row BEFORE INSERT OR UPDATE ON {slowed} FOR EACH ROW "
                                       "EXECUTE FUNCTION slow_row()")
    together = threading.Barrier(len(batches))

    def let_in_together(conn, cursor, statement, parameters, context, executemany):
        if postgresql and statement.startswith(gate):
            try:
                together.wait(timeout=2)
            except threading.BrokenBarrierError:
                pass

    failed = {}

    def phone(place):
        user_id, batch = batches[place]
        with demo_app.app_context():
            try:
                sync.ingest(db.session.get(User, user_id), batch)
                db.session.commit()
            except Exception as err:  # what the phone would get as a failed sync
                failed[place] = err
            finally:
                db.session.remove()

    sqlalchemy_events.listen(db.engine, "before_cursor_execute", let_in_together)
    try:
        phones = [threading.Thread(target=phone, args=(place,)) for place in range(len(batches))]
        for t in phones:
            t.start()
        for t in phones:
            t.join()
    finally:
        sqlalchemy_events.remove(db.engine, "before_cursor_execute", let_in_together)
    db.session.expire_all()
    return failed


def _pair(field):
    """Berit joins Daniel on his turf; a door of each of 0473 and 0474 by postal code, four of each."""
    daniel, turf = field["user"], field["turf"]
    berit = people.create_user(daniel.organisation, Role.CANVASSER, "Berit Banker", phone="+4791234500",
                               branch=turf.branch)
    actions.assign(field["action"], turf, [daniel, berit])
    doors = {code: db.session.scalars(select(Address.id).where(Address.postnummer == code).limit(4)).all()
             for code in ("0473", "0474")}
    return berit, doors


def _talks(field, doors: list[int]) -> list[dict]:
    batch = events(field, len(doors), outcome="conversation")
    for i, talk in enumerate(batch):
        talk["address_id"] = doors[i]
        talk["conversation"] = {"topics": ["bolig", "skole"][i % 2:][:1], "words": "", "importance": 2}
    return batch


def _tallies() -> set:
    return {tuple(row) for row in db.session.execute(select(InputTally.__table__).with_only_columns(
        *(c for c in InputTally.__table__.c if c.name != "id")))}


def _residents_counted() -> int:
    return db.session.scalar(select(func.sum(InputTally.residents)).where(
        InputTally.grain == Grain.DAY, InputTally.topic == "")) or 0


def test_a_pair_syncing_conversations_at_the_same_moment_both_get_them_stored(demo_app, field):
    """Daniel and Berit walk one turf over two postal codes from either end, and their phones sync at the same
    moment. Each batch adds to the same committee counts (the evening's, the district's), Daniel's from 0473 first,
    Berit's from 0474 first. On PostgreSQL each count's row stays locked until its sync commits: taken in the
    order each batch happened to list them, each sync waited for a row the other held, and PostgreSQL failed one
    of them (about 1 in 200 batches of a pair under load)."""
    daniel = field["user"]
    berit, doors = _pair(field)
    # Every count exists before the race, so each sync adds to stored rows and takes their locks.
    sync.ingest(daniel, _talks(field, doors["0473"] + doors["0474"]))
    db.session.commit()
    failed = _at_once(demo_app, [(daniel.id, _talks(field, doors["0473"] + doors["0474"])),
                                 (berit.id, _talks(field, doors["0474"] + doors["0473"]))],
                      slowed="input_tally", gate="INSERT INTO input_tally")
    assert failed == {}
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 24
    assert _residents_counted() == 24


def test_an_undo_and_a_partners_conversations_synced_at_the_same_moment_are_both_stored(demo_app, field):
    """Outsider K: Daniel's batch holds a conversation at a 0474 door and «Angre» on his conversation at a 0473
    door; Berit's, at the same moment, conversations at 0473 and 0474. Each statement took its counts in key order,
    but Daniel's sync adds to 0474's counts and then takes from 0473's in two statements, Berit's takes 0473's
    first: each waited for the other, and PostgreSQL failed one (3 in 60 such pairs unslowed)."""
    daniel = field["user"]
    berit, doors = _pair(field)
    earlier = _talks(field, doors["0473"][:1] + doors["0474"][:1])
    sync.ingest(daniel, earlier)
    db.session.commit()
    undo = {**earlier[0], "id": str(uuid.uuid4()), "recorded_at": datetime.now(timezone.utc).isoformat(),
            "corrects": earlier[0]["id"]}
    del undo["conversation"]
    failed = _at_once(demo_app, [(daniel.id, _talks(field, doors["0474"][1:2]) + [undo]),
                                 (berit.id, _talks(field, doors["0473"][1:2] + doors["0474"][2:3]))],
                      slowed="input_tally", gate="INSERT INTO input_tally")
    assert failed == {}
    # Daniel's two earlier ones, one of them undone, his new one and Berit's two.
    assert _residents_counted() == 4
    kept = _tallies()
    tallies.rebuild(db.session.connection())
    assert _tallies() == kept


def test_one_outbox_sent_twice_at_once_in_two_orders_is_stored_once(demo_app, field):
    """Outsider K: two tabs (or a retry) sending the same records at the same moment in different orders each
    claimed one id in the ledger and waited for the other's, and PostgreSQL failed one as a deadlock."""
    daniel = field["user"]
    batch = events(field, 6)
    failed = _at_once(demo_app, [(daniel.id, batch), (daniel.id, batch[::-1])], slowed="sync_event",
                      gate="INSERT INTO sync_event")
    assert failed == {}
    assert stored() == 6


def test_a_server_dying_in_the_middle_of_a_batch_loses_nothing_and_doubles_nothing(client, field, monkeypatch):
    batch = events(field, 30)
    send(client, field["token"], batch[:10])

    def crash(*args, **kwargs):
        raise RuntimeError("the server was killed")

    # Killed after inserting the batch, before committing it: the transaction never happened.
    monkeypatch.setattr(sync.storage, "_store_extras", crash)
    with pytest.raises(RuntimeError):
        send(client, field["token"], batch)
    db.session.rollback()
    assert stored() == 10
    monkeypatch.undo()
    results = send(client, field["token"], batch).get_json()["results"]
    assert [r["status"] for r in results] == ["duplicate"] * 10 + ["stored"] * 20
    assert stored() == 30


# Replays of the outside tester's attacks (issue 13, findings 7 and 11), over real HTTP against a live server.

def _talk(field, **fields):
    """A conversation at Daniel's first door, with a resident who wants contact and said yes to it."""
    event = events(field, 1, outcome="conversation")[0]
    event["conversation"] = {"topics": ["bolig"], "words": "Husleia er for høy", "importance": 2,
                             "wants_membership": False, "wants_contact": True}
    event["contact"] = {"consent": True, "consent_version": consent.VERSION, "name": "Kari Nordmann",
                        "phone": "41234567", "email": ""}
    return {**event, **fields}


def _note(field, **fields):
    return {"id": str(uuid.uuid4()), "type": "note", "turf_id": field["turf"].id,
            "address_id": field["turf"].stops[0].address_id, "text": "Dørkode 1234",
            "recorded_at": datetime.now(timezone.utc).isoformat(), **fields}


def _input(field, **fields):
    return {"id": str(uuid.uuid4()), "type": "input", "action_id": field["action"].id, "postnummer": "0473",
            "conversation": {"topics": ["klima"], "words": "Mer sykkelvei", "importance": 3},
            "recorded_at": datetime.now(timezone.utc).isoformat(), **fields}


def _statuses(response):
    assert response.status_code == 200, response.text
    return [(r["status"], r.get("reason")) for r in response.json()["results"]]


CONFLICT = ("conflict", "En annen registrering har samme id.")


def test_a_replay_with_a_changed_conversation_contact_note_or_input_is_a_conflict_and_changes_nothing(
        live_server, field):
    phone = HttpClient(live_server)
    talk, note, said = _talk(field), _note(field), _input(field)
    assert _statuses(send(phone, field["token"], [talk, note, said])) == [("stored", None)] * 3
    assert _statuses(send(phone, field["token"], [talk, note, said])) == [("duplicate", None)] * 3
    before = snapshot()
    changed = [
        {**talk, "conversation": {**talk["conversation"], "words": "Husleia er grei"}},
        {**talk, "conversation": {**talk["conversation"], "topics": ["skole"]}},
        {**talk, "conversation": {**talk["conversation"], "importance": 3}},
        {**talk, "contact": {**talk["contact"], "phone": "99887766"}},
        {**talk, "contact": {**talk["contact"], "name": "Ola Nordmann"}},
        {**talk, "unit": "H0201"},
        {**note, "text": "Dørkode 9999"},
        {**note, "address_id": field["turf"].stops[1].address_id},
        {**said, "conversation": {**said["conversation"], "words": "Færre sykkelveier"}},
        {**said, "postnummer": None},
    ]
    for event in changed:
        assert _statuses(send(phone, field["token"], [event])) == [CONFLICT], event
    db.session.expire_all()
    assert snapshot() == before


def test_one_id_names_one_record_of_one_type_ever(live_server, field):
    phone = HttpClient(live_server)
    visit, note, said = events(field, 1)[0], _note(field), _input(field)
    assert _statuses(send(phone, field["token"], [visit, note, said])) == [("stored", None)] * 3
    before = snapshot()
    reused = [_input(field, id=visit["id"]), _note(field, id=visit["id"]), _input(field, id=note["id"]),
              {**events(field, 1)[0], "id": said["id"]}, _note(field, id=said["id"].upper())]
    assert _statuses(send(phone, field["token"], reused)) == [CONFLICT] * 5
    db.session.expire_all()
    assert snapshot() == before
    # Within one batch too: the second use of an id is compared with the first.
    twice = _input(field)
    assert _statuses(send(phone, field["token"], [twice, _note(field, id=twice["id"]), twice])) == [
        ("stored", None), CONFLICT, ("duplicate", None)]


def test_a_committee_member_can_neither_get_a_device_token_nor_record(live_server, field):
    member = HttpClient(live_server)
    login(member, "komite@oslo.demo")
    before = snapshot()
    response = member.post("/api/sync/v1/device", headers={"X-CSRFToken": csrf_token(member, "/")})
    assert response.status_code == 403 and "registrere" in response.json()["error"]
    # A token issued before this rule, or to someone whose role changed since, is refused as well.
    with pytest.raises(PermissionError):
        sync.issue_device(one(User, email="komite@oslo.demo"))
    token = "utstedt-før-regelen"
    db.session.add(Device(user_id=one(User, email="komite@oslo.demo").id, label="gammel",
                          token_hash=hashlib.sha256(token.encode()).hexdigest()))
    db.session.commit()
    before = snapshot()
    response = send(HttpClient(live_server), token, [_input(field)])
    assert response.status_code == 403 and "registrere" in response.json()["error"]
    response = post(member, "/felt/innspill", {"topic": "bolig", "words": "Noe", "action_id": field["action"].id})
    assert response.status_code in (400, 403)
    db.session.expire_all()
    assert snapshot() == before


def test_stand_input_goes_only_under_ones_own_actions_and_their_territory(live_server, field):
    phone = HttpClient(live_server)
    frogner = one(Branch, name="Frogner")
    frogner_action = actions.create_action(frogner, "Stand på Majorstuen", "door", datetime.now())
    before = snapshot()
    refused = [_input(field, action_id=frogner_action.id), _input(field, action_id=frogner_action.id, postnummer=None),
               _input(field, postnummer="0253"), _input(field, postnummer="9999"),
               _input(field, action_id=None, postnummer="0253")]
    results = _statuses(send(phone, field["token"], refused))
    assert [status for status, _ in results] == ["rejected"] * 5, results
    assert results[0][1] == "Ukjent aksjon." and results[2][1] == "Postnummeret 0253 hører ikke til lagets område."
    db.session.expire_all()
    assert snapshot() == before
    assert _statuses(send(phone, field["token"], [_input(field), _input(field, action_id=None, postnummer=None)])) == [
        ("stored", None)] * 2


def test_a_visit_under_another_branchs_action_is_refused(live_server, field):
    frogner_action = actions.create_action(one(Branch, name="Frogner"), "Frogner", "door", datetime.now())
    results = _statuses(send(HttpClient(live_server), field["token"], events(field, 1) + [
        {**events(field, 1)[0], "action_id": frogner_action.id}]))
    assert results == [("stored", None), ("rejected", "Ukjent aksjon.")]


@pytest.mark.parametrize("recorded_at", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-01:00",
                                         "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59.999999+00:00"])
def test_a_time_at_the_edge_of_the_calendar_is_refused_alone_and_the_rest_of_the_batch_is_stored(
        live_server, field, recorded_at):
    batch = events(field, 3)
    batch[1]["recorded_at"] = recorded_at
    assert _statuses(send(HttpClient(live_server), field["token"], batch)) == [
        ("stored", None), ("rejected", "Tidspunktet for registreringen er ugyldig."), ("stored", None)]


@pytest.mark.parametrize("text", ["emoji kuttet \ud83d", "\udfff", "null\x00tegn"])
def test_half_an_emoji_or_a_nul_is_refused_alone_and_the_rest_of_the_batch_is_stored(live_server, field, text):
    """A phone that cut an emoji in half (or a tampered request) must not stick the whole outbox."""
    in_words = _input(field, conversation={"topics": ["klima"], "words": text, "importance": 3})
    in_topics = _input(field, conversation={"topics": [text], "words": "Mer sykkelvei", "importance": 3})
    in_note = _note(field, text=text)
    refused = ("rejected", "Registreringen inneholder tegn som ikke kan lagres (en halv emoji eller et nulltegn).")
    assert _statuses(send(HttpClient(live_server), field["token"], [in_words, _input(field), in_topics, in_note])) == [
        refused, ("stored", None), refused, refused]


def test_deeply_nested_json_and_wrong_top_level_types_get_a_400_with_a_reason(live_server, field):
    phone = HttpClient(live_server)
    headers = {"Authorization": f"Bearer {field['token']}", "Content-Type": "application/json"}
    nested = '{"events": [' + "[" * 100_000 + "]" * 100_000 + "]}"
    deep_event = '{"events": [{"id": "x", "conversation": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}]}"
    bodies = {nested: "dypt", deep_event: "dypt", "[]": "objekt", '"events"': "objekt", "17": "objekt",
              "null": "objekt", '{"events": {"id": 1}}': "liste", '{"events": "alle"}': "liste",
              '{"events": [1, 2], "protocol": 1' : "JSON", "": "JSON"}
    for body, reason in bodies.items():
        response = phone.post("/api/sync/v1/events", data=body.encode(), headers=headers)
        assert response.status_code == 400, (body[:40], response.status_code, response.text[:300])
        assert reason in response.json()["error"], response.json()
    assert stored() == 0


def test_an_oversized_body_is_refused_with_413_before_it_is_read(live_server, field):
    phone = HttpClient(live_server)
    padding = "x" * (31 * 1024 * 1024)
    body = json.dumps({"protocol": 1, "events": events(field, 1), "padding": padding}).encode()
    response = phone.post("/api/sync/v1/events", data=body, headers={
        "Authorization": f"Bearer {field['token']}", "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"].startswith("Sendingen er for stor")
    # Forms have a small cap of their own, far below what the sync API takes.
    response = phone.post("/login", data={"email": "a@b.no", "password": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413 and "for stor" in response.text
    assert stored() == 0


def test_the_largest_batch_an_honest_phone_sends_fits_under_the_cap(live_server, demo_app, field):
    """Fifty conversations (the service worker's batch) with every field at its longest, in the costliest characters."""
    longest = []
    for event in events(field, 50, outcome="conversation"):
        event["conversation"] = {"topics": ["\u0001" * 60] * 20, "words": "\u0001" * 4000,
                                 "importance": 3, "wants_membership": True, "wants_contact": True}
        event["contact"] = {"consent": True, "consent_version": consent.VERSION, "name": "\u0001" * 100,
                            "phone": "+4741234567", "email": "\u0001" * 198 + "@x"}
        longest.append(event)
    body = json.dumps({"protocol": 1, "events": longest}, ensure_ascii=False).encode()
    assert demo_app.config["MAX_CONTENT_LENGTH"] < len(body) <= demo_app.config["SYNC_MAX_CONTENT_LENGTH"]
    response = HttpClient(live_server).post("/api/sync/v1/events", data=body, headers={
        "Authorization": f"Bearer {field['token']}", "Content-Type": "application/json"})
    assert response.status_code == 200


def test_a_conversation_whose_contact_part_is_refused_is_stored_without_it_and_the_answer_says_why(live_server, field):
    phone = HttpClient(live_server)
    talk = _talk(field)
    talk["contact"] = {**talk["contact"], "name": "", "phone": "12"}
    results = send(phone, field["token"], [talk]).json()["results"]
    refused = {"part": "contact", "reason": "Kontaktinformasjonen er ufullstendig eller ugyldig."}
    # Since protocol 1.3 every refused part is listed too (a conversation's answers can be refused as well).
    assert results == [{"id": talk["id"], "status": "stored", "refused": refused, "refused_parts": [refused]}]
    db.session.expire_all()
    conversation = db.session.scalar(select(Conversation))
    assert conversation.words == "Husleia er for høy" and db.session.scalar(select(Contact)) is None
    # Sent again, it is the same record, refused the same way: the phone lets go of it.
    assert send(phone, field["token"], [talk]).json()["results"][0]["status"] == "duplicate"


def test_conversations_either_side_of_midnight_to_monday_are_filed_under_their_own_oslo_weeks(field, monkeypatch):
    """A batch goes into the database in one statement (on PostgreSQL as arrays): each conversation still gets the
    week of its own time, and the committees' counts see both. Synced at 23:55 on Sunday, before that week is over."""
    batch, monday = _either_side_of_monday(field)
    monkeypatch.setattr(clock, "utcnow", lambda: monday - timedelta(minutes=5))
    assert [r.status for r in sync.ingest(field["user"], batch)] == ["stored"] * 4
    weeks = _weeks_filed()
    expected = {e["id"]: week_of(datetime.fromisoformat(e["recorded_at"]).astimezone(timezone.utc)
                                 .replace(tzinfo=None)) for e in batch}
    assert weeks == expected and len(set(weeks.values())) == 2
    assert _residents_by_week() == {week: 2 for week in set(weeks.values())}


def test_a_conversation_synced_after_its_week_is_over_is_counted_in_the_week_it_came_in(field, monkeypatch):
    """A committee may have read the week that is over: what comes in now is counted in this week, which it
    cannot read yet, so no reading before and after tells what one door said."""
    batch, monday = _either_side_of_monday(field)
    monkeypatch.setattr(clock, "utcnow", lambda: monday + timedelta(minutes=40))
    assert [r.status for r in sync.ingest(field["user"], batch)] == ["stored"] * 4
    this_week = week_of(monday)
    assert set(_weeks_filed().values()) == {this_week}
    assert _residents_by_week() == {this_week: 4}
    assert set(db.session.scalars(select(InputTally.day).where(InputTally.grain == Grain.DISTRICT_WEEK))) == {
        this_week}
    # Counted again from what is stored, the same.
    tallies.rebuild(db.session.connection())
    assert _residents_by_week() == {this_week: 4}


def _either_side_of_monday(field) -> tuple[list[dict], datetime]:
    """Four conversations at 23:30 and 23:40 on Sunday and 00:20 and 00:30 on Monday, Oslo time, this week or the
    last; and that Monday's midnight as a naive UTC time, the server's clock."""
    oslo = datetime.now(ZoneInfo("Europe/Oslo"))
    # This week's Monday by the Oslo calendar, whatever the hour (two hours taken off before the day was found made
    # it Sunday between midnight and two at night, and the test failed then).
    monday = datetime.combine(oslo.date() - timedelta(days=oslo.weekday()), time(), tzinfo=ZoneInfo("Europe/Oslo"))
    batch = events(field, 4, outcome="conversation")
    for i, event in enumerate(batch):
        event["recorded_at"] = (monday + timedelta(minutes=(-30, -20, 20, 30)[i])).astimezone(timezone.utc).isoformat()
        event["conversation"] = {"topics": ["bolig"], "words": f"Ord {i}", "importance": 1 + i % 3}
    return batch, monday.astimezone(timezone.utc).replace(tzinfo=None)


def _weeks_filed() -> dict:
    return {c.visit_uuid: c.week for c in db.session.scalars(select(Conversation))}


def _residents_by_week() -> dict:
    return dict(db.session.execute(select(InputTally.day, func.sum(InputTally.residents)).where(
        InputTally.topic == "", InputTally.grain == Grain.WEEK).group_by(InputTally.day)).all())
