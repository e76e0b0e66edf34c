"""How many doors (dwellings) an address has: counted from the Matrikkel, or estimated from the building.

OpenStreetMap has no dwelling counts, only a building type and sometimes its number of levels.
An estimate is always marked as one, so a coordinator knows the turf size is approximate.
"""
import re
from dataclasses import dataclass

# A dwelling's number in the Matrikkel (bruksenhetsnummer): H, U, K or L, the floor, the flat.
DWELLING_NUMBER = r"[HKUL]\d{4}"
# Every door a phone can name: a dwelling, an estimated door by its number, a door added in the field ("+" and seven
# hex digits of its record's id, `door_record.field_unit`), or none (a leaflet round's entrance). A door of this shape
# that the address does not have is stored but not counted (`progress.visits_for`).
DOOR = re.compile(rf"{DWELLING_NUMBER}|\d{{1,3}}|\+[0-9a-f]{{7}}|")
FLATS_PER_FLOOR = 2
DEFAULT_LEVELS = 4
# The most floors an address is believed to have: Norway's tallest blocks of flats have about 40. A file saying more
# is broken or hostile, and every door estimated from it would be a line in walk lists, sheets and progress.
MAX_LEVELS = 60
BLOCKS = {"apartments", "residential", "dormitory"}
# Shops and offices at street level often have flats above them in Norwegian towns.
MIXED = {"retail", "commercial"}
NO_HOMES = {"office", "warehouse", "industrial", "hotel", "civic", "public", "government", "school", "university",
            "college", "kindergarten", "hospital", "church", "chapel", "mosque", "temple", "train_station",
            "transportation", "garage", "garages", "parking", "service", "shed", "construction", "sports_hall",
            "stadium", "museum", "fire_station", "toilets", "bunker", "roof", "carport", "barn", "boathouse"}


@dataclass(frozen=True)
class DoorCount:
    doors: int
    estimated: bool


def count_doors(units: int, building_type: str | None, levels: int | None) -> DoorCount:
    """Doors behind one address: its dwellings when known (`units` > 0), else an estimate."""
    if units:
        return DoorCount(units, False)
    kind = (building_type or "").lower()
    floors = min(levels, MAX_LEVELS) if levels and levels > 0 else DEFAULT_LEVELS
    if kind in BLOCKS:
        return DoorCount(floors * FLATS_PER_FLOOR, True)
    if kind in MIXED:
        return DoorCount(max(floors - 1, 1) * FLATS_PER_FLOOR if levels and levels > 1 else 1, True)
    if kind in NO_HOMES:
        return DoorCount(0, True)
    # Houses, farms, cabins and buildings of unknown type: one household is the honest guess.
    return DoorCount(1, True)


def unit_floor(unit: str) -> int:
    """The floor of a Matrikkel dwelling number: H0304 is floor 3; U0101 (basement) is below ground."""
    level = int(unit[1:3]) if unit[1:3].isdigit() else 0
    return -level if unit[:1] == "U" else level


def units_top_down(units: list[str]) -> list[str]:
    """Dwellings in the order to knock inside a stairwell: top floor first, flats in order on each floor."""
    return sorted(units, key=lambda unit: (-unit_floor(unit), unit))


def slots(units: list[str], doors: int) -> list[str]:
    """The doors of an address as the walk list shows them and progress counts them: its Matrikkel dwellings, top
    floor first, or where it has none its estimated doors numbered "1", "2" … (doors added in the field come on top)."""
    return units_top_down(units) or [str(n) for n in range(1, doors + 1)]
