"""`flask --app canvass jobs worker`: the queue consumer that runs the jobs, and its watchdog.

`make run` starts one beside the web server; in production systemd runs it (docs/deploy.md). Several
may run, on one machine or on several sharing a Redis queue.
"""
import logging
import threading

import click
from flask import current_app
from flask_babel import gettext

from canvass import queue
from canvass.cli import RefusingGroup
from canvass.services import jobs

jobs_cli = RefusingGroup("jobs", help="Bakgrunnsjobber: import og nedlasting av geodata, å finne temaer.")
log = logging.getLogger(__name__)


def watch(app, stop: threading.Event) -> None:
    """Every third of the stale time, put jobs whose consumer died back on the queue, and remove files no
    job needs any more."""
    stale = app.config["JOB_STALE_SECONDS"]
    while True:
        with app.app_context():
            try:
                jobs.recover(stale)
                jobs.sweep_files()
            except Exception:  # the database or queue away for a moment: try again next round
                log.exception("recovering jobs")
        if stop.wait(stale / 3):
            return


@jobs_cli.command("worker")
@click.option("--workers", default=1, show_default=True, help="Hvor mange jobber som kan kjøre samtidig.")
def worker_command(workers):
    """Kjør jobbene i køen (import, nedlasting, temaer) til prosessen stoppes."""
    app = current_app._get_current_object()
    found = queue.get(app)
    if found.huey.immediate:
        raise click.ClickException(gettext("Køen kjører jobbene med én gang (immediate://); ingen arbeider trengs."))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    stop = threading.Event()
    watchdog = threading.Thread(target=watch, args=(app, stop), name="job-watchdog", daemon=True)
    watchdog.start()
    consumer = found.huey.create_consumer(workers=workers, worker_type="thread", periodic=False, max_delay=1.0)
    try:
        consumer.run()
    finally:
        stop.set()
        watchdog.join()
