"""Numbers and dates in the reader's language for the templates, fast enough for tables of thousands of cells."""
import re
from functools import lru_cache

from babel import numbers
from flask_babel import format_date as babel_date
from flask_babel import format_datetime as babel_datetime
from flask_babel import format_decimal, get_locale
from flask_babel import format_number as format_any
from flask_babel import format_percent as babel_percent

from canvass import clock
from canvass.insight.export import half_up

# English in one European style on every page ("Tuesday 1 December", "1 December 2026, 21:40"), not Babel's
# American defaults ("Dec 1, 2026", "12/2/26, 9:40 PM"); Norwegian keeps Babel's own.
ENGLISH_DATE = "d MMMM y"
ENGLISH_DATETIME = "d MMMM y, HH:mm"
# How each language writes a day: "tirsdag 1. desember" in bokmål and nynorsk, "Tuesday 1 December" in English.
DAY = {"en": "EEEE d MMMM", "nb": "EEEE d. MMMM", "nn": "EEEE d. MMMM"}
SHORT_DAY = {"en": "EEE d MMM", "nb": "EEE d. MMM", "nn": "EEE d. MMM"}


def format_day(moment, time: bool = True, short: bool = False) -> str:
    """A day (and by default its time) the way the reader's language writes it; with its year when that is not
    this year, so an action of January 2020 is not read as next month's."""
    patterns = SHORT_DAY if short else DAY
    pattern = patterns.get(str(get_locale()).split("_")[0], patterns["nb"])
    if moment.year != clock.utcnow().year:
        pattern += " y"
    return babel_datetime(moment, pattern + (" HH:mm" if time else ""))


@lru_cache(maxsize=8)
def _group_symbol(locale: str) -> str:
    return numbers.get_group_symbol(locale)


def format_number(number) -> str:
    """Like Flask-Babel's, but a whole number is grouped directly: Babel's general path takes ~40 µs a
    number, and a county's table per postal code has thousands of them."""
    if isinstance(number, int) and not isinstance(number, bool) and number >= 0:
        return f"{number:,}".replace(",", _group_symbol(str(get_locale())))
    return format_any(number)


def format_percent(share) -> str:
    """A share as a whole percentage in the reader's notation ("13 %"), rounded as its Excel cell shows it."""
    return babel_percent(half_up(share, 2))


def format_tenths(value) -> str:
    """A fraction with one decimal in the reader's notation ("2,0"), rounded as its Excel cell shows it."""
    return format_decimal(half_up(value, 1), "#,##0.0")


def _english() -> bool:
    return str(get_locale()).startswith("en")


def _pattern(pattern: str | None, default: str) -> str | None:
    """The English pattern for a default or named format; a Norwegian pattern's ordinal dot ("d. MMMM") dropped."""
    if not _english():
        return pattern
    if pattern is None or pattern in ("short", "medium", "long"):
        return default
    return pattern.replace("d. ", "d ")


def format_date(date=None, format: str | None = None) -> str:  # noqa: A002 (Flask-Babel's name)
    pattern = _pattern(format, ENGLISH_DATE)
    return babel_date(date) if pattern is None else babel_date(date, pattern)


def format_datetime(moment=None, format: str | None = None) -> str:  # noqa: A002 (Flask-Babel's name)
    pattern = _pattern(format, ENGLISH_DATETIME)
    return babel_datetime(moment) if pattern is None else babel_datetime(moment, pattern)


def format_km(metres: float) -> str:
    """A distance in kilometres with one decimal, in the reader's notation ("3,7" in Norwegian, "3.7" in English)."""
    return format_decimal(metres / 1000, "0.0")


# Words a Norwegian place's name keeps in lower case after its first ("Mo i Rana", "Bø i Telemark").
_SMALL_WORDS = frozenset({"i", "og", "på", "ved", "under", "over"})


def place_name(name: str | None) -> str:
    """A place's name as it is written, from a register that writes it in capitals (Geonorge's "OSLO", "MO I RANA",
    "NORD-AURDAL"): a name already in mixed case is left as its source wrote it."""
    if not name or name != name.upper():
        return name or ""
    words = name.title().split(" ")
    return " ".join(word.lower() if k and word.lower() in _SMALL_WORDS else word for k, word in enumerate(words))


_NORWEGIAN_NUMBER = re.compile(r"(?:\+47|0047)?(\d{8})")


def format_phone(phone: str | None) -> str:
    """A Norwegian phone number as Norwegians write it: a mobile number "987 65 432", any other "22 12 34 56", with
    or without +47 as it was typed. A number of another country is shown as it was typed."""
    found = _NORWEGIAN_NUMBER.fullmatch(phone or "")
    if found is None:
        return phone or ""
    digits = found.group(1)
    if digits[0] in "49":
        return f"{digits[:3]} {digits[3:5]} {digits[5:]}"
    return " ".join(digits[k:k + 2] for k in range(0, 8, 2))
