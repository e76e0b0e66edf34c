"""Branches (lokallag, partiavdelinger) and their territories of postal codes, on a map and in a list."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from canvass.extensions import db
from canvass.models import District, Role
from canvass.models.organisation import BRANCH_KINDS
from canvass.services import same_form
from canvass.services.geography import territory
from canvass.services.people import organisations
from canvass.web import form_ids
from canvass.web.access import branch_for_manager, roles_required

bp = Blueprint("branches", __name__, url_prefix="/lag")
KIND_LABELS = {"lokallag": _l("Lokallag"), "partiavdeling": _l("Partiavdeling"),
               "bydelsparti": _l("Bydelsparti"), "partilag": _l("Partilag")}


class BranchForm(FlaskForm):
    name = StringField(_l("Navn"), validators=[DataRequired(_l("Skriv et navn.")), Length(max=100)])
    kind = SelectField(_l("Type"), choices=[SelectChoice(k, KIND_LABELS[k]) for k in BRANCH_KINDS])
    form_id = form_ids.form_id()


@bp.get("/")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def overview():
    """The organisation's branches and a map of who covers which postal codes."""
    organisation = current_user.organisation
    if not current_user.is_admin:
        # A coordinator sees the branch they coordinate; one of several picks it on the start page.
        coordinated = current_user.branches(Role.COORDINATOR)
        if len(coordinated) == 1:
            return redirect(url_for("branches.show", branch_id=coordinated[0].id))
        return redirect(url_for("home.index"))
    return _overview(organisation, BranchForm())


def _overview(organisation, form, status: int = 200):
    return render_template("branches/overview.html", organisation=organisation,
                           coverage=territory.coverage(organisation), form=form, kinds=KIND_LABELS,
                           divisions=_divisions(organisation)), status


def _divisions(organisation) -> dict:
    """The ways to divide the organisation into branches where there are no bydeler: by kommune, by valgkrets,
    by grunnkrets."""
    return {"kommune": territory.kommune_units(organisation), "valgkrets": territory.valgkrets_units(organisation),
            "grunnkrets": territory.grunnkrets_units(organisation)}


DIVISION_LABELS = {"kommune": _l("kommune"), "valgkrets": _l("valgkrets"), "grunnkrets": _l("grunnkrets")}
ADD_LABELS = {"kommune": _l("Legg til postnumrene i en kommune"),
              "valgkrets": _l("Legg til postnumrene i en valgkrets"),
              "grunnkrets": _l("Legg til postnumrene i en grunnkrets")}
SPLIT_MESSAGES = {"valgkrets": _l("Disse postnumrene har adresser i flere valgkretser og gikk til den med flest: "
                                  "%(codes)s."),
                  "grunnkrets": _l("Disse postnumrene har adresser i flere grunnkretser og gikk til den med flest: "
                                   "%(codes)s.")}


@bp.post("/inndeling")
@roles_required(Role.ADMIN)
def divide():
    """One branch per kommune, valgkrets or grunnkrets, each with its postal codes that no branch holds yet."""
    organisation = current_user.organisation
    by = request.form.get("by", "")
    if by not in DIVISION_LABELS:
        abort(400)
    units = [u for u in _divisions(organisation)[by] if u.codes]
    if not units:
        flash(gettext("Fant ingen postnumre å dele inn etter %(by)s. Hent geodata (postnummerområder og adresser) "
                      "for kommunene først.", by=DIVISION_LABELS[by]), "error")
        return redirect(url_for("branches.overview")), 303
    done = territory.divide(organisation, units)
    flash(ngettext("Opprettet %(num)s lag etter %(by)s: %(names)s.", "Opprettet %(num)s lag etter %(by)s: %(names)s.",
                   len(done.created), by=DIVISION_LABELS[by], names=", ".join(done.created) or "–"))
    if done.filled:
        flash(gettext("Fylte på lag som fantes fra før: %(names)s.", names=", ".join(done.filled)))
    if done.split:
        flash(SPLIT_MESSAGES[by] % {"codes": ", ".join(done.split)})
    for holder, codes in done.kept_elsewhere.items():
        flash(gettext("%(codes)s hører allerede til %(branch)s og ble ikke flyttet.", codes=", ".join(codes),
                      branch=holder))
    return redirect(url_for("branches.overview"))


@bp.post("/")
@roles_required(Role.ADMIN)
def create():
    """Create a branch in the admin's organisation."""
    form = BranchForm()
    organisation = current_user.organisation
    if form.validate_on_submit():
        try:
            branch = organisations.create_branch(organisation, form.name.data, form.kind.data,
                                                 key=form_ids.key_of(form.form_id))
        except (organisations.Refused, same_form.FormUsed) as err:
            form.name.errors.append(gettext(err.message, **err.params))
            if isinstance(err, same_form.FormUsed):
                form_ids.renew(form.form_id)  # sent again, it is a new branch
        else:
            flash(gettext("%(name)s er opprettet. Velg postnumrene laget har ansvar for.", name=branch.name))
            return redirect(url_for("branches.show", branch_id=branch.id))
    return _overview(organisation, form, 400)


@bp.get("/kart.geojson")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def map_data():
    """Postal-code polygons with their owning branches; a coordinator gets only a branch they coordinate's
    (`lag`, or their first)."""
    branch = None
    if not current_user.is_admin:
        coordinated = current_user.branches(Role.COORDINATOR)
        branch = branch_for_manager(request.args.get("lag", type=int) or (coordinated[0].id if coordinated else 0))
    return jsonify(territory.territory_geojson(current_user.organisation, branch))


@bp.get("/<int:branch_id>")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def show(branch_id: int):
    """A branch's territory: a map and the list of postal codes, editable by the admin."""
    branch = branch_for_manager(branch_id)
    organisation = branch.organisation
    return render_template("branches/show.html", branch=branch, kinds=KIND_LABELS,
                           areas=territory.postal_areas(organisation),
                           coverage=territory.coverage(organisation),
                           districts=territory.districts(organisation),
                           divisions=_divisions(organisation) if current_user.is_admin else {},
                           add_labels=ADD_LABELS, editable=current_user.is_admin)


@bp.post("/<int:branch_id>/postnumre")
@roles_required(Role.ADMIN)
def set_codes(branch_id: int):
    """Replace the branch's territory with the postal codes ticked in the list or on the map."""
    branch = branch_for_manager(branch_id)
    return _give(branch, request.form.getlist("postnummer"), confirmed=request.form.get("move") == "1")


@bp.post("/<int:branch_id>/fra-inndeling")
@roles_required(Role.ADMIN)
def from_unit(branch_id: int):
    """Add the postal codes of a kommune, valgkrets or grunnkrets to the branch; codes another branch holds are
    asked about."""
    branch = branch_for_manager(branch_id)
    by, key = request.form.get("by", ""), request.form.get("unit", "")
    if by not in DIVISION_LABELS:
        abort(400)
    unit = next((u for u in _divisions(branch.organisation)[by] if u.key == key), None)
    if unit is None:
        abort(400)
    return _give(branch, branch.territory + [c for c in unit.codes if c not in branch.territory], confirmed=False)


def _give(branch, codes: list[str], confirmed: bool):
    """Set the branch's territory. Codes another branch holds are moved only after the admin has seen, on a
    confirmation page, that branch's live turf and actions there."""
    removed = set(branch.territory) - set(codes)
    elsewhere = territory.held_elsewhere(branch, set(codes) - set(branch.territory))
    known = {p.postnummer for p in territory.postal_areas(branch.organisation)}
    if elsewhere and not confirmed and set(codes) <= known:
        return render_template("branches/confirm_move.html", branch=branch, codes=sorted(set(codes)),
                               elsewhere=elsewhere), 409
    try:
        territory.set_territory(branch, codes, take=confirmed)
    except territory.TerritoryError as err:
        flash(gettext("Ukjente postnumre for %(org)s: %(codes)s. Ingenting ble endret.",
                      org=branch.organisation.name, codes=", ".join(err.codes)), "error")
        return redirect(url_for("branches.show", branch_id=branch.id)), 303
    except territory.TerritoryTaken as err:
        for holder, taken in err.holders.items():
            flash(ngettext("%(codes)s hører allerede til %(branch)s. Ta postnummeret bort fra %(branch)s først. "
                           "Ingenting ble endret.",
                           "%(codes)s hører allerede til %(branch)s. Ta postnumrene bort fra %(branch)s først. "
                           "Ingenting ble endret.", len(taken), codes=", ".join(taken), branch=holder), "error")
        return redirect(url_for("branches.show", branch_id=branch.id)), 303
    flash(gettext("%(name)s har nå %(count)s postnumre.", name=branch.name, count=len(branch.postal_codes)))
    for other in elsewhere if confirmed else []:
        flash(gettext("Flyttet %(codes)s fra %(branch)s.", codes=", ".join(other.codes), branch=other.branch.name))
        if other.turfs:
            flash(gettext("Rodene %(branch)s har der (%(turfs)s) blir stående til %(branch)s arkiverer dem.",
                          branch=other.branch.name, turfs=", ".join(t.name for t in other.turfs)))
    kept = territory.turf_left_in(branch, removed)
    if kept:
        flash(gettext("%(name)s har fortsatt roder i %(codes)s. De blir stående til laget arkiverer dem, "
                      "og ingen andre lag kan dele inn de dørene før det.", name=branch.name, codes=", ".join(kept)))
    return redirect(url_for("branches.show", branch_id=branch.id))


@bp.post("/<int:branch_id>/fra-bydel")
@roles_required(Role.ADMIN)
def from_district(branch_id: int):
    """Add the postal codes lying mostly inside a district polygon to the branch's territory."""
    branch = branch_for_manager(branch_id)
    district = db.session.scalar(select(District).where(District.number == request.form.get("district", "")))
    if district is None or district.kommunenummer not in branch.organisation.kommunenummer:
        abort(400)
    codes = territory.codes_in_district(district, branch.organisation)
    # Codes another branch holds stay with it; the admin is told which.
    taken = territory.holders(branch, set(codes) - set(branch.territory))
    free = [c for c in codes if not any(c in held for held in taken.values())]
    territory.set_territory(branch, branch.territory + free)
    flash(gettext("La til %(count)s postnumre fra bydel %(district)s.", count=len(free), district=district.name))
    for holder, held in taken.items():
        flash(gettext("%(codes)s hører allerede til %(branch)s og ble ikke lagt til.",
                      codes=", ".join(held), branch=holder))
    return redirect(url_for("branches.show", branch_id=branch.id))
