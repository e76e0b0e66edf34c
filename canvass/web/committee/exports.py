"""Any filtered view out of the app: CSV, Excel with a sheet per table, and a PDF report with the charts."""
from flask import Response, abort, request
from flask_babel import format_date, gettext

from canvass.insight.export import XLSX, Sheet, half_up, to_csv, to_xlsx
from canvass.models import Role
from canvass.services.committee import committee_input, committee_pdf, committees, coverage
from canvass.web.access import roles_required
from canvass.web.committee import bp
from canvass.web.committee.filters import filtered
from canvass.web.committee.pictures import label, pictures, reach_text, topic_label

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": XLSX,
             "pdf": "application/pdf"}
INPUT_ROWS = 10000


def _tenths(value: float | None) -> float | None:
    """One decimal kept, rounded as the page rounds it: a cell holds what the page shows."""
    return None if value is None else float(half_up(value, 1))


def _ranking(board) -> Sheet:
    return Sheet(gettext("Temaer"), [gettext("Tema"), gettext("Innspill"), gettext("Andel"),
                                     gettext("Viktighet (1–3)"), gettext("Svært viktig")],
                 [[topic_label(r.topic), r.residents, r.share, _tenths(r.importance), r.strong] for r in board.ranking],
                 percent=(2,), decimal=(3,))


def _coverage(found, names, committee) -> Sheet:
    """Doors, doors knocked and conversations per district, branch and postal code."""
    rows = [[gettext("Hele området"), found.scope]]
    rows += [[label("district", key, names), reach] for key, reach in sorted(found.districts.items())]
    if committee.branch_id is None:
        rows += [[gettext("Lag %(name)s", name=label("branch", key, names)), reach]
                 for key, reach in sorted(found.branches.items())]
    rows += [[names["postnummer"].get(key, key), reach] for key, reach in sorted(found.postal_codes.items())]
    return Sheet(gettext("Dekning"), [gettext("Område"), gettext("Boliger"), gettext("Boliger anslått"),
                                      gettext("Dører banket på"), gettext("Andel banket på"), gettext("Samtaler"),
                                      gettext("Samtaler per 1 000 boliger")],
                 [[name, r.dwellings, gettext("ja") if r.estimated else "", r.knocked, r.knocked_share,
                   r.conversations, _tenths(r.per_thousand)]
                  for name, r in rows],
                 percent=(4,), decimal=(6,))


def _table(table, kind: str, title: str, names) -> Sheet:
    return Sheet(title, [gettext("Område") if kind == "district" else title, gettext("Innspill"),
                         *table.topics, topic_label("annet")],
                 [[label(kind, key, names), total, *(cells[t] for t in [*table.topics, "annet"])]
                  for key, total, cells in table.rows])


def _input(committee, filters, names) -> Sheet | None:
    """The scrubbed input on the chosen topic, theme by theme; only when a topic is chosen."""
    if not filters.topic:
        return None
    rows = [[theme, s.words, ", ".join(s.topics), s.importance, names["district"].get(s.district_number, ""),
             f"{s.week[0]}-{s.week[1]:02d}", ", ".join(s.tags), gettext("ja") if s.considered else ""]
            for theme, s in committee_input.topic_inputs(committee, filters, filters.topic, INPUT_ROWS)]
    return Sheet(gettext("Innspill om %(topic)s", topic=filters.topic)[:31],
                 [gettext("Tema i emnet"), gettext("Hva som ble sagt"), gettext("Temaer"), gettext("Viktighet (1–3)"),
                  gettext("Bydel"), gettext("Uke"), gettext("Merkelapper"), gettext("Vurdert")], rows)


def sheets(committee, board, names, filters, found=None) -> dict[str, Sheet]:
    """Every table of the filtered view by name, in the order the Excel book and the CSV choice use."""
    result = {"ranking": _ranking(board),
              "district": _table(board.districts, "district", gettext("Per bydel"), names),
              "branch": _table(board.branches, "branch", gettext("Per lag"), names),
              "weeks": _table(board.weeks, "weeks", gettext("Per uke"), names),
              "campaign": _table(board.campaigns, "campaign", gettext("Per kampanje"), names)}
    if committee.branch_id is not None:
        del result["branch"]
    if found is not None:
        result["coverage"] = _coverage(found, names, committee)
    found = _input(committee, filters, names)
    if found:
        result["input"] = found
    return result


def _described(form, committee) -> list[str]:
    chosen = [f"{form[name].label.text}: {dict((c.value, c.label) for c in form[name].choices).get(form[name].data)}"
              for name in ("campaign", "area", "topic") if form[name].data]
    chosen += [
        f"{form[name].label.text}: {format_date(form[name].data)}" for name in ("start", "end") if form[name].data
    ]
    return [
        gettext("Filter: %(filters)s", filters="; ".join(chosen) if chosen else gettext("ingen")),
        gettext(
            "Innspill fra grupper med færre enn %(k)s innbyggere er holdt tilbake og telles ikke med.", k=committee.k
        ),
    ]


@bp.get("/eksport.<kind>")
@roles_required(Role.COMMITTEE)
def export(kind: str):
    """The filtered dashboard as a file; a CSV holds one table, `tabell` (the topic ranking by default)."""
    if kind not in MIMETYPES:
        abort(404)
    committee, names, form, filters = filtered()
    board = committees.dashboard(committee, filters, by=form.sort.data or "residents")
    found = coverage.coverage(committee, filters)
    tables = sheets(committee, board, names, filters, found)
    scope = committee.branch.name if committee.branch else committee.organisation.name
    if kind == "csv":
        chosen = request.args.get("tabell", "ranking")
        body = to_csv(tables.get(chosen, tables["ranking"]))
    elif kind == "xlsx":
        body = to_xlsx(list(tables.values()))
    else:
        drawn = pictures(committee, board, names, found)
        sections = [
            (gettext("Temaer folk tok opp"), drawn["ranking"], tables["ranking"]),
            (gettext("Andel som nevnte %(topic)s, per bydel", topic=board.topic or ""), drawn["map"], None),
            (gettext("Over tid"), drawn["weeks"], tables["weeks"]),
            (gettext("Per bydel"), None, tables["district"]),
            (gettext("Samtaler per 1 000 boliger, per bydel"), drawn["reach_map"], tables["coverage"]),
        ]
        body = committee_pdf.render(
            gettext("Hva folk sa i %(scope)s", scope=scope),
            [*_described(form, committee), gettext("Rangeringen er %(reach)s.", reach=reach_text(found.scope))],
            sections
        )
    response = Response(body, mimetype=MIMETYPES[kind])
    response.headers["Content-Disposition"] = f'attachment; filename="innspill.{kind}"'
    return response
