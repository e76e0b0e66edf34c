"""What residents said, for a committee to read: scrubbed text grouped by topic and theme, with its marks.

A committee reads the words (with names, numbers and addresses masked), the topics, how important
it was, the district and the week. Never the address, the time of day, a contact or who canvassed.
"""
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import and_, delete, func, select

from canvass.extensions import db
from canvass.geo.errors import N_
from canvass.insight import scrub, themes
from canvass.insight.tally import ALL_TOPICS
from canvass.models import (Address, Committee, ConsideredInput, Conversation,
                            ConversationTopic, InputTag, SectionLink, Tag, Theme, ThemeMember)
from canvass.services import committees
from canvass.services.committees import Filters

PAGE = 50
# The most input clustered in one go; more waits for the next press of the button.
CLUSTER_LIMIT = 20000


class InputError(Exception):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params


@lru_cache(maxsize=4)
def _streets(count: int) -> frozenset[str]:
    return frozenset(db.session.scalars(select(func.lower(Address.street)).distinct()))


def known_streets() -> frozenset[str]:
    """Street names from the address register, to mask "Sannergata 5"-like addresses whatever their ending."""
    return _streets(db.session.scalar(select(func.count(Address.id))))


def _in_topic(committee: Committee, filters: Filters, topic: str):
    return (select(Conversation.id).join(ConversationTopic, ConversationTopic.conversation_id == Conversation.id)
            .where(ConversationTopic.organisation_id == committee.organisation_id, ConversationTopic.topic == topic,
                   Conversation.words != "", *committees.conditions(committee, filters, Conversation)))


@dataclass
class Said:
    id: int
    words: str
    topics: list[str]
    importance: int | None
    district_number: str | None
    week: tuple[int, int]
    considered: bool
    tags: list[str]


def _said(committee: Committee, rows) -> list[Said]:
    rows = list(rows)
    ids = [row.id for row in rows]
    considered = set(db.session.scalars(select(ConsideredInput.conversation_id).where(
        ConsideredInput.committee_id == committee.id, ConsideredInput.conversation_id.in_(ids)))) if ids else set()
    tags: dict[int, list[str]] = {}
    if ids:
        for conversation_id, name in db.session.execute(
                select(InputTag.conversation_id, Tag.name).join(Tag).where(
                    Tag.committee_id == committee.id, InputTag.conversation_id.in_(ids)).order_by(Tag.name)):
            tags.setdefault(conversation_id, []).append(name)
    streets = known_streets()
    return [Said(row.id, scrub.scrub(row.words, streets), row.topics.splitlines(), row.importance,
                 row.district_number, row.recorded_at.isocalendar()[:2], row.id in considered, tags.get(row.id, []))
            for row in rows]


def _readable():
    c = Conversation
    return select(c.id, c.words, c.topics, c.importance, c.district_number, c.recorded_at)


@dataclass
class TopicView:
    themes: list[tuple[Theme, int, list[Said]]]
    unthemed: int
    total: int


def topic_view(committee: Committee, filters: Filters, topic: str, examples: int = 3) -> TopicView:
    """The committee's themes in a topic with how much of the filtered input each holds, and a few examples."""
    matching = _in_topic(committee, filters, topic).subquery()
    counts = dict(db.session.execute(
        select(ThemeMember.theme_id, func.count()).where(
            ThemeMember.committee_id == committee.id, ThemeMember.topic == topic,
            ThemeMember.conversation_id.in_(select(matching.c.id))).group_by(ThemeMember.theme_id)).all())
    total = db.session.scalar(select(func.count()).select_from(matching))
    found = db.session.scalars(select(Theme).where(Theme.id.in_(counts))).all()
    ordered = sorted(found, key=lambda t: (-counts[t.id], t.id))
    shown = []
    for theme in ordered:
        if not examples:
            shown.append((theme, counts[theme.id], []))
            continue
        rows = db.session.execute(_readable().join(ThemeMember, ThemeMember.conversation_id == Conversation.id)
                                  .where(ThemeMember.theme_id == theme.id, Conversation.id.in_(select(matching.c.id)))
                                  .order_by(Conversation.recorded_at.desc()).limit(examples))
        shown.append((theme, counts[theme.id], _said(committee, rows)))
    return TopicView(shown, total - sum(counts.values()), total)


def theme_for(committee: Committee, theme_id: int) -> Theme | None:
    theme = db.session.get(Theme, theme_id)
    return theme if theme is not None and theme.committee_id == committee.id else None


def theme_inputs(committee: Committee, theme: Theme, filters: Filters, page: int = 1,
                 size: int = PAGE) -> tuple[list[Said], int]:
    """One page of a theme's input (newest first) within the filters, and how many there are."""
    inside = and_(ThemeMember.theme_id == theme.id, *committees.conditions(committee, filters, Conversation))
    total = db.session.scalar(select(func.count()).select_from(Conversation).join(
        ThemeMember, ThemeMember.conversation_id == Conversation.id).where(inside))
    rows = db.session.execute(_readable().join(ThemeMember, ThemeMember.conversation_id == Conversation.id)
                              .where(inside).order_by(Conversation.recorded_at.desc(), Conversation.id)
                              .offset((page - 1) * size).limit(size))
    return _said(committee, rows), total


def topic_inputs(committee: Committee, filters: Filters, topic: str, limit: int) -> list[tuple[str, Said]]:
    """The topic's input within the filters, each with the label of its theme ("" when it has none yet)."""
    label = (select(Theme.label).join(ThemeMember, ThemeMember.theme_id == Theme.id)
             .where(ThemeMember.committee_id == committee.id, ThemeMember.topic == topic,
                    ThemeMember.conversation_id == Conversation.id).scalar_subquery())
    rows = db.session.execute(_readable().add_columns(label.label("theme"))
                              .where(Conversation.id.in_(_in_topic(committee, filters, topic)))
                              .order_by(Conversation.recorded_at.desc(), Conversation.id).limit(limit)).all()
    return list(zip([row.theme or "" for row in rows], _said(committee, rows)))


def find_themes(committee: Committee, filters: Filters, topic: str) -> int:
    """Group the topic's input that is in no theme yet into new themes; how many themes were made."""
    taken = select(ThemeMember.conversation_id).where(ThemeMember.committee_id == committee.id,
                                                      ThemeMember.topic == topic)
    rows = db.session.execute(select(Conversation.id, Conversation.words).where(
        Conversation.id.in_(_in_topic(committee, filters, topic)), Conversation.id.not_in(taken))
        .order_by(Conversation.id).limit(CLUSTER_LIMIT)).all()
    if not rows:
        return 0
    streets = known_streets()
    texts = [scrub.scrub(words, streets) for _, words in rows]
    made = 0
    for found in themes.find_themes(texts):
        theme = Theme(committee_id=committee.id, topic=topic, label=(found.label or topic)[:120])
        db.session.add(theme)
        db.session.flush()
        db.session.execute(db.insert(ThemeMember), [
            {"committee_id": committee.id, "topic": topic, "conversation_id": rows[i].id, "theme_id": theme.id}
            for i in found.members])
        made += 1
    db.session.commit()
    return made


def rename(theme: Theme, label: str) -> None:
    label = label.strip()
    if not label or len(label) > 120:
        raise InputError(N_("Navnet på temaet må ha mellom 1 og 120 tegn."))
    theme.label = label
    db.session.commit()


def merge(committee: Committee, into: Theme, others: list[int]) -> int:
    """Move the input of other themes in the same topic into one theme; how many themes were merged away."""
    gone = [t for t in db.session.scalars(select(Theme).where(Theme.id.in_(others), Theme.id != into.id))
            if t.committee_id == committee.id and t.topic == into.topic]
    if not gone:
        raise InputError(N_("Velg minst ett annet tema i samme emne å slå sammen med."))
    ids = [t.id for t in gone]
    db.session.execute(ThemeMember.__table__.update().where(ThemeMember.theme_id.in_(ids)).values(theme_id=into.id))
    db.session.execute(SectionLink.__table__.update().where(SectionLink.theme_id.in_(ids)).values(theme_id=into.id))
    db.session.execute(delete(Theme).where(Theme.id.in_(ids)))
    db.session.commit()
    return len(ids)


def split(committee: Committee, theme: Theme, conversation_ids: list[int], label: str) -> Theme:
    """A new theme in the same topic holding the chosen input of `theme`."""
    label = label.strip()
    if not label or len(label) > 120:
        raise InputError(N_("Navnet på temaet må ha mellom 1 og 120 tegn."))
    members = set(db.session.scalars(select(ThemeMember.conversation_id).where(
        ThemeMember.theme_id == theme.id, ThemeMember.conversation_id.in_(conversation_ids))))
    if not members:
        raise InputError(N_("Velg innspillene som skal flyttes til det nye temaet."))
    new = Theme(committee_id=committee.id, topic=theme.topic, label=label)
    db.session.add(new)
    db.session.flush()
    db.session.execute(ThemeMember.__table__.update().where(
        ThemeMember.theme_id == theme.id, ThemeMember.conversation_id.in_(members)).values(theme_id=new.id))
    db.session.commit()
    return new


def set_theme_considered(theme: Theme, considered: bool) -> None:
    theme.considered = considered
    db.session.commit()


def in_scope(committee: Committee, conversation_id: int) -> bool:
    """Whether the input is the committee's to mark, tag or link."""
    return db.session.scalar(select(Conversation.id).where(
        Conversation.id == conversation_id, *committees.conditions(committee, Filters(), Conversation))) is not None


def set_input_considered(committee: Committee, conversation_id: int, considered: bool) -> bool:
    if not in_scope(committee, conversation_id):
        return False
    db.session.execute(delete(ConsideredInput).where(ConsideredInput.committee_id == committee.id,
                                                     ConsideredInput.conversation_id == conversation_id))
    if considered:
        db.session.add(ConsideredInput(committee_id=committee.id, conversation_id=conversation_id))
    db.session.commit()
    return True


def tag(committee: Committee, conversation_id: int, name: str) -> bool:
    """Put a tag (made on first use) on one input in the committee's scope."""
    name = " ".join(name.split()).lower()
    if not name or len(name) > 60:
        raise InputError(N_("En merkelapp må ha mellom 1 og 60 tegn."))
    if not in_scope(committee, conversation_id):
        return False
    found = db.session.scalar(select(Tag).where(Tag.committee_id == committee.id, Tag.name == name))
    if found is None:
        found = Tag(committee_id=committee.id, name=name)
        db.session.add(found)
        db.session.flush()
    if db.session.get(InputTag, (found.id, conversation_id)) is None:
        db.session.add(InputTag(tag_id=found.id, conversation_id=conversation_id))
    db.session.commit()
    return True


def untag(committee: Committee, conversation_id: int, name: str) -> None:
    found = db.session.scalar(select(Tag).where(Tag.committee_id == committee.id, Tag.name == name))
    if found is not None:
        db.session.execute(delete(InputTag).where(InputTag.tag_id == found.id,
                                                  InputTag.conversation_id == conversation_id))
        db.session.commit()


def topics(committee: Committee, filters: Filters) -> list[tuple[str, int]]:
    """The topics raised within the filters, most first, with how many residents raised each (from the counts)."""
    counts = committees.sums(committee, filters).get(committees.WHOLE, {})
    return sorted(((topic, c.residents) for topic, c in counts.items() if topic != ALL_TOPICS),
                  key=lambda pair: (-pair[1], pair[0]))
