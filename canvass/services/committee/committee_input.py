"""What residents said, for a committee to read: scrubbed text grouped by topic and theme, with its marks.

A committee reads the words (with names, numbers and addresses masked), the topics, how important
it was, the district and the week. Never the address, the time of day, a contact or who canvassed.
Only input in a visible atom is read, counted or clustered (`canvass.insight.cells`): the texts on
a topic are those of the cells where at least k residents raised it, and beside each text only the
topics at least k in its cell raised are named.
"""
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from sqlalchemy import and_, delete, func, select

from canvass.extensions import db
from canvass.insight import scrub, tally, themes
from canvass.insight.tally import ALL_TOPICS
from canvass.models import (
    Action,
    Address,
    Committee,
    ConsideredInput,
    Conversation,
    ConversationTopic,
    District,
    InputTag,
    PostalArea,
    SectionLink,
    SubDistrict,
    Tag,
    Theme,
    ThemeMember,
)
from canvass.refusal import N_, Refusal
from canvass.services.committee import committees
from canvass.services.committee.committees import Filters

PAGE = 50
# The order input is listed in: the newest week first, and inside a week by what was said, so the list tells
# nothing of when in its week, or after which other door, anything was said.
LISTED = (Conversation.week.desc(), Conversation.words, Conversation.id)
# Themes shown with examples on one page of a topic; the clustering can find a couple of hundred.
THEMES_PAGE = 20
# The most input clustered in one go; more waits for the next press of the button.
CLUSTER_LIMIT = 20000
# How much of each theme's input (the newest) new input is compared with when it is placed.
TAUGHT_PER_THEME = 2000
NOT_A_THEME = N_("«Ikke sikker» er ikke et tema: flytt innspillene herfra til et tema, "
                 "eller del dem ut i et nytt tema.")
# How much of the newest input on other topics the clustering weighs a topic's own words against.
BACKGROUND = 5000


class InputError(Refusal):
    """A committee's change refused: a theme, tag or programme section it may not have as asked."""


@lru_cache(maxsize=4)
def _streets(count: int) -> frozenset[str]:
    # Lower-cased here, not by SQL: SQLite's lower() leaves Æ, Ø and Å as they are, and "Øvrefoss 4" in a
    # resident's words would not be found among the streets.
    return frozenset(street.lower() for street in db.session.scalars(select(Address.street).distinct()) if street)


def known_streets() -> frozenset[str]:
    """Street names from the address register, to mask "Sannergata 5"-like addresses whatever their ending."""
    return _streets(db.session.scalar(select(func.count(Address.id))))


@lru_cache(maxsize=4)
def _places(addresses: int, areas: int, districts: int) -> frozenset[str]:
    names = [select(PostalArea.poststed), select(District.name), select(SubDistrict.name),
             select(Address.grunnkretsnavn), select(Address.valgkretsnavn)]
    return frozenset(name.lower() for query in names for name in db.session.scalars(query.distinct()) if name)


def known_places() -> frozenset[str]:
    """Place names the geography holds (postal places, districts, statistical areas and precincts): two capitalised
    words in a note that are one of these ("Gamle Oslo", "Nordre Aker") are a place, not a person's name."""
    return _places(db.session.scalar(select(func.count(Address.id))),
                   db.session.scalar(select(func.count()).select_from(PostalArea)),
                   db.session.scalar(select(func.count(District.id))))


def scrubber() -> Callable[[str], str]:
    """Scrubbing as committees read text (input, themes, free-text answers): with the register's streets and the
    geography's places, read once for a page of texts."""
    streets, places = known_streets(), known_places()
    return lambda text: scrub.scrub(text, streets, places)


def _in_topic(committee: Committee, filters: Filters, topic: str):
    return (select(Conversation.id).join(ConversationTopic, ConversationTopic.conversation_id == Conversation.id)
            .where(ConversationTopic.organisation_id == committee.organisation_id, ConversationTopic.topic == topic,
                   Conversation.words != "", *_readable_in(committee, filters, topic)))


def _readable_in(committee: Committee, filters: Filters, topic: str) -> list:
    """Conditions on `Conversation`: within the scope and filters, in a cell where at least k raised `topic`."""
    return [*committees.conditions(committee, filters, Conversation), committees.visible_atom(committee, topic)]


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


def _said(committee: Committee, rows, filters: Filters) -> list[Said]:
    rows = list(rows)
    shown_topics = committees.visible_topics(committee, filters) if rows else set()
    ids = [row.id for row in rows]
    considered = set(db.session.scalars(select(ConsideredInput.conversation_id).where(
        ConsideredInput.committee_id == committee.id, ConsideredInput.conversation_id.in_(ids)))) if ids else set()
    tags: dict[int, list[str]] = {}
    if ids:
        for conversation_id, name in db.session.execute(
                select(InputTag.conversation_id, Tag.name).join(Tag).where(
                    Tag.committee_id == committee.id, InputTag.conversation_id.in_(ids)).order_by(Tag.name)):
            tags.setdefault(conversation_id, []).append(name)
    masked = scrubber()
    return [Said(row.id, masked(row.words),
                 [topic for topic in tally.topics_of(row._mapping)
                  if (*committees.cell_of(row), topic) in shown_topics],
                 row.importance, row.district_number, row.week.isocalendar()[:2], row.id in considered,
                 tags.get(row.id, []))
            for row in rows]


def _readable():
    c = Conversation
    campaign = select(Action.campaign_id).where(Action.id == c.action_id).correlate_except(Action).scalar_subquery()
    return select(c.id, c.words, c.topics, c.importance, c.district_number, c.week, c.branch_id,
                  campaign.label("campaign"))


@dataclass
class TopicView:
    themes: list[tuple[Theme, int, list[Said]]]
    unthemed: int
    total: int
    # Themes with input within the filters, on every page.
    theme_count: int = 0


def topic_view(committee: Committee, filters: Filters, topic: str, examples: int = 3, page: int = 1,
               size: int | None = THEMES_PAGE) -> TopicView:
    """One page of the committee's themes in a topic (biggest first, all with `size` None), with how much of
    the filtered input each holds and a few examples.

    Theme members are read through their own index, never the whole topic, and how much input the
    topic holds comes from the counts: a topic can hold hundreds of thousands of conversations.
    """
    inside = (ThemeMember.committee_id == committee.id, ThemeMember.topic == topic,
              *_readable_in(committee, filters, topic))
    counts = dict(db.session.execute(
        select(ThemeMember.theme_id, func.count()).join(Conversation, Conversation.id == ThemeMember.conversation_id)
        .where(*inside).group_by(ThemeMember.theme_id)).all())
    counted = committees.sums(committee, replace(filters, topic=None)).get(committees.WHOLE, {}).get(topic)
    total = counted.said if counted else 0
    found = db.session.scalars(select(Theme).where(Theme.id.in_(counts))).all()
    ordered = sorted(found, key=lambda t: (-counts[t.id], t.id))
    if size is not None:
        ordered = ordered[(page - 1) * size:page * size]
    newest: dict[int, list[Said]] = {}
    if examples and ordered:
        # The first few of every theme in one query, not one query per theme.
        place = func.row_number().over(partition_by=ThemeMember.theme_id,
                                       order_by=LISTED)
        ranked = (_readable().add_columns(ThemeMember.theme_id, place.label("place"))
                  .join(ThemeMember, ThemeMember.conversation_id == Conversation.id)
                  .where(ThemeMember.theme_id.in_([theme.id for theme in ordered]), *inside).subquery())
        rows = db.session.execute(select(ranked).where(ranked.c.place <= examples)
                                  .order_by(ranked.c.theme_id, ranked.c.place)).all()
        for row, said in zip(rows, _said(committee, rows, filters), strict=True):
            newest.setdefault(row.theme_id, []).append(said)
    shown = [(theme, counts[theme.id], newest.get(theme.id, [])) for theme in ordered]
    return TopicView(shown, max(total - sum(counts.values()), 0), total, len(found))


def theme_for(committee: Committee, theme_id: int) -> Theme | None:
    theme = db.session.get(Theme, theme_id)
    return theme if theme is not None and theme.committee_id == committee.id else None


def theme_inputs(committee: Committee, theme: Theme, filters: Filters, page: int = 1,
                 size: int = PAGE) -> tuple[list[Said], int]:
    """One page of a theme's input (newest week first) within the filters, and how many there are."""
    inside = and_(ThemeMember.theme_id == theme.id, *_readable_in(committee, filters, theme.topic))
    total = db.session.scalar(select(func.count()).select_from(Conversation).join(
        ThemeMember, ThemeMember.conversation_id == Conversation.id).where(inside))
    rows = db.session.execute(_readable().join(ThemeMember, ThemeMember.conversation_id == Conversation.id)
                              .where(inside).order_by(*LISTED)
                              .offset((page - 1) * size).limit(size))
    return _said(committee, rows, filters), total


def unthemed_inputs(committee: Committee, filters: Filters, topic: str, page: int = 1,
                    size: int = PAGE) -> tuple[list[Said], int]:
    """One page of the topic's readable input that is in no theme yet (newest week first), and how many there are:
    a committee can read what people said before, or without, finding themes."""
    taken = select(ThemeMember.conversation_id).where(ThemeMember.committee_id == committee.id,
                                                      ThemeMember.topic == topic)
    inside = and_(Conversation.id.in_(_in_topic(committee, filters, topic)), Conversation.id.not_in(taken))
    total = db.session.scalar(select(func.count()).select_from(Conversation).where(inside))
    rows = db.session.execute(_readable().where(inside).order_by(*LISTED)
                              .offset((page - 1) * size).limit(size))
    return _said(committee, rows, filters), total


def topic_inputs(committee: Committee, filters: Filters, topic: str, limit: int) -> list[tuple[str, Said]]:
    """The topic's input within the filters, each with the label of its theme ("" when it has none yet)."""
    label = (select(Theme.label).join(ThemeMember, ThemeMember.theme_id == Theme.id)
             .where(ThemeMember.committee_id == committee.id, ThemeMember.topic == topic,
                    ThemeMember.conversation_id == Conversation.id).scalar_subquery())
    rows = db.session.execute(_readable().add_columns(label.label("theme"))
                              .where(Conversation.id.in_(_in_topic(committee, filters, topic)))
                              .order_by(*LISTED).limit(limit)).all()
    return list(zip([row.theme or "" for row in rows], _said(committee, rows, filters), strict=True))


@dataclass
class Found:
    """What one press of "Finn temaer" did: new themes proposed, input placed in existing themes, input left unsure."""
    made: int = 0
    placed: int = 0
    unsure: int = 0


def pile(committee: Committee, topic: str, create: bool = False) -> Theme | None:
    """The topic's "ikke sikker" pile: input that fits none of the committee's themes well enough to place."""
    found = db.session.scalar(select(Theme).where(Theme.committee_id == committee.id, Theme.topic == topic,
                                                  Theme.unsure.is_(True)).order_by(Theme.id).limit(1))
    if found is None and create:
        found = Theme(committee_id=committee.id, topic=topic, label="ikke sikker", named=False, unsure=True)
        db.session.add(found)
        db.session.flush()
    return found


def _taught(committee: Committee, topic: str) -> dict[int, list[str]]:
    """The scrubbed words of each theme's input as the committee has left it (named, merged, split, moved): what
    new input is placed by. The newest TAUGHT_PER_THEME of each theme, to keep a big topic quick."""
    place = func.row_number().over(partition_by=ThemeMember.theme_id, order_by=Conversation.id.desc())
    ranked = (select(ThemeMember.theme_id, Conversation.words, place.label("place"))
              .join(Conversation, Conversation.id == ThemeMember.conversation_id)
              .join(Theme, Theme.id == ThemeMember.theme_id)
              .where(ThemeMember.committee_id == committee.id, ThemeMember.topic == topic, Theme.unsure.is_(False),
                     *_readable_in(committee, Filters(), topic)).subquery())
    taught: dict[int, list[str]] = {}
    masked = scrubber()
    for theme_id, words in db.session.execute(select(ranked.c.theme_id, ranked.c.words)
                                              .where(ranked.c.place <= TAUGHT_PER_THEME)):
        taught.setdefault(theme_id, []).append(masked(words))
    return taught


def find_themes(committee: Committee, filters: Filters, topic: str) -> Found:
    """Sort the topic's input that is in no theme yet, or in the "ikke sikker" pile (within the filters).

    Once the committee has themes in the topic, each input goes to the theme it is clearly nearest, as
    the committee shaped them; names people gave stay. What is near none is grouped into new proposed
    themes when enough of it is alike, and otherwise left in the pile: a person places it, not a guess.
    """
    unsure = pile(committee, topic)
    taken = select(ThemeMember.conversation_id).where(ThemeMember.committee_id == committee.id,
                                                      ThemeMember.topic == topic)
    if unsure is not None:
        taken = taken.where(ThemeMember.theme_id != unsure.id)
    rows = db.session.execute(select(Conversation.id, Conversation.words).where(
        Conversation.id.in_(_in_topic(committee, filters, topic)), Conversation.id.not_in(taken))
        .order_by(Conversation.id).limit(CLUSTER_LIMIT)).all()
    if not rows:
        return Found()
    in_pile = set(db.session.scalars(select(ThemeMember.conversation_id).where(
        ThemeMember.theme_id == unsure.id, ThemeMember.conversation_id.in_([r.id for r in rows])))) if unsure else set()
    other_topics = db.session.scalars(
        select(Conversation.words).where(
            Conversation.words != "", *_readable_in(committee, filters, ALL_TOPICS),
            ~select(ConversationTopic.conversation_id).where(ConversationTopic.conversation_id == Conversation.id,
                                                            ConversationTopic.topic == topic).exists())
        .order_by(Conversation.id.desc()).limit(BACKGROUND)).all()
    masked = scrubber()
    texts = [masked(words) for _, words in rows]
    background = [masked(words) for words in other_topics]
    taught = _taught(committee, topic)
    result = Found()
    homes: dict[int, int] = {}
    if taught:
        for i, theme_id in enumerate(themes.place(taught, texts, background)):
            if theme_id is not None:
                homes[i] = theme_id
        result.placed = len(homes)
    left = [i for i in range(len(texts)) if i not in homes]
    for found in themes.find_themes([texts[i] for i in left], background=background) if left else []:
        members = [left[i] for i in found.members]
        # Beside the committee's themes, a group of one or two is not a theme yet: it waits in the pile.
        if found.unsure or (taught and len(members) < themes.SMALLEST_THEME):
            theme_id = pile(committee, topic, create=True).id
            result.unsure += len(members)
        else:
            # The label is a proposal: nothing is published under it until a person names the theme.
            theme = Theme(committee_id=committee.id, topic=topic, label=(found.label or topic)[:120], named=False)
            db.session.add(theme)
            db.session.flush()
            theme_id = theme.id
            result.made += 1
        homes.update(dict.fromkeys(members, theme_id))
    moved = [{"conversation_id": rows[i].id, "theme_id": theme_id} for i, theme_id in homes.items()
             if rows[i].id in in_pile]
    for row in moved:
        db.session.execute(ThemeMember.__table__.update().where(
            ThemeMember.committee_id == committee.id, ThemeMember.topic == topic,
            ThemeMember.conversation_id == row["conversation_id"]).values(theme_id=row["theme_id"]))
    fresh = [{"committee_id": committee.id, "topic": topic, "conversation_id": rows[i].id, "theme_id": theme_id}
             for i, theme_id in homes.items() if rows[i].id not in in_pile]
    if fresh:
        db.session.execute(db.insert(ThemeMember), fresh)
    db.session.commit()
    return result


def move(committee: Committee, conversation_id: int, theme: Theme) -> bool:
    """Put one input in another theme of the same topic (or in the pile): what the committee moves, later input
    follows. False when the input is not the committee's to read on that topic."""
    readable = db.session.scalar(select(Conversation.id).where(
        Conversation.id == conversation_id, Conversation.id.in_(_in_topic(committee, Filters(), theme.topic))))
    if readable is None:
        return False
    where = (ThemeMember.committee_id == committee.id, ThemeMember.topic == theme.topic,
             ThemeMember.conversation_id == conversation_id)
    if db.session.scalar(select(ThemeMember.theme_id).where(*where)) is None:
        db.session.add(ThemeMember(committee_id=committee.id, topic=theme.topic, conversation_id=conversation_id,
                                   theme_id=theme.id))
    else:
        db.session.execute(ThemeMember.__table__.update().where(*where).values(theme_id=theme.id))
    db.session.commit()
    return True


def choices(committee: Committee, topic: str) -> list[Theme]:
    """Every theme of a topic an input can be moved to, the pile last."""
    return list(db.session.scalars(select(Theme).where(Theme.committee_id == committee.id, Theme.topic == topic)
                                   .order_by(Theme.unsure, Theme.label, Theme.id)))


def rename(theme: Theme, label: str) -> None:
    if theme.unsure:
        raise InputError(NOT_A_THEME)
    label = label.strip()
    if not label or len(label) > 120:
        raise InputError(N_("Navnet på temaet må ha mellom 1 og 120 tegn."))
    theme.label = label
    theme.named = True
    db.session.commit()


def merge(committee: Committee, into: Theme, others: list[int]) -> int:
    """Move the input of other themes in the same topic into one theme; how many themes were merged away."""
    if into.unsure:
        raise InputError(NOT_A_THEME)
    gone = [t for t in db.session.scalars(select(Theme).where(Theme.id.in_(others), Theme.id != into.id))
            if t.committee_id == committee.id and t.topic == into.topic and not t.unsure]
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
    new = Theme(committee_id=committee.id, topic=theme.topic, label=label, named=True)
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
    """Whether the input is the committee's to mark, tag or link: in its scope and in a cell it may read."""
    return db.session.scalar(select(Conversation.id).where(
        Conversation.id == conversation_id, *_readable_in(committee, Filters(), ALL_TOPICS))) is not None


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
    if not in_scope(committee, conversation_id):
        return False
    name = " ".join(name.split()).lower()
    if not name or len(name) > 60:
        raise InputError(N_("En merkelapp må ha mellom 1 og 60 tegn."))
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


def readable_share(committee: Committee, filters: Filters) -> tuple[int, int, int, int]:
    """How much of the input within the scope and filters a committee can use: (counted, all input,
    readable on some topic's page, all input with words). Filters are applied whole weeks, as everywhere."""
    c, t = Conversation, ConversationTopic
    scope = committees.conditions(committee, filters, Conversation)
    on_a_readable_topic = select(t.conversation_id).where(
        t.conversation_id == c.id, committees.visible_atom(committee, t.topic)).exists()
    everything, counted, said, readable = db.session.execute(select(
        func.count(), func.count().filter(committees.visible_atom(committee)),
        func.count().filter(c.words != ""), func.count().filter(and_(c.words != "", on_a_readable_topic)))
        .where(*scope)).one()
    return counted, everything, readable, said


def topics(committee: Committee, filters: Filters) -> list[tuple[str, int]]:
    """The topics raised within the filters, most first, with how many residents raised each (from the counts).

    The topic filter is left out: these are the topics to choose between."""
    counts = committees.sums(committee, replace(filters, topic=None)).get(committees.WHOLE, {})
    return sorted(((topic, c.residents) for topic, c in counts.items() if topic != ALL_TOPICS),
                  key=lambda pair: (-pair[1], pair[0]))
