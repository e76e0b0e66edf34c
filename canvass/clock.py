"""One notion of "now" for stored timestamps: naive UTC, whole seconds."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
