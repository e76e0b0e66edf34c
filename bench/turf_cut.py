"""Turf cutting: balance, longest walk and speed on the demo's districts and a synthetic 400,000-door city.

Each run cuts at 70 doors and orders every turf's walk list, as a coordinator's "cut" does. Every
turf counts towards the balance, also one holding a block bigger than a turf (blocks are shared
along their entrances). The walk is measured door to door along the walk list; the time is the
stated pace of `canvass.geo.turf` (90 s a door, 70 m a minute walking).

The demo districts are the demo's Oslo branches (their postal codes, as `demo load` gives them)
over the central-Oslo address file; 0473 alone is the cut issue 15 reported (32–200 doors, one
2,027 m walk). The synthetic city tiles the real addresses eastwards, with new ids and buildings,
until it holds 400,000 doors. Peak memory is the largest Python allocation seen by tracemalloc.
"""
import os
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np

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


def cut_and_walk(stops: list[turf.Stop]) -> list[list[turf.Stop]]:
    """The turfs in walking order."""
    turfs = turf.cut(stops, TARGET)
    by_id = {s.id: s for s in stops}
    return [walk.walk_order([by_id[i] for i in t]) for t in turfs]


def measure(stops: list[turf.Stop]) -> tuple[str, float, list[list[turf.Stop]]]:
    """Wall and CPU time of a plain run (on a shared machine the CPU time is the steadier figure), then
    peak traced memory of a second run (tracing slows it down)."""
    start, cpu = time.perf_counter(), time.process_time()
    walked = cut_and_walk(stops)
    seconds = f"{time.perf_counter() - start:.1f} s wall, {time.process_time() - cpu:.1f} s CPU"
    tracemalloc.start()
    cut_and_walk(stops)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak, walked


def balance(turfs: list[tuple[int, float]]) -> str:
    """Every turf (doors, metres walked): share within ±25 % of the target doors and time, door range, longest walk."""
    doors = np.array([d for d, _ in turfs])
    metres = np.array([m for _, m in turfs])
    minutes = turf.minutes(doors, metres)
    goal = turf.target_minutes(TARGET)
    longest = int(np.argmax(metres))
    return (f"{np.mean(np.abs(doors - TARGET) <= TARGET * 0.25):.1%} of {len(turfs):,} within ±25 % doors, "
            f"{np.mean(np.abs(minutes - goal) <= goal * 0.25):.1%} within ±25 % time; "
            f"{doors.min()}–{doors.max()} doors; longest walk {metres[longest]:,.0f} m "
            f"({doors[longest]} doors, {minutes[longest]:.0f} min)")


def walked(turfs: list[list[turf.Stop]]) -> list[tuple[int, float]]:
    return [(sum(s.doors for s in t), walk.walking_distance(t)) for t in turfs]


def demo_districts() -> tuple[dict[str, list[tuple[int, float]]], float, int]:
    """Each demo Oslo branch cuts all its postal codes as a coordinator does, through `turfs.cut_turfs`
    (cut, walk order, outlines, stored in SQLite): its turfs' doors and walks, and the CPU time of the slowest."""
    from flask_migrate import upgrade

    from canvass import create_app
    from canvass.extensions import db
    from canvass.models import Address, Branch, Organisation
    from canvass.services.demo import demo
    from canvass.services.turf import turfs

    districts, slowest, most = {}, 0.0, 0
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite", "SECRET_KEY": "bench"})
        with app.app_context():
            upgrade()
            demo.load(GEODATA)
            oslo = db.session.scalar(db.select(Organisation).where(Organisation.name == "Oslo"))
            for branch in db.session.scalars(db.select(Branch).where(Branch.organisation_id == oslo.id)
                                             .order_by(Branch.name)).all():
                codes = list(branch.territory)
                addresses = db.session.scalar(db.select(db.func.count()).select_from(Address).where(
                    Address.postnummer.in_(codes))) if codes else 0
                if addresses < 100:
                    continue
                start = time.process_time()
                created = turfs.cut_turfs(branch, codes, TARGET)
                seconds = time.process_time() - start
                if seconds > slowest:
                    slowest, most = seconds, len(created)
                districts[f"{branch.name}: {addresses:,} addresses, {sum(t.doors for t in created):,} doors"] = [
                    (t.doors, t.walk_metres) for t in created]
            db.session.remove()
            db.engine.dispose()
    return districts, slowest, most


def run() -> list[tuple[str, str, str]]:
    base = central_stops()
    districts, slowest, most = demo_districts()
    rows = [("0473 alone (issue 15 found 32–200 doors, longest walk 2,027 m)",
             balance(walked(cut_and_walk([s for s in base if s.postnummer == "0473"]))), "all within ±25 %")]
    rows += [(f"demo district {name}", balance(turfs_), "≥ 98 % within ±25 %") for name, turfs_ in districts.items()]
    demo_seconds, demo_peak, demo_walked = measure(base)
    big = synthetic(base, 400_000)
    big_seconds, big_peak, big_walked = measure(big)
    rows += [
        (f"all central Oslo: {len(base):,} addresses, {sum(s.doors for s in base):,} doors",
         balance(walked(demo_walked)), "≥ 98 % within ±25 %"),
        (f"synthetic city: {len(big):,} addresses, {sum(s.doors for s in big):,} doors", balance(walked(big_walked)),
         "≥ 98 % within ±25 %"),
        (f"largest district through `turfs.cut_turfs` (SQLite, outlines and walk lists stored) → {most:,} turfs",
         f"{slowest:.1f} s CPU", "≤ 5 s"),
        (f"central Oslo: cut and walk order → {len(demo_walked):,} turfs",
         f"{demo_seconds}, peak {demo_peak:,.0f} MB", "≤ 2 s"),
        (f"synthetic city: cut and walk order → {len(big_walked):,} turfs",
         f"{big_seconds}, peak {big_peak:,.0f} MB", "≤ 30 s"),
    ]
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
