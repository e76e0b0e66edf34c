"""Walking order inside a turf: street by street, one side then the other, streets chained by proximity."""
from collections.abc import Sequence

import numpy as np

from canvass.geo.turf import Stop, metres

ONE_SIDE_THEN_OTHER = "sides"
ZIGZAG = "zigzag"
STYLES = (ONE_SIDE_THEN_OTHER, ZIGZAG)


def _house_key(stop: Stop):
    return (stop.number if stop.number is not None else -1, stop.letter)


def street_route(stops: Sequence[Stop], style: str = ONE_SIDE_THEN_OTHER) -> list[Stop]:
    """One street: odd numbers up, then even numbers back down; or up the street crossing over (zig-zag)."""
    if style == ZIGZAG:
        return sorted(stops, key=_house_key)
    odd = sorted((s for s in stops if s.number is not None and s.number % 2), key=_house_key)
    even = sorted((s for s in stops if s.number is None or s.number % 2 == 0), key=_house_key, reverse=True)
    return odd + even


def walk_order(stops: Sequence[Stop], style: str = ONE_SIDE_THEN_OTHER, narrow: frozenset[str] = frozenset(),
               start: tuple[float, float] | None = None) -> list[Stop]:
    """All stops of a turf in walking order.

    Streets in `narrow` are walked zig-zag whatever `style` says. The walk begins at the street end
    nearest `start` (lon, lat; the meeting point), or at the westernmost address.
    """
    if not stops:
        return []
    by_street: dict[str, list[Stop]] = {}
    for stop in stops:
        by_street.setdefault(stop.street, []).append(stop)
    routes = [street_route(group, ZIGZAG if street in narrow else style) for street, group in by_street.items()]
    position = _metric_point(start) if start else None
    if position is None:
        west = min(stops, key=lambda s: (s.lon, s.lat))
        position = _metric_point((west.lon, west.lat))
    ordered: list[Stop] = []
    remaining = [(route, _ends(route)) for route in routes]
    while remaining:
        best, reverse, best_distance = 0, False, np.inf
        for k, (_, (first, last)) in enumerate(remaining):
            for is_reverse, end in ((False, first), (True, last)):
                distance = np.hypot(*(end - position))
                if distance < best_distance:
                    best, reverse, best_distance = k, is_reverse, distance
        route, (first, last) = remaining.pop(best)
        ordered += route[::-1] if reverse else route
        position = first if reverse else last
    return ordered


def walking_distance(stops: Sequence[Stop]) -> float:
    """Metres from door to door along the walk, as the crow flies between consecutive addresses.

    Addresses without homes (offices, schools) stay on the list but are not walked to.
    """
    stops = [s for s in stops if s.doors > 0]
    if len(stops) < 2:
        return 0.0
    x, y = metres(stops)
    return float(np.hypot(np.diff(x), np.diff(y)).sum())


def _ends(route: list[Stop]) -> tuple[np.ndarray, np.ndarray]:
    x, y = metres([route[0], route[-1]])
    return np.array([x[0], y[0]]), np.array([x[1], y[1]])


def _metric_point(lonlat: tuple[float, float]) -> np.ndarray:
    x, y = metres([Stop(0, "", None, "", "", lonlat[0], lonlat[1], 0)])
    return np.array([x[0], y[0]])
