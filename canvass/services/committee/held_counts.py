"""The committees' counts of an organisation, taken before a transaction adds to them or takes from them.

A sync adds to the counts of the evening, the postal code and the district, and an undo in the same batch takes
from others, in statements one after the other. Two phones syncing at once each locked some of the same count
rows, in orders no sort inside one statement can make agree (a new conversation at 0474 and an undo at 0473 in
one batch, conversations at 0473 and 0474 in the other), and PostgreSQL failed one of them as a deadlock. Taking
the organisation's row first makes the second sync wait for the first to commit, before it holds any count. The
counts are shared by every phone of the organisation, so the syncs took turns on them already.
"""
from canvass.extensions import db
from canvass.models import Organisation
from canvass.services import row_locks


def hold(organisation_ids) -> None:
    """Take the counts of these organisations for the rest of the transaction."""
    row_locks.take(*(db.session.get(Organisation, organisation_id) for organisation_id in set(organisation_ids)))
