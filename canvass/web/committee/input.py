"""Reading what people said, by topic and theme; naming, merging and splitting themes; tags and "considered"."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from markupsafe import Markup, escape

from canvass.insight import scrub
from canvass.models import JobKind, Role
from canvass.services import jobs
from canvass.services.committee import committee_input, committees, programme
from canvass.typed import row_ids
from canvass.web.access import roles_required
from canvass.web.committee import bp
from canvass.web.committee.filters import filtered, read_filters
from canvass.web.redirects import local_target
from canvass.web.references import id_of
from canvass.web.refusals import refused_to


@bp.app_template_filter("masks")
def masks(text: str) -> Markup:
    """Scrubbed text, escaped, with its masks marked and named in the reader's language."""
    labels = {scrub.NAME_MASK: gettext("navn"), scrub.PHONE_MASK: gettext("telefon"),
              scrub.EMAIL_MASK: gettext("e-post"), scrub.ADDRESS_MASK: gettext("adresse"),
              scrub.NUMBER_MASK: gettext("nummer")}
    return Markup(
        scrub.MASK.sub(lambda m: f'<span class="mask">[{escape(labels[m.group()])}]</span>', str(escape(text)))
    )


@bp.app_template_global()
def theme_name(theme) -> str:
    """A theme's label; the "not sure" pile in the reader's language."""
    return gettext("Ikke sikker") if theme.unsure else theme.label


def back():
    """Back to the page the form was on, with its filters; never to another site."""
    return redirect(back_target())


def back_target(**_view_args) -> str:
    target = local_target(request.form.get("next"))
    return target if target and target.startswith("/komite/") else url_for("committee.input")


def _theme(committee, theme_id):
    theme = committee_input.theme_for(committee, theme_id)
    if theme is None:
        abort(404)
    return theme


def _ids(name: str) -> list[int]:
    return row_ids(request.form.getlist(name))


def _inputs() -> list[int]:
    """The inputs chosen on the page, each named by its reference (canvass/web/references.py)."""
    return [n for n in map(id_of, request.form.getlist("input")) if n is not None]


# Input without a theme shown a page at a time under the themes.
UNTHEMED_PAGE = 20


@bp.get("/innspill", endpoint="input")
@roles_required(Role.COMMITTEE)
def read_input():
    """The topics with input to read, and for the chosen topic its themes with a few examples each."""
    committee, names, form, filters = filtered()
    topics = committee_input.topics(committee, filters)
    topic = filters.topic or (topics[0][0] if topics else None)
    page = max(request.args.get("side", 1, type=int), 1)
    view = committee_input.topic_view(committee, filters, topic, page=page) if topic else None
    pages = (view.theme_count + committee_input.THEMES_PAGE - 1) // committee_input.THEMES_PAGE if view else 0
    merge_into = next((theme for theme, _, _ in view.themes if not theme.unsure), None) if view else None
    loose_page = max(request.args.get("uside", 1, type=int), 1)
    loose, loose_total = (committee_input.unthemed_inputs(committee, filters, topic, loose_page, UNTHEMED_PAGE)
                          if topic else ([], 0))
    return render_template(
        "committee/input.html",
        committee=committee,
        form=form,
        names=names,
        topics=topics,
        topic=topic,
        view=view,
        merge_into=merge_into,
        unsure=sum(n for theme, n, _ in view.themes if theme.unsure) if view else 0,
        move_to=committee_input.choices(committee, topic) if topic else [],
        page=page,
        pages=pages,
        loose=loose,
        loose_page=loose_page,
        loose_pages=(loose_total + UNTHEMED_PAGE - 1) // UNTHEMED_PAGE,
        loose_total=loose_total,
        sections=programme.sections(committee),
        query=request.query_string.decode(),
    )


@bp.get("/temaer/<int:theme_id>")
@roles_required(Role.COMMITTEE)
def theme(theme_id: int):
    """All of a theme's input within the filters, a page at a time."""
    committee, names, form, filters = filtered()
    found = _theme(committee, theme_id)
    page = max(request.args.get("side", 1, type=int), 1)
    said, total = committee_input.theme_inputs(committee, found, filters, page)
    others = [
        t
        for t, _, _ in committee_input.topic_view(committee, filters, found.topic, examples=0, size=None).themes
        if t.id != found.id
    ]
    return render_template(
        "committee/theme.html",
        committee=committee,
        form=form,
        names=names,
        theme=found,
        said=said,
        total=total,
        page=page,
        pages=(total + committee_input.PAGE - 1) // committee_input.PAGE,
        others=[other for other in others if not other.unsure],
        move_to=committee_input.choices(committee, found.topic),
        sections=programme.sections(committee),
        query=request.query_string.decode(),
    )


@bp.post("/temaer/finn")
@roles_required(Role.COMMITTEE)
def find_themes():
    """Group the topic's input that has no theme yet (within the filters) into new themes."""
    committee = committees.committee_for(current_user)
    _, filters = read_filters()
    topic = request.form.get("topic", "")
    if not topic:
        flash(gettext("Velg et emne å finne temaer i."), "error")
        return back()
    # Grouping a county's input takes a quarter of a minute: a job, so the page answers at once.
    job = jobs.start(JobKind.THEMES, current_user, {"committee_id": committee.id, "topic": topic,
                                                    "filters": jobs.filters_params(filters), "back": back().location})
    return redirect(url_for("jobs.show", job_id=job.id), 303)


@bp.post("/temaer/<int:theme_id>/navn")
@roles_required(Role.COMMITTEE)
@refused_to(back_target)
def rename_theme(theme_id: int):
    committee = committees.committee_for(current_user)
    committee_input.rename(_theme(committee, theme_id), request.form.get("label", ""))
    flash(gettext("Temaet har fått nytt navn."), "success")
    return back()


@bp.post("/temaer/<int:theme_id>/slaa-sammen")
@roles_required(Role.COMMITTEE)
@refused_to(back_target)
def merge_themes(theme_id: int):
    committee = committees.committee_for(current_user)
    n = committee_input.merge(committee, _theme(committee, theme_id), _ids("theme"))
    flash(
        ngettext("%(num)s tema er slått sammen med dette.", "%(num)s temaer er slått sammen med dette.", n),
        "success",
    )
    return back()


@bp.post("/temaer/<int:theme_id>/del")
@roles_required(Role.COMMITTEE)
@refused_to(back_target)
def split_theme(theme_id: int):
    committee = committees.committee_for(current_user)
    new = committee_input.split(
        committee, _theme(committee, theme_id), _inputs(), request.form.get("label", "")
    )
    flash(gettext("De valgte innspillene er flyttet til det nye temaet «%(label)s».", label=new.label), "success")
    return back()


@bp.post("/innspill/<ref:conversation_id>/tema")
@roles_required(Role.COMMITTEE)
def move_input(conversation_id: int):
    """Move one input to another theme of its topic: new input on the same matter follows it there."""
    committee = committees.committee_for(current_user)
    target = _theme(committee, request.form.get("theme", 0, type=int))
    if not committee_input.move(committee, conversation_id, target):
        abort(404)
    flash(gettext("Innspillet er flyttet til «%(label)s».", label=theme_name(target)), "success")
    return back()


@bp.post("/temaer/<int:theme_id>/vurdert")
@roles_required(Role.COMMITTEE)
def consider_theme(theme_id: int):
    committee = committees.committee_for(current_user)
    committee_input.set_theme_considered(_theme(committee, theme_id), request.form.get("considered") == "1")
    return back()


@bp.post("/innspill/<ref:conversation_id>/vurdert")
@roles_required(Role.COMMITTEE)
def consider_input(conversation_id: int):
    committee = committees.committee_for(current_user)
    if not committee_input.set_input_considered(committee, conversation_id, request.form.get("considered") == "1"):
        abort(404)
    return back()


@bp.post("/innspill/<ref:conversation_id>/merkelapp")
@roles_required(Role.COMMITTEE)
@refused_to(back_target)
def tag_input(conversation_id: int):
    committee = committees.committee_for(current_user)
    if request.form.get("remove"):
        committee_input.untag(committee, conversation_id, request.form["remove"])
    elif not committee_input.tag(committee, conversation_id, request.form.get("tag", "")):
        abort(404)
    return back()
