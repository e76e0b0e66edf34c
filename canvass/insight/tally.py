"""Counting conversations into cells (organisation, day, action, branch, postal code, district, topic).

A cell with topic "" counts every conversation in it, whatever its topics: the denominator of a
topic's share. The day is the day in Oslo, where the door was, not in UTC.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Oslo")
ALL_TOPICS = ""
KEY = ("organisation_id", "day", "action_id", "branch_id", "postnummer", "district_number", "topic")


@dataclass
class Counts:
    residents: int = 0
    importance_sum: int = 0
    importance_count: int = 0
    strong: int = 0

    def add(self, importance: int | None) -> None:
        self.residents += 1
        if importance:
            self.importance_sum += importance
            self.importance_count += 1
            self.strong += importance == 3


def local_day(moment: datetime) -> date:
    """The Oslo date of a naive UTC time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(LOCAL).date()


def topics_of(conversation: Mapping) -> list[str]:
    """Each topic once, as the phone sent it (one per line)."""
    return list(dict.fromkeys(t.strip()[:60] for t in (conversation.get("topics") or "").splitlines() if t.strip()))


def cells(conversations: Iterable[Mapping]) -> dict[tuple, Counts]:
    """The counts each conversation adds: its all-topics cell and one cell per topic it raised."""
    result: dict[tuple, Counts] = {}
    for c in conversations:
        base = (c["organisation_id"], local_day(c["recorded_at"]), c.get("action_id") or 0, c.get("branch_id") or 0,
                c.get("postnummer") or "", c.get("district_number") or "")
        for topic in [ALL_TOPICS, *topics_of(c)]:
            result.setdefault((*base, topic), Counts()).add(c.get("importance"))
    return result


def rows(counted: dict[tuple, Counts]) -> list[dict]:
    return [{**dict(zip(KEY, key)), **vars(counts)} for key, counts in counted.items()]
