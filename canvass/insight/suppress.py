"""No number for a group of fewer than k residents: small cells are merged, never shown on their own.

A committee sees how many residents raised something, by area and over time, and must not be able
to tell what one resident in a small street said. A cell below k goes into "annet" (other); if
"annet" is still below k, the next smallest cells join it, so it cannot be worked out by
subtracting the shown cells from a total either. Areas below k are merged into the area above
them (postal code into district, district into branch) before that.
"""
from collections.abc import Hashable, Mapping

K = 5
OTHER = "annet"


def suppress(counts: Mapping[Hashable, int], k: int = K) -> dict:
    """The cells that may be shown, largest first, with the small ones together under OTHER.

    When everything together is below k, nothing may be shown and the answer is empty.
    """
    cells = sorted(((key, n) for key, n in counts.items() if n > 0), key=lambda kv: (-kv[1], str(kv[0])))
    if sum(n for _, n in cells) < k:
        return {}
    shown = [(key, n) for key, n in cells if n >= k]
    other = sum(n for _, n in cells if n < k)
    # Too few in "annet" to hide who they are: the smallest shown cells join it until it is not.
    while 0 < other < k:
        key, n = shown.pop()
        other += n
    result = dict(shown)
    if other:
        result[OTHER] = result.get(OTHER, 0) + other
    return result


def destinations(counts: Mapping[Hashable, int], parent: Mapping[Hashable, Hashable], k: int = K) -> dict:
    """Where each area's residents are counted once small areas are rolled up: itself or an area above it.

    Areas with fewer than k residents are handed to the area above them, as many levels as it takes.
    `parent` maps an area to the one above it; an area without a parent keeps what it has and is
    left to `suppress`.
    """
    where = {area: area for area in counts}
    totals: dict = {}
    for area, n in counts.items():
        totals[area] = totals.get(area, 0) + n
    changed = True
    while changed:
        changed = False
        for area, n in list(totals.items()):
            if 0 < n < k and area in parent:
                del totals[area]
                above = parent[area]
                totals[above] = totals.get(above, 0) + n
                for original, current in where.items():
                    if current == area:
                        where[original] = above
                changed = True
    return where
