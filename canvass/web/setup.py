"""First run: on a database with no organisation, whoever holds the one-time setup code creates the party's
organisation, picks its kommuner and becomes its first admin (password now, two-factor as at any login)."""
import time
from dataclasses import dataclass, field

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from canvass.extensions import limiter
from canvass.models import Role
from canvass.services.geography import kommuner
from canvass.services.people import organisations, two_factor
from canvass.web import auth, form_ids
from canvass.web.access import roles_required

bp = Blueprint("setup", __name__)


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class SetupForm(FlaskForm):
    code = StringField(_l("Engangskode fra serveren"), filters=[_stripped],
                       validators=[DataRequired(_l("Skriv engangskoden serveren skrev ut.")), Length(max=40)])
    name = StringField(_l("Organisasjonens navn"), filters=[_stripped],
                       validators=[DataRequired(_l("Skriv organisasjonens navn.")), Length(max=100)])
    party = StringField(_l("Parti"), filters=[_stripped], validators=[Optional(), Length(max=100)])
    admin_name = StringField(_l("Ditt navn"), filters=[_stripped],
                             validators=[DataRequired(_l("Skriv navnet ditt.")), Length(max=100)])
    admin_email = EmailField(_l("Din e-post"), filters=[_stripped],
                             validators=[DataRequired(_l("Skriv e-postadressen din.")), Length(max=200)])
    password = PasswordField(_l("Passord (minst 10 tegn)"),
                             validators=[DataRequired(_l("Velg et passord.")),
                                         Length(min=10, max=200, message=_l("Passordet må ha minst 10 tegn."))])
    password_again = PasswordField(_l("Passordet en gang til"),
                                   validators=[EqualTo("password", _l("Passordene er ikke like."))])
    form_id = form_ids.form_id()


@dataclass
class Picker:
    """What the kommune list shows: the matches for the search, and always the ticked ones."""

    chosen: list[str]
    query: str = ""
    error: str | None = None
    matches: list = field(default_factory=list)

    @property
    def shown(self):
        ticked = [k for k in kommuner.all_kommuner() if k.number in self.chosen]
        return ticked + [k for k in self.matches if k.number not in self.chosen]


def picker(chosen, query: str = "", error: str | None = None) -> Picker:
    query = (query or "").strip()[:60]
    matches = kommuner.search(query) if query else kommuner.all_kommuner()
    return Picker([c for c in chosen if kommuner.get(c)], query, error, matches)


def _searching() -> bool:
    # Searching the kommune list changes nothing and is not a guess at the code: it is not counted.
    return request.method == "POST" and request.form.get("search") == "1"


def _setup_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


@bp.route("/oppsett", methods=["GET", "POST"])
@limiter.limit(_setup_limit, methods=["POST"], exempt_when=_searching)
def index():
    """Set up the first organisation with the one-time code; closed for good once an organisation exists."""
    form = SetupForm()
    if request.method == "POST" and form.form_id.validate(form) and (admin := organisations.set_up_with(
            form_ids.key_of(form.form_id), form.admin_email.data or "", form.password.data or "")) is not None:
        return _first_login(admin)  # the second tap of «Sett opp»: where the first went
    if not organisations.setup_open():
        return render_template("setup/closed.html"), 404
    chosen = request.form.getlist("kommune")
    error = kommune_error = None
    if not _searching() and form.validate_on_submit():
        try:
            created = organisations.create(form.name.data, chosen, form.admin_name.data, form.admin_email.data,
                                           party=form.party.data, password=form.password.data,
                                           setup_code=form.code.data, key=form_ids.key_of(form.form_id))
        except organisations.Refused as err:
            message = gettext(err.message, **err.params)
            if err.field == "kommune":
                kommune_error = message
            else:
                error = message
        else:
            current_app.logger.info("Canvass satt opp: organisasjon %s", created.organisation.id)
            return _first_login(created.admin)
    status = 400 if request.method == "POST" and not _searching() else 200
    return render_template("setup/index.html", form=form, error=error,
                           picker=picker(chosen, request.values.get("q", ""), kommune_error)), status


def _first_login(admin):
    """The new admin goes on to set up the authenticator app, as at every first login."""
    if current_app.config["TWO_FACTOR"] and two_factor.required(admin):
        session[auth.PENDING] = {"user": admin.id, "since": time.time()}
        return redirect(url_for("auth.second_factor", next=url_for("setup.done")))
    auth.log_in(admin)
    return redirect(url_for("setup.done"))


@bp.get("/oppsett/ferdig")
@roles_required(Role.ADMIN)
def done():
    """What to do next, right after setup: fetch the geodata, make branches, invite volunteers."""
    return render_template("setup/done.html", organisation=current_user.organisation, kommuner=kommuner)


def setup_banner(code: str) -> str:
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        url = url_for("setup.index", _external=True)
    return gettext("Første oppstart: åpne %(url)s og skriv inn engangskoden %(code)s", url=url, code=code)


def announce(app, log) -> None:
    """At server start, while no organisation exists: a fresh setup code in the server log."""
    with app.app_context():
        try:
            code = organisations.new_setup_code()
        except SQLAlchemyError:
            log("Canvass: databasen er ikke klar (kjør «flask --app canvass db upgrade»).")
            return
        if code:
            log(setup_banner(code))
