"""No number for a group of fewer than k residents: small cells are merged, never shown on their own.

A committee sees how many residents raised something, by area and over time, and must not be able
to tell what one resident in a small street said. A cell below k goes into "annet" (other); if
"annet" is still below k, the next smallest cells join it, so it cannot be worked out by
subtracting the shown cells from a total either. Areas below k are merged into the area above
them (postal code into district, district into branch) before that.

Answers to a door question follow the same rule inside each group a committee can see (`answers_shown`): "6
answered, 83 % yes, 17 % no" would say that one resident said no.
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



def answers_shown(counts: Mapping[str, int], residents: int, single: bool, k: int = K) -> dict[str, int]:
    """The answers a committee may see of one group of residents: all of them or none. Where each resident gives one
    answer (`single`), shown only when every answer was given by none or by at least k (and those counted without
    an answer are none or at least k): held back alone, an answer beside others shown could be counted from the
    total, and the rule's order told apart ("5 yes of 13" left 8 for no and don't know, four each: tester N). Where
    a resident may choose several, shown only when every answer chosen was chosen by at least k and left by at least
    k (or by nobody): with one shown and one held back, "5 of 10 chose benches" and lights held back said that one
    to four chose both (tester N again)."""
    if single:
        unanswered = residents - sum(counts.values())
        every = all(n == 0 or n >= k for n in (*counts.values(), unanswered))
    else:
        every = all(n >= k and (residents - n >= k or residents == n) for n in counts.values() if n)
    return {value: n for value, n in counts.items() if n} if every else {}


def atom_answers(pieces: Mapping[str, tuple[int, Mapping[str, int]]], single: bool,
                 k: int = K) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """What may be shown of one atom's answers (everyone who answered a question in one cell), whole and split into
    its pieces (its postal codes of at least k and its rest: residents and answers per piece).

    Whole, what `answers_shown` lets through. Split, the same answers only where every piece shows all of its own,
    so the pieces of an answer add up to its whole, and no figure by postal code taken from a figure by area leaves
    fewer than k: shown whole as 10 yes and in its postal code of 8 as 8 yes, the rest's 2 would be one subtraction
    away."""
    residents = sum(n for n, _ in pieces.values())
    whole: dict[str, int] = {}
    for _, counts in pieces.values():
        for value, n in counts.items():
            whole[value] = whole.get(value, 0) + n
    shown = answers_shown(whole, residents, single, k)
    alike = bool(shown) and all(answers_shown(counts, n, single, k) for n, counts in pieces.values())
    return shown, {piece: {value: n for value, n in counts.items() if n} if alike else {}
                   for piece, (_, counts) in pieces.items()}
