"""A refusal anywhere in a request undoes what the request wrote and shows its message where the user goes back."""
from canvass.extensions import db
from canvass.models import Action, QuestionSet
from canvass.refusal import N_, Refusal
from canvass.services.turf import actions, questions, turfs
from tests.conftest import daniels_turf_tonight, login, post
from tests.snapshot import snapshot


def test_a_refusal_after_a_write_in_the_same_request_leaves_the_database_as_it_was_and_shows_the_message(
        client, monkeypatch):
    turf, action, daniel = daniels_turf_tonight()
    question_set = QuestionSet(organisation_id=action.organisation_id, branch_id=action.branch_id, name="Bussen")
    db.session.add(question_set)
    db.session.commit()
    login(client, "sagene@oslo.demo")
    original = questions.set_guide

    def written_then_refused(guide):
        # The action's question set is already written to the database when the guide is refused.
        db.session.flush()
        return original(guide)

    monkeypatch.setattr(questions, "set_guide", written_then_refused)
    monkeypatch.setattr(questions, "GUIDE_MAX", 5)
    before = snapshot()
    response = post(client, f"/aksjoner/{action.id}/sporsmal",
                    {"question_set": str(question_set.id), "guide": "Spør om bussen først."})
    assert response.status_code == 302
    assert response.location.endswith(f"/aksjoner/{action.id}#sporsmal")
    assert snapshot() == before
    assert db.session.get(Action, action.id).question_set_id is None
    page = client.get(response.location).get_data(as_text=True)
    assert "Samtaleguiden kan være høyst 5 tegn." in page


def test_a_refusal_no_view_names_a_page_for_goes_back_to_the_page_the_form_was_on_and_never_to_another_site(
        client, monkeypatch):
    turf, action, daniel = daniels_turf_tonight()
    login(client, "sagene@oslo.demo")

    def renamed_then_refused(action_, turf_):
        turf_.name = "Halvveis"
        db.session.flush()
        raise turfs.TurfError(N_("Velg minst ett postnummer."))

    monkeypatch.setattr(actions, "release", renamed_then_refused)
    before = snapshot()
    came_from = f"http://localhost/aksjoner/{action.id}?vis=alle"
    response = post(client, f"/aksjoner/{action.id}/frigi", {"turf": turf.id}, headers={"Referer": came_from})
    assert response.status_code == 302
    assert response.location == f"/aksjoner/{action.id}?vis=alle"
    assert snapshot() == before
    assert "Velg minst ett postnummer." in client.get(response.location).get_data(as_text=True)
    hostile = post(client, f"/aksjoner/{action.id}/frigi", {"turf": turf.id},
                   headers={"Referer": "https://evil.example/aksjoner"})
    assert hostile.status_code == 302 and hostile.location == "/"
    assert snapshot() == before


def test_every_refusal_of_an_area_is_a_refusal_with_its_message_and_values():
    refused = turfs.TurfError(N_("Rode %(name)s finnes ikke."), name="0473-1")
    assert isinstance(refused, Refusal) and isinstance(refused, ValueError)
    assert (refused.message, refused.params, str(refused)) == ("Rode %(name)s finnes ikke.", {"name": "0473-1"},
                                                               "Rode 0473-1 finnes ikke.")

