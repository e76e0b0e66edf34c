"""Roles per membership in a party that is not the demo: Elverum SV from `org create`, branches by valgkrets.

The leader is admin, coordinates one branch, sits on the county committee and knocks doors, with one login;
every page their start page leads to answers. A coordinator of the other branch reaches none of the first
branch's people, turf or actions by typing their addresses.
"""
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Branch, Organisation, Role, User
from canvass.services.geography import geodata_import, territory
from canvass.services.people import organisations, people
from canvass.services.turf import actions, turfs
from tests import elverum
from tests.conftest import login, post, roles_of

LEADER = "leder@elverum-sv.no"
HERNES_COORDINATOR = "hernes@elverum-sv.no"
PASSWORD = "lang-nok-passord"
# Links a crawl must not follow: they end the login or only make sense with a form's data.
SKIPPED = re.compile(r"^/(logout|logg-ut)|\.(pdf|csv|xlsx|zip)$|/eksport\.")


@pytest.fixture
def elverum_sv(app, geodata, tmp_path):
    """Elverum SV with branches Leiret and Hernes; its leader Lene holds four roles, Hans coordinates Hernes.
    Each branch has a volunteer, a turf and an action under way with the turf given out."""
    created = organisations.create("Elverum SV", ["3420"], "Lene Leder", LEADER, password=PASSWORD)
    results = geodata_import.import_paths(elverum.files(geodata, tmp_path, moved_to_hernes=20),
                                          scope=created.organisation.kommunenummer)
    assert all(r.stored for r in results)
    org = db.session.scalar(select(Organisation))
    territory.divide(org, territory.valgkrets_units(org))
    leiret, hernes = (db.session.scalar(select(Branch).where(Branch.name == name)) for name in ("Leiret", "Hernes"))
    lene = db.session.scalar(select(User).where(User.email == LEADER))
    people.add_role(lene, Role.COORDINATOR, leiret, None)
    people.add_role(lene, Role.COMMITTEE, None, None)
    people.add_role(lene, Role.CANVASSER, leiret, None)
    people.create_user(org, Role.COORDINATOR, "Hans Hernes", email=HERNES_COORDINATOR, password=PASSWORD,
                       branch=hernes)
    world = {"leiret": leiret, "hernes": hernes}
    for branch, volunteer_name, walker in ((leiret, "Liv Leiret", lene), (hernes, "Henrik Hernes", None)):
        volunteer = people.create_user(org, Role.CANVASSER, volunteer_name, phone="+4790000011",
                                       email=f"{volunteer_name.split()[0].lower()}@example.no", branch=branch)
        db.session.commit()
        turf = turfs.cut_turfs(branch, branch.territory[:1], target=40)[0]
        action = actions.create_action(branch, f"Kveldsrunde {branch.name}", "door",
                                       datetime.now() - timedelta(hours=1))
        actions.assign(action, turf, [walker or volunteer])
        world[branch.name] = {"volunteer": volunteer.id, "turf": turf.id, "action": action.id}
    db.session.commit()
    return world


def _links(page: str) -> set[str]:
    return {link for link in re.findall(r'href="(/[^"#?]*)"', page) if not SKIPPED.search(link)}


def test_a_leader_with_four_roles_reaches_every_page_the_start_page_leads_to(app, elverum_sv):
    lene = db.session.scalar(select(User).where(User.email == LEADER))
    assert roles_of(lene) == [("admin", None), ("coordinator", "Leiret"), ("committee", None),
                              ("canvasser", "Leiret")]
    client = app.test_client()
    login(client, LEADER, PASSWORD)
    home = client.get("/").get_data(as_text=True)
    leiret = elverum_sv["leiret"]
    assert "Du er administrator i Elverum SV." in home
    assert "Du er dørbankansvarlig i Leiret." in home and f"/lag/{leiret.id}/roder" in home
    assert "Du er dørbanker i Leiret." in home and "Mine roder" in home
    assert "Du er medlem av programkomiteen i Elverum SV." in home and "/komite/" in home

    # Every page the start page links to, and every page those link to, answers for this one login.
    seen, frontier = {"/"}, _links(home)
    for _depth in range(2):
        found = set()
        for link in sorted(frontier - seen):
            seen.add(link)
            response = client.get(link)
            assert response.status_code in (200, 302, 303), (link, response.status_code)
            if response.status_code == 200 and response.mimetype == "text/html":
                found |= _links(response.get_data(as_text=True))
        frontier = found
    for page in ("/folk/", f"/lag/{leiret.id}/roder", f"/lag/{leiret.id}/aksjoner", "/komite/",
                 f"/aksjoner/{elverum_sv['Leiret']['action']}", f"/roder/{elverum_sv['Leiret']['turf']}"):
        assert page in seen, page

    # The admin sees both branches' people and may act on either.
    people_page = client.get("/folk/").get_data(as_text=True)
    assert "Liv Leiret" in people_page and "Henrik Hernes" in people_page and "Hans Hernes" in people_page
    hernes = elverum_sv["Hernes"]
    assert client.get(f"/folk/{hernes['volunteer']}/kontakt").status_code == 200
    assert client.get(f"/lag/{elverum_sv['hernes'].id}/roder").status_code == 200

    # The leader's own walk list, as a canvasser.
    walk = re.search(r'href="(/felt/\d+)"', home).group(1)
    assert client.get(walk).status_code == 200
    assert client.get(walk + "/dorer.json").status_code == 200


def test_a_coordinator_of_one_branch_reaches_nothing_of_the_other_by_its_addresses(app, elverum_sv):
    leiret, hernes = elverum_sv["leiret"], elverum_sv["hernes"]
    theirs, own = elverum_sv["Leiret"], elverum_sv["Hernes"]
    client = app.test_client()
    login(client, HERNES_COORDINATOR, PASSWORD)

    for page in (f"/lag/{hernes.id}/roder", f"/lag/{hernes.id}/aksjoner", f"/roder/{own['turf']}",
                 f"/aksjoner/{own['action']}", f"/folk/{own['volunteer']}/kontakt", f"/lag/{hernes.id}"):
        assert client.get(page).status_code == 200, page
    for page in (f"/lag/{leiret.id}/roder", f"/lag/{leiret.id}/aksjoner", f"/lag/{leiret.id}",
                 f"/lag/{leiret.id}/roder.geojson", f"/roder/{theirs['turf']}", f"/roder/{theirs['turf']}.geojson",
                 f"/roder/{theirs['turf']}/gaaliste.pdf", f"/aksjoner/{theirs['action']}",
                 f"/aksjoner/{theirs['action']}/framdrift", f"/aksjoner/{theirs['action']}/kart.geojson",
                 f"/folk/{theirs['volunteer']}/kontakt"):
        assert client.get(page).status_code in (403, 404), page
    for action in (f"/folk/{theirs['volunteer']}/fjern", f"/folk/{theirs['volunteer']}/innloggingslenke",
                   f"/roder/{theirs['turf']}/navn", f"/roder/{theirs['turf']}/arkiver",
                   f"/aksjoner/{theirs['action']}/frigi", f"/lag/{leiret.id}/roder"):
        assert post(client, action, {"name": "Tatt", "branch": str(leiret.id)}).status_code in (403, 404), action
    # An invite for the other branch is refused too.
    assert post(client, "/folk/invitasjon", {"branch": str(leiret.id)}).status_code == 403

    people_page = client.get("/folk/").get_data(as_text=True)
    assert "Henrik Hernes" in people_page
    assert "Liv Leiret" not in people_page and "Lene Leder" not in people_page
    db.session.expire_all()
    volunteer = db.session.get(User, theirs["volunteer"])
    assert volunteer.removed_at is None and roles_of(volunteer) == [("canvasser", "Leiret")]
