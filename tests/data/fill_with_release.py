"""Fill a database the way a running installation of the previous release would.

tests/test_migrations.py runs this with that release's code first on the path, against a fresh
database: the release's own migrations, its demo, generated input, and a door evening with
consented contacts. Update it when a new release changes these calls.
"""
import os
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from canvass import create_app
from canvass.extensions import db
from canvass.models import Branch, User
from canvass.services import actions, demo, sample_input, sync, turfs

app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
with app.app_context():
    upgrade()
    demo.load(Path(os.environ["CANVASS_GEODATA"]))
    db.session.commit()
    sample_input.load(sample_input.organisation_named("Oslo"), 300, datetime(2026, 9, 7, 12), weeks=4)
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    turf = turfs.cut_turfs(sagene, ["0473"], target=60)[0]
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() - timedelta(hours=1))
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    actions.assign(action, turf, [daniel])
    moment = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()
    try:
        from canvass.privacy import consent
    except ImportError:  # 0.5.0 kept it at the top of the package
        from canvass import consent
    results = sync.ingest(daniel, [{
        "id": str(uuid.uuid4()), "type": "visit", "outcome": "conversation", "turf_id": turf.id,
        "action_id": action.id, "address_id": stop.address_id, "unit": "1", "recorded_at": moment,
        "conversation": {"topics": ["bolig"], "words": "Husleia", "importance": 3, "wants_membership": True,
                         "wants_contact": i % 2 == 0},
        "contact": {"consent": True, "consent_version": consent.VERSION, "name": f"Beboer {i}",
                    "phone": f"4123456{i}"}} for i, stop in enumerate(turf.stops[:5])])
    assert [r.status for r in results] == ["stored"] * 5, results
