"""Cutting, merging, splitting and redrawing a branch's turf, stored with walk order and outline."""
import json
import re
from collections import Counter
from dataclasses import replace

from shapely.geometry import mapping
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.geo import doors, geometry, turf, walk
from canvass.models import Action, Address, Assignment, Branch, Dwelling, PostalArea, Turf, TurfAddress, User
from canvass.refusal import N_, Refusal
from canvass.services.turf import held, holders
from canvass.services.turf.progress import not_home_addresses

DEFAULT_TARGET = 70


class TurfError(Refusal, ValueError):
    """A turf, action or campaign refused as asked (a name taken, a turf too small to split, ...)."""


def natural_key(name: str) -> tuple:
    """Sort key that reads numbers as numbers: 0473-2 comes before 0473-10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d+)", name) if part)


def live_turfs(branch: Branch, round_: int | None = None) -> list[Turf]:
    """The branch's turf on the map, by name with numbers in number order."""
    query = select(Turf).where(Turf.branch_id == branch.id, Turf.archived_at.is_(None))
    if round_ is not None:
        query = query.where(Turf.round == round_)
    return sorted(db.session.scalars(query), key=lambda t: (natural_key(t.name), t.id))


def colours(live: list[Turf]) -> dict[int, int]:
    """A colour number per turf, so turf that touches on the map is coloured apart."""
    drawn = [t for t in live if t.geometry]
    return dict(zip([t.id for t in drawn], turf.colour_apart([geometry.from_geojson(t.geometry) for t in drawn]),
                    strict=True))


def _next_numbers(branch: Branch) -> Counter:
    """The highest number each postal code's live turf of the branch already has (0473-7 → 7), to count on from."""
    highest: Counter = Counter()
    for name in db.session.scalars(select(Turf.name).where(Turf.branch_id == branch.id, Turf.archived_at.is_(None))):
        found = re.match(r"(\d{4})-(\d+)\b", name)
        if found:
            highest[found[1]] = max(highest[found[1]], int(found[2]))
    return highest


def _stops(addresses: list[Address]) -> list[turf.Stop]:
    units: dict[int, list[str]] = {}
    for address_id, unit in db.session.execute(
            select(Dwelling.address_id, Dwelling.unit).where(Dwelling.address_id.in_([a.id for a in addresses]))):
        units.setdefault(address_id, []).append(unit)
    stops = []
    for a in addresses:
        count = doors.count_doors(len(units.get(a.id, [])), a.building_type, a.building_levels)
        stops.append(turf.Stop(a.id, a.street, a.number, a.letter or "", a.postnummer, a.lon, a.lat, count.doors,
                               a.building_id, tuple(doors.units_top_down(units.get(a.id, [])))))
    return stops


class Cut(list):
    """The turf a cut, split or merge made, and the names of the standing holders whose turf did not carry over."""

    lost: list[str] = []


def _carry_holders(before: dict[int, set[int]], filled: list[tuple[Turf, list[dict]]]) -> list[str]:
    """Hand the old turf's standing holders to the new turf that keeps most of their addresses."""
    return holders.carry_over(before, {t.id: {row["address_id"] for row in rows} for t, rows in filled})


class PostalPolygons(dict):
    """Postal-code polygons loaded once per operation, as turf outlines are clipped to them."""

    def __missing__(self, code: str):
        text = db.session.scalar(select(PostalArea.geometry).where(PostalArea.postnummer == code))
        self[code] = geometry.from_geojson(text) if text else None
        return self[code]


def held_by_others(branch: Branch, address_ids) -> dict[int, str]:
    """The addresses among `address_ids` that another branch's live turf holds, with that branch's name.

    Turf is a branch's own: it is never taken or replaced by another branch cutting, even where a
    postal code changed hands (or was shared) while the turf was out.
    """
    rows = db.session.execute(
        select(TurfAddress.address_id, Branch.name).join(Turf, Turf.id == TurfAddress.turf_id)
        .join(Branch, Branch.id == Turf.branch_id)
        .where(TurfAddress.organisation_id == branch.organisation_id, TurfAddress.round == 1,
               Turf.branch_id != branch.id, Turf.archived_at.is_(None), TurfAddress.address_id.in_(list(address_ids))))
    return dict(rows.all())


def left_out(branch: Branch, codes: list[str]) -> dict[str, dict[str, int]]:
    """For each other branch holding turf in these postal codes: how many of their addresses it holds, by code."""
    addresses = dict(db.session.execute(
        select(Address.id, Address.postnummer).where(Address.postnummer.in_(codes))).all())
    counts: dict[str, Counter] = {}
    for address_id, holder in held_by_others(branch, addresses).items():
        counts.setdefault(holder, Counter())[addresses[address_id]] += 1
    return {holder: dict(sorted(by_code.items())) for holder, by_code in sorted(counts.items())}


def cut_turfs(branch: Branch, codes: list[str], target: int = DEFAULT_TARGET, style: str = walk.ONE_SIDE_THEN_OTHER
              ) -> list[Turf]:
    """Cut the branch's chosen postal codes into turf of about `target` doors, replacing its own turf there.

    The branch's turf that already covers some of these addresses is replaced whole, together with
    its other addresses, so every address stays in exactly one turf. Addresses in another branch's
    live turf are left out (`left_out` says how many, and whose); if that is all of them, nothing is cut.
    """
    if not codes:
        raise TurfError(N_("Velg minst ett postnummer."))
    outside = sorted(set(codes) - set(branch.territory))
    if outside:
        raise TurfError(N_("Postnumrene %(codes)s hører ikke til %(branch)s."), codes=", ".join(outside),
                        branch=branch.name)
    if not 10 <= target <= 500:
        raise TurfError(N_("Rodestørrelsen må være mellom 10 og 500 dører."))
    if style not in walk.STYLES:
        raise TurfError(N_("Velg hvordan gatene skal gås: én side først, så den andre, eller i sikksakk."))
    addresses = list(db.session.scalars(select(Address).where(Address.postnummer.in_(codes))))
    if not addresses:
        raise TurfError(N_("Det finnes ingen adresser i de valgte postnumrene. Last inn adresser først."))
    held = held_by_others(branch, [a.id for a in addresses])
    if len(held) == len(addresses):
        raise TurfError(N_("Alle adressene i %(codes)s ligger allerede i roder som %(branches)s har. "
                           "De må arkivere rodene før dere kan dele inn adressene."),
                        codes=", ".join(sorted(set(codes))), branches=", ".join(sorted(set(held.values()))))
    addresses = [a for a in addresses if a.id not in held]
    replaced = list(db.session.scalars(
        select(Turf).join(TurfAddress).where(Turf.branch_id == branch.id, Turf.archived_at.is_(None),
                                             TurfAddress.round == 1,
                                             TurfAddress.address_id.in_([a.id for a in addresses])).distinct()))
    before = holders.addresses_of(replaced)
    if replaced:
        known = {a.id for a in addresses}
        addresses += [s.address for t in replaced for s in t.stops if s.address_id not in known]
        for old in sorted(replaced, key=lambda t: t.id):  # held in the order every request holds turf (held.py)
            _archive(old)
    stops = _stops(addresses)
    groups = turf.cut(stops, target)
    by_id = {s.id: s for s in stops}
    # Numbers go on from the branch's turf left standing, so no two live turfs share a name.
    numbering = _next_numbers(branch)
    polygons = PostalPolygons()
    created, filled = [], []
    for group in groups:
        members = [by_id[i] for i in group]
        postnummer = _main([(s.postnummer, s.doors) for s in members])
        numbering[postnummer] += 1
        new = Turf(organisation_id=branch.organisation_id, branch_id=branch.id, round=1,
                   name=f"{postnummer}-{numbering[postnummer]} {_main([(s.street, s.doors) for s in members])}")
        db.session.add(new)
        filled.append((new, _fill(new, members, style, polygons)))
        created.append(new)
    try:
        _store(filled)
        lost = _carry_holders(before, filled)
        db.session.commit()
    except IntegrityError:
        # Another branch cut some of the same doors at the same moment: its turf stands, this cut fails whole.
        db.session.rollback()
        raise TurfError(N_("Noen andre endret roder her samtidig. Ingenting ble endret; prøv igjen.")) from None
    result = Cut(created)
    result.lost = lost
    return result


def _main(weighted: list[tuple[str, int]]) -> str:
    """The value carrying most doors (then most addresses)."""
    totals: Counter = Counter()
    for value, weight in weighted:
        totals[value] += weight + 1e-3
    return totals.most_common(1)[0][0]


def _fill(target_turf: Turf, members: list[turf.Stop], style: str = walk.ONE_SIDE_THEN_OTHER,
          polygons: PostalPolygons | None = None) -> list[dict]:
    """Set doors, walking distance and outline; return the turf's stops in walk order, to be stored by `_store`."""
    polygons = PostalPolygons() if polygons is None else polygons
    ordered = walk.walk_order(members, style)
    target_turf.doors = sum(s.doors for s in ordered)
    target_turf.walk_metres = round(walk.walking_distance(ordered))
    # Doors are counted only where the Matrikkel's dwellings are loaded; elsewhere they are estimates.
    target_turf.doors_estimated = any(not s.units for s in ordered)
    with db.session.no_autoflush:
        clip = [polygons[code] for code in sorted({s.postnummer for s in ordered})]
    shape = turf.outline([s.lon for s in ordered], [s.lat for s in ordered], clip)
    target_turf.geometry = json.dumps(mapping(shape), separators=(",", ":"))
    return [{"address_id": s.id, "position": k, "doors": s.doors} for k, s in enumerate(ordered)]


def _store(filled: list[tuple[Turf, list[dict]]]) -> None:
    """Write the turfs and their stops in bulk (thousands of rows when a whole district is cut)."""
    db.session.flush()
    rows = [{**row, "turf_id": t.id, "organisation_id": t.organisation_id, "round": t.round}
            for t, stops in filled for row in stops]
    if rows:
        db.session.execute(insert(TurfAddress), rows)
    for t, _ in filled:
        db.session.expire(t, ["stops"])


def _clear(*cleared: Turf) -> None:
    for t in cleared:
        t.stops = []
    db.session.flush()


def _archive(old: Turf) -> None:
    """Retire a turf: every way a turf leaves the map (archived, split, merged away, cut again, a later round
    replacing it) comes through here, so none leaves a volunteer walking it with an empty list, and none is retired
    twice by two requests at once."""
    held.hold(old)
    _not_walked(old)
    old.archived_at = utcnow()
    _clear(old)


def archive(t: Turf) -> None:
    """Take a turf off the map and the lists, so its doors are free to cut again (by any branch with the code).

    What was recorded in it stays, and a phone that still holds it can send what it recorded. Its standing
    holders hold nothing any more.
    """
    held.hold(t)
    holders.let_go(t)
    _archive(t)
    db.session.commit()


def _members(t: Turf) -> list[turf.Stop]:
    return _stops([s.address for s in t.stops])


def rename(t: Turf, name: str) -> None:
    name = name.strip()
    if not name or len(name) > 120:
        raise TurfError(N_("Navnet må ha mellom 1 og 120 tegn."))
    t.name = name
    db.session.commit()


def _not_walked(t: Turf) -> None:
    """Refuse to change a turf someone is given in an action not yet over under them: retiring it or moving its
    doors away would leave their walk list empty at the door, their pair broken and the action's progress without
    those doors. Released first, it may go; a turf of last month's action may be cut again for the next."""
    given = db.session.execute(
        select(Action.title, User.name).select_from(Assignment)
        .join(Action, Action.id == Assignment.action_id).join(User, User.id == Assignment.user_id)
        .where(Assignment.turf_id == t.id, User.removed_at.is_(None), Action.not_over(utcnow()))
        .order_by(Action.starts_at, User.name)).first()
    if given is not None:
        raise TurfError(N_("%(turf)s er gitt til %(person)s i aksjonen «%(action)s». Frigi roden der først, så "
                           "ingen står igjen ved en dør uten gåliste."), turf=t.name, person=given[1], action=given[0])


def merge(keep: Turf, other: Turf) -> Cut:
    """Put `other`'s addresses into `keep` and retire `other`: the turf kept, as a cut of one."""
    if keep.id == other.id or keep.branch_id != other.branch_id or keep.round != other.round:
        raise TurfError(N_("Bare to ulike roder i samme lag kan slås sammen."))
    held.hold(keep, other)
    _not_walked(keep)  # `other` is asked as it is retired (_archive)
    members = _members(keep) + _members(other)
    before = holders.addresses_of([keep, other])
    _archive(other)
    _clear(keep)
    filled = [(keep, _fill(keep, members))]
    _store(filled)
    result = Cut([keep])
    result.lost = _carry_holders(before, filled)
    db.session.commit()
    return result


def split(t: Turf) -> Cut:
    """Split a turf in two of about half its doors each, between entrances, keeping streets together."""
    held.hold(t)
    members = _members(t)
    before = holders.addresses_of([t])
    groups = turf.cut(members, max(t.doors // 2, 1))
    if len(groups) < 2:
        raise TurfError(N_("Roden kan ikke deles: den har bare én adresse."))
    by_id = {s.id: s for s in members}
    _archive(t)
    parts = []
    for k, group in enumerate(groups, start=1):
        part = Turf(organisation_id=t.organisation_id, branch_id=t.branch_id, round=t.round, parent_id=t.parent_id,
                    name=f"{t.name} ({k})")
        db.session.add(part)
        parts.append((part, _fill(part, [by_id[i] for i in group])))
    _store(parts)
    lost = _carry_holders(before, parts)
    db.session.commit()
    result = Cut(part for part, _ in parts)
    result.lost = lost
    return result


NEIGHBOUR_METRES = 150


def move_addresses(source: Turf, destination: Turf, address_ids: list[int]) -> None:
    """Redraw the border: move addresses (with the rest of their buildings) to a neighbouring turf. Asked again
    for addresses the neighbour already holds, it has nothing to do."""
    if source.branch_id != destination.branch_id or source.round != destination.round or source.id == destination.id:
        raise TurfError(N_("Adresser kan bare flyttes mellom roder i samme lag."))
    held.hold(source, destination)
    _not_walked(source)
    members = _members(source)
    chosen = set(address_ids)
    unknown = chosen - {s.id for s in members}
    if unknown and chosen <= {s.address_id for s in destination.stops}:
        return  # all of them there already: the second tap of a double tap, after the first moved them
    if unknown:
        raise TurfError(N_("Noen av adressene hører ikke til roden %(name)s."), name=source.name)
    buildings = {s.building for s in members if s.id in chosen and s.building}
    moving = [s for s in members if s.id in chosen or (s.building and s.building in buildings)]
    if len(moving) == len(members):
        raise TurfError(N_("En rode kan ikke stå tom. Slå heller rodene sammen."))
    if geometry.metric_distance(geometry.from_geojson(destination.geometry),
                                geometry.from_geojson(source.geometry)) > NEIGHBOUR_METRES:
        raise TurfError(N_("%(name)s er ikke en naborode."), name=destination.name)
    staying = [s for s in members if s not in moving]
    arriving = _members(destination) + moving
    _clear(source, destination)
    _store([(source, _fill(source, staying)), (destination, _fill(destination, arriving))])
    db.session.commit()


def second_round(t: Turf) -> Turf:
    """A new turf of the doors nobody answered, for another time of day; a repeat replaces the earlier one."""
    held.hold(t)
    waiting = not_home_addresses(t)
    if not waiting:
        raise TurfError(N_("Ingen dører i %(name)s står som «ikke hjemme»."), name=t.name)
    for earlier in db.session.scalars(select(Turf).where(Turf.parent_id == t.id, Turf.archived_at.is_(None))):
        _archive(earlier)
    members = [replace(s, doors=waiting[s.id]) for s in _members(t) if s.id in waiting]
    again = Turf(organisation_id=t.organisation_id, branch_id=t.branch_id, round=t.round + 1, parent_id=t.id,
                 name=f"{t.name} – runde {t.round + 1}")
    db.session.add(again)
    _store([(again, _fill(again, members))])
    db.session.commit()
    return again


def geojson(t: Turf) -> dict:
    """The turf's outline and its addresses numbered in walking order."""
    features = [{"type": "Feature", "geometry": json.loads(t.geometry), "properties": {"name": t.name}}]
    features += [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [s.address.lon, s.address.lat]},
                  "properties": {"name": f"{s.position + 1}. {s.address.label}", "doors": s.doors}}
                 for s in t.stops]
    return {"type": "FeatureCollection", "features": features}
