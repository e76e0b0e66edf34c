"""The organisation's own settings: which kommuner it works in (the admin changes them as it grows)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from canvass.models import Role
from canvass.services.geography import kommuner
from canvass.services.people import organisations
from canvass.web.access import roles_required
from canvass.web.setup import picker

bp = Blueprint("organisation", __name__, url_prefix="/admin/organisasjon")


@bp.route("/kommuner", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def kommuner_page():
    """The organisation's kommuner; taking one away is refused while a branch holds postal codes in it."""
    organisation = current_user.organisation
    searching = request.form.get("search") == "1"
    if request.method == "POST" and not searching:
        chosen = request.form.getlist("kommune")
        try:
            change = organisations.set_kommuner(organisation, chosen)
        except organisations.Refused as err:
            return render_template("organisation/kommuner.html", organisation=organisation,
                                   picker=picker(chosen, request.form.get("q", ""),
                                                 gettext(err.message, **err.params))), 400
        for number in change.added:
            flash(gettext("La til %(kommune)s.", kommune=kommuner.get(number).label))
        for number in change.removed:
            flash(gettext("Tok bort %(kommune)s.", kommune=kommuner.get(number).label))
        if change.without_geodata:
            flash(gettext("Det finnes ingen postnumre for %(kommuner)s ennå. Hent geodata for dem før dere gir lagene "
                          "områder der.", kommuner=", ".join(kommuner.get(n).label for n in change.without_geodata)))
        if change.uploaded_by_others:
            flash(gettext("Geodata i %(kommuner)s er lastet opp som fil av en annen organisasjon, ikke hentet fra "
                          "Kartverket. Hent dem på nytt med «Hent fra Geonorge» på geodatasiden, og be den som "
                          "drifter serveren om å se over bydeler og adresser der.",
                          kommuner=", ".join(kommuner.get(n).label for n in change.uploaded_by_others)))
        if not (change.added or change.removed):
            flash(gettext("Kommunene er uendret."))
        return redirect(url_for("organisation.kommuner_page"))
    chosen = request.form.getlist("kommune") if searching else organisation.kommunenummer
    return render_template("organisation/kommuner.html", organisation=organisation,
                           picker=picker(chosen, request.values.get("q", "")))
