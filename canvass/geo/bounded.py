"""Untrusted geometry work in a child process held to CPU and memory limits.

A small file can cost without bound to repair: one self-intersecting ring of a few hundred
vertices has tens of thousands of crossings, and GEOS's make_valid then takes CPU-minutes and
gigabytes. No cheap count of vertices tells such a ring from a long stretch of coastline, so the
work itself is bounded: an uploaded layer is read by a fresh interpreter (`python -m
canvass.geo.bounded`) with an rlimit on CPU time and on address space, and a wall-clock deadline
besides. When it runs out, the child is gone and the import is refused with a message; the job
queue and the host carry on.

The work and its result travel as pickles over the child's stdin and a private copy of its
stdout; whatever a library prints in the child goes to stderr, so it cannot corrupt the result.
"""
import importlib
import os
import pickle
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from canvass.geo.errors import GeodataError
from canvass.refusal import N_

PACKAGE = Path(__file__).resolve().parents[1]  # the canvass package, for the child's imports

# The child imports the canvass package without running its __init__ (the web app: Flask, SQLAlchemy, Alembic,
# the job queue), which reading a layer never uses: geo/ is Flask-free. That was 1.5 of the 2 s of CPU a child
# took to start, once per uploaded map layer.
_START = ("import sys, types; package = types.ModuleType('canvass'); package.__path__ = [sys.argv[1]]; "
          "sys.modules['canvass'] = package; from canvass.geo.bounded import _child; _child()")


@dataclass(frozen=True)
class Limits:
    """What reading one untrusted file may use."""

    cpu_seconds: int
    memory_mb: int

    @property
    def wall_seconds(self) -> float:
        # The CPU limit is what binds; the deadline catches a child that waits instead of computing,
        # with room for a busy machine where a CPU second takes several seconds of wall time.
        return self.cpu_seconds * 4 + 60


def call(function, *args, limits: Limits, name: str):
    """`function(*args)` run in a child process within `limits`; GeodataError (naming the file `name`)
    when it is refused or runs out. `function` is a module-level function; its arguments and result pickle."""
    work = pickle.dumps((function.__module__, function.__qualname__, args, limits))
    with subprocess.Popen([sys.executable, "-c", _START, str(PACKAGE)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE) as child:
        try:
            output, _ = child.communicate(work, timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            output = b""
    outcome = pickle.loads(output) if child.returncode == 0 and output else ("spent",)
    if outcome[0] == "spent":
        raise GeodataError(N_("Fila %(name)s krevde mer regnekraft eller minne enn en opplastet fil kan få "
                              "(%(seconds)s sekunder, %(megabytes)s MB), og ble ikke lest. Det skjer med flater som "
                              "krysser seg selv svært mange ganger. Sjekk fila, eller be den som drifter serveren "
                              "om å importere den."),
                           name=name, seconds=limits.cpu_seconds, megabytes=limits.memory_mb)
    if outcome[0] == "refused":
        raise GeodataError(outcome[1], **outcome[2])
    return outcome[1]


def _child() -> None:
    result = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed from here on goes to stderr, never into the result
    module, name, args, limits = pickle.load(sys.stdin.buffer)
    function = getattr(importlib.import_module(module), name)
    # The limits count from here: starting the interpreter and importing GDAL is the same for every file.
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used.ru_utime + used.ru_stime) + limits.cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        outcome = ("done", function(*args))
    except GeodataError as err:
        outcome = ("refused", err.message, err.params)
    except MemoryError:
        outcome = ("spent",)
    with result:
        pickle.dump(outcome, result)
