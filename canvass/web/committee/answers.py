"""The door questions' answers for a committee: each question's distribution for the filtered scope, by
area and over time, as charts and tables, and as CSV, Excel and PDF; nothing for fewer than k residents."""
from datetime import date

from flask import Response, abort, render_template, request
from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l

from canvass.formatting import format_percent, format_tenths
from canvass.insight import charts
from canvass.insight.export import Sheet, to_csv, to_xlsx
from canvass.insight.suppress import OTHER
from canvass.models import Question, Role
from canvass.services.committee import answer_figures, committee_pdf, committees
from canvass.typed import row_id
from canvass.web.access import roles_required
from canvass.web.committee import bp
from canvass.web.committee.exports import MIMETYPES, _described
from canvass.web.committee.filters import filtered
from canvass.web.committee.pictures import label, share_map
from canvass.web.questions import KIND_LABELS, YES_NO_LABELS

BY_LABELS = {"all": _l("Hele utvalget"), "postnummer": _l("Per postnummer"), "district": _l("Per bydel"),
             "branch": _l("Per lag"), "week": _l("Per uke")}


# What the answer map can be drawn per.
MAP_BY = {"district": _l("Per bydel"), "postnummer": _l("Per postnummer")}


def value_label(question: Question, value: str) -> str:
    if question.kind == "yes_no":
        return str(YES_NO_LABELS.get(value, value))
    if question.kind == "scale":
        ends = {"1": question.low_label, "5": question.high_label}
        return f"{value} ({ends[value]})" if value in ends else value
    return dict(question.numbered_options).get(value, value)


def group_label(by: str, key, names: dict) -> str:
    if key == OTHER:
        return gettext("Andre (små grupper)")
    if by == "all":
        return gettext("Alle som svarte")
    if by == "week":
        return label("weeks", date.fromisoformat(str(key)).isocalendar()[:2], names) if key else gettext("Ukjent")
    if by == "branch":
        return label("branch", row_id(str(key)) or key, names)
    if by == "postnummer":
        return names["postnummer"].get(key, key) if key else gettext("Uten område")
    return label("district", key, names) if key else gettext("Uten område")


def _action_id() -> int | None:
    value = request.args.get("aksjon", "")
    return row_id(value)


def _shares(question: Question, group) -> list:
    """A group's share of each answer (empty where held back and not known), and the share whose answers are held
    back."""
    shares = [None if group.hidden(v) else group.share(v) for v in answer_figures.values_of(question)]
    return shares + ([group.held_share] if question.kind != "text" else [])


def _share_columns(question: Question) -> list[str]:
    return [value_label(question, v) for v in answer_figures.values_of(question)] + (
        [gettext("Holdt tilbake")] if question.kind != "text" else [])


def _sheet(distribution, names) -> Sheet:
    question, by = distribution.question, distribution.by
    columns = _share_columns(question)
    header = [str(BY_LABELS[by]) if by != "all" else gettext("Utvalg"), gettext("Svarte"), *columns]
    rows = [[group_label(by, g.key, names), g.residents, *_shares(question, g)] for g in distribution.groups]
    return Sheet(question.text[:31], header, rows, percent=tuple(range(2, 2 + len(columns))))


def _bar(group, value: str, label: str) -> tuple:
    """One bar of a group's share of an answer; an answer held back is an empty bar marked «–»."""
    if group.hidden(value):
        return label, 0, "–"
    return label, group.share(value) * 100, format_percent(group.share(value))


def _chart(distribution, names):
    """Bars of the whole scope's answers, or a line per answer over the weeks."""
    question = distribution.question
    if not distribution.groups or question.kind == "text":
        return ""
    if distribution.by == "week":
        weeks = [g for g in distribution.groups if g.key != OTHER]
        return charts.lines({value_label(question, v): [None if g.hidden(v) else g.share(v) * 100 for g in weeks]
                             for v in distribution.values},
                            [group_label("week", g.key, names) for g in weeks],
                            gettext("Svar på «%(question)s» over tid, andel", question=question.text))
    whole = distribution.groups if distribution.by == "all" else []
    if not whole:
        return charts.bars(
            [_bar(g, distribution.values[0], group_label(distribution.by, g.key, names))
             for g in distribution.groups],
            gettext("Andel som svarte «%(answer)s»", answer=value_label(question, distribution.values[0])))
    group = whole[0]
    return charts.bars([_bar(group, v, value_label(question, v)) for v in distribution.values],
                       gettext("Svar på «%(question)s», andel", question=question.text))


def _question(committee, question_id: int) -> Question:
    question = answer_figures.question_in(committee, question_id)
    if question is None:
        abort(404)
    return question


@bp.get("/sporsmal")
@roles_required(Role.COMMITTEE)
def answers():
    """Every question answered in the filtered scope, with its distribution when k residents answered it."""
    committee, names, form, filters = filtered()
    action_id = _action_id()
    shown = answer_figures.wholes(committee, answer_figures.questions_asked(committee, filters, action_id), filters,
                                  action_id)
    return render_template("committee/answers.html", committee=committee, form=form, shown=shown,
                           charts={d.question.id: _chart(d, names) for d in shown}, names=names,
                           actions=answer_figures.action_choices(committee), action_id=action_id,
                           kinds=KIND_LABELS, value_label=value_label, query=request.query_string.decode())


def _default_area(names: dict) -> str:
    """By district where the organisation has districts (Oslo's bydeler); a kommune without them by postal code."""
    return "district" if names["district"] else "postnummer"


@bp.get("/sporsmal/<int:question_id>")
@roles_required(Role.COMMITTEE)
def answer(question_id: int):
    """One question's answers by area or week."""
    committee, names, form, filters = filtered()
    question = _question(committee, question_id)
    by = request.args.get("per", _default_area(names))
    if by not in BY_LABELS:
        abort(400)
    action_id = _action_id()
    distribution = answer_figures.distribution(committee, question, filters, by, action_id)
    texts, text_total = answer_figures.free_texts(committee, question, filters, action_id)
    return render_template("committee/answer.html", committee=committee, form=form, question=question,
                           distribution=distribution, chart=_chart(distribution, names), names=names, by=by,
                           texts=texts, text_total=text_total,
                           by_labels=BY_LABELS, group_label=group_label, value_label=value_label,
                           actions=answer_figures.action_choices(committee), action_id=action_id,
                           kinds=KIND_LABELS, query=request.query_string.decode())


@bp.get("/sporsmal/<int:question_id>/eksport.<kind>")
@roles_required(Role.COMMITTEE)
def answer_export(question_id: int, kind: str):
    """The question's answers in the filtered scope, for the whole and per district, branch, postal code and week."""
    if kind not in MIMETYPES:
        abort(404)
    committee, names, form, filters = filtered()
    question = _question(committee, question_id)
    action_id = _action_id()
    wanted = [by for by in BY_LABELS if not (by == "branch" and committee.branch_id is not None)]
    if kind == "csv":
        # A CSV holds one grouping: only that one is counted.
        per = request.args.get("per", "all")
        wanted = [per if per in wanted else "all"]
    found = answer_figures.distributions(committee, question, filters, wanted, action_id)
    sheets = [_sheet(found[by], names) for by in wanted]
    for sheet, by in zip(sheets, wanted, strict=True):
        sheet.title = str(BY_LABELS[by])
    if kind == "csv":
        body = to_csv(sheets[0])
    elif kind == "xlsx":
        body = to_xlsx(sheets)
    else:
        lines = [*_described(form, committee), question.text]
        if not found["all"].shown:
            lines.append(gettext("Færre enn %(k)s har svart: ingen fordeling vises.", k=committee.k))
        body = committee_pdf.render(
            gettext("Svar på «%(question)s»", question=question.text), lines,
            [(str(BY_LABELS[by]), _chart(found[by], names) or None, sheet) for by, sheet in zip(wanted, sheets,
                                                                                                   strict=True)])
    response = Response(body, mimetype=MIMETYPES[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="svar-{question.id}.{kind}"'
    return response


def _sides(committee, names) -> list[tuple[str, str]]:
    """The areas a question can be compared in: districts, branches (for the county) and postal codes."""
    names = committees.areas_to_choose(committee, names)
    areas = [(f"d:{number}", gettext("Bydel %(name)s", name=name)) for number, name in names["district"].items()]
    if committee.branch_id is None:
        areas += [(f"b:{i}", gettext("Lag %(name)s", name=name)) for i, name in names["branch"].items()]
    return areas + [(f"p:{code}", name) for code, name in sorted(names["postnummer"].items())]


def _compared(question_id: int):
    committee, names, form, filters = filtered()
    question = _question(committee, question_id)
    areas = _sides(committee, names)
    picked = [request.args.get("a", ""), request.args.get("b", "")]
    action_id = _action_id()
    sides, postal = [], {}
    for side in picked:
        name = dict(areas).get(side)
        sides.append(None if name is None else
                     (name, answer_figures.compare(committee, question, filters, side, action_id, postal)))
    return committee, names, form, question, areas, picked, sides, action_id


@bp.get("/sporsmal/<int:question_id>/sammenlign")
@roles_required(Role.COMMITTEE)
def answer_compare(question_id: int):
    """Two areas' answers side by side, each from visible atoms only: a side under k says so and shows nothing."""
    committee, names, form, question, areas, picked, sides, action_id = _compared(question_id)
    values = answer_figures.values_of(question)
    bars = {i: charts.bars([_bar(s[1], v, value_label(question, v)) for v in values],
                           gettext("Svar i %(area)s, andel", area=s[0]))
            for i, s in enumerate(sides) if s and s[1] and question.kind != "text"}
    return render_template("committee/answer_compare.html", committee=committee, form=form, question=question,
                           areas=areas, picked=picked, sides=sides, bars=bars, values=values,
                           value_label=value_label, actions=answer_figures.action_choices(committee),
                           action_id=action_id, kinds=KIND_LABELS, query=request.query_string.decode())


@bp.get("/sporsmal/<int:question_id>/sammenlign.<kind>")
@roles_required(Role.COMMITTEE)
def answer_compare_export(question_id: int, kind: str):
    """The comparison as CSV or Excel: one row per area shown; an area under k is left out."""
    if kind not in ("csv", "xlsx"):
        abort(404)
    committee, names, form, question, areas, picked, sides, action_id = _compared(question_id)
    columns = _share_columns(question)
    header = [gettext("Område"), gettext("Svarte"), *columns]
    rows = [[name, group.residents, *_shares(question, group)] for name, group in filter(None, sides)
            if group is not None]
    sheet = Sheet(question.text[:31], header, rows, percent=tuple(range(2, 2 + len(columns))))
    response = Response(to_csv(sheet) if kind == "csv" else to_xlsx([sheet]), mimetype=MIMETYPES[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="svar-{question.id}-sammenlignet.{kind}"'
    return response


@bp.get("/sporsmal/<int:question_id>/kart")
@roles_required(Role.COMMITTEE)
def answer_map(question_id: int):
    """Per district or per postal code, the share who gave one answer (or a scale's mean), in colour classes;
    under k in grey. By postal code the pieces are the atoms' split (canvass.services.committee.answer_figures): a code
    with no piece of its own is grey, and what the small codes said together is told beside the map."""
    committee, names, form, filters = filtered()
    question = _question(committee, question_id)
    if question.kind == "text":
        abort(404)
    values = answer_figures.values_of(question)
    chosen = request.args.get("svar", "mean" if question.kind == "scale" else values[0])
    if chosen not in values and not (chosen == "mean" and question.kind == "scale"):
        abort(400)
    per = request.args.get("per", _default_area(names))
    if per in BY_LABELS and per not in MAP_BY:  # the question's page links here with its grouping (branch, week)
        per = _default_area(names)
    if per not in MAP_BY:
        abort(400)
    action_id = _action_id()
    by_area = answer_figures.distribution(committee, question, filters, per, action_id)
    measure = (lambda g: g.mean) if chosen == "mean" else (lambda g: g.share(chosen))
    # An area where answers are held back is grey: its share would count them as not giving the answer.
    held = {g.key: g for g in by_area.groups if g.held}
    shares = {g.key: measure(g) for g in by_area.groups if g.key and g.key != OTHER and g.key not in held}
    residents = {g.key: g.residents for g in by_area.groups}
    what = gettext("snitt") if chosen == "mean" else value_label(question, chosen)
    show = format_tenths if chosen == "mean" else format_percent

    def tip(number, name, value):
        if number in held and (chosen == "mean" or held[number].hidden(chosen)):
            return gettext("%(area)s: svarene er holdt tilbake, færre enn %(k)s ga et av dem (%(num)s svarte)",
                           area=name, k=committee.k, num=format_decimal(residents[number]))
        if number in held:
            return gettext("%(area)s: %(share)s svarte «%(answer)s», og svarene fra %(held)s er holdt tilbake "
                           "(%(num)s svarte)", area=name, share=show(measure(held[number])), answer=what,
                           held=format_decimal(held[number].held), num=format_decimal(residents[number]))
        if value is False and per == "postnummer":
            return gettext("%(area)s: for få svarte til å vises for seg (telt med i «andre» eller holdt tilbake)",
                           area=name)
        if value is False:
            return gettext("%(area)s: færre enn %(k)s svarte", area=name, k=committee.k)
        if chosen == "mean":
            return gettext("%(area)s: snitt %(mean)s (%(num)s svarte)", area=name, mean=show(value),
                           num=format_decimal(residents[number]))
        return gettext("%(area)s: %(share)s svarte «%(answer)s» (%(num)s svarte)", area=name, share=show(value),
                       answer=what, num=format_decimal(residents[number]))
    if per == "postnummer":
        title = gettext("«%(answer)s» på «%(question)s», per postnummer", answer=what, question=question.text)
        no_data = gettext("Færre enn %(k)s svarte, telt med i «andre» eller holdt tilbake", k=committee.k)
    else:
        title = gettext("«%(answer)s» på «%(question)s», per bydel", answer=what, question=question.text)
        no_data = gettext("Færre enn %(k)s svarte, eller svarene holdt tilbake", k=committee.k)
    drawn, legend = share_map(committee, names, shares, tip, title, no_data, show=show, kind=per)
    rest = next((g for g in by_area.groups if g.key == OTHER), None)
    if rest is not None:
        residents[OTHER] = rest.residents
        rest = tip(OTHER, gettext("Andre (små grupper)"), measure(rest))
    choices = ([("mean", gettext("Snitt"))] if question.kind == "scale" else []) + \
        [(v, value_label(question, v)) for v in values]
    return render_template("committee/answer_map.html", committee=committee, form=form, question=question,
                           drawn=drawn, legend=legend, choices=choices, chosen=chosen, per=per, rest=rest,
                           map_by=MAP_BY,
                           actions=answer_figures.action_choices(committee), action_id=action_id,
                           kinds=KIND_LABELS, query=request.query_string.decode())
