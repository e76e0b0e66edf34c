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

That holds for any sequence of views only if a cell a committee can read never changes. So a
committee reads only the weeks that have ended (`published_before`), and a record that arrives
after its week has ended is filed under the week it arrived in (`filed_week`), which nobody
reads yet. Otherwise one view before and one after a door's conversation syncs would differ by
that one resident. Only a canvasser's undo still takes a record out of a week already read, and
that closes the branch's district in that week for good (`canvass.models.ClosedCell`).
"""
from datetime import date, datetime, timedelta

from canvass import clock
from canvass.insight.tally import Grain, week_of

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


# A week is read an hour after it ends, not at midnight: a sync that began before midnight and filed its records
# under that week has committed by then, so no reading at 00:00:02 and another at 00:00:03 differ by it.
READ_AFTER = timedelta(hours=1)


def published_before(now: datetime | None = None) -> date:
    """The Monday of the first week a committee may not read yet: it reads only the weeks before it, which ended
    at least READ_AFTER ago (naive UTC)."""
    return week_of((now or clock.utcnow()) - READ_AFTER)


def filed_week(recorded_at: datetime, now: datetime) -> date:
    """The week a record arriving `now` is counted in: the week it was said, unless that week is over and may
    have been read; then the week it arrived in (naive UTC times)."""
    return max(week_of(recorded_at), week_of(now))


def visible(residents: int, k: int) -> bool:
    """Whether an atom may be counted and read at all."""
    return residents >= k
