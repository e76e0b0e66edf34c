"""Cutting turf (roder) from addresses: balanced by doors, compact, streets and buildings kept whole.

Addresses that share a building become one indivisible piece. Pieces are grouped into street
segments (one street inside one postal code), the segments are put in an order that follows the
map (a Hilbert curve over postal codes, then over segments), and the sequence is split by dynamic
programming into runs whose door counts stay close to the target, preferring cuts between
streets and between postal codes over cuts inside a street.
"""
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import Transformer

from canvass.geo import formats
from canvass.geo.doors import count_doors
from canvass.geo.geometry import METRIC, WGS84

TOLERANCE = 0.25
# What a cut costs, in units of squared relative size error.
CUT_INSIDE_STREET = 0.08
CUT_BETWEEN_STREETS = 0.01
OUT_OF_TOLERANCE = 100.0
# Longest run of buildings the planner considers for one turf (bounds the work on door-less stretches).
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


def _pieces(stops: list[Stop]) -> list[list[int]]:
    """Indices of stops grouped by building; an address without a known building stands alone."""
    groups: dict[object, list[int]] = {}
    for i, stop in enumerate(stops):
        groups.setdefault(("b", stop.building) if stop.building else ("a", stop.id), []).append(i)
    return list(groups.values())


def sequence(stops: list[Stop]) -> tuple[list[list[int]], np.ndarray, np.ndarray]:
    """Buildings in map order, and for each boundary after a piece how good a cut there is (its cost)."""
    x, y = metres(stops)
    pieces = _pieces(stops)
    doors = [sum(stops[i].doors for i in piece) for piece in pieces]

    def main(piece):
        # The street and postal code of a building: those of its address with most doors.
        top = max(piece, key=lambda i: (stops[i].doors, -i))
        return stops[top].postnummer, stops[top].street

    keys = [main(p) for p in pieces]
    px = np.array([x[p].mean() for p in pieces])
    py = np.array([y[p].mean() for p in pieces])
    curve = hilbert_index(px, py)
    by_postal: dict[str, list[int]] = {}
    by_segment: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(keys):
        by_postal.setdefault(key[0], []).append(i)
        by_segment.setdefault(key, []).append(i)
    postal_rank = {key: int(np.median(curve[members])) for key, members in by_postal.items()}
    segment_rank = {key: int(np.median(curve[members])) for key, members in by_segment.items()}

    def house(piece):
        numbers = [stops[i].number for i in piece if stops[i].number is not None]
        return min(numbers) if numbers else 0

    order = sorted(range(len(pieces)), key=lambda i: (postal_rank[keys[i][0]], keys[i][0], segment_rank[keys[i]],
                                                       keys[i][1], house(pieces[i]), i))
    ordered = [pieces[i] for i in order]
    cut_cost = np.zeros(len(order))
    for position in range(len(order) - 1):
        here, after = keys[order[position]], keys[order[position + 1]]
        cut_cost[position] = 0.0 if here[0] != after[0] else CUT_BETWEEN_STREETS if here != after else CUT_INSIDE_STREET
    return ordered, np.array([doors[i] for i in order]), cut_cost


def cut(stops: list[Stop], target: int) -> list[list[int]]:
    """Split the stops into turfs of about `target` doors; returns lists of stop ids."""
    if not stops:
        return []
    pieces, doors, cut_cost = sequence(stops)
    bounds = _partition(doors.astype(float), cut_cost, float(target))
    turfs, start = [], 0
    for end in bounds:
        turfs.append([stops[i].id for piece in pieces[start:end] for i in piece])
        start = end
    return turfs


def _partition(doors: np.ndarray, cut_cost: np.ndarray, target: float) -> list[int]:
    """End positions of runs minimising size error plus cut costs (dynamic programming over the sequence).

    A building bigger than a turf becomes a turf of its own; small neighbours may join it, and then
    only the doors they add count as its size error, so no corner is left behind as a tiny turf.
    """
    n = len(doors)
    big = doors > target * (1 + TOLERANCE)
    normal_prefix = np.concatenate([[0.0], np.cumsum(np.where(big, 0.0, doors))])
    big_prefix = np.concatenate([[0], np.cumsum(big)])
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    back = np.zeros(n + 1, dtype=np.int64)
    low = 0
    for end in range(1, n + 1):
        while low < end - 1 and (normal_prefix[end] - normal_prefix[low] > 2 * target or end - low > MAX_RUN):
            low += 1
        starts = np.arange(low, end)
        size = normal_prefix[end] - normal_prefix[starts]
        bigs = big_prefix[end] - big_prefix[starts]
        error = np.where(bigs > 0, size / target, (size - target) / target)
        cost = error ** 2 + OUT_OF_TOLERANCE * np.maximum(np.abs(error) - TOLERANCE, 0.0)
        cost[bigs > 0] = (error ** 2 + OUT_OF_TOLERANCE * np.maximum(error - TOLERANCE, 0.0))[bigs > 0]
        cost[bigs > 1] = np.inf
        total = best[starts] + cost + (cut_cost[end - 1] if end < n else 0.0)
        choice = int(np.argmin(total))
        best[end], back[end] = total[choice], starts[choice]
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
