"""A party from zero: `org create` on the command line, first-run setup on the web with the one-time code,
the organisation's kommuner, and branches by kommune or valgkrets where there are no bydeler."""
import re
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import ActionTurf, Branch, LoginLink, Organisation, SetupCode, User
from canvass.services.geography import geodata_import, territory
from canvass.services.people import organisations
from canvass.services.turf import actions, turfs
from canvass.web.setup import announce
from tests import elverum
from tests.conftest import csrf_token, form_id_in, login, post, roles_of, two_factor_code


def _counts() -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count()).select_from(Organisation)),
            db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(LoginLink)))


def _org_create(app, *extra):
    args = ["org", "create", "--name", "Elverum SV", "--party", "SV", "--kommune", "3420",
            "--admin-email", "Leder@Elverum-SV.no", "--admin-name", "Lene Leder", *extra]
    return app.test_cli_runner().invoke(args=args)


# --- org create on the command line ------------------------------------------------------------------------------

def test_org_create_makes_the_organisation_its_kommuner_and_admin_and_prints_a_password_link(app):
    result = _org_create(app, "--kommune", "3403")
    assert result.exit_code == 0, result.output
    assert "Opprettet Elverum SV (3403 Hamar, 3420 Elverum) med administrator Lene Leder <leder@elverum-sv.no>." \
        in result.output
    org = db.session.scalar(select(Organisation))
    assert (org.name, org.party, sorted(org.kommunenummer)) == ("Elverum SV", "SV", ["3403", "3420"])
    admin = db.session.scalar(select(User))
    assert (roles_of(admin), admin.email, admin.password_hash) == ([("admin", None)], "leder@elverum-sv.no", None)
    link = re.search(r"http://\S+/passord/(\S+)", result.output)
    assert link, result.output

    # The link sets a password once, then the admin sets up two-factor and is in.
    client = app.test_client()
    path = f"/passord/{link.group(1)}"
    page = client.get(path).get_data(as_text=True)
    assert "Velkommen, Lene Leder" in page
    response = client.post(path, data={"password": "lang-nok-passord", "password_again": "lang-nok-passord",
                                       "csrf_token": csrf_token(client, path)})
    assert response.status_code == 302 and response.location.startswith("/login/kode")
    response = client.post("/login/kode", data={"code": two_factor_code(client, "leder@elverum-sv.no"),
                                                "csrf_token": csrf_token(client, "/login/kode")})
    assert response.status_code == 302
    assert client.get("/lag/").status_code == 200
    assert client.get(path).status_code == 404
    other = app.test_client()
    assert other.get(path).status_code == 404


@pytest.mark.parametrize("args, message", [
    (["--kommune", "9999"], "Ukjent kommunenummer: 9999. Bruk de firesifrede numrene fra 2024"),
    (["--kommune", "1201"], "Ukjent kommunenummer: 1201."),  # Bergen's number before 2020
    (["--admin-email", "ikke-en-adresse"], "«ikke-en-adresse» er ikke en gyldig e-postadresse."),
    (["--name", "   "], "Skriv organisasjonens navn."),
])
def test_org_create_refuses_bad_input_in_norwegian_and_creates_nothing(app, args, message):
    result = _org_create(app, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert _counts() == (0, 0, 0)


def test_org_create_refuses_a_name_or_admin_that_exists_and_creates_nothing(app):
    assert _org_create(app).exit_code == 0
    before = _counts()
    again = _org_create(app, "--name", "elverum sv", "--admin-email", "ny@example.no")
    assert again.exit_code == 1 and "Det finnes allerede en organisasjon som heter elverum sv." in again.output
    same_admin = _org_create(app, "--name", "Hamar SV", "--kommune", "3403")
    assert same_admin.exit_code == 1
    assert "leder@elverum-sv.no har allerede en brukerkonto i Canvass." in same_admin.output
    assert _counts() == before


# --- the setup page ------------------------------------------------------------------------------------------------

def _setup_form(client, code: str, **changes) -> dict:
    data = {"code": code, "name": "Elverum SV", "party": "SV", "kommune": ["3420"], "admin_name": "Lene Leder",
            "admin_email": "leder@elverum-sv.no", "password": "lang-nok-passord",
            "password_again": "lang-nok-passord", "csrf_token": csrf_token(client, "/oppsett")}
    data.update(changes)
    return data


def test_setup_with_the_one_time_code_creates_the_organisation_and_goes_on_to_two_factor(app):
    code = organisations.new_setup_code()
    client = app.test_client()
    page = client.get("/oppsett").get_data(as_text=True)
    assert "Sett opp Canvass" in page and 'value="3420"' in page and page.count('name="kommune"') == 357
    response = client.post("/oppsett", data=_setup_form(client, code.lower().replace("-", " "),
                                                        kommune=["3420", "3403"]))
    assert response.status_code == 302 and response.location.startswith("/login/kode")
    org = db.session.scalar(select(Organisation))
    assert (org.name, org.party, sorted(org.kommunenummer)) == ("Elverum SV", "SV", ["3403", "3420"])
    # The form posts back to the page's own address, which names where to go next.
    response = client.post(response.location, data={"code": two_factor_code(client, "leder@elverum-sv.no"),
                                                    "csrf_token": csrf_token(client, "/login/kode")})
    assert response.location == "/oppsett/ferdig"
    done = client.get("/oppsett/ferdig").get_data(as_text=True)
    assert "Elverum SV er klar" in done and "geodata download --kommune 3420" in done


def test_setup_is_refused_without_the_code_with_a_wrong_one_and_after_use(app):
    code = organisations.new_setup_code()
    client = app.test_client()
    missing = client.post("/oppsett", data=_setup_form(client, ""))
    assert missing.status_code == 400 and "Skriv engangskoden serveren skrev ut." in missing.get_data(as_text=True)
    wrong = client.post("/oppsett", data=_setup_form(client, "AAAA-BBBB-CCCC-DDDD"))
    assert wrong.status_code == 400 and "Feil oppsettskode." in wrong.get_data(as_text=True)
    # The code is checked first: a new party's admin was told to choose a kommune, and only then that the code was
    # wrong; and whoever has no code learns nothing of the rest of the form.
    both = client.post("/oppsett", data=_setup_form(client, "AAAA-BBBB-CCCC-DDDD", kommune=[])).get_data(as_text=True)
    assert "Feil oppsettskode." in both and "Velg minst én kommune." not in both
    assert _counts() == (0, 0, 0)
    # A refusal for another reason does not use the code up.
    no_kommune = client.post("/oppsett", data=_setup_form(client, code, kommune=[]))
    assert no_kommune.status_code == 400 and "Velg minst én kommune." in no_kommune.get_data(as_text=True)
    assert client.post("/oppsett", data=_setup_form(client, code)).status_code == 302
    # Used: and setup is closed for good now that an organisation exists.
    later = app.test_client()
    assert later.get("/oppsett").status_code == 404
    assert later.post("/oppsett", data=_setup_form(later, code, name="Andre SV")).status_code == 404
    assert organisations.new_setup_code() is None
    assert _counts()[0] == 1


def test_a_double_tap_on_sett_opp_goes_where_the_first_tap_went_and_nobody_else_gets_in(app):
    """Tester I's double tap on «Sett opp»: the page ended on the second tap's «Feil oppsettskode», and its cookie
    left the new admin logged out, although the first tap had set Canvass up. The same form sent again (its id,
    the admin's own e-mail and password) goes on to two-factor as the first did; without all of them it is closed."""
    code = organisations.new_setup_code()
    client = app.test_client()
    page = client.get("/oppsett").get_data(as_text=True)
    form = _setup_form(client, code, form_id=form_id_in(page))
    first, second = client.post("/oppsett", data=form), client.post("/oppsett", data=form)
    assert first.location.startswith("/login/kode") and second.location == first.location
    assert _counts()[0] == 1
    response = client.post(second.location, data={"code": two_factor_code(client, "leder@elverum-sv.no"),
                                                  "csrf_token": csrf_token(client, "/login/kode")})
    assert response.location == "/oppsett/ferdig"
    # Another browser with the form's id but not the password, or the password but another form: the closed page.
    for changes in ({"password": "gjettet-passord", "password_again": "gjettet-passord"},
                    {"form_id": str(uuid.uuid4())}):
        other = app.test_client()
        assert other.post("/oppsett", data={**form, **changes, "csrf_token": csrf_token(other, "/login")}
                          ).status_code == 404


def test_a_used_code_never_works_again_even_before_an_organisation_exists(app):
    code = organisations.new_setup_code()
    with pytest.raises(organisations.Refused):
        organisations.create("X", ["3420"], "A", "a@example.no", password="lang-nok-passord",
                             setup_code="WRONG-CODE")
    assert organisations._claim_code(code)
    db.session.commit()
    assert not organisations._claim_code(code)


def test_a_new_code_replaces_the_one_printed_before(app):
    first = organisations.new_setup_code()
    second = organisations.new_setup_code()
    client = app.test_client()
    assert client.post("/oppsett", data=_setup_form(client, first)).status_code == 400
    assert client.post("/oppsett", data=_setup_form(client, second)).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SetupCode).where(SetupCode.used_at.is_not(None))) == 1


def test_setup_code_command_prints_a_code_until_an_organisation_exists(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["setup", "code"])
    assert result.exit_code == 0 and re.search(r"/oppsett og skriv inn engangskoden [A-Z2-9]{4}(-[A-Z2-9]{4}){3}",
                                               result.output)
    assert _org_create(app).exit_code == 0
    closed = runner.invoke(args=["setup", "code"])
    assert closed.exit_code == 1 and "Canvass er allerede satt opp" in closed.output
    assert runner.invoke(args=["setup", "code", "--if-open"]).output == ""


def test_the_server_log_shows_a_fresh_code_at_start_while_setup_is_open(app):
    logged = []
    announce(app, logged.append)
    code = re.search(r"engangskoden (\S+)$", logged[0]).group(1)
    client = app.test_client()
    assert client.post("/oppsett", data=_setup_form(client, code)).status_code == 302
    announce(app, logged.append)
    assert len(logged) == 1


def test_wrong_codes_are_rate_limited(app):
    organisations.new_setup_code()
    client = app.test_client()
    statuses = [client.post("/oppsett", data=_setup_form(client, f"WRONG{i}")).status_code for i in range(12)]
    assert statuses[:10] == [400] * 10 and statuses[10:] == [429, 429]


def test_the_kommune_search_works_without_javascript_and_keeps_what_was_ticked(app):
    organisations.new_setup_code()
    client = app.test_client()
    page = client.post("/oppsett", data={"q": "baerum", "search": "1", "kommune": ["3420"], "name": "Elverum SV",
                                         "csrf_token": csrf_token(client, "/oppsett")}).get_data(as_text=True)
    assert re.findall(r'name="kommune" value="(\d{4})"', page) == ["3420", "3201"]
    assert re.search(r'value="3420"\s+checked', page) and 'value="Elverum SV"' in page
    assert _counts() == (0, 0, 0)


def test_the_login_page_offers_setup_only_while_no_organisation_exists(app):
    client = app.test_client()
    assert "/oppsett" in client.get("/login").get_data(as_text=True)
    _org_create(app)
    assert "/oppsett" not in client.get("/login").get_data(as_text=True)


# --- the organisation's kommuner ---------------------------------------------------------------------------------

@pytest.fixture
def elverum_app(app, geodata, tmp_path):
    """Elverum SV from `org create`, with Elverum's geodata imported and an admin who has logged in once."""
    created = organisations.create("Elverum SV", ["3420"], "Lene Leder", "leder@elverum-sv.no",
                                   password="lang-nok-passord")
    results = geodata_import.import_paths(elverum.files(geodata, tmp_path, moved_to_hernes=20),
                                          scope=created.organisation.kommunenummer)
    assert all(r.stored for r in results)
    return app


def _admin(app):
    client = app.test_client()
    login(client, "leder@elverum-sv.no", "lang-nok-passord")
    return client


def test_the_admin_adds_a_kommune_and_is_told_its_geodata_is_missing(elverum_app):
    client = _admin(elverum_app)
    page = client.get("/admin/organisasjon/kommuner").get_data(as_text=True)
    assert re.search(r'value="3420"\s+checked', page)
    page = post(client, "/admin/organisasjon/kommuner", {"kommune": ["3420", "3421"]},
                follow_redirects=True).get_data(as_text=True)
    assert "La til 3421 Trysil." in page and "Det finnes ingen postnumre for 3421 Trysil ennå." in page
    assert sorted(db.session.scalar(select(Organisation)).kommunenummer) == ["3420", "3421"]


def test_a_kommune_where_branches_hold_postal_codes_cannot_be_taken_away(elverum_app):
    org = db.session.scalar(select(Organisation))
    territory.divide(org, territory.kommune_units(org))
    client = _admin(elverum_app)
    post(client, "/admin/organisasjon/kommuner", {"kommune": ["3420", "3421"]})
    response = post(client, "/admin/organisasjon/kommuner", {"kommune": ["3421"]})
    assert response.status_code == 400
    assert "Lagene har fortsatt postnumre i kommunene dere vil fjerne: Elverum: 2406 (Elverum)" in \
        response.get_data(as_text=True)
    db.session.expire_all()
    assert sorted(db.session.scalar(select(Organisation)).kommunenummer) == ["3420", "3421"]
    cli = elverum_app.test_cli_runner().invoke(args=["org", "kommuner", "Elverum SV", "--remove", "3420"])
    assert cli.exit_code == 1 and "Ta dem bort fra lagene først." in cli.output
    removed = elverum_app.test_cli_runner().invoke(args=["org", "kommuner", "Elverum SV", "--remove", "3421"])
    assert removed.exit_code == 0 and "Tok bort 3421 Trysil." in removed.output


# --- branches where there are no bydeler ---------------------------------------------------------------------------

def test_branches_by_valgkrets_take_each_postal_code_where_most_of_its_addresses_vote(elverum_app):
    client = _admin(elverum_app)
    page = client.get("/lag/").get_data(as_text=True)
    assert "Ett lag per valgkrets" in page and "Leiret, Hernes" in page
    page = post(client, "/lag/inndeling", {"by": "valgkrets"}, follow_redirects=True).get_data(as_text=True)
    assert "Opprettet 2 lag etter valgkrets: Leiret, Hernes." in page
    assert "Disse postnumrene har adresser i flere valgkretser og gikk til den med flest: 2406." in page
    db.session.expire_all()
    branches = {b.name: b.territory for b in db.session.scalars(select(Branch))}
    assert branches == {"Leiret": ["2406", "2410", "2411"], "Hernes": ["2412", "2428"]}
    # Again: nothing new, nothing moved.
    page = post(client, "/lag/inndeling", {"by": "valgkrets"}, follow_redirects=True).get_data(as_text=True)
    assert "Fylte på lag som fantes fra før: Leiret, Hernes." in page
    assert db.session.scalar(select(func.count()).select_from(Branch)) == 2


def test_branches_by_kommune_leave_codes_another_branch_holds_where_they_are(elverum_app):
    client = _admin(elverum_app)
    post(client, "/lag/inndeling", {"by": "valgkrets"})
    page = post(client, "/lag/inndeling", {"by": "kommune"}, follow_redirects=True).get_data(as_text=True)
    assert "Opprettet 1 lag etter kommune: Elverum." in page
    assert "2406, 2410, 2411 hører allerede til Leiret og ble ikke flyttet." in page
    db.session.expire_all()
    assert db.session.scalar(select(Branch).where(Branch.name == "Elverum")).territory == []


def test_giving_a_code_another_branch_holds_asks_first_naming_its_live_turf_and_actions(elverum_app):
    client = _admin(elverum_app)
    post(client, "/lag/inndeling", {"by": "valgkrets"})
    leiret = db.session.scalar(select(Branch).where(Branch.name == "Leiret"))
    hernes = db.session.scalar(select(Branch).where(Branch.name == "Hernes"))
    turf = turfs.cut_turfs(leiret, ["2410"], target=50)[0]
    action = actions.create_action(leiret, "Hernes-runden", "door", datetime.now() + timedelta(days=2))
    db.session.add(ActionTurf(action_id=action.id, turf_id=turf.id))
    db.session.commit()
    response = post(client, f"/lag/{hernes.id}/fra-inndeling", {"by": "valgkrets", "unit": "3420-5"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Flytte postnumre til Hernes?" in page and "Leiret: 2406, 2410, 2411" in page
    assert turf.name in page and "Hernes-runden" in page
    db.session.expire_all()
    assert db.session.get(Branch, hernes.id).territory == ["2412", "2428"]

    codes = re.findall(r'name="postnummer" value="(\d{4})"', page)
    page = post(client, f"/lag/{hernes.id}/postnumre", {"postnummer": codes, "move": "1"},
                follow_redirects=True).get_data(as_text=True)
    assert "Flyttet 2406, 2410, 2411 fra Leiret." in page
    assert f"Rodene Leiret har der ({turf.name}) blir stående til Leiret arkiverer dem." in page
    db.session.expire_all()
    assert db.session.get(Branch, hernes.id).territory == ["2406", "2410", "2411", "2412", "2428"]
    assert db.session.get(Branch, leiret.id).territory == []


def test_every_page_a_new_admin_can_reach_answers_before_there_is_a_branch_or_geodata(app):
    """Day one of a party that is not the demo: nothing but the organisation and its admin."""
    organisations.create("Hamar SV", ["3403"], "Hanne Hamar", "leder@hamar-sv.no", password="lang-nok-passord")
    client = app.test_client()
    login(client, "leder@hamar-sv.no", "lang-nok-passord")
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    links = sorted(set(re.findall(r'href="(/[^"#?]*)"', home)) - {"/logout", "/logg-ut"})
    assert "/folk/" in links and len(links) >= 5
    for link in links:
        assert client.get(link).status_code < 500, link
    people = client.get("/folk/").get_data(as_text=True)
    assert "Lag invitasjonslenker når organisasjonen har et lag." in people and 'href="/lag/"' in people
