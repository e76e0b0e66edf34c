"""A backup taken while the app runs gives back every row: SQLite's online backup and pg_dump, both ways round."""
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select

from canvass.extensions import db
from canvass.models import Branch, Organisation, Visit
from canvass.privacy import consent
from canvass.services.field import sync
from tests.conftest import daniels_turf_tonight
from tests.snapshot import snapshot


def _an_evening_at_the_doors():
    turf, action, daniel = daniels_turf_tonight()
    moment = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()
    said = {"topics": ["bolig"], "words": "Husleia – «for høy»", "importance": 3, "wants_membership": True}
    contact = {"consent": True, "consent_version": consent.VERSION, "name": "Kari Nordmann", "phone": "41234567"}
    results = sync.ingest(daniel, [
        {"id": str(uuid.uuid4()), "type": "visit", "outcome": outcome, "turf_id": turf.id, "action_id": action.id,
         "address_id": stop.address_id, "unit": "1", "recorded_at": moment,
         **({"conversation": said, "contact": contact} if outcome == "conversation" else {})}
        for stop, outcome in zip(turf.stops, ["conversation", "not_home", "refused"], strict=False)])
    assert [r.status for r in results] == ["stored"] * 3


def test_a_backup_restores_every_row_after_a_bad_evening(demo_app, tmp_path):
    cli = demo_app.test_cli_runner()
    _an_evening_at_the_doors()
    before = snapshot(everything=True)
    made = cli.invoke(args=["backup", "create", str(tmp_path / "kveld.backup")])
    assert made.exit_code == 0, made.output
    assert "Sikkerhetskopi skrevet til" in made.output and (tmp_path / "kveld.backup").stat().st_size > 0

    oslo = db.session.scalar(select(Organisation).where(Organisation.name == "Oslo"))
    db.session.add(Branch(organisation_id=oslo.id, name="Feil lag"))
    db.session.execute(delete(Visit))
    db.session.commit()
    assert snapshot(everything=True) != before
    # The restore replaces tables the session would otherwise hold locks on.
    db.session.remove()

    restored = cli.invoke(args=["backup", "restore", str(tmp_path / "kveld.backup"), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert snapshot(everything=True) == before


def test_restoring_a_missing_file_says_so_and_changes_nothing(demo_app, tmp_path):
    before = snapshot()
    result = demo_app.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "finnes-ikke"), "--yes"])
    assert result.exit_code != 0 and "Fant ikke sikkerhetskopien" in result.output
    assert snapshot() == before
