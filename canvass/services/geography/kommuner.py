"""Norway's 357 kommuner (2024 numbering), bundled with the app so a new installation can pick its own.

The database knows only the kommuner whose geodata has been imported, and setup comes before any
import, so the list ships as package data (canvass/data/kommuner.csv: kommunenummer, name, fylke,
from Statistics Norway's classification of 1 January 2024).
"""
import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "kommuner.csv"


@dataclass(frozen=True)
class Kommune:
    number: str
    name: str
    fylke: str

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}"


@cache
def _all() -> dict[str, Kommune]:
    with DATA.open(encoding="utf-8", newline="") as source:
        rows = csv.DictReader(source, delimiter=";")
        return {r["kommunenummer"]: Kommune(r["kommunenummer"], r["kommunenavn"], r["fylke"]) for r in rows}


def all_kommuner() -> list[Kommune]:
    return list(_all().values())


def get(number: str) -> Kommune | None:
    return _all().get((number or "").strip())


def name(number: str) -> str:
    found = get(number)
    return found.name if found else number


def _folded(text: str) -> str:
    # "baerum", "Bærum" and "BÆRUM" find the same kommune; so does "tromso" for Tromsø.
    text = text.casefold().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def search(query: str) -> list[Kommune]:
    """Kommuner whose number, name or fylke contains the query (every word of it)."""
    words = _folded(query or "").split()
    return [k for k in _all().values()
            if all(w in _folded(f"{k.number} {k.name} {k.fylke}") for w in words)]
