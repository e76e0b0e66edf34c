"""The programme outline: sections, the themes and input each answers, and the report for members."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from canvass.models import Role
from canvass.refusal import N_
from canvass.services.committee import committees, programme
from canvass.services.committee.committee_input import InputError
from canvass.web import flash_error
from canvass.web.access import roles_required
from canvass.web.committee import bp
from canvass.web.committee.input import back, back_target
from canvass.web.committee.pictures import topic_label
from canvass.web.references import id_of
from canvass.web.refusals import refused_to


def _section(committee, section_id):
    section = programme.section_for(committee, section_id)
    if section is None:
        abort(404)
    return section


@bp.get("/program", endpoint="programme")
@roles_required(Role.COMMITTEE)
def programme_outline():
    """The sections with what they answer, and the frequent themes no section answers yet."""
    committee = committees.committee_for(current_user)
    sizes = programme.theme_sizes(committee)
    return render_template("committee/programme.html", committee=committee, sections=programme.sections(committee),
                           sizes=sizes, unanswered=programme.unanswered(committee, sizes), query="")


@bp.post("/program")
@roles_required(Role.COMMITTEE)
@refused_to(lambda: url_for("committee.programme"))
def add_section():
    committee = committees.committee_for(current_user)
    programme.add_section(committee, request.form.get("title", ""), request.form.get("answer", ""))
    flash(gettext("Avsnittet er lagt til."), "success")
    return redirect(url_for("committee.programme"))


@bp.post("/program/<int:section_id>")
@roles_required(Role.COMMITTEE)
@refused_to(lambda section_id: url_for("committee.programme") + f"#avsnitt-{section_id}")
def update_section(section_id: int):
    committee = committees.committee_for(current_user)
    programme.update_section(_section(committee, section_id), request.form.get("title", ""),
                             request.form.get("answer", ""))
    flash(gettext("Avsnittet er lagret."), "success")
    return redirect(url_for("committee.programme") + f"#avsnitt-{section_id}")


@bp.post("/program/<int:section_id>/slett")
@roles_required(Role.COMMITTEE)
def delete_section(section_id: int):
    committee = committees.committee_for(current_user)
    programme.delete_section(_section(committee, section_id))
    flash(gettext("Avsnittet er slettet."), "success")
    return redirect(url_for("committee.programme"))


@bp.post("/program/lenke")
@roles_required(Role.COMMITTEE)
@refused_to(back_target)
def link():
    """Say which section answers a theme or one input."""
    committee = committees.committee_for(current_user)
    section_id = request.form.get("section", type=int)
    section = programme.section_for(committee, section_id) if section_id else None
    if section is None:
        raise InputError(N_("Velg hvilket avsnitt i programmet som svarer på dette."))
    if request.form.get("theme", type=int):
        programme.link_theme(committee, section, request.form.get("theme", type=int))
    else:
        programme.link_input(committee, section, id_of(request.form.get("input", "")) or 0)
    flash(gettext("Knyttet til «%(section)s».", section=section.title), "success")
    return back()


@bp.post("/program/<int:section_id>/lenke/<int:link_id>/slett")
@roles_required(Role.COMMITTEE)
def unlink(section_id: int, link_id: int):
    committee = committees.committee_for(current_user)
    programme.unlink(_section(committee, section_id), link_id)
    return redirect(url_for("committee.programme") + f"#avsnitt-{section_id}")


@bp.route("/rapport", methods=["GET", "POST"])
@roles_required(Role.COMMITTEE)
def report():
    """A preview of "Dette hørte vi – dette gjorde vi", and publishing it to the members."""
    committee = committees.committee_for(current_user)
    title, intro = request.form.get("title", ""), request.form.get("intro", "")
    confirming = False
    if request.method == "POST":
        try:
            programme.checked(title, intro)
            if request.form.get("confirm") == "1":
                published = programme.publish(committee, title, intro)
                flash(gettext("Rapporten er publisert for medlemmene."), "success")
                return redirect(url_for("reports.show", report_id=published.id))
            # First press: show exactly what members will read, and ask again.
            confirming = True
        except InputError as err:
            flash_error(err)
    content = programme.report_content(committee)
    return render_template("committee/report.html", committee=committee, content=content,
                           reports=programme.published(committee.organisation_id), topic_label=topic_label, query="",
                           title=title or gettext("Dette hørte vi – dette gjorde vi"), intro=intro,
                           confirming=confirming, unnamed=programme.unnamed(committee))
