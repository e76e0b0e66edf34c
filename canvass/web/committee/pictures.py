"""The committee's pictures: row names, the topic chart, weeks over time and the district map, drawn
once for the page and the PDF alike.
"""
from functools import lru_cache

from flask_babel import format_decimal, format_percent, gettext
from sqlalchemy import select

from canvass.extensions import db
from canvass.geo import geometry
from canvass.insight import charts
from canvass.insight.suppress import OTHER
from canvass.models import District
from canvass.services.committees import WHOLE


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
