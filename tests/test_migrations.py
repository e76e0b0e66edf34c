"""The migrations build exactly the schema the models describe, and carry stored data over, on SQLite and PostgreSQL."""
import os
import subprocess
import sys
import tarfile
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, select, text

from canvass.extensions import db
from canvass.insight.tally import Grain
from canvass.models import Action, Branch, ConsentRecord, Contact, InputTally, User
from canvass.services.people import organisations
from tests.conftest import GEODATA, ROOT, _dispose, login, make_app, roles_of


def test_migrations_create_the_schema_of_the_models(app):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def _upgraded_from(databases_, revision: str, row: str | list[str], values: dict):
    """A database at an old revision holding Oslo and rows written as that revision stored them, then upgraded."""
    app = make_app(databases_.create())
    with app.app_context():
        upgrade(revision=revision)
        db.session.execute(text("INSERT INTO organisation (id, name) VALUES (1, 'Oslo')"))
        for statement in [row] if isinstance(row, str) else row:
            db.session.execute(text(statement), values)
        db.session.commit()
        upgrade()
    return app


def test_input_stored_before_the_counts_changed_shape_is_counted_after_the_upgrade(databases_):
    app = _upgraded_from(
        databases_, "0006",
        "INSERT INTO conversation (visit_uuid, organisation_id, postnummer, district_number, topics, words,"
        " importance, wants_membership, wants_contact, recorded_at) VALUES"
        " ('a6a4f5a2-8d6c-4a57-9b0e-5b8f1f0e9a01', 1, '0454', '030103', :topics, :words, 3, false, false,"
        " '2026-09-06 22:30:00')", {"topics": "bolig\nklima", "words": "Husleia er for høy"})
    with app.app_context():
        cells = db.session.execute(select(InputTally.grain, InputTally.day, InputTally.postnummer, InputTally.topic,
                                          InputTally.residents, InputTally.strong, InputTally.said)).all()
    _dispose(app)
    # 22:30 UTC on Sunday 6 September is Monday 7 September in Oslo, the first day of week 37.
    assert sorted(cells) == sorted(
        (grain, date(2026, 9, 7), "0454" if grain.postal_codes else "", topic, 1, 1, 1)
        for grain in Grain for topic in ("", "bolig", "klima"))


def test_openstreetmap_addresses_stored_without_a_kommune_get_their_bydels_or_postal_codes(databases_):
    app = _upgraded_from(
        databases_, "0012_doors",
        ["INSERT INTO postal_area (postnummer, poststed, kommunenummer) VALUES ('0473', 'OSLO', '0301'),"
         " ('1337', 'SANDVIKA', '3201')",
         "INSERT INTO address (official_id, street, number, letter, postnummer, lat, lon, district_number,"
         " kommunenummer) VALUES ('osm:1', 'Sandakerveien', 1, '', '0473', 59.93, 10.76, '030103', NULL),"
         " ('osm:2', 'Sandvikaveien', 2, '', '1337', 59.89, 10.52, NULL, ''),"
         " ('matrikkel:3', 'Storgata', 3, '', '1337', 59.89, 10.52, NULL, '3024')"], {})
    with app.app_context():
        kommuner = dict(db.session.execute(text("SELECT official_id, kommunenummer FROM address")).all())
    _dispose(app)
    assert kommuner == {"osm:1": "0301", "osm:2": "3201", "matrikkel:3": "3024"}


def test_contacts_stored_before_consent_records_get_one_per_purpose_and_lose_the_visit_id(databases_):
    visit = "a6a4f5a2-8d6c-4a57-9b0e-5b8f1f0e9a02"
    app = _upgraded_from(
        databases_, "0007",
        "INSERT INTO contact (event_uuid, organisation_id, name, phone, wants_membership, wants_contact,"
        " consent_version, consented_at, received_at, delete_after) VALUES (:visit, 1, 'Kari Nordmann',"
        " '41234567', true, true, '2026-11-v1', '2026-11-20 18:42:10', '2026-11-20 18:50:00',"
        " '2027-05-19 18:42:10')", {"visit": visit})
    with app.app_context():
        contact = db.session.scalar(select(Contact))
        records = sorted((r.purpose, r.text_version, r.given_at, r.delete_after) for r in contact.consents)
        key = contact.event_key
    _dispose(app)
    assert key != visit and visit not in key
    assert records == [("follow_up", "2026-11-v1", datetime(2026, 11, 20, 18), datetime(2027, 5, 19, 18)),
                       ("membership", "2026-11-v1", datetime(2026, 11, 20, 18), datetime(2027, 2, 18, 18))]


# The previous release's code as it was shipped, made with
# `git archive --format=tar.gz -o tests/data/releases/canvass-0.5.0.tar.gz v0.5.0 canvass migrations`.
# It is stored rather than taken from the tag because a clone need not carry tags or history.
PREVIOUS_RELEASE = ROOT / "tests" / "data" / "releases" / "canvass-0.5.0.tar.gz"


def _previous_release(folder: Path) -> Path:
    with tarfile.open(PREVIOUS_RELEASE) as tar:
        tar.extractall(folder, filter="data")
    return folder


def test_a_database_filled_by_the_previous_release_upgrades_and_keeps_everything(databases_, tmp_path):
    url = databases_.create()
    old = _previous_release(tmp_path / "release")
    filled = subprocess.run([sys.executable, str(ROOT / "tests" / "data" / "fill_with_release.py")],
                            env={**os.environ, "PYTHONPATH": str(old), "DATABASE_URL": url,
                                 "CANVASS_GEODATA": str(GEODATA)}, capture_output=True, text=True)
    assert filled.returncode == 0, filled.stderr[-3000:]
    app = make_app(url)
    with app.app_context():
        before = {table: db.session.scalar(text(f'SELECT count(*) FROM "{table}"'))
                  for table in ("organisation", "branch", "user", "address", "visit", "conversation", "contact",
                                "input_tally", "turf")}
        # The migrations alter these tables; PostgreSQL would have them wait for this transaction.
        db.session.commit()
        upgrade()
        after = {table: db.session.scalar(text(f'SELECT count(*) FROM "{table}"')) for table in before}
        consents = db.session.scalars(select(ConsentRecord.purpose)).all()
        client = app.test_client()
        login(client, "admin@oslo.demo")
        contacts_page = client.get("/personvern/kontakter").get_data(as_text=True)
        login(client, "komite@oslo.demo")
        dashboard = client.get("/komite/")
    _dispose(app)
    assert after == before and before["contact"] == 5 and before["conversation"] > 300
    assert sorted(consents) == ["follow_up"] * 3 + ["membership"] * 5
    assert "Beboer 4" in contacts_page and dashboard.status_code == 200


def test_people_keep_exactly_their_access_when_roles_become_memberships(databases_):
    app = make_app(databases_.create())
    with app.app_context():
        upgrade(revision="0011_jobs")
        for statement in [
                "INSERT INTO organisation (id, name) VALUES (1, 'Oslo'), (2, 'Bærum')",
                "INSERT INTO branch (id, organisation_id, name, kind) VALUES (1, 1, 'Sagene', 'lokallag'),"
                " (2, 1, 'Frogner', 'lokallag'), (3, 2, 'Bekkestua', 'lokallag')",
                # An admin whose row still named a branch (it never counted), a coordinator, a volunteer, the
                # county committee, a branch committee, a removed volunteer and another organisation's admin.
                "INSERT INTO \"user\" (id, organisation_id, branch_id, role, name, email, password_hash, created_at,"
                " removed_at) VALUES"
                " (1, 1, 2, 'ADMIN', 'Astrid', 'admin@oslo.demo', 'x', '2026-10-01', NULL),"
                " (2, 1, 1, 'COORDINATOR', 'Sigrid', 'sagene@oslo.demo', 'x', '2026-10-01', NULL),"
                " (3, 1, 1, 'CANVASSER', 'Daniel', NULL, NULL, '2026-10-01', NULL),"
                " (4, 1, NULL, 'COMMITTEE', 'Kari', 'komite@oslo.demo', 'x', '2026-10-01', NULL),"
                " (5, 1, 2, 'COMMITTEE', 'Fride', 'komite@frogner.demo', 'x', '2026-10-01', NULL),"
                " (6, 1, NULL, 'CANVASSER', 'Borte', NULL, NULL, '2026-10-01', '2026-11-01'),"
                " (7, 2, NULL, 'ADMIN', 'Bjørn', 'admin@baerum.demo', 'x', '2026-10-01', NULL)"]:
            db.session.execute(text(statement))
        db.session.commit()
        upgrade()
        users = {u.name: u for u in db.session.scalars(select(User))}
        branches = {b.name: b for b in db.session.scalars(select(Branch))}
        roles = {name: roles_of(u) for name, u in users.items()}
        manages = {name: sorted(b for b in branches if u.can_manage_branch(branches[b]))
                   for name, u in users.items()}
        reads = {name: u.committee_scopes() for name, u in users.items()}
        records = {name: u.may_record() for name, u in users.items()}
        two_factor = {name for name, u in users.items() if u.needs_two_factor()}
        db.session.commit()
    _dispose(app)
    assert roles == {"Astrid": [("admin", None)], "Sigrid": [("coordinator", "Sagene")],
                     "Daniel": [("canvasser", "Sagene")], "Kari": [("committee", None)],
                     "Fride": [("committee", "Frogner")], "Borte": [], "Bjørn": [("admin", None)]}
    assert manages == {"Astrid": ["Frogner", "Sagene"], "Sigrid": ["Sagene"], "Daniel": [], "Kari": [], "Fride": [],
                       "Borte": [], "Bjørn": ["Bekkestua"]}
    assert reads == {"Astrid": [None], "Sigrid": [], "Daniel": [], "Kari": [None], "Fride": [2], "Borte": [],
                     "Bjørn": [None]}
    assert records == {"Astrid": True, "Sigrid": True, "Daniel": True, "Kari": False, "Fride": False,
                       "Borte": False, "Bjørn": True}
    assert two_factor == {"Astrid", "Sigrid", "Bjørn"}


def test_an_action_with_typed_questions_gets_a_question_set_of_free_text_questions_and_the_old_column_goes(
        databases_):
    app = make_app(databases_.create())
    with app.app_context():
        upgrade(revision="0012_doors")
        db.session.execute(text("INSERT INTO organisation (id, name) VALUES (1, 'Oslo')"))
        db.session.execute(text("INSERT INTO branch (id, organisation_id, name, kind)"
                                " VALUES (4, 1, 'Sagene', 'lokallag')"))
        for action_id, title, questions in ((7, "Torshov", "Bør bussen gå oftere?\n\n  Hva synes du om husleia?  \n"),
                                            (8, "Uten spørsmål", "")):
            db.session.execute(text(
                "INSERT INTO action (id, organisation_id, branch_id, title, kind, starts_at, meeting_point, topics,"
                " questions, signup_token, created_at) VALUES (:id, 1, 4, :title, 'door', '2026-11-26 17:30:00', '',"
                " 'bolig', :questions, :token, '2026-11-20 12:00:00')"),
                {"id": action_id, "title": title, "questions": questions, "token": f"token-{action_id}"})
        db.session.commit()
        upgrade()
        columns = [c["name"] for c in inspect(db.engine).get_columns("action")]
        torshov, empty = db.session.get(Action, 7), db.session.get(Action, 8)
        asked = [(q.position, q.kind, q.text, q.retired) for q in torshov.question_set.questions]
        owner = (torshov.question_set.organisation_id, torshov.question_set.branch_id, torshov.question_set.name)
        nothing = empty.question_set_id
    _dispose(app)
    assert "questions" not in columns and "guide" in columns
    assert asked == [(1, "text", "Bør bussen gå oftere?", False), (2, "text", "Hva synes du om husleia?", False)]
    assert owner == (1, 4, "Spørsmål: Torshov") and nothing is None


def test_branches_stored_twice_in_two_cases_keep_their_names_and_the_next_is_refused(databases_):
    """Two requests at once could store "Bydel Sagene" and "bydel sagene" before 0021 made the folded name
    unique; the upgrade keeps both as they are, and a third spelling is refused after it."""
    app = _upgraded_from(databases_, "0020_formkey", "INSERT INTO branch (organisation_id, name, kind) VALUES"
                         " (1, 'Bydel Sagene', 'lokallag'), (1, 'bydel sagene', 'lokallag'),"
                         " (1, 'Østre Aker', 'lokallag')", {})
    with app.app_context():
        names = db.session.execute(select(Branch.name, Branch.name_key).order_by(Branch.id)).all()
        oslo = db.session.get(Branch, 1).organisation
        with pytest.raises(organisations.Refused, match="finnes allerede"):
            organisations.create_branch(oslo, "BYDEL SAGENE", "lokallag")
        organisation_key = db.session.scalar(text("SELECT name_key FROM organisation"))
    _dispose(app)
    assert [name for name, _ in names] == ["Bydel Sagene", "bydel sagene", "Østre Aker"]
    assert names[0].name_key == "bydel sagene" and names[1].name_key.startswith("bydel sagene #")
    assert names[2].name_key == "østre aker" and organisation_key == "oslo"
