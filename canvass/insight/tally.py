"""Counting conversations into cells (organisation, grain, day, action, branch, postal code, district, topic).

A cell with topic "" counts every conversation in it, whatever its topics: the denominator of a
topic's share. The day is the day in Oslo, where the door was, not in UTC.

Every conversation is counted at four grains: by day or by week, and by postal code or only by
district. The committee reads only the district weeks, its cells (`canvass.insight.cells`); the
finer grains are kept so that a finer cell could be chosen later without recounting.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import IntEnum
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Oslo")
ALL_TOPICS = ""
KEY = ("organisation_id", "grain", "day", "action_id", "branch_id", "postnummer", "district_number", "topic")
MEASURES = ("residents", "importance_sum", "importance_count", "strong", "said")


class Grain(IntEnum):
    """How finely a cell is counted. A week is kept under its Monday; a district cell has postal code ""."""

    DAY = 0
    WEEK = 1
    DISTRICT_DAY = 2
    DISTRICT_WEEK = 3

    def period(self, day: date) -> date:
        return day - timedelta(days=day.weekday()) if self in (Grain.WEEK, Grain.DISTRICT_WEEK) else day

    @property
    def postal_codes(self) -> bool:
        return self in (Grain.DAY, Grain.WEEK)


# Each grain as a cell names it, whether it counts by week, whether by postal code: worked out once, not per
# conversation (a sync batch counts hundreds, a rebuild a million).
_GRAINS = [(int(g), g.period(date(2024, 1, 7)) != date(2024, 1, 7), g.postal_codes) for g in Grain]


@dataclass
class Counts:
    residents: int = 0
    importance_sum: int = 0
    importance_count: int = 0
    strong: int = 0
    # Of the residents, those whose own words were written down: what a committee can read.
    said: int = 0

    def add(self, importance: int | None, words: str | None = None) -> None:
        self.residents += 1
        self.said += bool(words)
        if importance:
            self.importance_sum += importance
            self.importance_count += 1
            self.strong += importance == 3

    def merge(self, other: "Counts") -> "Counts":
        """These counts with another cell's added: every measure summed."""
        for name in MEASURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


def local_day(moment: datetime) -> date:
    """The Oslo date of a naive UTC time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(LOCAL).date()


def week_of(moment: datetime) -> date:
    """The Monday of the Oslo week a naive UTC time falls in: the week a committee reads it under."""
    day = local_day(moment)
    return day - timedelta(days=day.weekday())


def topics_of(conversation: Mapping) -> list[str]:
    """Each topic once, as the phone sent it (one per line)."""
    return list(dict.fromkeys(t.strip()[:60] for t in (conversation.get("topics") or "").splitlines() if t.strip()))


def _day(conversation: Mapping) -> date:
    """The Oslo day it was said, or the Monday of the week it was filed under if it came in after its own week
    was over (`canvass.insight.cells.filed_week`): every grain then counts it in the week the committee reads."""
    day = local_day(conversation["recorded_at"])
    filed = conversation.get("week")
    return filed if filed is not None and day - timedelta(days=day.weekday()) != filed else day


def cells(conversations: Iterable[Mapping]) -> dict[tuple, Counts]:
    """The counts each conversation adds, at every grain: its all-topics cell and one cell per topic it raised.

    Counted first by what the finest grain tells apart (the day and postal code) and topic, then each of those
    added to its cell at every grain: a sync batch's conversations share a handful of days and postal codes."""
    finest: dict[tuple, Counts] = {}
    for c in conversations:
        importance, words = c.get("importance"), c.get("words")
        where = (c["organisation_id"], c.get("action_id") or 0, c.get("branch_id") or 0, _day(c),
                 c.get("postnummer") or "", c.get("district_number") or "")
        for topic in (ALL_TOPICS, *topics_of(c)):
            counts = finest.get((where, topic))
            if counts is None:
                counts = finest[(where, topic)] = Counts()
            counts.add(importance, words)
    result: dict[tuple, Counts] = {}
    for ((organisation, action, branch, day, postnummer, district), topic), counts in finest.items():
        week = Grain.WEEK.period(day)
        for grain, weekly, postal in _GRAINS:
            key = (organisation, grain, week if weekly else day, action, branch, postnummer if postal else "",
                   district, topic)
            found = result.get(key)
            if found is None:
                found = result[key] = Counts()
            found.merge(counts)
    return result


def rows(counted: dict[tuple, Counts]) -> list[dict]:
    return [{**dict(zip(KEY, key, strict=True)), **vars(counts)} for key, counts in counted.items()]
