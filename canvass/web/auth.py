"""Logging in and out, joining from an invite link, and choosing the language."""
import re

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from canvass.services import people

bp = Blueprint("auth", __name__)
PHONE = re.compile(r"^\+?[0-9 ]{8,16}$")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-post"), validators=[DataRequired(_l("Skriv e-postadressen din.")), Email(_l("Ugyldig e-postadresse."))])
    password = PasswordField(_l("Passord"), validators=[DataRequired(_l("Skriv passordet ditt."))])


class JoinForm(FlaskForm):
    name = StringField(_l("Navn"), validators=[DataRequired(_l("Skriv navnet ditt.")), Length(max=100)])
    phone = TelField(_l("Mobilnummer"), validators=[Optional(), Regexp(PHONE, message=_l("Ugyldig mobilnummer."))])
    email = EmailField(_l("E-post"), validators=[Optional(), Email(_l("Ugyldig e-postadresse."))])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.phone.data and not self.email.data:
            self.phone.errors.append(gettext("Skriv mobilnummer eller e-post, så koordinatoren kan nå deg."))
            return False
        return True


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Password login for coordinators, admins and committee members."""
    form = LoginForm()
    if form.validate_on_submit():
        user = people.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=True)
            return redirect(_safe_next() or url_for("home.index"))
        form.password.errors.append(gettext("Feil e-post eller passord."))
    return render_template("auth/login.html", form=form)


@bp.route("/bli-med/<token>", methods=["GET", "POST"])
def join(token: str):
    """A volunteer joins a branch from an invite link: name and phone or e-mail, no password."""
    invite = people.valid_invite(token)
    if invite is None:
        return render_template("auth/invite_invalid.html"), 404
    form = JoinForm()
    if form.validate_on_submit():
        phone = re.sub(r"\s", "", form.phone.data or "") or None
        user = people.join(invite, form.name.data.strip(), phone, (form.email.data or "").strip() or None)
        if user is None:
            form.email.errors.append(gettext("Denne kontakten har allerede en konto. Logg inn med passord."))
        else:
            login_user(user, remember=True)
            flash(gettext("Velkommen, %(name)s! Du er nå med i %(branch)s.", name=user.name, branch=invite.branch.name))
            return redirect(url_for("home.index"))
    return render_template("auth/join.html", form=form, invite=invite)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


@bp.post("/sprak")
def language():
    """Choose bokmål, nynorsk or English; remembered in the session."""
    lang = request.form.get("lang")
    if lang not in ("nb", "nn", "en"):
        abort(400)
    session["lang"] = lang
    return redirect(_safe_next() or url_for("home.index"))


def _safe_next() -> str | None:
    target = request.args.get("next") or request.form.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None
