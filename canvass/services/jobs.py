"""Jobs: long work (geodata imports and downloads, finding themes) done by a queue consumer, not the request.

A job is a row (canvass.models.job) and a message on the queue (canvass.queue). The message carries the
job's attempt number; a consumer claims the job only if that number is still the job's own, so a job
is run by one consumer at a time and finishes once, however often its message was sent.

A consumer that dies mid-job (SIGKILL, a lost machine) stops marking its job alive; `recover` puts such
a job on the queue again with a new attempt number, and the next consumer runs it from the start. That
is safe because each file of an import is stored in one transaction (a killed one stores nothing) and
storing the same file twice changes nothing, and because finding themes stores all it found in one
transaction and only looks at input that is in no theme yet. A job whose consumer died JOB_MAX_ATTEMPTS
times is not tried again but failed: a file that kills whoever reads it would otherwise take down every
next consumer.

An upload is untrusted: each of its map layers is read in a child process held to CPU and memory limits
(canvass.geo.bounded), it writes nothing in a kommune another organisation depends on, and the whole
job has a time budget after which it stops, so one organisation's upload cannot hold the queue.
"""
import logging
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update

from canvass import queue as job_queue
from canvass.clock import utcnow
from canvass.extensions import db
from canvass.geo import bounded
from canvass.geo.errors import GeodataError
from canvass.models import Committee, Job, JobKind, JobState, Role, User
from canvass.refusal import N_, Refusal
from canvass.services.committee import committee_input, committees
from canvass.services.committee.committee_input import InputError
from canvass.services.geography import geodata_import, geodata_scope, geonorge

log = logging.getLogger(__name__)

LANGUAGES = ("nb", "nn", "en")
REJECTED_SHOWN = 50
# Progress is written at most this often (seconds), and always at the end of a step.
PROGRESS_EVERY = 0.5

ADMIN_KINDS = (JobKind.IMPORT, JobKind.DOWNLOAD)


class JobError(Refusal):
    """The job cannot be started (or cannot go on); the message is Norwegian, translated where shown."""


def in_languages(message: str, **params) -> dict[str, str]:
    """A message worded in every language, for a reader who may read it in any of them later."""
    worded = {}
    for language in LANGUAGES:
        with force_locale(language):
            worded[language] = gettext(message, **params)
    return worded


def worded(texts: dict[str, str] | None, language: str) -> str:
    if not texts:
        return ""
    return texts.get(language) or texts.get("nb", "")


# Who may start and see which jobs.

def may_start(user: User, kind: JobKind) -> bool:
    if kind in ADMIN_KINDS:
        return user.is_admin
    return user.holds(Role.COMMITTEE)


# Loading jobs an organisation may have waiting or running at once: its files wait on the server's disk, and one
# queue consumer serves every organisation.
WAITING_PER_ORGANISATION = 2
BUSY = N_("Dere har allerede %(num)s innlastinger som venter eller pågår. Vent til én av dem er ferdig.")


def too_many_waiting(user: User, before: int | None = None) -> bool:
    """Whether the person's organisation already has as many geodata jobs queued or running as it may (of those
    recorded before job id `before`)."""
    waiting = select(func.count()).select_from(Job).where(
        Job.organisation_id == user.organisation_id, Job.kind.in_(ADMIN_KINDS),
        Job.state.in_((JobState.QUEUED, JobState.RUNNING)))
    if before is not None:
        waiting = waiting.where(Job.id < before)
    return db.session.scalar(waiting) >= WAITING_PER_ORGANISATION


class TooManyWaiting(JobError):
    """The organisation's loadings already wait: this one was not started, and its files are gone."""


def visible(job: Job, user: User) -> bool:
    """A job is seen by the people of its organisation who may start that kind of job (for themes: of the
    same committee); nobody else learns that it exists."""
    if job.organisation_id != user.organisation_id or not may_start(user, job.kind):
        return False
    if job.kind == JobKind.THEMES:
        return job.params.get("committee_id") in {c.id for c in committees.committees_for(user)}
    return True


def recent(user: User, kinds: tuple[JobKind, ...], limit: int = 10) -> list[Job]:
    jobs = db.session.scalars(select(Job).where(Job.organisation_id == user.organisation_id, Job.kind.in_(kinds))
                              .order_by(Job.id.desc()).limit(limit * 3))
    return [job for job in jobs if visible(job, user)][:limit]


# Starting.

def job_folder(config) -> Path:
    """A new folder of the job's own for its files: two uploads never share a path."""
    root = Path(config["JOB_FILES"])
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="job-", dir=root))


def save_uploads(uploads, folder: Path, safe_name) -> list[str]:
    """Each upload in a numbered sub-folder under its own (safe) name, so files of the same name keep
    apart and the import still sees the name the file came with. Paths relative to `folder`."""
    names = []
    for number, upload in enumerate(uploads):
        place = folder / str(number)
        place.mkdir()
        name = safe_name(upload.filename) or "upload"
        upload.save(place / name)
        names.append(f"{number}/{name}")
    return names


def start(kind: JobKind, user: User, params: dict) -> Job:
    """Record the job and put it on the queue. If the queue cannot be reached the job is recorded as
    failed with a message saying so, and its files are removed."""
    job = Job(organisation_id=user.organisation_id, started_by_id=user.id, kind=kind, params=params,
              state=JobState.QUEUED, attempt=1)
    db.session.add(job)
    db.session.commit()
    if kind in ADMIN_KINDS and too_many_waiting(user, before=job.id):
        # Uploads sent at the same moment all passed the page's count before any was recorded: the later yield.
        db.session.delete(job)
        db.session.commit()
        if params.get("folder"):
            _remove_folder(Path(params["folder"]))
        raise TooManyWaiting(BUSY, num=WAITING_PER_ORGANISATION)
    try:
        job_queue.get().send(job.id, job.attempt)
    except Exception:
        log.exception("could not queue job %s", job.id)
        if job_queue.get().huey.immediate:
            raise
        _finish(job.id, job.attempt, JobState.FAILED, error=in_languages(
            N_("Jobbkøen svarer ikke, så jobben ble ikke startet. Prøv igjen om litt, eller si fra til den som "
               "drifter serveren.")))
    db.session.refresh(job)
    return job


# Running, in the consumer.

class Reporter:
    """Writes a job's progress to the queue's store, not too often."""

    def __init__(self, queue, job_id: int):
        self.queue, self.job_id, self.written = queue, job_id, 0.0
        self.state = {"step": "", "done": 0, "total": 0, "part": 0, "parts": 0, "source": ""}

    def step(self, name: str, part: int | None = None, parts: int | None = None, source: str = "") -> None:
        """A new step: its name, which of how many parts it is, and where its data comes from (a URL)."""
        self.state.update(step=name, done=0, total=0, source=source)
        if part is not None:
            self.state.update(part=part, parts=parts)
        self._write()

    def advance(self, done: int, total: int) -> None:
        self.state.update(done=done, total=total)
        if done >= total or time.monotonic() - self.written >= PROGRESS_EVERY:
            self._write()

    def _write(self) -> None:
        self.written = time.monotonic()
        self.queue.set_progress(self.job_id, dict(self.state))


@contextmanager
def heartbeat(queue, job_id: int, attempt: int, every: float):
    """Mark the job alive from a thread of its own while the work goes on in this one."""
    stop = threading.Event()

    def beat():
        while not stop.wait(every):
            try:
                queue.beat(job_id, attempt)
            except Exception:  # a hiccup of the queue's store must not end the job; the next beat may go through
                log.exception("heartbeat for job %s", job_id)

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run(job_id: int, attempt: int) -> None:
    """Run one attempt of a job, if it is still this attempt's to run."""
    queue = job_queue.get()
    # Alive before it is claimed, so a watchdog never sees it running without a heartbeat.
    queue.beat(job_id, attempt)
    claimed = db.session.execute(update(Job).where(Job.id == job_id, Job.attempt == attempt,
                                                   Job.state == JobState.QUEUED)
                                 .values(state=JobState.RUNNING, started_at=utcnow())).rowcount
    db.session.commit()
    if not claimed:
        return
    job = db.session.get(Job, job_id)
    reporter = Reporter(queue, job_id)
    reporter.step("")
    state, result, error = JobState.DONE, None, None
    with heartbeat(queue, job_id, attempt, current_app.config["JOB_HEARTBEAT_SECONDS"]):
        try:
            result = RUNNERS[job.kind](job, reporter)
        except (GeodataError, InputError, JobError) as err:
            db.session.rollback()
            state, error = JobState.FAILED, in_languages(err.message, **err.params)
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", job_id)
            state, error = JobState.FAILED, in_languages(N_(
                "Jobben stoppet på grunn av en feil i Canvass. Det den holdt på med ble ikke lagret. Prøv igjen, "
                "eller si fra til den som drifter serveren."))
    _finish(job_id, attempt, state, result=result, error=error)


def _finish(job_id: int, attempt: int, state: JobState, result=None, error=None) -> bool:
    """Record how the job ended, if this attempt is still the job's; then remove its files."""
    job = db.session.get(Job, job_id)
    folder = job.params.get("folder")
    done = db.session.execute(update(Job).where(Job.id == job_id, Job.attempt == attempt,
                                                Job.state.in_((JobState.QUEUED, JobState.RUNNING)))
                              .values(state=state, result=result, error=error, finished_at=utcnow())).rowcount
    db.session.commit()
    if done:
        if folder:
            _remove_folder(Path(folder))
        try:
            job_queue.get().forget(job_id)
        except Exception:  # the queue's store is down: its progress keys are only read while a job runs
            log.exception("forgetting progress of job %s", job_id)
    return bool(done)


def _remove_folder(folder: Path) -> None:
    """Only ever a folder under JOB_FILES: the path comes from the database, not from a user, but still."""
    root = Path(current_app.config["JOB_FILES"]).resolve()
    if folder.resolve().parent == root:
        shutil.rmtree(folder, ignore_errors=True)


def recover(stale_seconds: float) -> list[int]:
    """Put running jobs whose consumer stopped marking them alive back on the queue; the ids requeued.

    A job that has already lost its consumer JOB_MAX_ATTEMPTS times is failed instead, with a message
    saying it was stopped. Several consumers may do this at once: the update checks the attempt it
    read, so one of them wins."""
    queue = job_queue.get()
    limit = current_app.config["JOB_MAX_ATTEMPTS"]
    requeued = []
    now = time.time()
    for job in db.session.scalars(select(Job).where(Job.state == JobState.RUNNING)).all():
        beat = queue.last_beat(job.id)
        if beat is not None and beat[0] == job.attempt and now - beat[1] < stale_seconds:
            continue
        seen = job.attempt  # the update below also changes the loaded object
        if seen >= limit:
            if _finish(job.id, seen, JobState.FAILED, error=in_languages(
                    N_("Jobben ble stoppet: prosessen som kjørte den, stanset underveis %(count)s ganger, så den "
                       "prøves ikke igjen. Ofte er det en fil som krever mer minne eller tid enn serveren har. Sjekk "
                       "filene, eller si fra til den som drifter serveren."), count=seen)):
                log.warning("job %s lost its consumer %s times; failed", job.id, seen)
            continue
        moved = db.session.execute(update(Job).where(Job.id == job.id, Job.attempt == seen,
                                                     Job.state == JobState.RUNNING)
                                   .values(state=JobState.QUEUED, attempt=seen + 1)).rowcount
        db.session.commit()
        if moved:
            log.warning("job %s lost its consumer; queued again as attempt %s", job.id, seen + 1)
            queue.send(job.id, seen + 1)
            requeued.append(job.id)
    return requeued


def sweep_files(older_than: float = 600) -> list[Path]:
    """Remove job folders no unfinished job needs: those left when a consumer died between recording a job's
    end and removing its files. A folder younger than `older_than` seconds may belong to an upload whose job
    is being recorded right now, so it stays."""
    root = Path(current_app.config["JOB_FILES"])
    if not root.is_dir():
        return []
    needed = {Path(job.params.get("folder", "")).name for job in db.session.scalars(
        select(Job).where(Job.state.in_((JobState.QUEUED, JobState.RUNNING))))}
    removed = []
    for folder in root.iterdir():
        if folder.is_dir() and folder.name not in needed and time.time() - folder.stat().st_mtime > older_than:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


# What each kind does.

def _import_results(results) -> list[dict]:
    described = []
    for result in results:
        texts, lines = {}, {}
        for language in LANGUAGES:
            with force_locale(language):
                texts[language] = result.summary()
                lines[language] = result.rejected_lines(limit=REJECTED_SHOWN)
        # Where an upload wrote: a party that later claims one of these kommuner is told (geodata_scope).
        described.append({"name": result.path.name, "stored": result.stored, "summary": texts,
                          "rejected": lines, "rejected_count": len(result.rejected),
                          "kommuner": sorted(result.written) if result.stored else []})
    return described


def _import_progress(reporter: Reporter, deadline: float | None = None):
    seen = []

    def for_file(path: Path, kind: str, count: int):
        if deadline is not None and time.monotonic() > deadline:
            # Files before this one are stored, each in its own transaction; the rest wait for a new upload.
            raise JobError(N_("Jobben ble stoppet fordi den brukte mer enn %(minutes)s minutter, slik at den ikke "
                              "holder køen opptatt for andre. %(done)s av %(count)s filer ble lest; last opp resten "
                              "på nytt."),
                           minutes=round(current_app.config["JOB_TIME_LIMIT_SECONDS"] / 60), done=len(seen),
                           count=count)
        seen.append(path)
        reporter.step(path.name, len(seen), count)
        return reporter.advance
    return for_file


def _scope(job: Job) -> list[str] | None:
    """The organisation's kommuner for a job started on the web; None (all of the files) from the command line."""
    return job.params.get("scope")


def _run_import(job: Job, reporter: Reporter) -> dict:
    folder = Path(job.params["folder"])
    paths = [folder / name for name in job.params["files"]]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise JobError(N_("Fant ikke de opplastede filene (%(names)s) lenger. Last dem opp på nytt."),
                       names=", ".join(missing))
    config = current_app.config
    # An organisation's upload is untrusted: bounded, and kept out of kommuner others depend on (looked up now,
    # not at upload: another organisation may have arrived since). The operator's `flask geodata import`
    # (no scope) is trusted with national files, which need more than an upload's bounds.
    untrusted = _scope(job) is not None
    deadline = time.monotonic() + config["JOB_TIME_LIMIT_SECONDS"] if untrusted else None
    results = geodata_import.import_paths(
        paths, skip_invalid=job.params.get("skip_invalid", False),
        progress=_import_progress(reporter, deadline), scope=_scope(job),
        shared=geodata_scope.shared_kommuner(job.organisation_id) if untrusted else frozenset(),
        limits=bounded.Limits(config["GEODATA_UPLOAD_CPU_SECONDS"], config["GEODATA_UPLOAD_MEMORY_MB"])
        if untrusted else None)
    return {"files": _import_results(results)}


def _run_download(job: Job, reporter: Reporter) -> dict:
    base, number, name = current_app.config["GEONORGE_BASE_URL"], job.params["kommunenummer"], job.params["kommunenavn"]
    # A fallback (the national file when a kommune has none of its own) is the same step as the one it replaces.
    steps = {dataset.key: step for step, dataset in enumerate(geonorge.datasets(base, number, name), start=1)}

    def progress(dataset, url):
        reporter.step(dataset.title, steps[dataset.key], len(steps), source=url)
        return reporter.advance

    fetched = geonorge.download(base, number, name, Path(job.params["folder"]), progress)
    results = geodata_import.import_paths(fetched.paths, skip_invalid=job.params.get("skip_invalid", False),
                                          progress=_import_progress(reporter), scope=_scope(job),
                                          touching=fetched.touching)
    return {"files": _import_results(results)}


def _run_themes(job: Job, reporter: Reporter) -> dict:
    committee = db.session.get(Committee, job.params["committee_id"])
    raw = job.params.get("filters") or {}
    filters = committees.Filters(**{key: date.fromisoformat(value) if key in ("start", "end") and value else value
                                    for key, value in raw.items()})
    reporter.step(job.params["topic"])
    found = committee_input.find_themes(committee, filters, job.params["topic"])
    return {"made": found.made, "placed": found.placed, "unsure": found.unsure}


RUNNERS = {JobKind.IMPORT: _run_import, JobKind.DOWNLOAD: _run_download, JobKind.THEMES: _run_themes}


def run_in_foreground(kind: JobKind, params: dict, reporter) -> dict:
    """Do a job's work here and now, with the code a consumer runs, for `flask geodata …` on a server without a
    consumer. No job row and no queue: `reporter` (with Reporter's step and advance) shows the progress, and
    the result or the error (GeodataError, InputError, JobError) goes to the caller. Its files stay."""
    try:
        return RUNNERS[kind](Job(kind=kind, params=params), reporter)
    except Exception:
        db.session.rollback()
        raise


def filters_params(filters: committees.Filters) -> dict:
    return {key: value.isoformat() if isinstance(value, date) else value for key, value in vars(filters).items()}
