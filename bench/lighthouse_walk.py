"""Lighthouse (mobile preset, Debian Chromium) on the canvasser's walk list: performance and accessibility.

Needs Node; fetches the pinned Lighthouse from the npm registry through npx on first use.
"""
import json
import os
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


def run() -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite"
        # A turf of the usual size: what a pair walks in two hours.
        path, cookie, _ = http_load.prepare(url, target=70)
        walk = path.rsplit("/", 1)[0]
        server, port = http_load.serve("canvass:create_app()", {**os.environ, "DATABASE_URL": url})
        try:
            report = Path(folder) / "report.json"
            subprocess.run([*LIGHTHOUSE, f"http://127.0.0.1:{port}{walk}", "--quiet", "--output=json",
                            f"--output-path={report}", "--only-categories=performance,accessibility",
                            f"--extra-headers={json.dumps({'Cookie': cookie})}",
                            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking"],
                           check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, cwd=folder)
            data = json.loads(report.read_text())
            scores = data["categories"]
            if os.environ.get("LIGHTHOUSE_DETAILS"):
                for audit in sorted(
                    data["audits"].values(), key=lambda a: a.get("score") if a.get("score") is not None else 1
                ):
                    if audit.get("score") is not None and audit["score"] < 0.9:
                        print(f"  {audit['score']:.2f} {audit['id']}: {audit.get('displayValue', '')}", file=sys.stderr)
        finally:
            server.terminate()
            server.wait()
    return [
        ("walk list, Lighthouse mobile: performance", f"{scores['performance']['score'] * 100:.0f}", "≥ 95"),
        ("walk list, Lighthouse mobile: accessibility", f"{scores['accessibility']['score'] * 100:.0f}", "100"),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
