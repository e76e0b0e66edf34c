"""Cutting turf (roder) from addresses: balanced by doors and by the time a turf takes, compact, streets kept whole.

The unit that is never split is the entrance: one address with its doors. A Norwegian block has
several entrances, each its own address, so a block bigger than a turf is shared between turfs
along its entrances; a cut inside a building still costs more than one between buildings.

Addresses are grouped into street segments (one street inside one postal code), the segments are
put in an order that follows the map (a Hilbert curve over postal codes, then over segments), and
the sequence is split by dynamic programming into runs whose doors and estimated time stay close
to the target, preferring cuts between streets and postal codes and across long gaps.

The time of a turf is its doors at `DOOR_SECONDS` each plus its walk at `WALK_METRES_PER_MINUTE`;
the time target is `target` doors at a walk of `REFERENCE_METRES_PER_DOOR` per door (a street of
blocks and terraces). A turf of scattered houses therefore gets fewer doors, one of blocks a few more.

Cost: sorting is O(n log n); the partition looks back over at most the entrances that fit in
`HARD_MAXIMUM` turfs (capped by `MAX_RUN`), one numpy step per entrance, so O(n · w) for w
entrances per turf and linear in the size of the city.
"""
import heapq
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import Transformer

from canvass.geo import formats
from canvass.geo.doors import count_doors
from canvass.geo.geometry import METRIC, WGS84

TOLERANCE = 0.25
# No turf holds more than this many times the target, unless a single entrance does.
HARD_MAXIMUM = 1.5
# The stated pace: knocking, waiting and a short talk at each door; walking between doors.
DOOR_SECONDS = 90
WALK_METRES_PER_MINUTE = 70
REFERENCE_METRES_PER_DOOR = 8
# What a cut costs, in units of squared relative size error.
CUT_INSIDE_BUILDING = 0.3
CUT_INSIDE_STREET = 0.08
CUT_BETWEEN_STREETS = 0.01
OUT_OF_TOLERANCE = 100.0
# Longest run of entrances the planner considers for one turf (bounds the work on door-less stretches).
MAX_RUN = 2000

_TO_METRIC = Transformer.from_crs(WGS84, METRIC, always_xy=True)
_TO_WGS84 = Transformer.from_crs(METRIC, WGS84, always_xy=True)


@dataclass(frozen=True)
class Stop:
    """One address with its doors, as the cutter and walk planner see it."""

    id: int
    street: str
    number: int | None
    letter: str
    postnummer: str
    lon: float
    lat: float
    doors: int
    building: str | None = None
    units: tuple[str, ...] = field(default=(), compare=False)


def stops_from_osm_csv(path) -> list[Stop]:
    """Every address of an OSM address file as a stop, its doors estimated from its building (no database)."""
    stops = []
    for chunk in formats.read_csv_chunks(path, formats.OSM_ADDRESSES):
        for r in chunk.records:
            count = count_doors(0, r["building_type"], r["building_levels"])
            stops.append(Stop(len(stops), r["street"], r["number"], r["letter"], r["postnummer"],
                              r["lon"], r["lat"], count.doors, r["building_id"]))
    return stops


def metres(stops: list[Stop]) -> tuple[np.ndarray, np.ndarray]:
    lon = np.fromiter((s.lon for s in stops), float, len(stops))
    lat = np.fromiter((s.lat for s in stops), float, len(stops))
    return _TO_METRIC.transform(lon, lat)


def hilbert_index(x: np.ndarray, y: np.ndarray, order: int = 16) -> np.ndarray:
    """Position along a Hilbert curve over the bounding box: nearby points get nearby numbers."""
    n = 1 << order
    span = max(np.ptp(x), np.ptp(y), 1.0)
    xi = ((x - x.min()) / span * (n - 1)).astype(np.int64)
    yi = ((y - y.min()) / span * (n - 1)).astype(np.int64)
    d = np.zeros(len(x), dtype=np.int64)
    s = n >> 1
    while s > 0:
        rx = (xi & s) > 0
        ry = (yi & s) > 0
        d += s * s * ((3 * rx) ^ ry)
        flip = ~ry
        swap_x = np.where(flip & rx, s - 1 - xi, xi)
        swap_y = np.where(flip & rx, s - 1 - yi, yi)
        xi, yi = np.where(flip, swap_y, swap_x), np.where(flip, swap_x, swap_y)
        s >>= 1
    return d


def minutes(doors: float, walk_metres: float) -> float:
    """Estimated time of a turf at the stated pace: every door, and the walk between them."""
    return doors * DOOR_SECONDS / 60 + walk_metres / WALK_METRES_PER_MINUTE


def target_minutes(target: float) -> float:
    """The time a turf of `target` doors takes in an ordinary street."""
    return minutes(target, target * REFERENCE_METRES_PER_DOOR)


def sequence(stops: list[Stop]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entrances in map order, and for each boundary after one the cost of a cut there.

    Returns (order: indices into `stops`, cut_cost, walked: metres from door to door along the
    sequence up to each position). The order depends only on the
    addresses themselves (ties are broken by id), never on the order they were given in.
    """
    x, y = metres(stops)
    curve = hilbert_index(x, y)
    by_postal: dict[str, list[int]] = {}
    by_segment: dict[tuple[str, str], list[int]] = {}
    for i, s in enumerate(stops):
        by_postal.setdefault(s.postnummer, []).append(i)
        by_segment.setdefault((s.postnummer, s.street), []).append(i)
    postal_rank = {key: int(np.median(curve[members])) for key, members in by_postal.items()}
    segment_rank = {key: int(np.median(curve[members])) for key, members in by_segment.items()}
    order = np.array(sorted(range(len(stops)), key=lambda i: (
        postal_rank[stops[i].postnummer], stops[i].postnummer, segment_rank[(stops[i].postnummer, stops[i].street)],
        stops[i].street, stops[i].number if stops[i].number is not None else -1, stops[i].letter, stops[i].id)),
        dtype=np.int64)
    cut_cost = np.zeros(len(order))
    for k in range(len(order) - 1):
        here, after = stops[order[k]], stops[order[k + 1]]
        if here.postnummer != after.postnummer:
            continue
        if here.building and here.building == after.building:
            cut_cost[k] = CUT_INSIDE_BUILDING
        elif here.street == after.street:
            cut_cost[k] = CUT_INSIDE_STREET
        else:
            cut_cost[k] = CUT_BETWEEN_STREETS
    return order, cut_cost, _walked_to(x[order], y[order], np.array([stops[i].doors > 0 for i in order], bool))


def _walked_to(x: np.ndarray, y: np.ndarray, has_doors: np.ndarray) -> np.ndarray:
    """Metres along the sequence from its first entrance with doors to the last one at or before each position.

    An address without homes (an office, a school) is on the list but nobody walks to it, so the
    walk goes from door to door past it.
    """
    walked = np.zeros(len(x))
    positions = np.flatnonzero(has_doors)
    if len(positions) > 1:
        legs = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x[positions]), np.diff(y[positions])))])
        # Each position takes the walk up to the last entrance with doors at or before it.
        last = np.searchsorted(positions, np.arange(len(x)), side="right") - 1
        walked = np.where(last >= 0, legs[np.maximum(last, 0)], 0.0)
    return walked


def cut(stops: list[Stop], target: int) -> list[list[int]]:
    """Split the stops into turfs of about `target` doors and time; returns lists of stop ids, in map order."""
    if not stops:
        return []
    order, cut_cost, walked = sequence(stops)
    doors = np.array([stops[i].doors for i in order], dtype=float)
    bounds = _partition(doors, walked, cut_cost, float(target))
    turfs, start = [], 0
    for end in bounds:
        turfs.append([stops[i].id for i in order[start:end]])
        start = end
    return turfs


def _partition(doors: np.ndarray, walked: np.ndarray, cut_cost: np.ndarray, target: float) -> list[int]:
    """End positions of runs minimising door and time error plus cut costs (dynamic programming over the sequence).

    A run's walk is the path along the sequence from its first door to its last (`walked` is that
    path's running total), so a run across a long gap takes longer and is avoided. A run above the
    hard maximum is never chosen, except a single entrance that is bigger on its own.
    """
    n = len(doors)
    door_prefix = np.concatenate([[0.0], np.cumsum(doors)])
    # A run's walk starts at its first entrance with doors (none: it has no walk).
    with_doors = np.flatnonzero(doors > 0)
    following = np.searchsorted(with_doors, np.arange(n))
    start_walk = np.full(n, np.inf)
    start_walk[following < len(with_doors)] = walked[with_doors[following[following < len(with_doors)]]]
    hard = target * HARD_MAXIMUM
    goal = target_minutes(target)
    # Errors relative to the targets, as one multiply-add each (the loop below runs once per entrance).
    door_scale, time_door, time_metre = 1 / target, DOOR_SECONDS / 60 / goal, 1 / WALK_METRES_PER_MINUTE / goal
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    back = np.zeros(n + 1, dtype=np.int64)
    low = 0
    for end in range(1, n + 1):
        while low < end - 1 and (door_prefix[end] - door_prefix[low] > hard or end - low > MAX_RUN):
            low += 1
        size = door_prefix[end] - door_prefix[low:end]
        walk = np.maximum(walked[end - 1] - start_walk[low:end], 0.0)
        door_error = size * door_scale - 1
        time_error = size * time_door + walk * time_metre - 1
        cost = (door_error * door_error + time_error * time_error
                + OUT_OF_TOLERANCE * (np.maximum(np.abs(door_error) - TOLERANCE, 0.0)
                                      + np.maximum(np.abs(time_error) - TOLERANCE, 0.0)))
        cost += best[low:end]
        choice = int(cost.argmin())
        best[end] = cost[choice] + (cut_cost[end - 1] if end < n else 0.0)
        back[end] = low + choice
    bounds, end = [], n
    while end > 0:
        bounds.append(end)
        end = int(back[end])
    return bounds[::-1]


def outline(lons: list[float], lats: list[float], postal_polygons) -> shapely.Geometry:
    """A turf's shape: the hull of its addresses, clipped to its postal-code polygons (slightly widened).

    Addresses can lie just outside their own rounded postal polygon, so the clip is widened by 60 m
    and never drops an address.
    """
    x, y = _TO_METRIC.transform(np.asarray(lons), np.asarray(lats))
    points = shapely.multipoints(np.column_stack([x, y]))
    hull = shapely.concave_hull(points, ratio=0.4).buffer(25)
    polygons = [shapely.transform(p, _TO_METRIC.transform, interleaved=False) for p in postal_polygons if p is not None]
    if polygons:
        clipped = hull.intersection(shapely.union_all(polygons).buffer(60))
        if not clipped.is_empty and clipped.contains(points):
            hull = clipped
    return shapely.transform(hull, _TO_WGS84.transform, interleaved=False)


PALETTE = 8


def colour_apart(shapes: list[shapely.Geometry]) -> list[int]:
    """A colour number (0 … PALETTE-1) for each turf outline (WGS84), different from its neighbours' where possible.

    Outlines that touch or overlap are neighbours. DSatur colouring: the turf with the most
    differently coloured neighbours is coloured next, with the lowest free colour. Turf hulls
    interleave along streets, so a dense centre can need more than PALETTE colours; a turf left
    without a free one takes the colour its fewest neighbours have. The result depends only on the shapes.
    """
    if not shapes:
        return []
    # Simplified to 5 m: the outlines are drawn at street scale, and the test runs on far fewer vertices.
    metric = shapely.simplify(shapely.transform(np.asarray(shapes, dtype=object), _TO_METRIC.transform,
                                                interleaved=False), 5)
    pairs = shapely.STRtree(metric).query(metric, predicate="intersects")
    neighbours: list[set[int]] = [set() for _ in shapes]
    for a, b in zip(*pairs, strict=True):
        if a != b:
            neighbours[a].add(int(b))
    colours = [-1] * len(shapes)
    seen: list[set[int]] = [set() for _ in shapes]
    queue = [(0, -len(neighbours[k]), k) for k in range(len(shapes))]
    heapq.heapify(queue)
    while queue:
        saturation, _, k = heapq.heappop(queue)
        if colours[k] >= 0 or -saturation != len(seen[k]):
            continue
        around = Counter(colours[j] for j in neighbours[k] if colours[j] >= 0)
        colours[k] = min(range(PALETTE), key=lambda c: (around[c], c))
        for j in neighbours[k]:
            if colours[j] < 0 and colours[k] not in seen[j]:
                seen[j].add(colours[k])
                heapq.heappush(queue, (-len(seen[j]), -len(neighbours[j]), j))
    return colours
