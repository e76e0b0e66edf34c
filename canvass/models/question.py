"""Question sets asked at the door, their ordered questions, and the answers given in a conversation.

A set belongs to an organisation (and a branch, or the whole organisation when the county made it);
actions and campaign weeks point at one, so it is reused without copying. Once a question has
answers its meaning is fixed: it can only be retired and replaced (canvass.services.turf.questions)."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import expression

from canvass.clock import utcnow
from canvass.extensions import db

# yes / no / don't know; 1–5 with labelled ends; one of several; several of several; a short free text.
QUESTION_KINDS = ("yes_no", "scale", "one", "many", "text")
YES_NO = ("yes", "no", "dont_know")
SCALE = ("1", "2", "3", "4", "5")


class QuestionSet(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # None: the county's (or admin's) set, usable by every branch of the organisation.
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    branch = relationship("Branch")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="question_set", order_by="Question.position", cascade="all, delete-orphan")

    @property
    def live_questions(self) -> list["Question"]:
        return [q for q in self.questions if not q.retired]


class Question(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("question_set.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(200))
    # One option per line, for "one" and "many"; an answer stores the option's number (1, 2, …).
    options: Mapped[str] = mapped_column(Text, default="")
    # The scale's ends ("Helt uenig" … "Helt enig").
    low_label: Mapped[str] = mapped_column(String(60), default="")
    high_label: Mapped[str] = mapped_column(String(60), default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=expression.false())

    question_set: Mapped[QuestionSet] = relationship(back_populates="questions")

    @property
    def option_list(self) -> list[str]:
        return [o.strip() for o in self.options.splitlines() if o.strip()]

    @property
    def numbered_options(self) -> list[tuple[str, str]]:
        """(value, text) pairs: an answer stores the option's number, which stays while its text is fixed."""
        return [(str(n), o) for n, o in enumerate(self.option_list, 1)]


class Answer(db.Model):
    """One answer to one question in one conversation; "several of several" is one row per option chosen.

    No id of its own: an id would keep the order answers were stored in, which follows the visits, after
    the purge has shuffled what was said among its cell (canvass.privacy.retention.unlink)."""

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True, index=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    # The conversation's cell (canvass.insight.cells), copied so the answer counts (AnswerCount) are kept and
    # rebuilt from this table. Never the postal code: the purge takes that from the conversation after 30 days
    # (canvass.privacy.retention.unlink), and a copy would keep it.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    branch_id: Mapped[int | None] = mapped_column(Integer)
    action_id: Mapped[int | None] = mapped_column(Integer)
    district_number: Mapped[str | None] = mapped_column(String(6))
    week: Mapped[date | None] = mapped_column(Date)


class AnswerCount(db.Model):
    """How many residents gave each answer, per question, cell (canvass.insight.cells) and postal code: what every
    question view, map and export is summed from, so none reads the answers themselves.

    Kept in step in the same transaction as the answers (canvass.services.committee.answer_counts) at two grains:
    the cell (`grain` 0, postal code "") and the cell by postal code (`grain` 1, "" once the purge has taken the code or
    when it was never known, as on the conversation). `value` "" counts the residents: the distinct conversations
    that answered the question. A free-text answer is counted only there, never by what it says. Unknown cell
    columns are 0 or "" rather than NULL so that the row's identity is a key both databases upsert on."""

    question_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grain: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    district_number: Mapped[str] = mapped_column(String(6), primary_key=True)
    branch_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    postnummer: Mapped[str] = mapped_column(String(4), primary_key=True)
    value: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)

    # A view reads one question's rows of one grain, in key order: on SQLite the rows are the key's index itself.
    __table_args__ = ({"sqlite_with_rowid": False},)


class AnswerPiece(db.Model):
    """The postal split of every atom of answers that may be shown under the rule's k: per question, cell
    (canvass.insight.cells) and piece (a postal code of at least k residents in the atom, or "annet", the atom's
    rest of at least k), how many gave each answer (`value` "" counts the residents, as in AnswerCount).

    What a view by postal code sums, so it never splits an atom itself. Derived from AnswerCount's postal grain and
    recomputed, for each atom an answer touches, in the same transaction
    (canvass.services.committee.answer_counts.resplit). An atom of fewer than k residents has no rows."""

    question_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    district_number: Mapped[str] = mapped_column(String(6), primary_key=True)
    branch_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    piece: Mapped[str] = mapped_column(String(5), primary_key=True)
    value: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)

    # A view sums one question's pieces per piece and value: in that order, with every cell column and the count,
    # the sum streams from the index without a sort (50,000 rows at a million conversations: 150 → 50 ms on SQLite).
    __table_args__ = (Index("ix_answer_piece_summed", "question_id", "organisation_id", "piece", "value", "week",
                            "district_number", "branch_id", "action_id", "n"), {"sqlite_with_rowid": False})
