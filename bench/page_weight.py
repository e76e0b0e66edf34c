"""The walk list's weight: HTML bytes and elements for a 70-door and a 240-door turf, and our own JS, compressed.

Targets (issue 14): a 240-door page at most 150 KB of HTML; our own JS at most 10 KB compressed, as served
(minified by `make assets`, canvass/assets.py).
Run: PYTHONPATH=$PWD .venv/bin/python bench/page_weight.py
"""
import gzip
import os
import re
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench")
GEODATA = Path(os.environ.get("CANVASS_GEODATA", ROOT.parent / "shared" / "geodata"))
# What the walk list loads of ours on first load, and the service worker (map.js comes when the map is opened).
OWN_JS = ["js/store.js", "js/outbox.js", "js/walk.js", "sw.js"]


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


def walk_pages(url: str, targets: tuple[int, ...]) -> dict[int, tuple[int, bytes]]:
    """For each target size, a turf cut to it in Daniel's action, and his walk list as the server sends it."""
    from flask_migrate import upgrade

    from canvass import create_app
    from canvass.extensions import db
    from canvass.models import Branch, User
    from canvass.services.demo import demo
    from canvass.services.people import logins
    from canvass.services.turf import actions, turfs

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    pages = {}
    with app.app_context():
        upgrade()
        demo.load(GEODATA)
        sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
        daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
        coordinator = db.session.scalar(select(User).where(User.email == "sagene@oslo.demo"))
        for target in targets:
            turf = min(turfs.cut_turfs(sagene, ["0473"], target=target), key=lambda t: abs(t.doors - target))
            action = actions.create_action(sagene, f"Benchmark {target}", "door", datetime.now())
            actions.assign(action, turf, [daniel])
            client = app.test_client()
            _, token = logins.issue_link(daniel, coordinator, timedelta(hours=1))
            form = client.get(f"/inn/{token}").get_data(as_text=True)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
            client.post(f"/inn/{token}", data={"csrf_token": csrf})
            assignment = next(a for a in actions.my_assignments(daniel) if a.action_id == action.id)
            pages[target] = (turf.doors, client.get(f"/felt/{assignment.id}").get_data())
        db.engine.dispose()
    return pages


def run() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        pages = walk_pages(f"sqlite:///{folder}/bench.sqlite", (70, 240))
    rows = []
    for target, (doors, body) in pages.items():
        elements = len(re.findall(rb"<[a-zA-Z]", body))
        size = f"{len(body) / 1024:.1f} KB ({gzipped(body) / 1024:.1f} KB gzip), {elements} elements"
        rows.append((f"walk list, {doors} doors: HTML", size, "≤ 150 KB at 240 doors" if target == 240 else "—"))
    from canvass.assets import minified

    static = ROOT / "static"
    own = sum(gzipped((minified(static, name) or static / name).read_bytes()) for name in OWN_JS)
    source = sum(gzipped((static / name).read_bytes()) for name in OWN_JS)
    built = "minified" if all(minified(static, name) for name in OWN_JS) else "NOT all minified: run `make assets`"
    rows.append(("our own JS as served, gzip (" + ", ".join(OWN_JS) + f"; {built})",
                 f"{own / 1024:.1f} KB (sources {source / 1024:.1f} KB)", "≤ 10 KB"))
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
