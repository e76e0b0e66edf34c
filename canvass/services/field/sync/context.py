"""The batch's context the checks are given: for each turf the addresses the person may record at, and the
actions they may record under, each found for the whole batch in one query."""

from sqlalchemy import bindparam, or_, select

from canvass.extensions import db
from canvass.models import (
    Action,
    Address,
    Assignment,
    BranchPostalCode,
    Signup,
    Turf,
    User,
)
from canvass.models.people import BRANCH_ROLES

# Built once: these run for every batch, and a prebuilt statement skips most of the compiling.
_ALLOWED_ANY_BRANCH = (
    select(Turf.id, Address.id)
    .join(BranchPostalCode, BranchPostalCode.branch_id == Turf.branch_id)
    .join(Address, Address.postnummer == BranchPostalCode.postnummer)
    .where(
        Turf.id.in_(bindparam("turfs", expanding=True)),
        Turf.organisation_id == bindparam("organisation"),
        Address.id.in_(bindparam("addresses", expanding=True)),
    )
)


_ALLOWED = _ALLOWED_ANY_BRANCH.where(
    or_(
        Turf.branch_id.in_(bindparam("branches", expanding=True)),
        Turf.branch_id.in_(select(Action.branch_id).join(Signup).where(Signup.user_id == bindparam("user"))),
        Turf.id.in_(select(Assignment.turf_id).where(Assignment.user_id == bindparam("user"))),
    )
)


def _allowed(user: User, turf_ids: set, address_ids: set) -> dict[int, set[int]]:
    """For each turf the user may record in, the addresses of the events that lie in its branch's territory.

    A volunteer may record in their own branch's turf and in turf of branches whose actions they
    signed up for or were given turf in; a coordinator in their branch's, an admin in the organisation's.
    This holds for turf that was replaced or released while the phone was offline, so nothing recorded
    at the door is lost; the territory check stops a tampered request from recording anywhere else.
    """
    if not turf_ids or not address_ids:
        return {}
    query = _ALLOWED_ANY_BRANCH if user.is_admin else _ALLOWED
    rows = db.session.execute(
        query,
        {
            "turfs": list(turf_ids),
            "addresses": list(address_ids),
            "user": user.id,
            "organisation": user.organisation_id,
            "branches": sorted(user.branch_ids(*BRANCH_ROLES)),
        },
    )
    allowed: dict[int, set[int]] = {}
    for turf_id, address_id in rows:
        allowed.setdefault(turf_id, set()).add(address_id)
    return allowed


def _recordable_actions(user: User, action_ids: set[int]) -> dict[int, Action]:
    """The batch's actions the user may record under: an admin any of the organisation's, others their own
    branch's and those they signed up for or were given turf in (as for turf, see `_allowed`).

    A batch names one action or two, and a page recording a door has its action loaded already,
    so looking each up through the session costs no query there."""
    found = {
        action_id: action
        for action_id in action_ids
        if (action := db.session.get(Action, action_id)) is not None and action.organisation_id == user.organisation_id
    }
    others = {action_id for action_id, action in found.items() if not user.may_record_in_branch(action.branch_id)}
    if others:
        joined = set(
            db.session.scalars(select(Signup.action_id).where(Signup.user_id == user.id, Signup.action_id.in_(others)))
        ) | set(
            db.session.scalars(
                select(Assignment.action_id).where(Assignment.user_id == user.id, Assignment.action_id.in_(others))
            )
        )
        found = {action_id: action for action_id, action in found.items() if action_id not in others - joined}
    return found
