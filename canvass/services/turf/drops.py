"""Leaflet drops (løpeseddelutdeling): one call that puts a leaflet in every mailbox of the county or a branch.

Starting a drop makes a leaflet action in every branch with turf in it, gives every held turf to its
standing holder (or pair) in the same transaction, and leaves the turf without a holder in the
action, unassigned, for the branch's coordinator to give to someone on the action's own page.
What a drop shows is the action's assignments, so turf assigned there afterwards counts too.
"""
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import (
    Action,
    ActionTurf,
    Address,
    Assignment,
    Branch,
    District,
    LeafletDrop,
    LeafletDropAction,
    Organisation,
    Turf,
    TurfAddress,
    User,
)
from canvass.privacy import audit
from canvass.refusal import N_, Refusal
from canvass.services.field import mailboxes
from canvass.services.turf import holders
from canvass.services.turf.turfs import live_turfs, natural_key


class DropError(Refusal, ValueError):
    """A leaflet drop refused as asked."""


def branches_of(organisation: Organisation, branch: Branch | None) -> list[Branch]:
    """The branches a drop covers: the one that starts it, or every branch when the county does."""
    return [branch] if branch is not None else list(organisation.branches)


def turf_districts(turf_ids) -> dict[int, str]:
    """Each turf's district (bydel): the one most of its addresses lie in."""
    counts: dict[int, tuple[int, str]] = {}
    rows = db.session.execute(
        select(TurfAddress.turf_id, Address.district_number, func.count())
        .join(Address, Address.id == TurfAddress.address_id)
        .where(TurfAddress.turf_id.in_(list(turf_ids)), Address.district_number.is_not(None))
        .group_by(TurfAddress.turf_id, Address.district_number))
    for turf_id, number, count in rows:
        if (count, number) > counts.get(turf_id, (0, "")):
            counts[turf_id] = (count, number)
    return {turf_id: number for turf_id, (_, number) in counts.items()}


def _turf(branches: list[Branch]) -> list[Turf]:
    return [t for b in branches for t in live_turfs(b, 1)]


def districts(organisation: Organisation, branch: Branch | None) -> list[District]:
    """The districts the drop's turf lies in, to choose among; none where addresses carry no district."""
    numbers = set(turf_districts([t.id for t in _turf(branches_of(organisation, branch))]).values())
    return list(db.session.scalars(select(District).where(District.number.in_(numbers)).order_by(District.name)))


def start(organisation: Organisation, branch: Branch | None, title: str, starts_on: date, ends_on: date,
          starts_at: datetime, chosen: list[str], by: User) -> LeafletDrop:
    """Start a drop over all the turf, or the turf in the `chosen` districts, of the county or a branch.

    `starts_at` is the first day's start as the actions store it. All or nothing: a refusal changes nothing.
    """
    title = title.strip()
    if not title or len(title) > 120:
        raise DropError(N_("Navnet må ha mellom 1 og 120 tegn."))
    if ends_on < starts_on:
        raise DropError(N_("Utdelingen kan ikke slutte før den begynner."))
    if branch is not None and branch.organisation_id != organisation.id:
        raise DropError(N_("Laget hører til en annen organisasjon."))
    # A second tap on "Start" (or Back and send again) must not hand everyone the same task twice.
    twin = db.session.scalar(select(LeafletDrop.id).where(
        LeafletDrop.organisation_id == organisation.id, LeafletDrop.title == title,
        LeafletDrop.starts_on == starts_on, LeafletDrop.ends_on == ends_on,
        LeafletDrop.branch_id.is_(None) if branch is None else LeafletDrop.branch_id == branch.id))
    if twin is not None:
        raise DropError(N_("Utdelingen %(title)s med de samme datoene er allerede startet."), title=title)
    branches = branches_of(organisation, branch)
    live = _turf(branches)
    wanted = set(chosen)
    if wanted:
        known = {d.number for d in districts(organisation, branch)}
        if not wanted <= known:
            raise DropError(N_("Velg bydeler der dere har roder."))
        where = turf_districts([t.id for t in live])
        live = [t for t in live if where.get(t.id) in wanted]
    if not live:
        raise DropError(N_("Det finnes ingen roder å dele ut i. Del inn i roder først."))
    drop = LeafletDrop(organisation_id=organisation.id, branch_id=branch.id if branch else None, title=title,
                       starts_on=starts_on, ends_on=ends_on, districts=",".join(sorted(wanted)), created_by_id=by.id)
    db.session.add(drop)
    held = holders.by_turf([t.id for t in live])
    for b in branches:
        mine = [t for t in live if t.branch_id == b.id]
        if not mine:
            continue
        action = Action(organisation_id=organisation.id, branch_id=b.id, title=title, kind="leaflet",
                        starts_at=starts_at, topics="", signup_token=secrets.token_urlsafe(16))
        db.session.add(action)
        db.session.flush()
        drop.parts.append(LeafletDropAction(action_id=action.id))
        for t in mine:
            db.session.add(ActionTurf(action_id=action.id, turf_id=t.id))
            for holder in held.get(t.id, []):
                db.session.add(Assignment(action_id=action.id, turf_id=t.id, user_id=holder.user_id))
    db.session.commit()
    return drop


def visible(user: User) -> list[LeafletDrop]:
    """The drops a coordinator or admin may open: the county's for an admin, the branch's own for a coordinator."""
    query = select(LeafletDrop).where(LeafletDrop.organisation_id == user.organisation_id)
    drops = db.session.scalars(query.order_by(LeafletDrop.starts_on.desc(), LeafletDrop.id.desc()))
    return [d for d in drops if may_open(user, d)]


def may_open(user: User, drop: LeafletDrop) -> bool:
    if drop.organisation_id != user.organisation_id:
        return False
    if drop.branch is None:
        return manages_county(user)
    return user.can_manage_branch(drop.branch)


def manages_county(user: User) -> bool:
    """A county drop spans every branch: only someone who may manage every one of them starts or opens it."""
    branches = user.organisation.branches
    return bool(branches) and all(user.can_manage_branch(b) for b in branches)


@dataclass
class BranchPart:
    branch: Branch
    action: Action
    # (turf, the people walking it) for assigned turf, and the turf nobody has yet.
    assigned: list[tuple[Turf, list[User]]] = field(default_factory=list)
    unassigned: list[Turf] = field(default_factory=list)
    # Households reached in the drop's action so far (mailboxes at entrances marked done), out of those in its turf.
    reached: mailboxes.Households = field(default_factory=mailboxes.Households)

    @property
    def households(self) -> int:
        return self.reached.households


def parts(drop: LeafletDrop) -> list[BranchPart]:
    """Per branch: the drop's action, the turf given out and to whom, and the turf still without anyone."""
    result = []
    for part in sorted(drop.parts, key=lambda p: p.action.branch.name):
        action = part.action
        walking: dict[int, list[User]] = {}
        for a in db.session.scalars(select(Assignment).join(User, User.id == Assignment.user_id)
                                    .where(Assignment.action_id == action.id, User.removed_at.is_(None))
                                    .order_by(User.name)):
            walking.setdefault(a.turf_id, []).append(a.user)
        row = BranchPart(action.branch, action)
        turf_rows = db.session.scalars(select(Turf).join(ActionTurf, ActionTurf.turf_id == Turf.id)
                                       .where(ActionTurf.action_id == action.id))
        turf_list = sorted(turf_rows, key=lambda t: (natural_key(t.name), t.id))
        for t in turf_list:
            if t.id in walking:
                row.assigned.append((t, walking[t.id]))
            else:
                row.unassigned.append(t)
        for reach in mailboxes.by_turf(turf_list, [action.id]).values():
            row.reached.add(reach)
        result.append(row)
    return result


def task_list(drop: LeafletDrop, viewer: User) -> list[list]:
    """Name, phone, e-mail, branch, turf and households of everyone given turf, for the coordinator's own
    SMS or e-mail tool. Phone numbers and e-mail addresses leave the app here, so the export is logged."""
    rows = [[u.name, u.phone or "", u.email or "", p.branch.name, t.name, t.doors]
            for p in parts(drop) for t, people in p.assigned for u in people]
    audit.log(viewer, audit.EXPORT, f"rodeansvarlige i utdelingen {drop.id}", len(rows))
    db.session.commit()
    return rows
