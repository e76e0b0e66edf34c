"""Errors and rejected rows, with Norwegian messages the caller translates.

This package knows nothing of Flask, so the service layer passes `message` and `params` through Flask-Babel.
"""
from dataclasses import dataclass, field

from canvass.refusal import Refusal


class GeodataError(Refusal):
    """The whole file is unusable; nothing of it may be stored."""


@dataclass(frozen=True)
class Rejected:
    """One row that could not be used, with its line number in the file (the header is line 1)."""

    line: int
    message: str
    params: dict = field(default_factory=dict)
