"""Reading a committee's pages stores nothing; the committee is saved with its first write."""
from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Committee, Organisation, Role
from canvass.services.committee import programme
from canvass.services.people import people
from tests.conftest import PASSWORD, login, post
from tests.snapshot import snapshot


def test_a_new_committee_member_reading_the_committee_pages_writes_nothing_until_the_committee_saves_something(
        client):
    baerum = db.session.scalar(select(Organisation).where(Organisation.name == "Bærum"))
    people.create_user(baerum, Role.COMMITTEE, "Bente Bærum", email="komite@baerum.example.no", password=PASSWORD)
    db.session.commit()
    login(client, "komite@baerum.example.no")
    before = snapshot()
    for path in ("/", "/komite/", "/komite/innspill", "/komite/program", "/komite/rapport", "/komite/sporsmal"):
        assert client.get(path).status_code == 200, path
        # The test shares the requests' session: end it as a request's end does, without committing.
        db.session.rollback()
        assert snapshot() == before, path
    assert db.session.scalar(select(Committee).where(Committee.organisation_id == baerum.id)) is None
    added = post(client, "/komite/program", {"title": "Skole", "answer": "Flere lærere."})
    assert added.status_code == 302
    committee = db.session.scalar(select(Committee).where(Committee.organisation_id == baerum.id))
    assert committee is not None and [s.title for s in programme.sections(committee)] == ["Skole"]
