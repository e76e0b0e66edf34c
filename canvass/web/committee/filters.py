"""The committee's filters: one form read the same way by the dashboard, the input list and the exports.

Periods snap to whole weeks and areas are districts or branches only, so no filter can narrow a
figure below the k-anonymity cells (canvass/insight/cells.py).
"""
from datetime import date, timedelta

from flask import abort
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from htmx_flask import request
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import DateField, SelectField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from canvass import clock
from canvass.extensions import db
from canvass.insight import cells
from canvass.insight.tally import week_of
from canvass.models import Campaign
from canvass.services.committee import committees
from canvass.services.committee.committees import WHOLE, Filters
from canvass.typed import row_id
from canvass.web.committee import bp

SORTS = {"residents": _l("Hvor mange"), "importance": _l("Hvor viktig")}


class ManyOptions(widgets.Select):
    """WTForms' select, with plain options written directly: the filters list hundreds of postal codes and
    actions, and WTForms' general attribute writer costs tens of microseconds an option."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        return Markup(
            f'<option {selected}value="{escape(choice.value)}">{escape(choice.label or choice.value)}</option>'
        )


class FilterForm(FlaskForm):
    """The dashboard's filters; a GET form, so a filtered view is a link that can be shared and exported."""

    class Meta:
        csrf = False

    campaign = SelectField(_l("Kampanje"), widget=ManyOptions(), validators=[Optional()], validate_choice=False)
    area = SelectField(_l("Område"), widget=ManyOptions(), validators=[Optional()], validate_choice=False)
    start = DateField(_l("Fra dato"), validators=[Optional()])
    end = DateField(_l("Til dato"), validators=[Optional()])
    topic = SelectField(_l("Tema"), widget=ManyOptions(), validators=[Optional()], validate_choice=False)
    sort = SelectField(
        _l("Ranger etter"),
        choices=[SelectChoice(k, v) for k, v in SORTS.items()],
        default="residents",
        validate_choice=False,
    )


@bp.app_template_global()
def next_week_read() -> date:
    """The Monday what comes in now is read from (at 01:00, cells.READ_AFTER): it is filed under this week at the
    earliest (cells.filed_week), and a committee reads only weeks that are over."""
    return week_of(clock.utcnow()) + timedelta(days=7)


def area_choices(committee, names) -> dict[str, list]:
    organisation = committee.organisation_id
    everything = [SelectChoice("", gettext("Alle"))]
    campaigns = db.session.execute(
        select(Campaign.id, Campaign.name)
        .where(Campaign.organisation_id == organisation)
        .order_by(Campaign.starts_on.desc())
    ).all()
    # Only topics that some visible atom holds: a topic raised by one resident is not even named.
    counted = committees.sums(committee, Filters()).get(WHOLE, {})
    topics = sorted((t for t in counted if t), key=lambda t: (-counted[t].residents, t))
    names = committees.areas_to_choose(committee, names)
    areas = [
        SelectChoice(f"d:{number}", gettext("Bydel %(name)s", name=name)) for number, name in names["district"].items()
    ]
    if committee.branch_id is None:
        areas += [
            SelectChoice(f"b:{branch_id}", gettext("Lag %(name)s", name=name))
            for branch_id, name in names["branch"].items()
        ]
    # No postal codes: they are finer than the cells a committee reads (canvass.insight.cells).
    return {
        "campaign": everything + [SelectChoice(str(i), name) for i, name in campaigns],
        "area": everything + areas,
        "topic": everything + [SelectChoice(t, t) for t in topics],
    }


def _filters(form: FilterForm) -> Filters:
    kind, _, value = (form.area.data or "").partition(":")
    return Filters(
        campaign_id=row_id(form.campaign.data),
        district=value if kind == "d" else None,
        branch_id=row_id(value) if kind == "b" else None,
        start=form.start.data,
        end=form.end.data,
        topic=form.topic.data or None,
    )


def read_filters() -> tuple[FilterForm, Filters]:
    """The filter form read from the query string, and the filters it gives; without its choices.

    The period is widened to whole weeks and shown so in the form. An area the committee cannot
    choose (a postal code, or anything else) is refused with 400: it would cut a cell.
    """
    form = FilterForm(request.args)
    form.validate()
    kind, _, value = (form.area.data or "").partition(":")
    if form.area.data and (kind not in ("d", "b") or not value):
        abort(400, gettext("Velg en bydel eller et lag. Postnummer er for små områder til å vise for seg."))
    form.start.data, form.end.data = cells.snap(form.start.data, form.end.data)
    # The form shows the widened dates, not the ones typed (WTForms shows raw input first).
    form.start.raw_data = form.end.raw_data = None
    return form, _filters(form)


def filtered(choices: bool = True):
    """The committee, its area names, its filter form (with the choices to render it), and the filters."""
    committee = committees.committee_for(current_user)
    names = committees.area_names(committee)
    form, filters = read_filters()
    if choices:
        for name, options in area_choices(committee, names).items():
            form[name].choices = options
    return committee, names, form, filters
