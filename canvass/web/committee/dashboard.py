"""The dashboard: what people raised, where and when, with charts and a district map."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from htmx_flask import request

from canvass.formatting import format_percent
from canvass.insight import charts
from canvass.insight.suppress import K
from canvass.models import Role
from canvass.services.committee import committees, coverage
from canvass.services.committee.committees import Filters
from canvass.typed import row_id
from canvass.web.access import roles_required
from canvass.web.committee import bp
from canvass.web.committee.filters import SORTS, area_choices, filtered
from canvass.web.committee.pictures import label, per_thousand, pictures, reach_text, topic_label


@bp.get("/")
@roles_required(Role.COMMITTEE)
def dashboard():
    """What residents raised in the committee's scope, filtered, as charts, a map and tables."""
    committee, names, form, filters = filtered()
    sort = form.sort.data if form.sort.data in SORTS else "residents"
    board = committees.dashboard(committee, filters, by=sort)
    found = coverage.coverage(committee, filters)
    return render_template(
        "committee/dashboard.html",
        committee=committee,
        form=form,
        board=board,
        names=names,
        sorted_by=SORTS[sort],
        held_back=committees.held_back_share(committee),
        pictures=pictures(committee, board, names, found),
        coverage=found,
        reach_text=reach_text,
        per_thousand=per_thousand,
        label=label,
        topic_label=topic_label,
        query=request.query_string.decode(),
    )


@bp.get("/sammenlign")
@roles_required(Role.COMMITTEE)
def compare():
    """Two areas side by side: the same filters, each area's own ranking."""
    committee, names, form, filters = filtered()
    areas = area_choices(committee, names)["area"][1:]
    picked = [request.args.get("a", ""), request.args.get("b", "")]
    sides, colours, order = [], None, committees.topic_order(committee)
    offered = {c.value: c.label for c in areas}
    for value in picked:
        kind, _, key = value.partition(":")
        if value not in offered:  # only the areas the page offers: a branch committee's own, not another's
            sides.append(None)
            continue
        narrowed = Filters(
            **{
                **vars(filters),
                "district": key if kind == "d" else None,
                "branch_id": row_id(key) if kind == "b" else None,
            }
        )
        board = committees.dashboard(committee, narrowed)
        name = offered[value]
        # Both sides colour a topic alike: the first side's ranking, then the second's other topics.
        seen = colours or {}
        colours = charts.topic_colours([*seen, *(r.topic for r in board.ranking if r.topic not in seen)], order)
        sides.append(
            (
                name,
                board,
                charts.bars(
                    [(topic_label(r.topic), r.share * 100, format_percent(r.share)) for r in board.ranking],
                    gettext("Temaer i %(area)s, andel av innspillene", area=name),
                    colours=colours,
                ),
                reach_text(coverage.coverage(committee, narrowed).scope),
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
