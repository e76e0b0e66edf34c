"""The job queue: Huey, on a SQLite file beside the database by default, on Redis for several app servers.

CANVASS_QUEUE_URL chooses: `sqlite:///path/queue.sqlite` (the default, in instance/) needs no service and
suits one server; `redis://host:6379/0` lets the consumers of several app servers share one queue.
`immediate://` runs each job inside the request that starts it, for tests only.

Besides the queue, Huey's key-value store holds what changes every second while a job runs: its
progress and the consumer's heartbeat. Writing those to the app's database would wait for the
import's own write lock on SQLite; the queue's store is a file (or Redis) of its own.
"""
import time
from dataclasses import dataclass

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper
from huey.storage import MemoryStorage

NAME = "canvass"


@dataclass
class Queue:
    huey: Huey
    run_job: TaskWrapper

    def send(self, job_id: int, attempt: int) -> None:
        self.run_job(job_id, attempt)

    def set_progress(self, job_id: int, progress: dict) -> None:
        self.huey.put(f"progress:{job_id}", progress)

    def progress(self, job_id: int) -> dict | None:
        return self.huey.get(f"progress:{job_id}", peek=True)

    def beat(self, job_id: int, attempt: int) -> None:
        self.huey.put(f"alive:{job_id}", (attempt, time.time()))

    def last_beat(self, job_id: int) -> tuple[int, float] | None:
        return self.huey.get(f"alive:{job_id}", peek=True)

    def forget(self, job_id: int) -> None:
        self.huey.delete(f"progress:{job_id}")
        self.huey.delete(f"alive:{job_id}")

    def close(self) -> None:
        storage = self.huey.storage
        if hasattr(storage, "pool"):
            storage.pool.disconnect()
        elif hasattr(storage, "close"):
            storage.close()


def make_huey(url: str) -> Huey:
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(NAME, url=url, results=False)
    if url.startswith("sqlite:///"):
        return SqliteHuey(NAME, filename=url.removeprefix("sqlite:///"), results=False)
    if url == "immediate://":
        return Huey(NAME, immediate=True, results=False, storage_class=MemoryStorage)
    raise ValueError(f"CANVASS_QUEUE_URL must start with sqlite:///, redis:// or be immediate://, not {url!r}")


def init_app(app: Flask) -> None:
    """Made on first use, so an app that never queues anything (most tests) opens no queue file."""
    app.extensions["canvass.queue"] = None


def get(app: Flask | None = None) -> Queue:
    app = app or current_app._get_current_object()
    queue = app.extensions.get("canvass.queue")
    if queue is None:
        huey = make_huey(app.config["QUEUE_URL"])

        @huey.task(name="run_job")
        def run_job(job_id: int, attempt: int) -> None:
            from canvass.services import jobs

            with app.app_context():
                jobs.run(job_id, attempt)

        queue = app.extensions["canvass.queue"] = Queue(huey, run_job)
    return queue


def close(app: Flask) -> None:
    queue = app.extensions.get("canvass.queue")
    if queue is not None:
        queue.close()
        app.extensions["canvass.queue"] = None
