"""Turf cutting speed: the demo's central-Oslo addresses, and a synthetic Oslo-scale set of 400,000 doors.

Each run cuts at 70 doors and orders every turf's walk list, as a coordinator's "cut" does.
The synthetic set tiles the real addresses eastwards, with new ids and buildings, until it holds
400,000 doors. Peak memory is the largest Python allocation seen by tracemalloc during the run.
"""
import os
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

from canvass.geo import turf, walk

ROOT = Path(__file__).resolve().parent.parent
GEODATA = Path(os.environ.get("CANVASS_GEODATA", ROOT.parent / "shared" / "geodata"))
TARGET = 70


def central_stops() -> list[turf.Stop]:
    return turf.stops_from_osm_csv(GEODATA / "addresses_oslo_sentrum_osm.csv")


def synthetic(base: list[turf.Stop], doors_wanted: int) -> list[turf.Stop]:
    stops, total, copy = [], 0, 0
    while total < doors_wanted:
        for s in base:
            if total >= doors_wanted:
                break
            stops.append(replace(s, id=len(stops), lon=s.lon + 0.07 * copy, postnummer=f"{copy}{s.postnummer}",
                                 building=f"{copy}:{s.building}" if s.building else None))
            total += s.doors
        copy += 1
    return stops


def cut_and_walk(stops: list[turf.Stop]) -> int:
    turfs = turf.cut(stops, TARGET)
    by_id = {s.id: s for s in stops}
    for t in turfs:
        walk.walk_order([by_id[i] for i in t])
    return len(turfs)


def measure(stops: list[turf.Stop]) -> tuple[float, float, int]:
    """Wall time of a plain run, then peak traced memory of a second run (tracing slows it down)."""
    start = time.perf_counter()
    turfs = cut_and_walk(stops)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    cut_and_walk(stops)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak, turfs


def through_the_service() -> tuple[float, int]:
    """The coordinator's "cut" for all 146 central postal codes: cut, walk order, outlines, stored in SQLite."""
    import tempfile

    from flask_migrate import upgrade

    from canvass import create_app
    from canvass.extensions import db
    from canvass.models import Branch, Organisation
    from canvass.services import demo, territory, turfs

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite", "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            demo.load(GEODATA)
            oslo = db.session.scalar(db.select(Organisation).where(Organisation.name == "Oslo"))
            codes = sorted({s.postnummer for s in central_stops()})
            branch = Branch(organisation=oslo, name="Sentrum (benchmark)")
            db.session.add(branch)
            db.session.commit()
            territory.set_territory(branch, codes)
            start = time.perf_counter()
            created = turfs.cut_turfs(branch, codes, TARGET)
            return time.perf_counter() - start, len(created)


def size_spread(stops: list[turf.Stop]) -> str:
    """How many ordinary turfs (no building bigger than a turf) land within ±25 % and ±50 % of the target."""
    turfs_ = turf.cut(stops, TARGET)
    building: dict = {}
    for s in stops:
        building[s.building or ("address", s.id)] = building.get(s.building or ("address", s.id), 0) + s.doors
    by_id = {s.id: s for s in stops}
    ordinary = [sum(by_id[i].doors for i in t) for t in turfs_
                if max(building[by_id[i].building or ("address", i)] for i in t) <= TARGET * 1.25]
    within = sum(abs(size - TARGET) <= TARGET * 0.25 for size in ordinary)
    half = sum(abs(size - TARGET) <= TARGET * 0.5 for size in ordinary)
    return f"{within:,} of {len(ordinary):,} within ±25 %, {half:,} within ±50 %"


def run() -> list[tuple[str, str, str]]:
    base = central_stops()
    demo_seconds, demo_peak, demo_turfs = measure(base)
    big = synthetic(base, 400_000)
    big_doors = sum(s.doors for s in big)
    big_seconds, big_peak, big_turfs = measure(big)
    service_seconds, service_turfs = through_the_service()
    return [
        (f"demo through `turfs.cut_turfs` (SQLite, outlines and walk lists stored) → {service_turfs:,} turfs",
         f"{service_seconds:.1f} s", "≤ 2 s"),
        ("demo: turf sizes (turfs holding a building bigger than a turf left out)", size_spread(base),
         "all within ±25 %"),
        (f"demo: {len(base):,} addresses, {sum(s.doors for s in base):,} doors → {demo_turfs:,} turfs",
         f"{demo_seconds:.2f} s, peak {demo_peak:,.0f} MB", "≤ 2 s"),
        (f"synthetic: {len(big):,} addresses, {big_doors:,} doors → {big_turfs:,} turfs",
         f"{big_seconds:.1f} s, peak {big_peak:,.0f} MB", "≤ 30 s"),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
