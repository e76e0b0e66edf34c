"""The partition a committee reads input through: fixed cells, each shown whole or not at all.

A cell is every conversation with the same action, branch, district and Oslo ISO week; the
tally keeps it as a row of grain `Grain.DISTRICT_WEEK` with topic "". Every filter a committee
can set (campaign, action, branch, district, period snapped to whole weeks) selects whole
cells, and topic and importance are measured inside a cell. An *atom* is a cell (for totals)
or a cell's residents who raised one topic (for that topic's counts and texts).

The rule: an atom with fewer than k residents is held back everywhere. Every figure and every
list of texts is a sum, or the union, of visible atoms chosen by the filters. So any two views
differ by a union of whole visible atoms, each of at least k residents, and no sequence of
views can isolate fewer than k. Importance is summed from an atom only when at least k in it
gave one, and "very important" only when at least k said so, for the same reason.

Postal codes and single days are finer than any cell and cannot be chosen: at the demo's
3,000 inputs a postal code holds one or two residents a week.
"""
from datetime import date, timedelta

from canvass.insight.tally import Grain

GRAIN = Grain.DISTRICT_WEEK
# The columns of `input_tally` (and of `conversation`, as its own names) that make a cell.
KEY = ("action_id", "branch_id", "district_number", "day")


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def snap(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """A period widened to whole ISO weeks, Monday to Sunday: a filter never cuts a cell.

    A period to the calendar's last days ends on its last day: "until 9999-12-31" means "until the end"."""
    last_whole_week = date.max - timedelta(days=6)
    return (monday(start) if start else None,
            (monday(end) + timedelta(days=6) if end <= last_whole_week else date.max) if end else None)


def visible(residents: int, k: int) -> bool:
    """Whether an atom may be counted and read at all."""
    return residents >= k
