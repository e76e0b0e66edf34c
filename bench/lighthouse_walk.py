"""Lighthouse (mobile preset, Debian Chromium) on the canvasser's walk list: performance and accessibility.

Needs Node; fetches the pinned Lighthouse from the npm registry through npx on first use.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("SECRET_KEY", "bench")

import http_load  # noqa: E402

LIGHTHOUSE = os.environ.get("LIGHTHOUSE", "npx --yes lighthouse@12.8.2").split()
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", 3))
# The usual turf (what a pair walks in two hours) and a large one; targets from issue 14.
TURFS = ((70, "≥ 95", "≤ 200 ms"), (240, "≥ 90", "≤ 200 ms"))


def _audit(url: str, cookie: str, folder: str, number: int) -> dict:
    report = Path(folder) / f"report-{number}.json"
    subprocess.run([*LIGHTHOUSE, url, "--quiet", "--output=json", f"--output-path={report}",
                    "--only-categories=performance,accessibility", f"--extra-headers={json.dumps({'Cookie': cookie})}",
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking"],
                   check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, cwd=folder)
    data = json.loads(report.read_text())
    if os.environ.get("LIGHTHOUSE_DETAILS"):
        for audit in sorted(data["audits"].values(), key=lambda a: a.get("score") if a.get("score") is not None else 1):
            if audit.get("score") is not None and audit["score"] < 0.9:
                print(f"  {audit['score']:.2f} {audit['id']}: {audit.get('displayValue', '')}", file=sys.stderr)
    return {"performance": data["categories"]["performance"]["score"] * 100,
            "accessibility": data["categories"]["accessibility"]["score"] * 100,
            "tbt": data["audits"]["total-blocking-time"]["numericValue"]}


def _turf(target: int) -> list[dict]:
    """RUNS Lighthouse runs (mobile preset) on the walk list of one turf cut at `target` doors."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite"
        path, cookie, _ = http_load.prepare(url, target=target)
        walk = path.rsplit("/", 1)[0]
        server, port = http_load.serve("canvass:create_app()", {**os.environ, "DATABASE_URL": url})
        try:
            return [_audit(f"http://127.0.0.1:{port}{walk}", cookie, folder, n) for n in range(RUNS)]
        finally:
            server.terminate()
            server.wait()


def _rows(target: int, runs: list[dict], performance: str, tbt: str) -> list[tuple[str, str, str]]:
    def each(key):
        return ", ".join(f"{r[key]:.0f}" for r in runs)

    def median(key):
        return statistics.median(r[key] for r in runs)

    turf = f"turf cut for {target} doors"
    return [
        (f"{turf}: performance, median of {len(runs)} ({each('performance')})", f"{median('performance'):.0f}",
         performance),
        (f"{turf}: accessibility ({each('accessibility')})", f"{median('accessibility'):.0f}", "100"),
        (f"{turf}: total blocking time, median ({each('tbt')} ms)", f"{median('tbt'):.0f} ms", tbt),
    ]


def run() -> list[tuple[str, str, str]]:
    return [row for target, performance, tbt in TURFS for row in _rows(target, _turf(target), performance, tbt)]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
