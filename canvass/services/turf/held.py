"""One change to a turf at a time: a request that splits, merges, archives, redraws or assigns a turf holds it first.

Two such requests at the same moment (a double tap on «Del i to», two coordinators, a split and an assignment)
each read the turf as it was and wrote as if the other had not happened: the volunteer was given a turf already
split away, and the second split of a double tap failed on the first one's rows. Holding the turf makes the
second wait until the first has committed, and then read the turf as the first left it.
"""
from sqlalchemy import update

from canvass.extensions import db
from canvass.models import Turf
from canvass.refusal import N_, Refusal

GONE = N_("%(turf)s er allerede delt, slått sammen eller arkivert, så ingenting ble endret. Se rodene slik de er nå.")


class TurfGone(Refusal, ValueError):
    """A turf that has left the map since the page that asks to change it was opened."""


def hold(*turfs: Turf) -> None:
    """Take these turfs for the rest of the transaction, and read each again; one that has left the map is refused.

    In order of id, so two requests holding the same two turfs (two merges) never each wait for the other."""
    table = Turf.__table__
    for t in sorted(turfs, key=lambda t: t.id):
        # A write that changes nothing: PostgreSQL locks the row until commit, and SQLite gives the transaction
        # its one writer (canvass/sqlite_writes.py). Reads after it see whatever the other request committed.
        db.session.execute(update(table).where(table.c.id == t.id).values(archived_at=table.c.archived_at))
        db.session.refresh(t)
        if t.archived_at is not None:
            raise TurfGone(GONE, turf=t.name)
