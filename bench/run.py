"""Run the benchmarks (all, or those named) and write docs/benchmarks.md with the machine and the date."""
import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import canvasser_load  # noqa: E402
import dashboard_views  # noqa: E402
import door_record_parts  # noqa: E402
import door_record_wrk  # noqa: E402
import http_load  # noqa: E402
import lighthouse_walk  # noqa: E402
import matrikkel_import  # noqa: E402
import page_weight  # noqa: E402
import question_views  # noqa: E402
import sync_ingest  # noqa: E402
import theme_quality  # noqa: E402
import turf_cut  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))) / 1024 / 1024
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM; Python {platform.python_version()}; "
        f"commit {commit or 'unknown'}"
    )


BENCHMARKS = {
    "matrikkel_import": (lambda: "Norway-scale address import", matrikkel_import.run),
    "turf_cut": (lambda: "Turf cutting and walk order at 70 doors", turf_cut.run),
    "sync_ingest": (lambda: f"Sync ingest, 10,000 events and {sync_ingest.CONVERSATIONS:,} conversations",
                    sync_ingest.run),
    "http_load": (lambda: f"Door records over HTTP for {http_load.SECONDS:.0f} s", http_load.run),
    "door_record_wrk": (lambda: "Door records with wrk beside hello-world, SQLite and PostgreSQL",
                        door_record_wrk.run),
    "door_record_parts": (lambda: "What a door tap's server CPU is made of, SQLite, under gunicorn",
                          door_record_parts.run),
    "lighthouse_walk": (lambda: "Lighthouse on the walk list", lighthouse_walk.run),
    "page_weight": (lambda: "Walk list weight", page_weight.run),
    "dashboard_views": (lambda: f"Committee pages over {dashboard_views.INPUTS:,} inputs", dashboard_views.run),
    "canvasser_load": (lambda: f"{canvasser_load.CANVASSERS} canvassers with locust", canvasser_load.run),
    "question_views": (lambda: "Door-question views", question_views.run),
    "theme_quality": (lambda: "Themes on hurried door notes", theme_quality.run),
}
REPORT = ROOT / "docs" / "benchmarks.md"


def measured(name: str) -> str:
    """One benchmark's section: its own date and machine, since a section can be measured again on its own."""
    title, run = BENCHMARKS[name]
    rows = run()
    lines = [
        f"## {title()} (`bench/{name}.py`)",
        "",
        f"Measured {datetime.date.today().isoformat()} on {machine()}.",
        "",
        "| what | measured | target |",
        "|---|---|---|",
    ]
    lines += [f"| {what} | {value} | {target} |" for what, value, target in rows]
    return "\n".join(lines) + "\n"


def main(names: list[str]):
    """Measure every benchmark, or only those named, replacing their sections in docs/benchmarks.md."""
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        sys.exit(f"unknown benchmarks: {', '.join(sorted(unknown))}; known: {', '.join(BENCHMARKS)}")
    sections, notes, written = {}, {}, {}
    if REPORT.exists():
        for part in REPORT.read_text().split("\n## ")[1:]:
            name = next((n for n in BENCHMARKS if f"`bench/{n}.py`" in part.splitlines()[0]), None)
            if name:
                sections[name] = "## " + part.rstrip("\n") + "\n"
                # What was written by hand below a section's table (its "### " parts: earlier runs, what the
                # figures say) stays when the table is measured again; a section whose text begins by hand, not
                # with "Measured", stays whole and gets the new table at its end.
                kept = part.rstrip("\n").split("\n### ")[1:]
                notes[name] = "".join("\n### " + note for note in kept) + "\n" if kept else ""
                written[name] = not part.split("\n", 1)[-1].lstrip().startswith("Measured ")
    for name in names or BENCHMARKS:
        if written.get(name):
            heading, table = measured(name).split("\n", 1)
            sections[name] += "\n### Measured again by `bench/run.py`\n" + table
        else:
            sections[name] = measured(name) + notes.get(name, "")
    header = [
        "# Benchmarks",
        "",
        'Written by `make bench` (all) or `make bench ONLY="name ..."` (those named);',
        "each section says when and on what it was measured. Numbers from one run.",
        "",
    ]
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(header) + "\n" + "\n".join(sections[n] for n in BENCHMARKS if n in sections))
    print(REPORT.read_text())


if __name__ == "__main__":
    main(sys.argv[1:])
