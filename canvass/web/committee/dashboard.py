"""The dashboard: what people raised, where and when, with charts and a district map."""
from functools import lru_cache

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal, format_percent, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from htmx_flask import request
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import DateField, SelectField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from canvass.extensions import db
from canvass.geo import geometry
from canvass.insight import cells, charts
from canvass.insight.suppress import OTHER, K
from canvass.models import Campaign, District, Role
from canvass.services import committees
from canvass.services.committees import WHOLE, Filters
from canvass.web.access import roles_required
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


def _choices(committee, names) -> dict[str, list]:
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
    number = lambda text: int(text) if text and text.isdigit() else None  # noqa: E731
    return Filters(
        campaign_id=number(form.campaign.data),
        district=value if kind == "d" else None,
        branch_id=number(value) if kind == "b" else None,
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
        for name, options in _choices(committee, names).items():
            form[name].choices = options
    return committee, names, form, filters


def label(kind: str, key, names: dict) -> str:
    """A table row's name: an area, a week, a campaign, or what small groups were counted as."""
    if kind == "weeks":
        return gettext("Uke %(week)s %(year)s", week=key[1], year=key[0])
    if key == WHOLE and kind == "district":
        return gettext("Uten område")
    if key == WHOLE:
        return gettext("Øvrige")
    if not key:
        return {"branch": gettext("Uten lag"), "campaign": gettext("Uten kampanje")}.get(kind, gettext("Ukjent"))
    return names.get(kind, {}).get(key, str(key))


def topic_label(topic: str) -> str:
    return gettext("annet (små grupper)") if topic == OTHER else topic


@lru_cache(maxsize=16)
def _outlines(districts: tuple[tuple[str, str], ...]) -> tuple[dict[str, str], float]:
    """The districts' map outlines, drawn once per set of district geometries rather than on every view."""
    return geometry.svg_outlines({number: geometry.from_geojson(text) for number, text in districts}, 640)


def _district_map(committee, board, names):
    shapes = tuple(
        (number, text)
        for number, text in db.session.execute(
            select(District.number, District.geometry)
            .where(District.kommunenummer.in_(committee.organisation.kommunenummer))
            .order_by(District.number)
        )
    )
    if not shapes or not board.topic:
        return None, []
    paths, height = _outlines(shapes)
    shown = {s.area: s for s in board.shares if s.area in paths}
    most = max((s.share for s in shown.values() if s.share is not None), default=0)
    fills, tips = {}, {}
    for number in paths:
        share = shown.get(number)
        name = names["district"].get(number, number)
        if share is None:
            tips[number] = gettext("%(area)s: for få innspill til å vise", area=name)
        elif share.share is None:
            fills[number] = charts.BLUES[0]
            tips[number] = gettext(
                "%(area)s: færre enn %(k)s nevnte %(topic)s", area=name, k=committee.k, topic=board.topic
            )
        else:
            fills[number] = charts.shade(share.share, most)
            tips[number] = gettext(
                "%(area)s: %(share)s nevnte %(topic)s", area=name, share=format_percent(share.share), topic=board.topic
            )
    title = gettext("Andel som nevnte %(topic)s, per bydel", topic=board.topic)
    legend = [
        (
            charts.BLUES[i],
            format_percent(most * i / len(charts.BLUES)) + "–" + format_percent(most * (i + 1) / len(charts.BLUES)),
        )
        for i in range(len(charts.BLUES))
    ]
    legend.append((charts.NO_DATA, gettext("For få innspill")))
    return charts.choropleth(paths, height, fills, tips, title), legend


def pictures(committee, board, names) -> dict:
    """The dashboard's charts and map, drawn for the page and the PDF alike."""
    ranking = charts.bars(
        [(topic_label(r.topic), r.residents, format_decimal(r.residents)) for r in board.ranking],
        gettext("Temaer etter hvor mange som tok dem opp"),
        highlight=board.topic,
    )
    week_keys = [key for key, _, _ in board.weeks.rows]
    series = {topic: [cells.get(topic) for _, _, cells in board.weeks.rows] for topic in board.topics[:5]}
    over_time = charts.lines(series, [str(week) for _, week in week_keys], gettext("Temaer per uke"))
    district_map, legend = _district_map(committee, board, names)
    return {"ranking": ranking, "weeks": over_time, "map": district_map, "legend": legend}


@bp.get("/")
@roles_required(Role.COMMITTEE)
def dashboard():
    """What residents raised in the committee's scope, filtered, as charts, a map and tables."""
    committee, names, form, filters = filtered()
    sort = form.sort.data if form.sort.data in SORTS else "residents"
    board = committees.dashboard(committee, filters, by=sort)
    return render_template(
        "committee/dashboard.html",
        committee=committee,
        form=form,
        board=board,
        names=names,
        sorted_by=SORTS[sort],
        held_back=committees.held_back_share(committee),
        pictures=pictures(committee, board, names),
        label=label,
        topic_label=topic_label,
        query=request.query_string.decode(),
    )


@bp.get("/sammenlign")
@roles_required(Role.COMMITTEE)
def compare():
    """Two areas side by side: the same filters, each area's own ranking."""
    committee, names, form, filters = filtered()
    areas = _choices(committee, names)["area"][1:]
    picked = [request.args.get("a", ""), request.args.get("b", "")]
    sides = []
    for value in picked:
        kind, _, key = value.partition(":")
        if kind not in ("d", "b") or not key:
            sides.append(None)
            continue
        narrowed = Filters(
            **{
                **vars(filters),
                "district": key if kind == "d" else None,
                "branch_id": int(key) if kind == "b" and key.isdigit() else None,
            }
        )
        board = committees.dashboard(committee, narrowed)
        name = next((c.label for c in areas if c.value == value), value)
        sides.append(
            (
                name,
                board,
                charts.bars(
                    [(topic_label(r.topic), r.share * 100, format_percent(r.share)) for r in board.ranking],
                    gettext("Temaer i %(area)s, andel av innspillene", area=name),
                ),
            )
        )
    return render_template(
        "committee/compare.html",
        committee=committee,
        form=form,
        areas=areas,
        picked=picked,
        sides=sides,
        topic_label=topic_label,
    )


@bp.post("/k")
@roles_required(Role.COMMITTEE)
def set_k():
    """Raise the smallest group the committee is shown numbers for; it can never go below the rule's 5."""
    committee = committees.committee_for(current_user)
    k = request.form.get("k", type=int)
    try:
        committees.set_k(committee, k if k is not None else 0)
        flash(gettext("Tall vises nå bare for grupper på minst %(k)s.", k=committee.k), "success")
    except ValueError:
        flash(gettext("Minste gruppe må være et helt tall på minst %(k)s.", k=K), "error")
    return redirect(url_for("committee.dashboard"))
