"""Answers still on phones: what a coordinator does after a volunteer downloaded the walk list (switch the
action's or the week's question set, edit or delete a question, release the turf) neither loses an answer
recorded offline nor changes what it means, and the committee still lists every question an action had
answers to. Also the conversation guide on the walk list."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from flask import current_app
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Action, Answer, Assignment, Branch, Question, QuestionSet, User
from canvass.services.field import sync
from canvass.services.turf import actions, questions
from tests.conftest import daniels_turf_tonight, login, login_as_volunteer, post

PARTIES = "SV\nAp\nH"


def one(model, **where):
    return db.session.scalar(select(model).filter_by(**where))


def coordinator() -> User:
    return one(User, email="sagene@oslo.demo")


def a_set(name: str, text: str = "Hvem stemte du på sist?", options: str = PARTIES) -> QuestionSet:
    made = questions.create_set(coordinator(), name, None)
    questions.add_question(made, "one", text, options)
    return made


@pytest.fixture
def out(demo_app):
    """Daniel has downloaded tonight's walk list: his action asks set 1, or (week=True) its week asks set 1."""
    def make(week: bool = False):
        turf, action, daniel = daniels_turf_tonight()
        first, second = a_set("Sett 1"), a_set("Sett 2", "Hva er viktigst?", "Bolig\nSkole")
        if week:
            campaign = actions.create_campaign(action.branch, "Høstuka", date.today(), date.today() + timedelta(days=6))
            campaign.question_set = first
            action.campaign = campaign
        else:
            action.question_set = first
        db.session.commit()
        client = current_app.test_client()
        login(client, "sagene@oslo.demo")
        return {"turf": turf, "action": action, "user": daniel, "first": first, "second": second,
                "question": first.questions[0], "client": client}
    return make


def offline_answer(door: dict, value, i: int = 0) -> dict:
    """A conversation recorded at the door with no signal, the answer to set 1's question in it."""
    stop = door["turf"].stops[i]
    return {"id": str(uuid.uuid4()), "type": "visit", "outcome": "conversation", "turf_id": door["turf"].id,
            "action_id": door["action"].id, "address_id": stop.address_id, "unit": "",
            "recorded_at": (datetime.now(timezone.utc) - timedelta(minutes=30 - i)).isoformat(),
            "conversation": {"topics": [], "words": "", "importance": None,
                             "answers": {str(door["question"].id): value}}}


def stored() -> list[tuple[str, str]]:
    """Each stored answer as the question's text and the option's text it meant when it arrived."""
    rows = db.session.execute(select(Question, Answer.value).join(Answer, Answer.question_id == Question.id)).all()
    return sorted((q.text, q.option_list[int(v) - 1] if q.kind == "one" else v) for q, v in rows)


def arrives(door: dict, event: dict) -> None:
    result = sync.ingest(door["user"], [event])[0]
    assert (result.status, result.refused) == ("stored", None)


def page(client, path: str) -> str:
    return client.get(path, follow_redirects=True).get_data(as_text=True)


def switch_action(door: dict, to: QuestionSet | None):
    return post(door["client"], f"/aksjoner/{door['action'].id}/sporsmal",
                {"question_set": str(to.id) if to else "", "guide": "Ny guide"}, follow_redirects=True)


def switch_week(door: dict, to: QuestionSet | None):
    return post(door["client"], f"/kampanjer/{door['action'].campaign_id}/sporsmal",
                {"question_set": str(to.id) if to else ""}, follow_redirects=True)


def test_an_actions_set_cannot_be_switched_once_out_and_the_answers_on_the_phone_arrive(out):
    door = out()
    recorded = offline_answer(door, "1")
    refused = switch_action(door, door["second"]).get_data(as_text=True)
    emptied = switch_action(door, None).get_data(as_text=True)
    db.session.expire_all()
    assert "Aksjonen er sendt ut til frivillige, så spørsmålssettet kan ikke byttes" in refused
    assert "Legg heller til spørsmål i settet" in refused and "lag en ny aksjon" in refused
    assert "Aksjonen er sendt ut til frivillige" in emptied
    # Refused as a whole: the guide typed in the same form is not saved either.
    assert door["action"].question_set_id == door["first"].id and door["action"].guide == ""
    arrives(door, recorded)
    assert stored() == [("Hvem stemte du på sist?", "SV")]


def test_a_weeks_set_cannot_be_switched_while_an_action_asking_it_is_out_nor_that_action_take_its_own(out):
    door = out(week=True)
    recorded = offline_answer(door, "2")
    week = switch_week(door, door["second"]).get_data(as_text=True)
    own = switch_action(door, door["second"]).get_data(as_text=True)
    db.session.expire_all()
    assert "Aksjoner i kampanjeuka er sendt ut til frivillige (Torshov)" in week
    assert "Aksjonen er sendt ut til frivillige" in own
    assert door["action"].campaign.question_set_id == door["first"].id and door["action"].question_set_id is None
    arrives(door, recorded)
    assert stored() == [("Hvem stemte du på sist?", "Ap")]


def test_releasing_or_re_assigning_the_turf_does_not_unlock_the_set_as_the_phone_keeps_its_copy(out):
    door = out(week=True)
    recorded = offline_answer(door, "3")
    actions.release(door["action"], door["turf"])
    assert db.session.scalar(select(Assignment).where(Assignment.action_id == door["action"].id)) is None
    week = switch_week(door, door["second"]).get_data(as_text=True)
    edited = post(door["client"], f"/sporsmal/{door['first'].id}/{door['question'].id}",
                  {"do": "save", "kind": "one", "text": "Hvem stemte du på sist?", "options": "H\nAp\nSV"},
                  follow_redirects=True).get_data(as_text=True)
    db.session.expire_all()
    assert "Aksjoner i kampanjeuka er sendt ut til frivillige" in week
    assert "Spørsmålet er sendt ut til frivillige og kan ikke endres" in edited
    assert door["question"].option_list == ["SV", "Ap", "H"]
    arrives(door, recorded)
    assert stored() == [("Hvem stemte du på sist?", "H")]


def test_an_action_not_yet_out_switches_freely_and_one_out_may_take_the_set_it_already_asks(out):
    door = out(week=True)
    sagene = one(Branch, name="Sagene")
    later = actions.create_action(sagene, "Lørdag", "door", datetime.now() + timedelta(days=2),
                                  campaign=door["action"].campaign)
    assert post(door["client"], f"/aksjoner/{later.id}/sporsmal",
                {"question_set": str(door["second"].id), "guide": ""}).status_code == 302
    same = switch_action(door, door["first"]).get_data(as_text=True)
    db.session.expire_all()
    assert later.question_set_id == door["second"].id
    assert "Spørsmål og samtaleguide er lagret." in same and door["action"].question_set_id == door["first"].id
    # Now it asks set 1 as its own, the week's set no longer reaches it: the week may switch.
    assert "Spørsmålssettet er lagret." in switch_week(door, door["second"]).get_data(as_text=True)
    db.session.expire_all()
    assert door["action"].asked.id == door["first"].id


def test_a_question_out_on_phones_but_not_yet_answered_is_retired_not_edited_or_deleted(out):
    """The outside tester reordered SV/Ap/H to H/Ap/SV before anyone had synced; a phone then sent "1" for SV,
    and it was stored as H."""
    door = out()
    recorded = offline_answer(door, "1")
    with pytest.raises(questions.QuestionError) as refused:
        questions.edit_question(door["question"], "one", "Hvem stemte du på sist?", "H\nAp\nSV")
    url = f"/sporsmal/{door['first'].id}/{door['question'].id}"
    post(door["client"], url, {"do": "remove"})
    db.session.expire_all()
    assert refused.value.message == questions.FIXED_SENT_OUT
    assert (door["question"].retired, door["question"].option_list) == (True, ["SV", "Ap", "H"])
    arrives(door, recorded)
    assert stored() == [("Hvem stemte du på sist?", "SV")]


def test_a_question_no_phone_has_yet_can_still_be_edited_and_deleted(out):
    door = out()
    draft = a_set("Utkast")
    question = draft.questions[0]
    questions.edit_question(question, "one", "Hvem stemte du på sist?", "H\nAp\nSV")
    assert question.option_list == ["H", "Ap", "SV"]
    post(door["client"], f"/sporsmal/{draft.id}/{question.id}", {"do": "remove"})
    assert one(QuestionSet, id=draft.id).questions == []


def test_the_set_editor_says_which_questions_are_fixed_and_why(out):
    door = out()
    added = questions.add_question(door["first"], "yes_no", "Bør bussen gå oftere?")
    arrives(door, offline_answer(door, "2"))
    shown = page(door["client"], f"/sporsmal/{door['first'].id}")
    draft = page(door["client"], f"/sporsmal/{a_set('Utkast').id}")
    answered_row = shown.split(f'id="q-{door["question"].id}"')[1].split("</section>")[0]
    added_row = shown.split(f'id="q-{added.id}"')[1].split("</section>")[0]
    assert "Sendt ut til frivillige med 1 aksjon" in shown and "Torshov" in shown
    assert "Låst: besvart" in answered_row and "Trekk tilbake og erstatt" in answered_row
    assert "Låst: sendt ut til frivillige" in added_row and 'value="retire"' in added_row
    assert 'value="remove"' not in shown and 'value="save"' not in shown
    assert "Låst" not in draft and 'value="save"' in draft and "Sendt ut" not in draft


def test_the_committee_still_lists_every_question_an_action_had_answers_to_after_switches_were_tried(out):
    door = out(week=True)
    arrives(door, offline_answer(door, "1"))
    switch_week(door, door["second"])
    switch_action(door, door["second"])
    committee = current_app.test_client()
    login(committee, "komite@oslo.demo")
    listed = page(committee, "/komite/sporsmal")
    assert "Hvem stemte du på sist?" in listed


def test_a_set_switched_before_switching_was_refused_still_lists_its_answered_questions_once_five_answered(
        out, a_week_later):
    """An action whose set was switched by an earlier release (here: written straight to the database) keeps its
    answers readable; a question with fewer than five answers in every cell stays off the list, and one with five
    in a cell still filling this week joins it only when that week is over."""
    door = out()

    def flat(n: int, value: str) -> dict:  # one stairwell, so every answer lies in one cell
        event = offline_answer(door, value, 0)
        event["unit"] = f"H01{n:02d}"
        return event

    def switched_to(question_set: QuestionSet) -> None:
        door["action"].question_set = question_set
        db.session.commit()

    for n in range(4):
        arrives(door, flat(n, "1"))
    switched_to(door["second"])
    committee = current_app.test_client()
    login(committee, "komite@oslo.demo")
    a_week_later()
    assert "Hvem stemte du på sist?" not in page(committee, "/komite/sporsmal")
    switched_to(door["first"])
    for n in range(4, 9):
        arrives(door, flat(n, "2"))
    switched_to(door["second"])
    assert "Hvem stemte du på sist?" not in page(committee, "/komite/sporsmal")
    a_week_later()
    assert "Hvem stemte du på sist?" in page(committee, "/komite/sporsmal")


def test_nothing_a_coordinator_does_after_an_offline_answer_loses_it_or_changes_its_meaning(out):
    """Every change a coordinator can make to what is asked, one after another, between the door and the sync."""
    door = out(week=True)
    recorded = [offline_answer(door, value, i) for i, value in enumerate(["1", "2", "3"])]
    q, first, second = door["question"], door["first"], door["second"]
    url = f"/sporsmal/{first.id}/{q.id}"
    tries = [(url, {"do": "save", "kind": "one", "text": "Hvem stemmer du på?", "options": "H\nAp\nSV"}),
             (f"/sporsmal/{first.id}/nytt", {"kind": "yes_no", "text": "Er du medlem?"}),
             (url, {"do": "down"}),
             (f"/kampanjer/{door['action'].campaign_id}/sporsmal", {"question_set": str(second.id)}),
             (f"/aksjoner/{door['action'].id}/sporsmal", {"question_set": str(second.id), "guide": ""}),
             (f"/aksjoner/{door['action'].id}/sporsmal", {"question_set": "", "guide": ""}),
             (url, {"do": "replace", "kind": "one", "text": "Hvem stemmer du på?", "options": "H\nAp\nSV"}),
             (url, {"do": "remove"})]
    for path, form in tries:
        post(door["client"], path, form)
    actions.release(door["action"], door["turf"])
    assert [r.status for r in sync.ingest(door["user"], recorded)] == ["stored"] * 3
    assert stored() == [("Hvem stemte du på sist?", "Ap"), ("Hvem stemte du på sist?", "H"),
                        ("Hvem stemte du på sist?", "SV")]


def test_the_walk_list_shows_the_guide_open_before_the_first_door_and_folded_after(out):
    door = out()
    door["action"].guide = "Si hvem du er.\nSpør om bussen først."
    db.session.commit()
    phone = current_app.test_client()
    login_as_volunteer(phone, door["user"])
    assignment = one(Assignment, user_id=door["user"].id, action_id=door["action"].id)
    before = page(phone, f"/felt/{assignment.id}")
    arrives(door, offline_answer(door, "1"))
    after = page(phone, f"/felt/{assignment.id}")
    door_page = page(phone, f"/felt/{assignment.id}/samtale")
    assert '<details class="samtaleguide" id="samtaleguide" open>' in before and "Spør om bussen først." in before
    assert '<details class="samtaleguide" id="samtaleguide">' in after and "Spør om bussen først." in after
    assert '<details class="samtaleguide" id="samtaleguide">' in door_page


def test_a_leaflet_round_shows_the_guide_only_when_its_action_has_one(demo_app):
    turf, action, daniel = daniels_turf_tonight()
    leaflets = actions.create_action(action.branch, "Valgavis", "leaflet", datetime.now() - timedelta(hours=1))
    actions.assign(leaflets, turf, [daniel])
    phone = current_app.test_client()
    login_as_volunteer(phone, daniel)
    assignment = one(Assignment, user_id=daniel.id, action_id=leaflets.id)
    without = page(phone, f"/felt/{assignment.id}")
    one(Action, id=leaflets.id).guide = "Ta med ekstra aviser."
    db.session.commit()
    with_guide = page(phone, f"/felt/{assignment.id}")
    assert "samtaleguide" not in without and "Lagt i alle postkasser" in without
    assert "Ta med ekstra aviser." in with_guide and 'id="samtaleguide" open' in with_guide

