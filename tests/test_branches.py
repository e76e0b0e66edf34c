"""The admin gives each branch its territory of postal codes and sees coverage on a map."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from canvass.extensions import db
from canvass.models import Branch, BranchPostalCode, Organisation
from canvass.services.geography import territory
from canvass.services.people import organisations
from canvass.services.turf import turfs
from tests.at_once import meanwhile
from tests.conftest import form_id_in, login, post


def branch(name: str) -> Branch:
    return db.session.scalar(select(Branch).where(Branch.name == name))


def test_the_demo_gives_each_district_branch_the_postal_codes_of_its_bydel(demo_app):
    sagene = branch("Sagene")
    assert len(sagene.organisation.branches) == 16
    assert {"0460", "0473", "0483"} <= set(sagene.territory)
    assert "0562" in branch("Grünerløkka").territory
    assert branch("Studentlaget").territory == []


def test_baerum_divisions_split_its_29_postal_codes(demo_app):
    baerum = branch("Vestre Bærum").organisation
    assert len(baerum.branches) == 5
    codes = [c for b in baerum.branches for c in b.territory]
    assert len(codes) == len(set(codes)) == 29


def test_admin_creates_a_branch_and_picks_its_postal_codes(client):
    login(client, "admin@oslo.demo")
    response = post(client, "/lag/", {"name": "Torshov", "kind": "lokallag"})
    assert response.status_code == 302
    torshov = branch("Torshov")
    free = territory.coverage(torshov.organisation).uncovered[:2]
    response = post(client, f"/lag/{torshov.id}/postnumre", {"postnummer": free}, follow_redirects=True)
    assert "Torshov har nå 2 postnumre." in response.get_data(as_text=True)
    db.session.expire_all()
    assert branch("Torshov").territory == free


def test_a_duplicate_branch_name_gets_a_clear_message(client):
    login(client, "admin@oslo.demo")
    response = post(client, "/lag/", {"name": "sagene", "kind": "lokallag"})
    assert response.status_code == 400
    assert "Det finnes allerede et lag med dette navnet." in response.get_data(as_text=True)


def test_postal_codes_outside_the_organisation_are_refused_and_nothing_changes(client):
    login(client, "admin@oslo.demo")
    sagene = branch("Sagene")
    before = list(sagene.territory)
    response = post(client, f"/lag/{sagene.id}/postnumre", {"postnummer": ["0462", "1337", "9999"]},
                    follow_redirects=True)
    assert "Ukjente postnumre for Oslo: 1337, 9999. Ingenting ble endret." in response.get_data(as_text=True)
    db.session.expire_all()
    assert branch("Sagene").territory == before


def test_territory_derived_from_a_district_polygon(client):
    login(client, "admin@oslo.demo")
    studentlaget, sagene = branch("Studentlaget"), branch("Sagene")
    codes = list(sagene.territory)
    territory.set_territory(sagene, [])
    response = post(client, f"/lag/{studentlaget.id}/fra-bydel", {"district": "030103"}, follow_redirects=True)
    assert f"La til {len(codes)} postnumre fra bydel Sagene" in response.get_data(as_text=True)
    db.session.expire_all()
    assert branch("Studentlaget").territory == codes


def test_a_postal_code_belongs_to_one_branch_and_moves_only_when_the_admin_confirms(client):
    login(client, "admin@oslo.demo")
    frogner, sagene = branch("Frogner"), branch("Sagene")
    before = list(frogner.territory)
    response = post(client, f"/lag/{frogner.id}/postnumre", {"postnummer": before + ["0460", "0473", "0552"]})
    # Asked first, naming who holds each code; nothing changes until the admin says yes.
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Flytte postnumre til Frogner?" in page
    assert "Grünerløkka: 0552" in page and "Sagene: 0460, 0473" in page
    assert "Sagene har ingen roder i gang der." in page
    db.session.expire_all()
    assert branch("Frogner").territory == before
    turfs.cut_turfs(sagene, ["0473"], target=70)
    page = post(client, f"/lag/{sagene.id}/postnumre", {"postnummer": [c for c in sagene.territory if c != "0473"]},
                follow_redirects=True).get_data(as_text=True)
    assert "Sagene har fortsatt roder i 0473. De blir stående til laget arkiverer dem" in page
    assert post(client, f"/lag/{frogner.id}/postnumre", {"postnummer": before + ["0473"]}).status_code == 302
    db.session.expire_all()
    assert "0473" in branch("Frogner").territory and "0473" not in branch("Sagene").territory
    page = post(client, f"/lag/{frogner.id}/postnumre", {"postnummer": before + ["0473", "0460"], "move": "1"},
                follow_redirects=True).get_data(as_text=True)
    assert "Flyttet 0460 fra Sagene." in page
    db.session.expire_all()
    assert "0460" in branch("Frogner").territory and "0460" not in branch("Sagene").territory


def test_adding_a_district_leaves_codes_other_branches_hold_with_them(client):
    login(client, "admin@oslo.demo")
    studentlaget = branch("Studentlaget")
    page = post(client, f"/lag/{studentlaget.id}/fra-bydel", {"district": "030103"},
                follow_redirects=True).get_data(as_text=True)
    assert "La til 0 postnumre fra bydel Sagene" in page and "hører allerede til Sagene og ble ikke lagt til." in page
    db.session.expire_all()
    assert branch("Studentlaget").territory == []


def test_the_map_shows_codes_still_shared_from_before_and_uncovered_postal_codes(client):
    # Earlier versions let the admin give a code to two branches; such codes show until the admin settles them.
    frogner = branch("Frogner")
    db.session.add(BranchPostalCode(branch_id=frogner.id, postnummer="0460"))
    db.session.commit()
    login(client, "admin@oslo.demo")
    features = {
        f["properties"]["postnummer"]: f["properties"] for f in client.get("/lag/kart.geojson").get_json()["features"]
    }
    assert features["0460"]["status"] == "contested"
    assert features["0460"]["branches"] == ["Frogner", "Sagene"]
    assert features["0150"]["status"] == "uncovered"
    assert features["0473"]["status"] == "covered"
    page = client.get("/lag/").get_data(as_text=True)
    assert "0460: Frogner, Sagene" in page
    # Saving Frogner's list with the shared code still ticked keeps it; nothing else is blocked by it.
    assert post(client, f"/lag/{frogner.id}/postnumre", {"postnummer": frogner.territory}).status_code == 302


def test_a_branch_form_sent_twice_at_the_same_moment_makes_one_branch_and_a_norwegian_answer(demo_app, client):
    """The outsider's double tap on «Opprett lag»: the second request passed the name check before the first had
    stored it, and got Werkzeug's English "Internal Server Error", since the error page could not render either."""
    oslo = branch("Sagene").organisation
    assert len(oslo.branches) == 16  # what this request's check sees
    with Session(db.engine) as other_request:  # the double tap's other half stores the name in between
        other_request.add(Branch(organisation_id=oslo.id, name="Nye Sagene", kind="lokallag"))
        other_request.commit()
    with pytest.raises(organisations.Refused, match="finnes allerede"):
        organisations.create_branch(oslo, "Nye Sagene", "lokallag")
    # The same name spaced otherwise, with an invisible space, or its "å" typed as "a" and a combining ring.
    organisations.create_branch(oslo, "Årvoll", "lokallag")
    for alike in ("  Nye   sagene ", "Nye\u200b Sagene", "A\u030arvoll"):
        with pytest.raises(organisations.Refused, match="finnes allerede"):
            organisations.create_branch(oslo, alike, "lokallag")
    assert db.session.scalars(select(Branch.name).where(Branch.name.like("Nye%"))).all() == ["Nye Sagene"]


@pytest.mark.parametrize("first, second", [("Nye Sagene", "nye sagene"), ("Østre Aker", "ØSTRE AKER"),
                                           ("Nordre Grünerløkka", "NORDRE GRÜNERLØKKA")])
def test_two_branch_names_that_differ_only_in_case_sent_at_the_same_moment_make_one_branch(demo_app, first, second):
    """Re-test of the fix above: the check before the insert compares case-folded names, but the database's key
    compared the exact spelling, so two requests at once made "Nye Sagene" and "nye sagene". SQLite's lower() leaves
    "Ø" and "Ü" as they are, so the key is the name as Python folds it (canvass.typed.name_key)."""
    oslo = branch("Sagene").organisation
    assert len(oslo.branches) == 16  # what this request's check sees
    with Session(db.engine) as other_request:
        other_request.add(Branch(organisation_id=oslo.id, name=first, kind="lokallag"))
        other_request.commit()
    with pytest.raises(organisations.Refused, match="finnes allerede"):
        organisations.create_branch(oslo, second, "lokallag")
    assert db.session.scalars(select(Branch.name).where(Branch.organisation_id == oslo.id,
                                                        Branch.name.in_([first, second]))).all() == [first]


@pytest.mark.parametrize("alike", ["Ｓａｇｅｎｅ", "Sagene\u3164", "Sa\u034fgene", "\u202aSagene\u202c",
                                   "\u2066Sagene\u2069", "Sagene\ufe0f", "Sa\u2061gene", "\u2800Sagene",
                                   "Sagene\u180e"])
def test_a_name_that_only_looks_like_another_is_the_same_name(demo_app, alike):
    """Tester I made «Ｓａｇｅｎｅ» (fullwidth), «Sagene» with a Hangul filler and with bidi or other invisible
    characters beside «Sagene»: each looked the same on the page and was a second branch."""
    oslo = branch("Sagene").organisation
    with pytest.raises(organisations.Refused, match="finnes allerede"):
        organisations.create_branch(oslo, alike, "lokallag")


@pytest.mark.parametrize("blank", ["\u200b", "\u3164\u3164", " \u2066\u2069 ", "\ufe0f"])
def test_a_branch_name_of_nothing_visible_is_refused(demo_app, blank):
    """Tester I's «\u200b» made a branch with an empty name and heading."""
    oslo = branch("Sagene").organisation
    with pytest.raises(organisations.Refused, match="Skriv et navn."):
        organisations.create_branch(oslo, blank, "lokallag")
    assert len(branch("Sagene").organisation.branches) == 16


def test_two_organisations_whose_names_differ_only_in_case_are_not_both_made_at_the_same_moment(demo_app):
    with Session(db.engine) as other_request:  # the other request's organisation, stored after this one's check
        other_request.add(Organisation(name="Østfold SV"))
        other_request.commit()
    with pytest.raises(organisations.Refused, match="finnes allerede en organisasjon som heter ØSTFOLD SV"):
        organisations.create("ØSTFOLD SV", ["0301"], "Åse Admin", "ase@ostfold.example")
    assert db.session.scalar(select(func.count()).select_from(Organisation)
                             .where(Organisation.name.in_(["Østfold SV", "ØSTFOLD SV"]))) == 1


def test_a_double_tap_on_opprett_lag_makes_one_branch_and_ends_on_it(client):
    """Tester I's second tap ended on «Det finnes allerede et lag med dette navnet.», though the first had made it.
    Sent again after Back with another name, the form makes nothing and says so; once more, it is a new branch."""
    login(client, "admin@oslo.demo")
    page = client.get("/lag/").get_data(as_text=True)
    form = {"name": "Nordre Sagene", "kind": "lokallag",
            "form_id": form_id_in(page)}
    first, second = post(client, "/lag/", form), post(client, "/lag/", form)
    assert first.status_code == second.status_code == 302 and first.location == second.location
    assert db.session.scalars(select(Branch.name).where(Branch.name == "Nordre Sagene")).all() == ["Nordre Sagene"]
    changed = post(client, "/lag/", {**form, "name": "Søndre Sagene"})
    body = changed.get_data(as_text=True)
    assert changed.status_code == 400 and "Dette skjemaet har allerede laget laget «Nordre Sagene»." in body
    fresh = form_id_in(body)
    assert fresh != form["form_id"] and db.session.scalar(select(Branch).where(Branch.name == "Søndre Sagene")) is None
    assert post(client, "/lag/", {**form, "name": "Søndre Sagene", "form_id": fresh}).status_code == 302


def test_an_error_that_leaves_the_database_session_failed_still_gets_the_norwegian_error_page(demo_app, client):
    demo_app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page, not the traceback

    @demo_app.get("/test/feil")
    def fails():
        db.session.add(Branch(organisation_id=branch("Sagene").organisation_id, name="Sagene", kind="lokallag"))
        db.session.flush()  # a unique name taken: the transaction is failed, and nothing here rolls it back

    login(client, "admin@oslo.demo")
    response = client.get("/test/feil")
    assert response.status_code == 500
    assert "Noe gikk galt hos oss. Prøv igjen om litt." in response.get_data(as_text=True)
    assert "Logg ut" in response.get_data(as_text=True)  # the page knew who was logged in


def test_one_branch_per_kommune_pressed_twice_at_the_same_moment_makes_the_branch_once(demo_app, monkeypatch):
    """Tester I's double tap on «Ett lag per kommune» gave the error page: both requests made the branch «Oslo»,
    and the unique name refused the second. The second now waits, and fills the branch the first made."""
    oslo = branch("Sagene").organisation
    units = [u for u in territory.kommune_units(oslo) if u.codes]
    organisation_id = oslo.id
    done = meanwhile(monkeypatch, demo_app, lambda: territory.divide(
        db.session.get(Organisation, organisation_id), territory.kommune_units(
            db.session.get(Organisation, organisation_id))), at=(territory, "name_key"))
    first = territory.divide(oslo, units)
    done["thread"].join(timeout=30)
    assert "raised" not in done, done.get("raised")
    assert done["finished_at_once"] is False
    assert first.created == ["Oslo"] and done["result"].created == [] and "Oslo" in done["result"].filled
    assert db.session.scalar(select(func.count()).select_from(Branch).where(Branch.organisation_id == oslo.id,
                                                                          Branch.name == "Oslo")) == 1
