"""The walk list's door tap, answered below Flask's request cycle.

A canvasser taps a door every few seconds, and each tap is the app's commonest post. Through Flask it paid for a
request context, the session and login machinery, the form and CSRF extension, the limiter, Babel and the
after-request hooks: about two thirds of its CPU on the server, around one query and two inserts (docs/benchmarks.md).

`DoorTapGate` is WSGI middleware in front of the app. It answers one kind of request: the walk list's script posting
a plain tap (`POST /felt/<assignment>/besok`, URL-encoded, `Accept: application/json`). It asks what Flask's cycle
would ask, with the same code wherever there is code to share:

- the session cookie, opened by the app's own session interface (same key, fallbacks and age);
- Flask-Login's session mark: the session must be the one made in this browser on this network
  (`session_identifier`, which the app's login manager uses too);
- the form's CSRF token and the browser's cross-site marks (canvass/signing.py, shared with `CSRF.protect`);
- no NUL in the form (`sent_text.nul_in`, as Flask refuses one);
- the tap itself through `door_tap.record`: the login is running, the assignment is this person's, the door is in
  the branch's territory, and then sync's own checks, ledger and storage.

It answers only a tap stored (or a repeat of one): the same JSON as the view, with the same headers
(`security.harden`). Anything else, a refusal above all, goes on to Flask with the same bytes, which answers it
as it always has: the gate can let through less than Flask, never more. A tap that waited out a locked database
here is answered by Flask as busy (503) without waiting a second time. A body it cannot judge as Flask would (chunked,
shorter than its length, not UTF-8) and any error on the way are Flask's too.
"""
import io
import re
from hashlib import sha512
from types import SimpleNamespace
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import SecurityError
from werkzeug.http import parse_cookie, parse_options_header
from werkzeug.wsgi import get_content_length, get_host

from canvass import signing
from canvass.services.field import door_record, door_tap
from canvass.services.people import logins
from canvass.web import security, sent_text

TAP = re.compile(r"/felt/([1-9][0-9]{0,9})/besok")
FORM = "application/x-www-form-urlencoded"
# A tap's form is a few hundred bytes; a longer one is not the walk list's and goes to Flask.
BODY_MAX = 4096
# Set in the environ of a tap the gate left to Flask after waiting out a locked database (web/field.py `record`).
WAITED_OUT = "canvass.door_tap.waited_out"


def session_identifier(environ) -> str:
    """Flask-Login's mark of the browser and network a session was made on (its `_create_identifier`, the same
    value, so sessions made before hold): the first X-Forwarded-For address or the peer, and the User-Agent."""
    address = environ.get("HTTP_X_FORWARDED_FOR", environ.get("REMOTE_ADDR"))
    if address is not None:
        address = address.encode("utf-8").split(b",")[0].strip()
    agent = environ.get("HTTP_USER_AGENT")
    if agent is not None:
        agent = agent.encode("utf-8")
    return sha512(f"{address}|{agent}".encode()).hexdigest()


class DoorTapGate:
    """WSGI: a plain door tap stored and answered here; every other request, and every tap not stored plainly,
    to `wsgi_app`."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.policy = security.content_security_policy()

    def __call__(self, environ, start_response):
        match = self._tap(environ)
        if match is not None:
            length = get_content_length(environ)
            body = environ["wsgi.input"].read(length)
            # Flask reads the same bytes if the tap is not answered here; a body shorter than its length (the client
            # went away) is Flask's to refuse.
            environ["wsgi.input"] = io.BytesIO(body)
            try:
                answered = self._answer(environ, int(match[1]), body) if len(body) == length else None
            except Exception as error:
                # Whatever failed here (a database that failed the tap, a lost connection, anything unforeseen)
                # fails before or with the tap's one commit: Flask tries it again under the same id and answers as it
                # answers any failure, so the phone keeps the tap (static/sw.js) if it fails again. A database that
                # stayed locked for the whole wait is not waited for again: Flask answers at once that it is busy
                # (`WAITED_OUT`), and the phone sends the tap again later.
                self.app.logger.warning("door tap left to Flask after an error", exc_info=True)
                if "database is locked" in str(getattr(error, "orig", error)):
                    environ[WAITED_OUT] = True
                answered = None
            if answered is not None:
                return answered(environ, start_response)
        return self.wsgi_app(environ, start_response)

    @staticmethod
    def _tap(environ):
        """The path's match when the request is shaped as the walk list's script posts a tap, else None."""
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("QUERY_STRING") \
                or environ.get("HTTP_ACCEPT") != "application/json":
            return None
        mimetype, options = parse_options_header(environ.get("CONTENT_TYPE"))
        # As Werkzeug reads it for Flask: None when chunked (Flask reads the whole stream, not a length's worth).
        length = get_content_length(environ)
        if mimetype != FORM or options.get("charset", "utf-8").lower() != "utf-8" or length is None \
                or not 0 < length <= BODY_MAX:
            return None
        return TAP.fullmatch(environ.get("PATH_INFO", ""))

    def _answer(self, environ, assignment_id: int, body: bytes):
        """The tap's answer (a WSGI app) when it is stored plainly, else None."""
        config = self.app.config
        form = _form(body)
        # A record id as the page makes it (36 characters); another spelling of a UUID is echoed back as sent, which
        # may make an answer Flask would compress.
        if form is None or form.get("undo") or len(form.get("id", "")) > 36:
            return None
        session = self.app.session_interface.open_session(self.app, SimpleNamespace(cookies=parse_cookie(environ)))
        token = session.get("_user_id") if session is not None else None
        # A session marked to set the remember cookie, or moved to another browser or network, is Flask-Login's
        # to handle (it updates the cookie, or marks the session not fresh).
        if not isinstance(token, str) or "_remember" in session or session.get("_id") != session_identifier(environ):
            return None
        try:
            host = get_host(environ, config.get("TRUSTED_HOSTS"))
        except SecurityError:
            return None
        if not self._form_token_holds(environ, config, form, session, host):
            return None
        event = door_record.event_from(form, "besok")
        with self.app.app_context():
            result = door_tap.record(token, assignment_id, event, logins.code_days(config))
            if result is None:
                return None
            answer = self.app.json.response(door_record.answer(event, result.status))
        # As Flask-Compress marks every answer it might have compressed, and Flask one that read the session.
        answer.vary.update(("Accept-Encoding", "Cookie"))
        return security.harden(answer, "field.record", self.policy, config["SESSION_COOKIE_SECURE"])

    @staticmethod
    def _form_token_holds(environ, config, form, session, host: str) -> bool:
        """CSRF.protect's checks, where the app has them on: not from another site, the form's token this
        session's, and over HTTPS (strict) a referrer of this host."""
        if not config["WTF_CSRF_ENABLED"] or not config["WTF_CSRF_CHECK_DEFAULT"] \
                or "POST" not in config["WTF_CSRF_METHODS"]:
            return True
        if signing.is_cross_site(environ.get("HTTP_SEC_FETCH_SITE"), environ.get("HTTP_ORIGIN"), host):
            return False
        field_name, secret_key, time_limit = signing.token_settings(config)
        if signing.token_refusal(form.get(field_name), session.get(field_name), secret_key, time_limit):
            return False
        secure = environ.get("wsgi.url_scheme") == "https"
        return not (secure and config["WTF_CSRF_SSL_STRICT"]
                    and signing.referrer_refusal(environ.get("HTTP_REFERER"), host))


def _form(body: bytes) -> MultiDict | None:
    """The tap's form as Werkzeug parses a URL-encoded body; None for a body Flask should judge (not UTF-8, a NUL)."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return None
    items = parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")
    if sent_text.nul_in(items):
        return None
    return MultiDict(items)
