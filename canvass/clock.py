"""One notion of "now" for stored timestamps: naive UTC, whole seconds."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def oslo_date(moment: datetime) -> date:
    """The day it is in Norway at a stored (naive UTC) moment."""
    return moment.replace(tzinfo=UTC).astimezone(OSLO).date()
