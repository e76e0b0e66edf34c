"""A small party in a made-up town where every count is known by hand: the committee's filters and
representativeness figures are checked against it (tests/test_committee_hand_counts.py).

Testby (kommune 9901) has two districts and three postal codes:

    postal code  district     addresses                                     dwellings
    9001         Nord         A1: 10 Matrikkel dwellings; A2: a house (est. 1)  11, estimated
    9002         Nord         A3: 20 Matrikkel dwellings                       20
    9003         Sør          A4: apartments, 5 levels (est. 10); A5: 4 dw.     14, estimated

Nordlaget holds 9001 and 9002 (31 dwellings), Sørlaget 9003 (14). Nordlaget's action is in the
campaign "Høstuka", Sørlaget's in none. Weeks W1 (from Monday 7 September 2026), W2, W3. The cells
(action, district, week) and what each resident raised:

    N-W1 (9001): 5 × bolig+klima, 1 × bolig, 1 × klima, 1 × skole           8 residents
    N-W2 (9002): 3 × bolig, 2 × bolig+skole                                5
    S-W1 (9003): 5 × klima, 2 × bolig                                      7
    S-W2 (9003): 3 × bolig                                                 3 (held back)
    S-W3 (9003): 1 × skole, "Jeg heter Kari ..."                           1 (held back)

Doors knocked (not leaflets, not corrected): A1 H0101–H0105 in W1 (H0101 again in W2), A3 H0101 in
W2, A4 doors 1–3 in W1 by Sørlaget; a leaflet at A2 and an undone knock at A3 H0202 do not count.
"""
import json
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from canvass.extensions import db
from canvass.models import (
    Action,
    Address,
    Branch,
    BranchPostalCode,
    Campaign,
    Committee,
    Conversation,
    District,
    Dwelling,
    Municipality,
    Organisation,
    OrganisationMunicipality,
    Outcome,
    PostalArea,
    Role,
    Visit,
)
from canvass.services.committee import tallies
from canvass.services.people import people

W1, W2, W3 = date(2026, 9, 7), date(2026, 9, 14), date(2026, 9, 21)
PASSWORD = "demo-passord"
LONE_WORDS = "Jeg heter Kari og vil ha ny skole i Bakkegata"


def mark(n: int) -> str:
    """A word for the n-th input that the scrubbing leaves as it is (it masks numbers): 13 is "kbd"."""
    return "k" + "".join(chr(ord("a") + int(digit)) for digit in str(n))


def _square(x: float, y: float) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [[[x, y], [x + 0.01, y], [x + 0.01, y + 0.01],
                                                           [x, y + 0.01], [x, y]]]})


def build() -> dict:
    """Make Testby and its party; the committees, branches and campaign by name."""
    db.session.add(Municipality(kommunenummer="9901", name="Testby"))
    db.session.add_all([District(number="990101", name="Nord", kommunenummer="9901", geometry=_square(10.0, 60.01)),
                        District(number="990102", name="Sør", kommunenummer="9901", geometry=_square(10.0, 60.0))])
    for code in ("9001", "9002", "9003"):
        db.session.add(PostalArea(postnummer=code, poststed="TESTBY", kommunenummer="9901", kategori="G"))
    db.session.flush()
    addresses = {}
    for key, code, district, units, kind, levels in (
            ("A1", "9001", "990101", 10, None, None), ("A2", "9001", "990101", 0, "house", None),
            ("A3", "9002", "990101", 20, None, None), ("A4", "9003", "990102", 0, "apartments", 5),
            ("A5", "9003", "990102", 4, None, None)):
        address = Address(official_id=f"test:{key}", kommunenummer="9901", street=f"Gate {key}", number=1,
                          postnummer=code, lat=60.0, lon=10.0, district_number=district, building_type=kind,
                          building_levels=levels)
        db.session.add(address)
        db.session.flush()
        db.session.add_all([Dwelling(address_id=address.id, unit=f"H{1 + i // 10:02d}{1 + i % 10:02d}")
                            for i in range(units)])
        addresses[key] = address
    party = Organisation(name="Testpartiet", municipalities=[OrganisationMunicipality(kommunenummer="9901")])
    north = Branch(organisation=party, name="Nordlaget", postal_codes=[BranchPostalCode(postnummer="9001"),
                                                                       BranchPostalCode(postnummer="9002")])
    south = Branch(organisation=party, name="Sørlaget", postal_codes=[BranchPostalCode(postnummer="9003")])
    db.session.add_all([party, north, south])
    db.session.flush()
    autumn = Campaign(organisation_id=party.id, name="Høstuka", starts_on=W1, ends_on=W3 + timedelta(days=6))
    db.session.add(autumn)
    db.session.flush()
    actions = {}
    for key, branch, campaign in (("N", north, autumn.id), ("S", south, None)):
        actions[key] = Action(organisation_id=party.id, branch_id=branch.id, campaign_id=campaign,
                              title=f"Aksjon {key}", starts_at=datetime.combine(W1, time(16)),
                              signup_token=f"test-token-{key}")
    db.session.add_all(actions.values())
    db.session.flush()
    plan = [("N", north, "9001", "990101", W1, [("bolig", "klima")] * 5 + [("bolig",), ("klima",), ("skole",)]),
            ("N", north, "9002", "990101", W2, [("bolig",)] * 3 + [("bolig", "skole")] * 2),
            ("S", south, "9003", "990102", W1, [("klima",)] * 5 + [("bolig",)] * 2),
            ("S", south, "9003", "990102", W2, [("bolig",)] * 3),
            ("S", south, "9003", "990102", W3, [("skole",)])]
    rows, n = [], 0
    for action, branch, code, district, week, topics in plan:
        for i, raised in enumerate(topics):
            n += 1
            words = LONE_WORDS if week == W3 else f"Innspill merket {mark(n)} om {' og '.join(raised)}"
            rows.append({"visit_uuid": f"00000000-0000-4000-8000-{n:012d}", "organisation_id": party.id,
                         "branch_id": branch.id, "action_id": actions[action].id, "address_id": None,
                         "postnummer": code, "district_number": district, "topics": "\n".join(raised),
                         "words": words, "importance": 2 + (i % 2), "wants_membership": False,
                         "wants_contact": False,
                         "recorded_at": datetime.combine(week + timedelta(days=2), time(15, i))})
    for row in rows:
        conversation = Conversation(**row)
        db.session.add(conversation)
        db.session.flush()
        row["id"] = conversation.id
    tallies.record(rows)
    canvasser = people.create_user(party, Role.CANVASSER, "Dørbanker", branch=north)
    db.session.flush()
    visits = [("A1", f"H010{i}", Outcome.NOT_HOME, "N", W1) for i in range(1, 6)]
    visits += [("A1", "H0101", Outcome.CONVERSATION, "N", W2), ("A3", "H0101", Outcome.CONVERSATION, "N", W2),
               ("A2", "", Outcome.LEAFLET, "N", W1), ("A3", "H0202", Outcome.REFUSED, "N", W1)]
    visits += [("A4", str(i), Outcome.OPENED, "S", W1) for i in range(1, 4)]
    for i, (address, unit, outcome, action, week) in enumerate(visits):
        db.session.add(Visit(client_uuid=f"10000000-0000-4000-8000-{i:012d}", organisation_id=party.id,
                             action_id=actions[action].id, address_id=addresses[address].id, unit=unit,
                             outcome=outcome, canvasser_id=canvasser.id,
                             recorded_at=datetime.combine(week + timedelta(days=1), time(15))))
    undone = db.session.scalar(select(Visit).where(Visit.unit == "H0202"))
    db.session.add(Visit(client_uuid="20000000-0000-4000-8000-000000000000", organisation_id=party.id,
                         action_id=undone.action_id, address_id=undone.address_id, unit="H0202",
                         outcome=undone.outcome, canvasser_id=canvasser.id, recorded_at=undone.recorded_at,
                         corrects=undone.client_uuid))
    county = Committee(organisation_id=party.id, k=5)
    db.session.add(county)
    people.create_user(party, Role.COMMITTEE, "Komitéleder", email="komite@test.example", password=PASSWORD)
    db.session.commit()
    return {"party": party, "county": county, "north": north, "south": south, "campaign": autumn}
