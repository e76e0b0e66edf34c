"""The committee's pictures: row names, the topic chart, weeks over time and the district map, drawn
once for the page and the PDF alike.
"""
from functools import lru_cache

from flask_babel import format_decimal, gettext, ngettext
from sqlalchemy import select

from canvass.extensions import db
from canvass.formatting import format_percent, format_tenths
from canvass.geo import geometry
from canvass.insight import charts
from canvass.insight.suppress import OTHER
from canvass.models import Branch, BranchPostalCode, District, PostalArea
from canvass.services.committee import committees
from canvass.services.committee.committees import WHOLE


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


def _postal_shapes(committee) -> tuple[tuple[str, str], ...]:
    """The postal codes of the committee's territory (every branch's, or its own branch's) that have a polygon."""
    codes = select(BranchPostalCode.postnummer).join(Branch, Branch.id == BranchPostalCode.branch_id).where(
        Branch.organisation_id == committee.organisation_id)
    if committee.branch_id is not None:
        codes = codes.where(Branch.id == committee.branch_id)
    return tuple(db.session.execute(
        select(PostalArea.postnummer, PostalArea.geometry)
        .where(PostalArea.postnummer.in_(codes), PostalArea.geometry.is_not(None))
        .order_by(PostalArea.postnummer)).all())


def _shapes(committee) -> tuple[tuple[str, str], ...]:
    return tuple(
        (number, text)
        for number, text in db.session.execute(
            select(District.number, District.geometry)
            .where(District.kommunenummer.in_(committee.organisation.kommunenummer))
            .order_by(District.number)
        )
    )


def per_thousand(value: float | None) -> str:
    """Conversations per 1,000 dwellings as the page, the PDF and the files print it: one decimal."""
    return "–" if value is None else format_tenths(value)


def reach_text(reach) -> str:
    """What a ranking rests on: "basert på 12 samtaler i et område med 2 400 boliger"."""
    text = ngettext("basert på %(num)s samtale i et område med %(dwellings)s boliger",
                    "basert på %(num)s samtaler i et område med %(dwellings)s boliger",
                    reach.conversations or 0, dwellings=format_decimal(reach.dwellings))
    if reach.per_thousand is not None:
        text += " " + gettext("(%(rate)s per 1 000 boliger)", rate=per_thousand(reach.per_thousand))
    if reach.estimated:
        text += " " + gettext("– antall boliger er delvis anslått")
    return text


def _reach_map(committee, found, names):
    """Conversations per 1,000 dwellings per district: where the committee heard many, and where almost nobody."""
    shapes = _shapes(committee)
    if committee.branch_id is not None and found is not None:  # a branch committee's own bydeler only
        shapes = tuple(shape for shape in shapes if shape[0] in found.districts)
    if not shapes or found is None:
        return None, []
    paths, height = _outlines(shapes)
    rates = {number: reach.per_thousand for number, reach in found.districts.items() if number in paths}
    most = max((rate for rate in rates.values() if rate), default=0)
    fills, tips = {}, {}
    for number in paths:
        name = names["district"].get(number, number)
        rate = rates.get(number)
        if rate is None:
            tips[number] = gettext("%(area)s: ingen boliger eller samtaler å regne på", area=name)
            continue
        fills[number] = charts.shade(rate, most) if rate else charts.BLUES[0]
        reach = found.districts[number]
        tips[number] = gettext(
            "%(area)s: %(rate)s samtaler per 1 000 boliger (%(num)s samtaler, %(dwellings)s boliger)",
            area=name, rate=per_thousand(rate), num=format_decimal(reach.conversations or 0),
            dwellings=format_decimal(reach.dwellings))
    title = gettext("Samtaler per 1 000 boliger, per bydel")
    step = most / len(charts.BLUES) if most else 0
    legend = [(charts.BLUES[i], per_thousand(step * i) + "–" + per_thousand(step * (i + 1)))
              for i in range(len(charts.BLUES))] if most else []
    legend.append((charts.NO_DATA, gettext("Ingen boliger registrert")))
    return charts.choropleth(paths, height, fills, tips, title), legend


def share_map(committee, names, shares: dict[str, float | None], tip, title: str, no_data: str,
              show=format_percent, kind: str = "district"):
    """Districts (or with `kind` "postnummer", the territory's postal codes) coloured in classes by a share (or
    any value from 0 up), each with the tooltip `tip(number, name, value)`; an area missing from `shares` is
    grey (value False), and None is the lightest class. The dashboard's topic map and the answers' maps are
    all this one."""
    shapes = _postal_shapes(committee) if kind == "postnummer" else _shapes(committee)
    if committee.branch_id is not None:  # a branch committee's map is its own areas, not a city of grey "too few"
        own = committees.areas_to_choose(committee, names)[kind]
        shapes = tuple(shape for shape in shapes if shape[0] in own)
    if not shapes:
        return None, []
    paths, height = _outlines(shapes)
    most = max((v for n, v in shares.items() if n in paths and v is not None), default=0)
    fills, tips = {}, {}
    for number in paths:
        name = names[kind].get(number, number)
        if number not in shares:
            tips[number] = tip(number, name, False)
            continue
        value = shares[number]
        fills[number] = charts.BLUES[0] if value is None else charts.shade(value, most)
        tips[number] = tip(number, name, value)
    steps = len(charts.BLUES)
    legend = [(charts.BLUES[i], show(most * i / steps) + "–" + show(most * (i + 1) / steps)) for i in range(steps)]
    legend.append((charts.NO_DATA, no_data))
    return charts.choropleth(paths, height, fills, tips, title), legend


def _district_map(committee, board, names):
    if not board.topic:
        return None, []

    def tip(number, name, share):
        if share is False:
            return gettext("%(area)s: for få innspill til å vise", area=name)
        if share is None:
            return gettext("%(area)s: færre enn %(k)s nevnte %(topic)s", area=name, k=committee.k, topic=board.topic)
        return gettext("%(area)s: %(share)s nevnte %(topic)s", area=name, share=format_percent(share),
                       topic=board.topic)
    return share_map(committee, names, {s.area: s.share for s in board.shares}, tip,
                     gettext("Andel som nevnte %(topic)s, per bydel", topic=board.topic), gettext("For få innspill"))


def pictures(committee, board, names, found=None) -> dict:
    """The dashboard's charts and maps, drawn for the page and the PDF alike; `found` is the coverage."""
    colours = charts.topic_colours([r.topic for r in board.ranking], committees.topic_order(committee))
    ranking = charts.bars(
        [(topic_label(r.topic), r.residents, format_decimal(r.residents)) for r in board.ranking],
        gettext("Temaer etter hvor mange som tok dem opp"),
        colours=colours,
    )
    week_keys = [key for key, _, _ in board.weeks.rows]
    series = {topic: [cells.get(topic) for _, _, cells in board.weeks.rows] for topic in board.topics[:5]}
    over_time = charts.lines(series, [str(week) for _, week in week_keys], gettext("Temaer per uke"),
                             colours=colours)
    district_map, legend = _district_map(committee, board, names)
    reach_map, reach_legend = _reach_map(committee, found, names)
    return {"ranking": ranking, "weeks": over_time, "map": district_map, "legend": legend,
            "reach_map": reach_map, "reach_legend": reach_legend}
