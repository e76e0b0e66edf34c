"""How every page answers a refusal (canvass/refusal.py): undo the request's writes, show the message, go back.

A view lets the refusal rise. `refused_to` names the page its form came from (built from the view's
arguments); without one, the app-wide handler sends the browser back to the page it came from when
that is a page of this site, else home. Either way the transaction is rolled back first, so nothing
done before the refusal stays, and the message is flashed in the user's language.
"""
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import redirect, request, url_for

from canvass.extensions import db
from canvass.refusal import Refusal
from canvass.web import flash_error
from canvass.web.redirects import local_target


def answer(err: Refusal, target: str | None = None, code: int = 302):
    db.session.rollback()
    flash_error(err)
    return redirect(target or _came_from() or url_for("home.index"), code)


def _came_from() -> str | None:
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return local_target(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def refused_to(target: Callable[..., str], code: int = 302):
    """Decorate a view: a refusal it raises sends the browser to `target(**view arguments)`."""
    def decorate(view):
        @wraps(view)
        def wrapped(**kwargs):
            try:
                return view(**kwargs)
            except Refusal as err:
                return answer(err, target(**kwargs), code)
        return wrapped
    return decorate


def register(app) -> None:
    app.register_error_handler(Refusal, answer)
