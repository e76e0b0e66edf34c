"""A leaflet round (løpeseddelutdeling i postkasser): entrances, their mailboxes, and the households reached.

On a leaflet action an address is an entrance, and its mailboxes are its households: the Matrikkel's
dwellings (Leilighetsnivå), or the estimate the turf was cut with where it has none (`TurfAddress.doors`),
plus the doors canvassers added there and the coordinator did not reject. One tap marks an entrance
done: a `visit` with the outcome `mailboxes` and an empty `unit` (protocol 1.4, docs/sync.md), with
optional counts of mailboxes marked "Nei takk til reklame" and of mailboxes out of reach (a locked
entrance).

Coverage is households reached out of households there: the mailboxes at the entrances marked done.
The "nei takk" and locked counts are reported beside it and never subtracted from it, as the coverage
page says. Flask-free.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from canvass.extensions import db
from canvass.models import Action, AddressNote, FieldDoor, Outcome, Turf, TurfAddress, Visit
from canvass.refusal import N_
from canvass.services.turf.progress import effective
from canvass.services.turf.turfs import natural_key

COUNTS = ("no_ads", "locked")
NOT_LEAFLET = N_("Postkasserunder registreres bare på en løpeseddelutdeling.")
NOT_A_COUNT = N_("Antall postkasser må være et helt tall fra 0 og oppover.")
TOO_MANY = N_("Oppgangen har %(mailboxes)s postkasser, men du skrev %(given)s med «Nei takk til reklame» "
              "eller uten tilgang.")


NOT_DOORS = N_("På en løpeseddelutdeling markerer du oppganger, ikke dører.")


def is_leaflet(action: Action | None) -> bool:
    return action is not None and action.kind == "leaflet"


def wrong_round(action: Action | None, outcome: str) -> str | None:
    """Why an outcome does not belong to the action's round, or None: a leaflet round marks entrances and
    nothing else (no door outcomes, no conversations), a door round knocks on doors."""
    if is_leaflet(action) != (outcome == "mailboxes"):
        return NOT_LEAFLET if outcome == "mailboxes" else NOT_DOORS
    return None


def at(turf_id: int, address_ids) -> dict[int, int]:
    """The mailboxes at each of these entrances of the turf: the households the turf was cut with, plus the doors
    added there that were not rejected."""
    address_ids = list(address_ids)
    counts = dict(db.session.execute(select(TurfAddress.address_id, TurfAddress.doors).where(
        TurfAddress.turf_id == turf_id, TurfAddress.address_id.in_(address_ids))).all())
    branch_id = select(Turf.branch_id).where(Turf.id == turf_id).scalar_subquery()
    for address_id, added in db.session.execute(
            select(FieldDoor.address_id, func.count()).where(
                FieldDoor.address_id.in_(address_ids), FieldDoor.branch_id == branch_id,
                FieldDoor.status != "rejected").group_by(FieldDoor.address_id)):
        if address_id in counts:
            counts[address_id] += added
    return counts


def checked_counts(event: dict, action: Action | None) -> tuple[int, int] | tuple[str, dict]:
    """The "nei takk" and locked counts of an entrance marked done, or (the Norwegian reason, its values).

    Only on a leaflet action, at the entrance itself (no door), and together not more than its mailboxes."""
    if not is_leaflet(action):
        return NOT_LEAFLET, {}
    if event.get("unit"):
        return N_("Ugyldig dør «%(value)s»."), {"value": str(event.get("unit"))[:20]}
    given = event.get("mailboxes") or {}
    if not isinstance(given, dict):
        return NOT_A_COUNT, {}
    counts = []
    for key in COUNTS:
        value = given.get(key) or 0
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 100_000:
            return NOT_A_COUNT, {}
        counts.append(value)
    if sum(counts):
        mailboxes = at(event["turf_id"], [event["address_id"]]).get(event["address_id"], 0)
        if sum(counts) > mailboxes:
            return TOO_MANY, {"mailboxes": mailboxes, "given": sum(counts)}
    return counts[0], counts[1]


@dataclass
class Households:
    """Households reached out of households there, with the mailboxes reported beside them (a leaflet round's reach;
    committees' reach of conversations is coverage.Reach)."""

    households: int = 0
    reached: int = 0
    no_ads: int = 0
    locked: int = 0
    entrances: int = 0
    entrances_done: int = 0

    @property
    def share(self) -> float:
        return min(self.reached / self.households, 1.0) if self.households else 0.0

    def add(self, other: "Households") -> None:
        for name in ("households", "reached", "no_ads", "locked", "entrances", "entrances_done"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Part:
    """One branch's share of a round: its turf, each with its reach, and the branch's total."""

    branch_name: str
    turfs: list[tuple[Turf, Households]] = field(default_factory=list)
    total: Households = field(default_factory=Households)


def done_entrances(turf_ids: list[int], action_ids: list[int]) -> dict[tuple[int, int], Visit]:
    """The entrance marked done in these actions, per (turf, address): the latest mark that was not undone."""
    if not turf_ids or not action_ids:
        return {}
    visits = effective(list(db.session.execute(
        select(Visit.id, Visit.client_uuid, Visit.corrects, Visit.turf_id, Visit.address_id, Visit.outcome,
               Visit.recorded_at, Visit.no_ads, Visit.locked)
        .where(Visit.turf_id.in_(turf_ids), Visit.action_id.in_(action_ids), Visit.unit == "",
               Visit.outcome == Outcome.MAILBOXES))))
    done = {}
    for visit in sorted(visits, key=lambda v: (v.recorded_at, v.id)):
        done[(visit.turf_id, visit.address_id)] = visit
    return done


def by_turf(turfs: list[Turf], action_ids: list[int]) -> dict[int, Households]:
    """Each turf's households (its doors, as the packing list counts them) and what was reached in these actions."""
    ids = [t.id for t in turfs]
    mailboxes: dict[int, dict[int, int]] = defaultdict(dict)
    for turf_id, address_id, doors in db.session.execute(
            select(TurfAddress.turf_id, TurfAddress.address_id, TurfAddress.doors).where(TurfAddress.turf_id.in_(ids))):
        mailboxes[turf_id][address_id] = doors
    added = db.session.execute(
        select(Turf.id, FieldDoor.address_id, func.count())
        .join(TurfAddress, TurfAddress.turf_id == Turf.id)
        .join(FieldDoor, (FieldDoor.address_id == TurfAddress.address_id) & (FieldDoor.branch_id == Turf.branch_id))
        .where(Turf.id.in_(ids), FieldDoor.status != "rejected").group_by(Turf.id, FieldDoor.address_id))
    for turf_id, address_id, count in added:
        mailboxes[turf_id][address_id] = mailboxes[turf_id].get(address_id, 0) + count
    result = {t.id: Households(households=t.doors, entrances=len(mailboxes[t.id])) for t in turfs}
    for (turf_id, address_id), visit in done_entrances(ids, action_ids).items():
        reach = result[turf_id]
        reach.reached += mailboxes[turf_id].get(address_id, 0)
        reach.no_ads += visit.no_ads or 0
        reach.locked += visit.locked or 0
        reach.entrances_done += 1
    return result


def of_actions(actions: list[Action]) -> tuple[list[Part], Households]:
    """Per branch, the turf of these actions with its reach, and the whole (the city, for a county's drop)."""
    parts, whole = [], Households()
    for action in sorted(actions, key=lambda a: (a.branch.name, a.id)):
        turf_list = sorted((planned.turf for planned in action.turfs), key=lambda t: (natural_key(t.name), t.id))
        reach = by_turf(turf_list, [action.id])
        part = Part(action.branch.name, [(t, reach[t.id]) for t in turf_list])
        for _, r in part.turfs:
            part.total.add(r)
        whole.add(part.total)
        parts.append(part)
    return parts, whole


@dataclass
class Entrance:
    """One stop of a leaflet round's walk list: the entrance, its mailboxes, and its mark in this action."""

    number: int
    address_id: int
    label: str
    mailboxes: int
    notes: list[str]
    done: Visit | None = None


def entrances(turf: Turf, action_id: int) -> list[Entrance]:
    """The turf's entrances in walking order, each with its mailboxes, the branch's door notes (a door code helps
    here too) and whether it was marked done in this action, by this phone or the partner's."""
    stops = db.session.scalars(select(TurfAddress).where(TurfAddress.turf_id == turf.id)
                               .options(joinedload(TurfAddress.address)).order_by(TurfAddress.position)).all()
    ids = [s.address_id for s in stops]
    counts = at(turf.id, ids)
    done = done_entrances([turf.id], [action_id])
    notes: dict[int, list[str]] = defaultdict(list)
    for address_id, text in db.session.execute(
            select(AddressNote.address_id, AddressNote.text).where(AddressNote.address_id.in_(ids),
                                                                   AddressNote.branch_id == turf.branch_id)
            .order_by(AddressNote.recorded_at.desc())):
        notes[address_id].append(text)
    return [Entrance(s.position + 1, s.address_id, s.address.label, counts.get(s.address_id, 0),
                     notes[s.address_id][:3], done.get((turf.id, s.address_id))) for s in stops]
