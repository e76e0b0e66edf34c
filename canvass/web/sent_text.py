"""What a form or an address may carry: no NUL character, which no person types and PostgreSQL cannot store.

A NUL in any field (a branch's name, an action's title, a filter) reached the database, which refused the
statement, and the user got the error page. It is refused here for every form and every query string at once,
with a Norwegian answer, before any view reads it.
"""
from flask import Flask, abort, request
from flask_babel import gettext


def nul_in(pairs) -> bool:
    """Whether any (key, value) pair of a form or a query string holds a NUL (also asked by web/door_tap_gate.py)."""
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def register(app: Flask) -> None:
    @app.before_request
    def refuse_nul():
        if any(nul_in(source.items(multi=True)) for source in (request.args, request.form)):
            abort(400, gettext("Skjemaet inneholder et tegn som ikke kan lagres (NUL). Skriv teksten på nytt."))
