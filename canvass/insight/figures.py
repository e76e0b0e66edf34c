"""The committee's figures from summed counts: rankings, tables by area and over time, district shares.

Every figure passes through `suppress` here, so no view or export can show a group of fewer
than k residents by forgetting to. Input is plain dicts of counts; the database is not known here.
"""
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date

from canvass.insight.suppress import OTHER, destinations, suppress
from canvass.insight.tally import ALL_TOPICS, Counts


@dataclass
class TopicRow:
    topic: str
    residents: int
    share: float
    # The mean of 1 (a little) to 3 (very important), and how many said very important; None when too few.
    importance: float | None = None
    strong: int | None = None


def ranking(counts: Mapping[str, Counts], k: int, by: str = "residents") -> tuple[int, list[TopicRow]]:
    """Residents in all, and the topics they raised, largest first (or strongest first with by="importance").

    The total counts conversations, so the topic shares add up to more than 1 when people raise several.
    """
    total = counts[ALL_TOPICS].residents if ALL_TOPICS in counts else 0
    if total < k:
        return 0, []
    topics = {topic: c.residents for topic, c in counts.items() if topic != ALL_TOPICS}
    shown = suppress(topics, k)
    rows = []
    for topic, n in shown.items():
        row = TopicRow(topic, n, n / total)
        if topic != OTHER:
            c = counts[topic]
            if c.importance_count >= k:
                row.importance = c.importance_sum / c.importance_count
            if c.strong >= k:
                row.strong = c.strong
        rows.append(row)
    if by == "importance":
        rows.sort(key=lambda r: (r.topic == OTHER, -(r.importance or 0), -r.residents))
    else:
        rows.sort(key=lambda r: (r.topic == OTHER, -r.residents))
    return total, rows


@dataclass
class Table:
    """Rows (areas, weeks, campaigns) by topic: None where a cell is hidden in the row's "annet"."""

    rows: list[tuple[Hashable, int, dict[str, int | None]]]
    topics: list[str]


def table(counts: Mapping[Hashable, Mapping[str, Counts]], k: int, topics: list[str],
          parent: Mapping[Hashable, Hashable] | None = None) -> Table:
    """One row per area (small areas first counted in the area above), each row suppressed on its own."""
    totals = {row: c[ALL_TOPICS].residents for row, c in counts.items() if ALL_TOPICS in c}
    where = destinations(totals, parent or {}, k)
    merged: dict[Hashable, dict[str, int]] = {}
    for row, by_topic in counts.items():
        cells = merged.setdefault(where.get(row, row), {})
        for topic, c in by_topic.items():
            cells[topic] = cells.get(topic, 0) + c.residents
    rows = []
    for row, cells in merged.items():
        total = cells.pop(ALL_TOPICS, 0)
        if total < k:
            continue
        shown = suppress(cells, k)
        rows.append((row, total, {topic: shown.get(topic) for topic in [*topics, OTHER]}))
    return Table(rows, topics)


def weeks(by_day: Mapping[date, Mapping[str, Counts]]) -> dict[tuple[int, int], dict[str, Counts]]:
    """Daily counts summed per ISO week: (year, week) → topic → counts."""
    result: dict[tuple[int, int], dict[str, Counts]] = {}
    for day, by_topic in by_day.items():
        iso = day.isocalendar()
        week = result.setdefault((iso.year, iso.week), {})
        for topic, c in by_topic.items():
            week.setdefault(topic, Counts()).merge(c)
    return dict(sorted(result.items()))


@dataclass
class Share:
    area: Hashable
    residents: int
    # The share of the area's residents who raised the topic; None when fewer than k did.
    share: float | None


def shares(counts: Mapping[Hashable, Mapping[str, Counts]], topic: str, k: int) -> list[Share]:
    """For a district map: each area's share raising `topic`, for areas with at least k residents."""
    result = []
    for area, by_topic in counts.items():
        total = by_topic[ALL_TOPICS].residents if ALL_TOPICS in by_topic else 0
        if total < k:
            continue
        n = by_topic[topic].residents if topic in by_topic else 0
        result.append(Share(area, total, n / total if n >= k else None))
    return result
