"""Keeping the committees' counts and topic index in step with the conversations, in the same transaction."""
from sqlalchemy import delete, select, update

from canvass.extensions import db
from canvass.insight import cells, tally
from canvass.models import ClosedCell, Conversation, ConversationTopic, InputTally
from canvass.services import bulk
from canvass.services.committee import held_counts

COLUMNS = ("id", "organisation_id", "branch_id", "action_id", "postnummer", "district_number", "topics",
           "words", "importance", "recorded_at", "week")
CHUNK = 5000


def record(conversations: list[dict], connection=None) -> None:
    """Count newly stored conversations (each a dict of COLUMNS) and index their topics."""
    if not conversations:
        return
    if connection is None:
        held_counts.hold(c["organisation_id"] for c in conversations)
    connection = connection if connection is not None else db.session.connection()
    # Each cell's counts added to its row in one statement (services/bulk.py), the topic index likewise.
    bulk.insert(connection, InputTally.__table__, tally.rows(tally.cells(conversations)), key=tally.KEY,
                add=tally.MEASURES)
    topics = [{"conversation_id": c["id"], "topic": topic, "organisation_id": c["organisation_id"]}
              for c in conversations for topic in tally.topics_of(c)]
    bulk.insert(connection, ConversationTopic.__table__, topics, key=())


def withdraw(conversations: list[dict]) -> None:
    """Take conversations (each a dict of COLUMNS) out of the counts they were added to, and out of the
    topic index: the exact opposite of `record`. A cell left with nobody in it goes.

    One taken from a week a committee may already have read closes its branch's district in that week
    (`ClosedCell`): read before and after, that one resident would be the difference."""
    if not conversations:
        return
    held_counts.hold(c["organisation_id"] for c in conversations)
    read = cells.published_before()
    closed = {(c["organisation_id"], c["branch_id"] or 0, c["district_number"] or "", c["week"])
              for c in conversations if c["week"] < read}
    if closed:
        bulk.insert(db.session.connection(), ClosedCell.__table__,
                    [dict(zip(("organisation_id", "branch_id", "district_number", "week"), key, strict=True))
                     for key in sorted(closed)], key=("organisation_id", "branch_id", "district_number", "week"))
    table = InputTally.__table__
    for key, counts in tally.cells(conversations).items():
        where = [table.c[name] == value for name, value in zip(tally.KEY, key, strict=True)]
        db.session.execute(update(table).where(*where).values(
            {name: table.c[name] - getattr(counts, name) for name in tally.MEASURES}))
        db.session.execute(delete(table).where(*where, table.c.residents <= 0))
    db.session.execute(delete(ConversationTopic.__table__).where(
        ConversationTopic.conversation_id.in_([c["id"] for c in conversations])))


def rebuild(connection) -> int:
    """Count every stored conversation afresh; how many were counted."""
    connection.execute(delete(InputTally.__table__))
    connection.execute(delete(ConversationTopic.__table__))
    columns = [Conversation.__table__.c[name] for name in COLUMNS]
    done, last = 0, 0
    while True:
        batch = [dict(row._mapping) for row in connection.execute(
            select(*columns).where(Conversation.id > last).order_by(Conversation.id).limit(CHUNK))]
        if not batch:
            return done
        record(batch, connection)
        done += len(batch)
        last = batch[-1]["id"]
