"""Standing turf holders (rodeansvarlige): who holds which turf between actions, and what a re-cut leaves them.

A turf has no holder, one, or a pair; a person holds at most one turf. When turf is re-cut, split or
merged, each old turf's holders go to the new turf that holds most of the old turf's addresses, if
that is at least half of them; otherwise the holders lose the turf and the new turf shows "uten
rodeansvarlig" until a coordinator chooses again. A turf given a holder while a leaflet drop is running,
and still without anyone in it there, goes to the new holder at once.
"""
from sqlalchemy import select

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.insight.tally import local_day
from canvass.models import (
    ActionTurf,
    Assignment,
    Branch,
    Membership,
    Role,
    Turf,
    TurfAddress,
    TurfHolder,
    User,
)
from canvass.models.holder import ELECTED_BODIES, MAX_HOLDERS, running_drop_actions
from canvass.refusal import N_, Refusal
from canvass.services import row_locks
from canvass.services.turf import held


class HolderError(Refusal, ValueError):
    """A turf's holders refused as picked."""


def by_turf(turf_ids) -> dict[int, list[TurfHolder]]:
    """The holders of each turf among `turf_ids`, by name; a person removed from the branch holds nothing."""
    result: dict[int, list[TurfHolder]] = {}
    rows = db.session.scalars(select(TurfHolder).join(User, User.id == TurfHolder.user_id)
                              .where(TurfHolder.turf_id.in_(list(turf_ids)), User.removed_at.is_(None))
                              .order_by(User.name, User.id))
    for holder in rows:
        result.setdefault(holder.turf_id, []).append(holder)
    return result


def held_by(user: User) -> TurfHolder | None:
    """The turf the person holds, if it is still on the map."""
    return db.session.scalar(select(TurfHolder).join(Turf, Turf.id == TurfHolder.turf_id)
                             .where(TurfHolder.user_id == user.id, Turf.archived_at.is_(None)))


def candidates(branch: Branch) -> list[User]:
    """Who may hold the branch's turf: its canvassers and coordinators still in it."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(User.organisation_id == branch.organisation_id, Membership.branch_id == branch.id,
               User.removed_at.is_(None), Membership.role.in_([Role.CANVASSER, Role.COORDINATOR]))
        .distinct().order_by(User.name, User.id)))


def set_holders(t: Turf, picks: list[tuple[int, str | None]]) -> list[TurfHolder]:
    """Make the chosen people (user id, elected body or None) the turf's holders, in place of those before.

    No one chosen leaves the turf without a holder. Someone holding another turf must be let go there
    first, so nobody loses a turf without the coordinator seeing it.
    """
    held.hold(t)
    if t.round != 1:
        raise HolderError(N_("Bare roder på kartet kan ha rodeansvarlig."))
    if len(picks) > MAX_HOLDERS:
        raise HolderError(N_("En rode kan ha én rodeansvarlig eller et par."))
    ids = [user_id for user_id, _ in picks]
    if len(set(ids)) != len(ids):
        raise HolderError(N_("Velg to ulike personer for et par."))
    if any(body is not None and body not in ELECTED_BODIES for _, body in picks):
        raise HolderError(N_("Velg bystyret, bydelsutvalg eller kommunestyre, eller ingen."))
    allowed = {u.id: u for u in candidates(t.branch)}
    if any(user_id not in allowed for user_id in ids):
        raise HolderError(N_("Bare lagets dørbankere og dørbankansvarlige kan være rodeansvarlige."))
    # The people too: the same person chosen for two turfs at once is then found holding the first by the second.
    row_locks.take(*(allowed[user_id] for user_id in ids))
    elsewhere = db.session.scalars(select(TurfHolder).where(TurfHolder.user_id.in_(ids), TurfHolder.turf_id != t.id))
    for other in elsewhere:
        raise HolderError(N_("%(name)s er allerede rodeansvarlig for %(turf)s."), name=other.user.name,
                          turf=other.turf.name)
    existing = {h.user_id: h for h in db.session.scalars(select(TurfHolder).where(TurfHolder.turf_id == t.id))}
    for user_id, holder in existing.items():
        if user_id not in ids:
            db.session.delete(holder)
    for user_id, body in picks:
        holder = existing.get(user_id) or TurfHolder(organisation_id=t.organisation_id, turf_id=t.id,
                                                     user_id=user_id)
        holder.elected = body
        db.session.add(holder)
    _join_running_drops(t, ids)
    db.session.commit()
    return by_turf([t.id]).get(t.id, [])


def _join_running_drops(t: Turf, ids: list[int]) -> None:
    """Give the turf to its new holders in every drop not yet over where nobody has it: a drop gives held turf
    to its holders when it starts, and a holder named a day later should not find the turf listed as free."""
    running = running_drop_actions(local_day(utcnow()))
    free = db.session.scalars(select(ActionTurf.action_id).where(
        ActionTurf.turf_id == t.id, ActionTurf.action_id.in_(running),
        ~select(Assignment.id).where(Assignment.action_id == ActionTurf.action_id,
                                     Assignment.turf_id == t.id).exists())).all()
    for action_id in free:
        for user_id in ids:
            db.session.add(Assignment(action_id=action_id, turf_id=t.id, user_id=user_id))


def addresses_of(turf_list: list[Turf]) -> dict[int, set[int]]:
    """Each turf's address ids, read before a re-cut clears them."""
    result: dict[int, set[int]] = {t.id: set() for t in turf_list}
    for turf_id, address_id in db.session.execute(
            select(TurfAddress.turf_id, TurfAddress.address_id).where(TurfAddress.turf_id.in_(list(result)))):
        result[turf_id].add(address_id)
    return result


def carry_over(before: dict[int, set[int]], after: dict[int, set[int]]) -> list[str]:
    """Move each old turf's holders to the new turf holding at least half its addresses; return who lost theirs.

    A new turf takes the holders of one old turf only: the old turf itself first (a merge keeps the
    kept turf's holders), then the one that gave it most addresses. Runs in the caller's transaction.
    """
    holders: dict[int, list[TurfHolder]] = {}
    for holder in db.session.scalars(select(TurfHolder).where(TurfHolder.turf_id.in_(list(before)))):
        holders.setdefault(holder.turf_id, []).append(holder)
    claims = []
    for old_id in holders:
        old = before[old_id]
        best_id, best = max(((new_id, len(old & new)) for new_id, new in after.items()),
                            key=lambda pair: (pair[1], -pair[0]), default=(None, 0))
        if best_id is not None and old and 2 * best >= len(old):
            claims.append((best_id != old_id, -best, old_id, best_id))
    taken: set[int] = set()
    kept: set[int] = set()
    for _, _, old_id, new_id in sorted(claims):
        if new_id in taken:
            continue
        taken.add(new_id)
        kept.add(old_id)
        for holder in holders[old_id]:
            holder.turf_id = new_id
    lost = [h for old_id, group in holders.items() if old_id not in kept for h in group]
    names = sorted(h.user.name for h in lost)
    for holder in lost:
        db.session.delete(holder)
    db.session.flush()
    return names


def let_go(t: Turf) -> None:
    """The turf leaves the map: its holders hold nothing. Runs in the caller's transaction."""
    for holder in db.session.scalars(select(TurfHolder).where(TurfHolder.turf_id == t.id)):
        db.session.delete(holder)
