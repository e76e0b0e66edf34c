"""What a committee should see of the generated input, worked out here cell by cell (docs/committees.md).

A cell is one campaign, branch, district and Oslo week; a cell, or a cell's residents on one
topic, with fewer than k residents is held back. The tests compare the app's figures with this.
"""
from collections import Counter
from collections.abc import Callable, Iterable

from sqlalchemy import select

from canvass.extensions import db
from canvass.insight.tally import week_of
from canvass.models import Action


def _cells() -> Callable:
    campaign_of = dict(db.session.execute(select(Action.id, Action.campaign_id)).all())
    return lambda item: (campaign_of.get(item.action_id) or 0, item.branch_id or 0, item.district_number or "",
                         week_of(item.recorded_at))


def visible(generated: Iterable, k: int = 5, where: Callable = lambda item: True) -> tuple[int, Counter]:
    """Residents counted, and per topic, among the generated items `where` chooses (whole cells only)."""
    cell, chosen = _cells(), [item for item in generated if where(item)]
    sizes = Counter(cell(item) for item in chosen)
    atoms = Counter((cell(item), topic) for item in chosen for topic in item.topics)
    topics = Counter()
    for (_, topic), n in atoms.items():
        if n >= k:
            topics[topic] += n
    return sum(n for n in sizes.values() if n >= k), topics


def readable(generated: Iterable, topic: str, k: int = 5, where: Callable = lambda item: True) -> int:
    """How many generated items with words on `topic` a committee can read."""
    cell, chosen = _cells(), [item for item in generated if where(item)]
    atoms = Counter(cell(item) for item in chosen if topic in item.topics)
    return sum(1 for item in chosen if topic in item.topics and item.words and atoms[cell(item)] >= k)
