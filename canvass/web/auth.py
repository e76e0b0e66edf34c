"""Logging in and out (with a second factor for the roles that see personal data), joining from an invite link,
and choosing the language."""
import re
import time
from datetime import timedelta

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_url, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from canvass.extensions import db, limiter
from canvass.models import User
from canvass.services.people import logins, organisations, people, two_factor
from canvass.web import errors, form_ids
from canvass.web.redirects import local_target

bp = Blueprint("auth", __name__)
PHONE = re.compile(r"^\+?[0-9 ]{8,16}$")
PENDING, NEW_SECRET = "pending_login", "new_totp_secret"
PENDING_SECONDS = 600


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-post"), validators=[DataRequired(_l("Skriv e-postadressen din.")), Email(_l("Ugyldig e-postadresse."))]
    )
    password = PasswordField(_l("Passord"), validators=[DataRequired(_l("Skriv passordet ditt."))])


class CodeForm(FlaskForm):
    code = StringField(_l("Kode fra appen"), validators=[DataRequired(_l("Skriv koden fra appen.")), Length(max=10)])


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class JoinForm(FlaskForm):
    name = StringField(
        _l("Navn"), filters=[_stripped], validators=[DataRequired(_l("Skriv navnet ditt.")), Length(max=100)]
    )
    phone = TelField(
        _l("Mobilnummer"),
        filters=[_stripped],
        validators=[Optional(), Regexp(PHONE, message=_l("Ugyldig mobilnummer."))],
    )
    email = EmailField(_l("E-post"), filters=[_stripped], validators=[Optional(), Email(_l("Ugyldig e-postadresse."))])
    # Made when the form opens: the same form sent twice (a double tap, or again after Back) joins once.
    form_id = form_ids.form_id()

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.phone.data and not self.email.data:
            self.phone.errors.append(gettext("Skriv mobilnummer eller e-post, så koordinatoren kan nå deg."))
            return False
        return True


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def _invite_limit() -> str:
    return current_app.config["INVITE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Password login for coordinators, admins and committee members."""
    form = LoginForm()
    if form.validate_on_submit():
        user = people.authenticate(form.email.data, form.password.data)
        if user is not None and current_app.config["TWO_FACTOR"] and two_factor.required(user):
            session[PENDING] = {"user": user.id, "since": time.time()}
            return redirect(url_for("auth.second_factor", next=_safe_next()))
        if user is not None:
            log_in(user)
            return redirect(_safe_next() or url_for("home.index"))
        form.password.errors.append(gettext("Feil e-post eller passord."))
    return render_template("auth/login.html", form=form, setup_open=organisations.setup_open())


def _pending_user() -> User | None:
    """The user who gave the right password in the last ten minutes and still owes a code."""
    pending = session.get(PENDING)
    if not pending or time.time() - pending["since"] > PENDING_SECONDS:
        return None
    return db.session.get(User, pending["user"])


@bp.route("/login/kode", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def second_factor():
    """The code from the authenticator app; the first time, setting the app up with a QR code."""
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        return redirect(url_for("auth.login"))
    form = CodeForm()
    secret = user.totp_secret or session.setdefault(NEW_SECRET, two_factor.new_secret())
    if form.validate_on_submit():
        if two_factor.verify(user, form.code.data, secret):
            user.totp_secret = secret
            db.session.commit()
            session.pop(PENDING, None)
            session.pop(NEW_SECRET, None)
            log_in(user, second_factor=True)
            return redirect(_safe_next() or url_for("home.index"))
        form.code.errors.append(gettext("Feil kode. Bruk den som står i appen nå."))
    setup = None
    if user.totp_secret is None:
        uri = two_factor.provisioning_uri(user, secret)
        setup = {
            "secret": secret,
            "qr": segno.make(uri, error="m").svg_inline(scale=5, title=gettext("QR-kode for tofaktor")),
        }
    return render_template("auth/second_factor.html", form=form, setup=setup)


@bp.route("/bli-med/<token>", methods=["GET", "POST"])
@limiter.limit(_invite_limit)
def join(token: str):
    """A volunteer joins a branch from an invite link: name and phone or e-mail, no password."""
    invite = people.valid_invite(token)
    if invite is None:
        return render_template("auth/invite_invalid.html"), 404
    form = JoinForm()
    if form.validate_on_submit():
        phone = re.sub(r"\s", "", form.phone.data or "") or None
        user = people.join(invite, form.name.data, phone, form.email.data or None, key=form_ids.key_of(form.form_id))
        log_in(user)
        flash(gettext("Velkommen, %(name)s! Du er nå med i %(branch)s.", name=user.name, branch=invite.branch.name))
        return redirect(url_for("home.index"))
    return render_template("auth/join.html", form=form, invite=invite)


@bp.route("/inn/<token>", methods=["GET", "POST"])
@limiter.limit(_invite_limit)
def login_link(token: str):
    """A volunteer's personal one-time link from the coordinator. Opening it only asks (message apps open
    links to show a preview); the button logs the volunteer in on this phone and uses the link up."""
    link = logins.valid_link(token)
    if link is None:
        return render_template("auth/login_link.html", link=None), 404
    if request.method == "POST":
        user = logins.use_link(token)  # CSRFProtect has checked the form's token already
        if user is None:
            return render_template("auth/login_link.html", link=None), 404
        log_in(user)
        flash(gettext("Velkommen tilbake, %(name)s!", name=user.name))
        return redirect(url_for("home.index"))
    return render_template("auth/login_link.html", link=link)


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("Passord (minst 10 tegn)"),
                             validators=[DataRequired(_l("Velg et passord.")),
                                         Length(min=10, max=200, message=_l("Passordet må ha minst 10 tegn."))])
    password_again = PasswordField(_l("Passordet en gang til"),
                                   validators=[EqualTo("password", _l("Passordene er ikke like."))])


@bp.route("/passord/<token>", methods=["GET", "POST"])
@limiter.limit(_invite_limit)
def set_password(token: str):
    """A new admin's one-time link from `flask org create`: choose a password, then set up two-factor."""
    link = logins.valid_password_link(token)
    if link is None:
        return render_template("auth/set_password.html", link=None), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = logins.use_password_link(token)
        if user is None:
            return render_template("auth/set_password.html", link=None), 404
        people.set_password(user, form.password.data)
        if current_app.config["TWO_FACTOR"] and two_factor.required(user):
            session[PENDING] = {"user": user.id, "since": time.time()}
            return redirect(url_for("auth.second_factor"))
        log_in(user)
        return redirect(url_for("home.index"))
    return render_template("auth/set_password.html", link=link, form=form), 400 if request.method == "POST" else 200


def not_logged_in():
    """Someone not (or no longer) logged in: a page goes to the login page, as Flask-Login does. A record sent
    from the field (a script's tap, a form posted at a door) is told 401 instead: redirected, a tap in a tab left
    open after logout took the login page for stored, and a form's record was lost on the way to it. The
    service worker keeps a record answered 401 in the outbox for its person (static/sw.js)."""
    if request.accept_mimetypes.best == "application/json":
        return {"error": str(errors.MESSAGES[401])}, 401
    if request.method == "POST" and request.blueprint == "field":
        abort(401)
    return redirect(login_url(current_app.login_manager.login_view, next_url=request.url))


@bp.get("/logout")
@login_required
def logout_page():
    """Asks first, and says how to get back in: a volunteer without a password needs a new personal link."""
    return render_template("auth/logout.html")


@bp.post("/logout")
@login_required
def logout():
    """Ends this login on the server: its session, remember cookie and the phone's sync credential."""
    logins.end(current_user.login_token)
    db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))


def log_in(user: User, second_factor: bool = False) -> None:
    """A new login record, and the session and remember cookie that carry its token.

    Someone who gave a code from the app keeps it for TWO_FACTOR_REMEMBER_DAYS (the server checks that on
    every request, services/people/logins.py); anyone else for REMEMBER_COOKIE_DURATION."""
    config = current_app.config
    lifetime = (
        timedelta(days=config["TWO_FACTOR_REMEMBER_DAYS"])
        if second_factor
        else timedelta(seconds=config["REMEMBER_COOKIE_DURATION"])
    )
    if current_user.is_authenticated:
        logins.end(current_user.login_token)  # the login this browser had before stops here
    logins.start(user, lifetime, second_factor=second_factor)
    db.session.commit()
    login_user(user, remember=True, duration=lifetime)


@bp.post("/sprak")
def language():
    """Choose bokmål, nynorsk or English; remembered in the session."""
    lang = request.form.get("lang")
    if lang not in ("nb", "nn", "en"):
        abort(400)
    session["lang"] = lang
    return redirect(_safe_next() or url_for("home.index"))


def _safe_next() -> str | None:
    return local_target(request.args.get("next") or request.form.get("next"))
