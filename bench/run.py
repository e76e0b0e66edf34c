"""Run every benchmark and write docs/benchmarks.md with the machine and the date."""
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import matrikkel_import  # noqa: E402
import turf_cut  # noqa: E402
import sync_ingest  # noqa: E402
import http_load  # noqa: E402
import lighthouse_walk  # noqa: E402
import dashboard_views  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))) / 1024 / 1024
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM; Python {platform.python_version()}; "
            f"commit {commit or 'unknown'}")


def main():
    sections = [("Norway-scale address import (`bench/matrikkel_import.py`)", matrikkel_import.run()),
                ("Turf cutting and walk order at 70 doors (`bench/turf_cut.py`)", turf_cut.run()),
                ("Sync ingest, 10,000 events (`bench/sync_ingest.py`)", sync_ingest.run()),
                (f"Door records over HTTP for {http_load.SECONDS:.0f} s (`bench/http_load.py`)", http_load.run()),
                ("Lighthouse on the walk list (`bench/lighthouse_walk.py`)", lighthouse_walk.run()),
                (f"Committee pages over {dashboard_views.INPUTS:,} inputs (`bench/dashboard_views.py`)",
                 dashboard_views.run())]
    lines = ["# Benchmarks", "", f"Measured {datetime.date.today().isoformat()} on {machine()}.",
             "Written by `make bench`; numbers from one run.", ""]
    for title, rows in sections:
        lines += [f"## {title}", "", "| what | measured | target |", "|---|---|---|"]
        lines += [f"| {what} | {value} | {target} |" for what, value, target in rows]
        lines.append("")
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
