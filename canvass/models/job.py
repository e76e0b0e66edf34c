"""Long work done by a queue consumer outside the request: geodata imports and downloads, finding themes.

The row is the job's lasting record (who, what, how it ended). Its live progress and the consumer's
heartbeat live in the queue's own store (canvass/queue.py), so a running import, which holds the
database's write lock on SQLite for minutes, never has to write here until it is done.
"""
import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from canvass.clock import utcnow
from canvass.extensions import db


class JobKind(enum.StrEnum):
    IMPORT = "import"
    DOWNLOAD = "download"
    THEMES = "themes"


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[JobKind] = mapped_column(Enum(JobKind, native_enum=False, length=20))
    state: Mapped[JobState] = mapped_column(Enum(JobState, native_enum=False, length=20), default=JobState.QUEUED)
    # What to do (file folder, kommune, committee and filters); JSON so each kind keeps its own.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # How it ended: per-file summaries already worded in each language, or the themes made.
    result: Mapped[dict | None] = mapped_column(JSON)
    # A Norwegian (and nynorsk, English) message when it failed.
    error: Mapped[dict | None] = mapped_column(JSON)
    # Raised each time the job is put on the queue; a consumer runs it only with the current number, so
    # a message left on the queue from before a recovery is never run as well.
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    started_by = relationship("User")

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
