"""Undoing a door: what was said there leaves the committees' reading and counts, with the contact given in it;
an undo names a visit the canvasser may correct; topics are the action's (findings-sec F5 and its notes)."""
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import (
    Branch,
    ConsentRecord,
    Contact,
    Conversation,
    ConversationTopic,
    InputTally,
    Role,
    User,
    Visit,
)
from canvass.privacy import consent
from canvass.services.committee import tallies
from canvass.services.field import sync
from canvass.services.people import people
from canvass.services.turf import actions, turfs
from tests import test_sync
from tests.conftest import login_as_volunteer, post

field = test_sync.field


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def visit(field, i=0, outcome="conversation", user=None, turf=None, **extra) -> dict:
    turf = turf or field["turf"]
    event = {"id": str(uuid.uuid4()), "type": "visit", "outcome": outcome, "turf_id": turf.id,
             "action_id": field["action"].id, "address_id": turf.stops[i].address_id, "unit": "1",
             "recorded_at": (datetime.now(timezone.utc) - timedelta(minutes=30 - i)).isoformat(), **extra}
    if outcome == "conversation" and "conversation" not in extra:
        event["conversation"] = {"topics": ["klima"], "words": f"UNDO-TEST words {i}", "importance": 2,
                                 "wants_contact": True}
        event["contact"] = {"consent": True, "consent_version": consent.VERSION, "name": "Ola Testesen",
                            "phone": "+4790011223"}
    return event


def undo(event: dict, **extra) -> dict:
    return {**event, "id": str(uuid.uuid4()), "recorded_at": datetime.now(timezone.utc).isoformat(),
            "corrects": event["id"], **extra, "conversation": None, "contact": None}


def ingest(user, *events) -> list[str]:
    return [r.status for r in sync.ingest(user, [{k: v for k, v in e.items() if v is not None} for e in events])]


# Every column of a cell but its row id, which a recount hands out afresh.
CELL = [c for c in InputTally.__table__.c if c.name != "id"]


def tally_table() -> list[tuple]:
    return sorted(tuple(row) for row in db.session.execute(select(*CELL).where(InputTally.residents > 0)).all())


def counted_afresh() -> list[tuple]:
    """The tallies as counting every stored conversation anew gives them (rolled back afterwards)."""
    with db.engine.connect() as connection:
        with connection.begin() as transaction:
            tallies.rebuild(connection)
            rows = sorted(tuple(row) for row in connection.execute(select(*CELL)).all())
            transaction.rollback()
    return rows


def residents(topic="klima") -> int:
    return db.session.scalar(select(func.coalesce(func.sum(InputTally.residents), 0))
                             .where(InputTally.topic == topic, InputTally.grain == 3))


def test_an_undone_conversation_leaves_the_reading_the_counts_the_contact_and_the_consent(field):
    user = field["user"]
    other = visit(field, i=1)
    assert ingest(user, other) == ["stored"]
    before = residents()
    wrong = visit(field, i=0)
    assert ingest(user, wrong) == ["stored"] and residents() == before + 1 and count(Contact) == 2
    assert ingest(user, undo(wrong)) == ["stored"]
    db.session.expire_all()
    assert db.session.scalar(select(Conversation).where(Conversation.words == "UNDO-TEST words 0")) is None
    assert residents() == before and count(Contact) == 1 and count(ConsentRecord) == 1
    assert count(ConversationTopic) == 1
    assert tally_table() == counted_afresh()
    # The right door recorded again counts once; the phone resending the undone visit brings nothing back.
    assert ingest(user, visit(field, i=0)) == ["stored"]
    assert ingest(user, wrong) == ["duplicate"]
    db.session.expire_all()
    assert residents() == before + 1 and count(Conversation) == 2 and count(Contact) == 2
    assert tally_table() == counted_afresh()


def test_a_visit_and_its_undo_sent_together_leave_nothing_said(field):
    wrong = visit(field, i=2)
    assert ingest(field["user"], wrong, undo(wrong)) == ["stored", "stored"]
    db.session.expire_all()
    assert count(Conversation) == 0 and count(Contact) == 0 and tally_table() == []


def test_an_undo_names_a_visit_at_the_same_door_by_the_canvasser_or_the_partner_on_the_turf(field):
    daniel, action = field["user"], field["action"]
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    berit = people.create_user(daniel.organisation, Role.CANVASSER, "Berit Bank", phone="+4798989898",
                               branch=sagene)
    vera = people.create_user(daniel.organisation, Role.CANVASSER, "Vera Venn", phone="+4797979797", branch=sagene)
    db.session.flush()
    other_turf = turfs.cut_turfs(sagene, ["0474"], target=60)[0]
    actions.assign(action, other_turf, [berit])
    actions.assign(action, field["turf"], [daniel, vera])
    db.session.commit()
    daniels = visit(field, i=0)
    berits = visit(field, i=0, turf=other_turf)
    assert ingest(daniel, daniels) == ["stored"] and ingest(berit, berits) == ["stored"]
    refused = [
        undo(daniels, corrects=str(uuid.uuid4())),  # a random id
        undo(berits, turf_id=field["turf"].id),  # another turf's visit, claimed for his own turf
        undo(daniels, address_id=field["turf"].stops[1].address_id),  # another door
    ]
    assert ingest(daniel, *refused) == ["rejected"] * 3
    assert ingest(berit, undo(daniels, turf_id=other_turf.id)) == ["rejected"]
    done = undo(daniels)
    assert ingest(vera, done) == ["stored"], "the partner on the same turf may undo a wrong tap"
    assert ingest(daniel, undo(done)) == ["rejected"], "an undo is not undone"
    assert ingest(daniel, done) == ["conflict"], "the id names Vera's undo, not his"
    db.session.expire_all()
    assert count(Visit) == 3 and count(Conversation) == 1
    [reason] = [r.reason for r in sync.ingest(daniel, [undo(daniels, corrects=str(uuid.uuid4()))])]
    assert reason == sync.NOT_YOURS_TO_UNDO


def test_the_walk_pages_angre_button_withdraws_the_conversation(field, client):
    daniel, turf = field["user"], field["turf"]
    assignment = actions.my_assignments(daniel)[0]
    login_as_volunteer(client, daniel)
    address_id = turf.stops[0].address_id
    response = post(client, f"/felt/{assignment.id}/samtale", {
        "address_id": address_id, "unit": "1", "topic": ["klima", "Kari på 2. etg"], "words": "Ikke skriv dette ned",
        "importance": "3", "wants_contact": "1", "consent": consent.VERSION, "name": "Ola Testesen",
        "phone": "90011223"})
    assert response.status_code == 302
    said = db.session.scalar(select(Conversation))
    assert said.topics == "klima" and count(Contact) == 1
    recorded = db.session.scalar(select(Visit))
    response = post(client, f"/felt/{assignment.id}/besok",
                    {"undo": f"{recorded.client_uuid} conversation {address_id} 1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert count(Conversation) == 0 and count(Contact) == 0 and tally_table() == []


def test_a_second_undo_of_the_same_record_is_a_duplicate_and_stores_nothing(field, client):
    """Outsider: a double tap on «Angre» in a page without script posted two undos (each a new id) and stored two
    rows cancelling one record. Whoever sends it, the phone or the partner's, in one batch or two, the second is a
    duplicate."""
    daniel, turf = field["user"], field["turf"]
    assignment = actions.my_assignments(daniel)[0]
    login_as_volunteer(client, daniel)
    address_id = turf.stops[0].address_id
    tapped = visit(field, outcome="not_home")
    assert ingest(daniel, tapped) == ["stored"]
    for _ in range(2):
        response = post(client, f"/felt/{assignment.id}/besok",
                        {"undo": f"{tapped['id']} not_home {address_id} 1"})
        assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.corrects == tapped["id"])) == 1
    again = visit(field, i=1, outcome="not_home")
    assert ingest(daniel, again) == ["stored"]
    assert ingest(daniel, undo(again), undo(again)) == ["stored", "duplicate"]
    assert ingest(daniel, undo(again)) == ["duplicate"]
    assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.corrects == again["id"])) == 1


def test_sync_topics_are_the_actions_topics_as_on_the_door_page(field):
    event = visit(field, i=3, conversation={"topics": ["KLIMA ", "Kari Nordmann i 3. etasje", "klima", "bolig"],
                                             "words": "", "importance": 1})
    assert ingest(field["user"], event) == ["stored"]
    assert db.session.scalar(select(Conversation.topics)) == "klima\nbolig"
    field["action"].topics = "Trikk\nKlima"
    db.session.commit()
    again = visit(field, i=4, conversation={"topics": ["bolig", "trikk"], "words": "Mer trikk", "importance": 1})
    assert ingest(field["user"], again) == ["stored"]
    assert db.session.scalar(select(Conversation.topics).where(Conversation.words == "Mer trikk")) == "Trikk"
    stand = {"id": str(uuid.uuid4()), "type": "input", "action_id": field["action"].id,
             "recorded_at": datetime.now(timezone.utc).isoformat(),
             "conversation": {"topics": ["Per Hansen"], "words": "", "importance": 1}}
    assert ingest(field["user"], stand) == ["rejected"], "a topic that is a name is no topic, and nothing is left"
    assert db.session.get(User, field["user"].id) is not None
