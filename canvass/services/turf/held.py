"""One change to a turf at a time: a request that splits, merges, archives, redraws or assigns a turf holds it first
(canvass/services/row_locks.py), and reads it again.

Two such requests at the same moment (a double tap on «Del i to», two coordinators, a split and an assignment)
each read the turf as it was and wrote as if the other had not happened: the volunteer was given a turf already
split away, and the second split of a double tap failed on the first one's rows. Holding the turf makes the
second wait until the first has committed, and then read the turf as the first left it.
"""
from canvass.models import Turf
from canvass.refusal import N_, Refusal
from canvass.services import row_locks

GONE = N_("%(turf)s er allerede delt, slått sammen eller arkivert, så ingenting ble endret. Se rodene slik de er nå.")


class TurfGone(Refusal, ValueError):
    """A turf that has left the map since the page that asks to change it was opened."""


def hold(*turfs: Turf) -> None:
    """Take these turfs (`row_locks.take`); one that has left the map since the page was opened is refused."""
    row_locks.take(*turfs)
    for t in turfs:
        if t.archived_at is not None:
            raise TurfGone(GONE, turf=t.name)
