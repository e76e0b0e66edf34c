"""Our own scripts as phones get them: minified.

`make setup` runs terser (pinned in package-lock.json) over static/js/*.js and static/sw.js into static/min/;
each is served at its source's own address. A source edited since the last build is served as it is, so a
page never runs a stale copy; the walk list's JS budget (tests/browser/test_page_weight.py, bench/page_weight.py)
measures what is served, so an unbuilt checkout shows there.
"""
from pathlib import Path

from flask import Flask, send_from_directory

BUILT = "min"


def minified(static: Path, name: str) -> Path | None:
    """The minified copy of one of our scripts, when it is built and not older than its source."""
    if not name.endswith(".js") or name.startswith(("vendor/", BUILT + "/")):
        return None
    built = static / BUILT / name
    try:
        return built if built.stat().st_mtime >= (static / name).stat().st_mtime else None
    except OSError:
        return None


def served(static: Path, name: str) -> Path:
    """The file a browser gets for static/<name>."""
    return minified(static, name) or static / name


def init_app(app: Flask) -> None:
    folder = Path(app.static_folder)
    plain = app.view_functions["static"]

    def static(filename: str):
        if minified(folder, filename):
            return send_from_directory(folder / BUILT, filename, max_age=app.get_send_file_max_age(filename))
        return plain(filename=filename)

    app.view_functions["static"] = static
