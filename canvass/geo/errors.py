"""Errors and rejected rows, with Norwegian messages the caller translates.

`N_` marks a message for extraction without translating it here: this package knows nothing
of Flask, so the service layer passes `message` and `params` through Flask-Babel.
"""
from dataclasses import dataclass, field


def N_(message: str) -> str:
    return message


class GeodataError(Exception):
    """The whole file is unusable; nothing of it may be stored."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Rejected:
    """One row that could not be used, with its line number in the file (the header is line 1)."""

    line: int
    message: str
    params: dict = field(default_factory=dict)
