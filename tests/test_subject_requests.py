"""A request from the person the data is about names one person, never a word: an outside tester's attack
(findings-sec F3 and its addendum) replayed step by step, with the variations they would try next."""
import json
import re
from datetime import date

from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Answer, AuditEntry, Contact, Conversation, User
from canvass.privacy import subject
from canvass.services.turf import questions
from tests import test_sync
from tests.conftest import login, post
from tests.test_privacy import KARI, conversation

field = test_sync.field

HUSLEIA = "Husleia er altfor høy, bolig må bli billigere"
PARTY = "Vil ha strengere innvandringspolitikk, stemmer nok Frp"
OLA = {"name": "Ola Testesen", "phone": "+4790011223"}
# An exact time of day anywhere in an export: what joins a canvasser's doors to residents' words.
CLOCK = re.compile(r"\d{2}:\d{2}")


def words() -> list[str]:
    return sorted(c.words for c in db.session.scalars(select(Conversation)))


def log_lines() -> list[str]:
    return [e.subject for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def quiet_evening(field):
    """Daniel's evening: a resident's words about rent, Ola who consents to contact and says how he votes, and
    Kari, whose number a canvasser also wrote into another resident's words."""
    conversation(field, words=HUSLEIA, membership=False)
    conversation(field, i=1, words=PARTY, contact=OLA)
    conversation(field, i=2, contact=KARI, words="Kari vil ha flere sykkelveier.")
    conversation(field, i=3, words="Ring Kari Nordmann på 412 34 567 om bussen", membership=False)


def test_a_word_from_what_residents_said_is_no_request_on_the_page_nor_in_the_export(field, client):
    quiet_evening(field)
    login(client, "admin@oslo.demo")
    for name in ("Husleia", "Opptatt", "innvandringspolitikk", "bolig", "Frp", "Kari", "%"):
        response = post(client, "/personvern/innsyn/eksport", {"name": name})
        assert response.status_code == 400, name
        assert "Husleia er" not in response.get_data(as_text=True)
        page = post(client, "/personvern/innsyn", {"name": name})
        text = page.get_data(as_text=True)
        assert page.status_code == 400 and "fullt navn" in text and "Husleia er" not in text, name
    # Two words are a full name only if someone has it; the resident's words are nobody's name.
    found = post(client, "/personvern/innsyn/eksport", {"name": "Husleia er"}).get_json()
    assert found == {"contact_details": [], "volunteer_accounts": [], "input_naming_you": [],
                     "door_notes_naming_you": [], "answers_naming_you": []}
    lines = log_lines()
    assert "avvist forespørsel: navn «husleia»" in lines and "avvist forespørsel: navn «kari»" in lines


def test_erasing_a_word_is_refused_and_masks_nothing(field, client, demo_app):
    quiet_evening(field)
    before = words()
    login(client, "admin@oslo.demo")
    for name in ("bolig", "Kari", "Husleia er"):
        response = post(client, "/personvern/innsyn/slett", {"name": name, "confirm": "1"})
        assert response.status_code in (302, 400), name
    result = demo_app.test_cli_runner().invoke(args=["privacy", "erase", "--organisation", "Oslo", "--name",
                                                     "bolig", "--yes"])
    assert result.exit_code != 0 and "fullt navn" in result.output
    exported = demo_app.test_cli_runner().invoke(args=["privacy", "export", "--organisation", "Oslo", "--name",
                                                       "Husleia"])
    assert exported.exit_code != 0 and "Husleia er" not in exported.output
    db.session.expire_all()
    assert words() == before and db.session.scalar(select(Contact).where(Contact.name == "Kari Nordmann"))


def test_the_canvassers_export_gives_days_and_no_door_where_a_conversation_happened(field, client):
    quiet_evening(field)
    login(client, "admin@oslo.demo")
    data = post(client, "/personvern/innsyn/eksport", {"name": "daniel  DØRBANKER"}).get_json()
    [account] = data["volunteer_accounts"]
    assert account["name"] == "Daniel Dørbanker" and len(account["doors_recorded"]) == 4
    assert {d["outcome"] for d in account["doors_recorded"]} == {"opened"}
    assert [d["conversations"] for d in account["conversations_per_day"]] == [4]
    assert CLOCK.search(json.dumps(account["doors_recorded"])) is None
    assert data["input_naming_you"] == [], "a canvasser's name is not searched for in what residents said"


def test_a_consenting_contacts_number_gives_their_details_and_never_words_that_do_not_name_them(field, client):
    """The addendum: Ola's number gives his contact record, consent hour and action; his words about how he
    votes do not name him, so they are not his export, and no word search finds them any more."""
    quiet_evening(field)
    login(client, "admin@oslo.demo")
    for phone in ("90011223", "+47 900 11 223", "0047 90 01 12 23", "900.11.223"):
        data = post(client, "/personvern/innsyn/eksport", {"phone": phone}).get_json()
        [contact] = data["contact_details"]
        assert contact["name"] == "Ola Testesen" and data["input_naming_you"] == [], phone
    assert post(client, "/personvern/innsyn/eksport", {"name": "innvandringspolitikk"}).status_code == 400
    assert post(client, "/personvern/innsyn/eksport", {"name": "Ola Testesen", "phone": "41234567"}).status_code == 400
    # Kari's number and her e-mail in capitals find her, and the words that name her in full, with the day only.
    for form in ({"phone": "412 34 567"}, {"email": "KARI@EXAMPLE.ORG"}, {"name": "kari nordmann"}):
        data = post(client, "/personvern/innsyn/eksport", form).get_json()
        assert [c["name"] for c in data["contact_details"]] == ["Kari Nordmann"], form
        assert [i["words"] for i in data["input_naming_you"]] == ["Ring Kari Nordmann på 412 34 567 om bussen"]
        assert CLOCK.search(json.dumps(data["input_naming_you"])) is None
    lines = log_lines()
    assert any(line.startswith("innsyn for en person: telefon 90011223;") and "1 kontakter" in line
               for line in lines), lines
    assert any("e-post kari@example.org" in line and "1 innspill" in line for line in lines), lines
    page = client.get("/personvern/logg").get_data(as_text=True)
    assert "telefon 90011223" in page


def test_one_number_two_people_asks_for_the_name_and_the_name_picks_one(field, client):
    conversation(field, contact=KARI)
    conversation(field, i=1, contact={"name": "Per Nordmann", "phone": "41234567"})
    conversation(field, i=2, words="Per Nordmann vil ha buss.", membership=False)
    oslo = field["user"].organisation_id
    try:
        subject.find(oslo, subject.Query.of("41234567", None))
        raise AssertionError("two people behind one number must be refused")
    except subject.Refused as refused:
        assert refused.message == subject.SEVERAL_BEHIND
    found = subject.find(oslo, subject.Query.of("41234567", None, "Per Nordmann"))
    assert [c.name for c in found.contacts] == ["Per Nordmann"]
    assert [c.words for c in found.conversations] == ["Per Nordmann vil ha buss."]
    # Two contacts with one name and nothing in common are two people: the name alone is not enough.
    conversation(field, i=3, contact={"name": "Per Nordmann", "phone": "99887766"})
    try:
        subject.find(oslo, subject.Query.of(None, None, "Per Nordmann"))
        raise AssertionError("two people with one name must be refused")
    except subject.Refused as refused:
        assert refused.message == subject.SEVERAL_NAMED


def test_erasure_masks_only_the_person_and_the_log_keeps_what_was_done(field, client):
    quiet_evening(field)
    conversation(field, i=4, words="Kari syns bussen er for dyr.", membership=False)
    login(client, "admin@oslo.demo")
    assert post(client, "/personvern/innsyn", {"phone": "41234567"}).status_code == 200
    assert post(client, "/personvern/innsyn/slett", {"phone": "41234567", "confirm": "1"}).status_code == 302
    db.session.expire_all()
    said = words()
    assert "Ring [navn] på [telefon] om bussen" in said
    assert "Kari syns bussen er for dyr." in said and "Kari vil ha flere sykkelveier." in said and HUSLEIA in said
    lines = log_lines()
    assert any(line.startswith("sletting for en person: telefon [telefon];") for line in lines), lines
    assert any(line.startswith("søk etter en person: telefon [telefon];") for line in lines), lines
    assert not any("41234567" in line for line in lines)


def test_a_free_text_answer_that_names_the_person_is_in_their_export_and_masked_by_erasure(field, client):
    """A canvasser typed Kari's number into the short free-text answer to the action's question: the answer is
    part of what is stored about her, as words are, and erasure masks it there."""
    quiet_evening(field)
    asked = questions.create_set(db.session.scalar(select(User).where(User.email == "sagene@oslo.demo")),
                                 "Høsten", None)
    question = questions.add_question(asked, "text", "Hva bør kommunen gjøre?")
    first, second = db.session.scalars(select(Conversation).order_by(Conversation.id)).all()[:2]
    for said, value in ((first, "Ring meg på 412 34 567 om bussen"), (second, "Flere busser")):
        db.session.add(Answer(conversation_id=said.id, question_id=question.id, value=value,
                              organisation_id=said.organisation_id, week=date(2026, 11, 30)))
    db.session.commit()
    login(client, "admin@oslo.demo")
    data = post(client, "/personvern/innsyn/eksport", {"phone": "41234567"}).get_json()
    assert data["answers_naming_you"] == [{"week": "2026-11-30", "question": "Hva bør kommunen gjøre?",
                                           "answer": "Ring meg på 412 34 567 om bussen"}]
    assert post(client, "/personvern/innsyn/slett", {"phone": "41234567", "confirm": "1"}).status_code == 302
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Answer.value))) == ["Flere busser", "Ring meg på [telefon] om bussen"]
