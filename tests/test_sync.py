"""Records from the phone reach the server exactly once, however often and however late they are sent."""
import json
import threading
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Branch, Device, Outcome, Turf, Visit
from canvass.services import sync, turfs
from tests.conftest import daniels_turf_tonight


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


def test_a_server_dying_in_the_middle_of_a_batch_loses_nothing_and_doubles_nothing(client, field, monkeypatch):
    batch = events(field, 30)
    send(client, field["token"], batch[:10])

    def crash(*args, **kwargs):
        raise RuntimeError("the server was killed")

    # Killed after inserting the batch, before committing it: the transaction never happened.
    monkeypatch.setattr(sync, "_store_extras", crash)
    with pytest.raises(RuntimeError):
        send(client, field["token"], batch)
    db.session.rollback()
    assert stored() == 10
    monkeypatch.undo()
    results = send(client, field["token"], batch).get_json()["results"]
    assert [r["status"] for r in results] == ["duplicate"] * 10 + ["stored"] * 20
    assert stored() == 30
