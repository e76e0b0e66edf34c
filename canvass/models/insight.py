"""What programme committees work with: counts kept per area and day, themes, tags, sections, reports.

A committee works for a scope, the whole organisation (county) or one branch's territory. It
never reads a conversation row directly: counts come from `InputTally`, text only scrubbed, and
none of these tables holds a name, an address or who canvassed.
"""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import expression

from canvass.clock import utcnow
from canvass.extensions import db


class Committee(db.Model):
    """A programme committee: the organisation's (no branch) or a branch's."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    # The smallest group a number is shown for; never below canvass.insight.suppress.K.
    k: Mapped[int] = mapped_column(Integer, default=5)

    organisation = relationship("Organisation")
    branch = relationship("Branch")


class InputTally(db.Model):
    """Residents who raised a topic, per action, area and day or week: what every chart and table is counted from.

    Kept up to date in the same transaction as the conversations it counts, at the four grains of
    `canvass.insight.tally.Grain`; a view sums the coarsest grain its filters allow, so a
    1,000,000-input dashboard sums a few thousand rows instead of scanning the conversations.
    `topic` "" counts every conversation (the denominator of a share). Unknown values are 0 or ""
    rather than NULL so that the row's identity can be a unique key both databases upsert on.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(Integer)
    grain: Mapped[int] = mapped_column(Integer)
    branch_id: Mapped[int] = mapped_column(Integer)
    action_id: Mapped[int] = mapped_column(Integer)
    postnummer: Mapped[str] = mapped_column(String(4))
    district_number: Mapped[str] = mapped_column(String(6))
    day: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(60))
    residents: Mapped[int] = mapped_column(Integer, default=0)
    importance_sum: Mapped[int] = mapped_column(Integer, default=0)
    importance_count: Mapped[int] = mapped_column(Integer, default=0)
    strong: Mapped[int] = mapped_column(Integer, default=0)
    said: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("organisation_id", "grain", "day", "action_id", "branch_id", "postnummer", "district_number",
                         "topic", name="uq_input_tally_cell"),
        # The table per postal code sums a grain's rows in this order from the index alone, without
        # sorting or reading the table; the unique key above serves date ranges.
        Index("ix_input_tally_by_postal_code", "organisation_id", "grain", "postnummer", "district_number", "topic",
              "residents", "importance_sum", "importance_count", "strong", "said"),
    )


class ClosedCell(db.Model):
    """A branch's district in a week a committee could already read when a record in it was withdrawn (a
    canvasser's undo): none of its cells is shown again. Read before and after, the views differ by whole cells,
    never by the one resident who asked not to be written down (`canvass.insight.cells`)."""

    organisation_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # 0 and "" for unknown, as in the counts.
    branch_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_number: Mapped[str] = mapped_column(String(6), primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)


class ConversationTopic(db.Model):
    """A topic a conversation raised, so the input on one topic is found without reading them all."""

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(60), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_conversation_topic_topic", "organisation_id", "topic", "conversation_id"),)


class Theme(db.Model):
    """Similar input within a topic, found by clustering and then named, merged and split by the committee."""

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(120))
    # Set once a person has named the theme (or kept the proposed name on purpose); until then its label is
    # the clustering's proposal, and the theme is not shown in anything published to members.
    named: Mapped[bool] = mapped_column(Boolean, default=False, server_default=expression.false())
    considered: Mapped[bool] = mapped_column(Boolean, default=False)
    # The topic's "ikke sikker" pile: input "Finn temaer" could not place in a theme with confidence. Not a
    # theme: never named, merged, linked to a section or published; people move its input into themes.
    unsure: Mapped[bool] = mapped_column(Boolean, default=False, server_default=expression.false())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    members: Mapped[list["ThemeMember"]] = relationship(back_populates="theme", cascade="all, delete-orphan")


class ThemeMember(db.Model):
    """A conversation's place in one theme per topic and committee."""

    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(60), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)

    theme: Mapped[Theme] = relationship(back_populates="members")


class Tag(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))

    __table_args__ = (UniqueConstraint("committee_id", "name"),)


class InputTag(db.Model):
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True)

    tag: Mapped[Tag] = relationship()


class ConsideredInput(db.Model):
    """Input a committee has marked as considered."""

    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ProgrammeSection(db.Model):
    """A section of the programme outline, with what the committee did about what it heard."""

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    answer: Mapped[str] = mapped_column(Text, default="")

    links: Mapped[list["SectionLink"]] = relationship(back_populates="section", cascade="all, delete-orphan")


class SectionLink(db.Model):
    """A theme or one input answered by a programme section."""

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("programme_section.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))

    section: Mapped[ProgrammeSection] = relationship(back_populates="links")
    theme: Mapped[Theme | None] = relationship()


class Report(db.Model):
    """A published "Dette hørte vi – dette gjorde vi": a frozen copy, so what members read does not shift."""

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    # JSON: the suppressed topic ranking and each section with the themes it answers.
    content: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
