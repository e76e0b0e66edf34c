"""A programme committee's scope and the counts behind its dashboard and exports.

Everything is summed from the cells of `InputTally` (`canvass.insight.cells`) for the committee's
scope (the organisation, or what one branch collected) and the filters, leaving out every atom
with fewer than k residents, then handed to `canvass.insight.figures`. Nothing here reads a
conversation's address, a contact or a canvasser.
"""
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import String, and_, case, exists, func, literal, select, tuple_, union_all
from sqlalchemy.orm import aliased

from canvass.extensions import db
from canvass.insight import cells, figures
from canvass.insight.suppress import K
from canvass.insight.tally import ALL_TOPICS, MEASURES, Counts
from canvass.models import (
    Action,
    Address,
    Branch,
    BranchPostalCode,
    Campaign,
    ClosedCell,
    Committee,
    Conversation,
    ConversationTopic,
    District,
    InputTally,
    PostalArea,
    User,
)

WHOLE = ""


def committee_for(user: User) -> Committee:
    """The committee the user reads for: the organisation's or a branch's. Made on first use, unsaved: it is
    stored with the first write the caller commits, so reading a committee's pages writes nothing.

    Someone on several committees (a branch's and the county's) reads for the one they chose
    (`user.committee_scope`, set from their session by the web layer), otherwise for the first."""
    scopes = user.committee_scopes()
    if not scopes:
        raise PermissionError(user.id)
    branch_id = user.committee_scope if user.committee_scope in scopes else scopes[0]
    return _committee(user.organisation_id, branch_id)


def committees_for(user: User) -> list[Committee]:
    """Every committee the user sits on, the organisation's first."""
    return [_committee(user.organisation_id, scope) for scope in user.committee_scopes()]


def _committee(organisation_id: int, branch_id: int | None) -> Committee:
    committee = db.session.scalar(select(Committee).where(Committee.organisation_id == organisation_id,
                                                         Committee.branch_id.is_(None) if branch_id is None
                                                         else Committee.branch_id == branch_id))
    if committee is None:
        committee = Committee(organisation_id=organisation_id, branch_id=branch_id, k=K)
        db.session.add(committee)
        db.session.flush()
    return committee


def set_k(committee: Committee, k: int) -> None:
    """The smallest group shown; it can be raised, never set below the rule's K."""
    if k < K or k > 1000:
        raise ValueError(k)
    committee.k = k
    db.session.commit()


@dataclass(frozen=True)
class Filters:
    campaign_id: int | None = None
    district: str | None = None
    branch_id: int | None = None
    # Widened to whole weeks wherever they are used (`cells.snap`).
    start: date | None = None
    end: date | None = None
    topic: str | None = None


def conditions(committee: Committee, filters: Filters, table=InputTally, closed_too: bool = False) -> list:
    """The committee's scope and the filters as conditions on the cells of `InputTally` or on `Conversation`.

    Every condition is on something that is the same for a whole cell (`canvass.insight.cells`), and
    the period is whole weeks, so the conditions choose whole cells and never cut one. Only weeks that
    are over are read: a cell still filling would show each new record as it comes.
    Nor a branch's district in a week it was read in and a record was later withdrawn from (`ClosedCell`), unless
    `closed_too`: for counting what is held back, where a closed cell is held back like a small one.
    The counts store "" and 0 for unknown; conversations NULL.
    """
    counted = table is InputTally
    week = table.day if counted else table.week
    closed = ClosedCell
    conditions = [table.organisation_id == committee.organisation_id, week < cells.published_before()]
    if not closed_too:
        conditions.append(~exists().where(closed.organisation_id == table.organisation_id, closed.week == week,
                                          closed.branch_id == func.coalesce(table.branch_id, 0),
                                          closed.district_number == func.coalesce(table.district_number, "")))
    if counted:
        conditions += [table.grain == cells.GRAIN, table.postnummer == ""]
    if committee.branch_id is not None:
        # A branch's committee reads what the branch collected: input is only taken for one's own
        # actions inside one's own territory, and the branch is a column of the cell; a postal code is not.
        conditions.append(table.branch_id == committee.branch_id)
    if filters.campaign_id:
        conditions.append(table.action_id.in_(select(Action.id).where(Action.campaign_id == filters.campaign_id)))
    if filters.district:
        conditions.append(table.district_number == filters.district)
    if filters.branch_id:
        conditions.append(table.branch_id == filters.branch_id)
    start, end = cells.snap(filters.start, filters.end)
    if start:
        conditions.append(week >= start)
    if end:
        conditions.append(week <= cells.monday(end))
    return conditions


def _atoms(committee: Committee, filters: Filters, visible: bool = True, closed_too: bool = False):
    """The atoms within the scope and filters, one row per cell and topic, with the cell's campaign: by
    default only those with at least k residents. With a topic chosen, the atoms of those who raised it."""
    if filters.topic:
        return _atoms_within(committee, filters, visible)
    t = InputTally
    campaign = func.coalesce(Action.campaign_id, 0)
    stmt = (select(campaign.label("campaign"), t.branch_id, t.district_number, t.day, t.topic,
                   *(func.sum(getattr(t, name)).label(name) for name in MEASURES))
            .select_from(t).outerjoin(Action, Action.id == t.action_id)
            .where(*conditions(committee, filters, closed_too=closed_too))
            .group_by(campaign, t.branch_id, t.district_number, t.day, t.topic))
    if visible:
        stmt = stmt.having(func.sum(t.residents) >= committee.k)
    return stmt.subquery()


def _atoms_within(committee: Committee, filters: Filters, visible: bool = True):
    """The atoms of the residents who raised the chosen topic: per cell, all of them (topic "") and those of
    them who also raised each topic; by default only those with at least k residents.

    These are counted from the conversations' topic index, as the counts hold no pairs of topics. An atom
    here is a group of at least k in one cell, like every other, so a view narrowed to a topic is still
    a sum of visible atoms and any two such views differ by none or by at least k (`canvass.insight.cells`).
    """
    c, chosen, also = Conversation, aliased(ConversationTopic), aliased(ConversationTopic)
    campaign = func.coalesce(Action.campaign_id, 0)
    cell = (campaign.label("campaign"), func.coalesce(c.branch_id, 0).label("branch_id"),
            func.coalesce(c.district_number, "").label("district_number"), c.week.label("day"))
    measures = (func.count().label("residents"),
                func.sum(case((c.importance > 0, c.importance), else_=0)).label("importance_sum"),
                func.sum(case((c.importance > 0, 1), else_=0)).label("importance_count"),
                func.sum(case((c.importance == 3, 1), else_=0)).label("strong"),
                func.sum(case((c.words != "", 1), else_=0)).label("said"))

    def counted(topic, *by):
        stmt = (select(*cell, topic.label("topic"), *measures).select_from(c)
                .join(chosen, and_(chosen.conversation_id == c.id, chosen.topic == filters.topic)))
        if by:
            stmt = stmt.join(also, also.conversation_id == c.id)
        stmt = (stmt.outerjoin(Action, Action.id == c.action_id)
                .where(*conditions(committee, filters, Conversation))
                .group_by(*(column.element for column in cell), *by))
        return stmt.having(func.count() >= committee.k) if visible else stmt

    everyone = counted(literal(ALL_TOPICS, String))
    by_topic = counted(also.topic, also.topic)
    return union_all(everyone, by_topic).subquery()


def _measure(atoms, name: str, k: int):
    """A measure summed over visible atoms: importance only from atoms where at least k gave one, "very
    important" only from atoms where at least k said so; the rest from every visible atom."""
    column = atoms.c[name]
    if name in ("importance_sum", "importance_count"):
        return func.sum(case((atoms.c.importance_count >= k, column), else_=0))
    if name == "strong":
        return func.sum(case((atoms.c.strong >= k, column), else_=0))
    return func.sum(column)


def sums(committee: Committee, filters: Filters, *by: str) -> dict:
    """Counts of the visible atoms per `by` column values ("campaign", "branch_id", "district_number" or
    "day"; a tuple when several, a value when one, WHOLE when none) and topic. "day" is a week's Monday.

    An atom with fewer than the committee's k residents is left out here, so no figure built on
    these sums can count it (`canvass.insight.cells`).
    """
    atoms = _atoms(committee, filters)
    keys = [atoms.c[name] for name in by]
    stmt = (select(*keys, atoms.c.topic, *(_measure(atoms, name, committee.k) for name in MEASURES))
            .group_by(*keys, atoms.c.topic)
            # In order, so that tables and ties in the ranking come out the same on every database.
            .order_by(*keys, atoms.c.topic))
    result: dict = {}
    for row in db.session.execute(stmt):
        key = tuple(row[:len(by)]) if len(by) > 1 else (row[0] if by else WHOLE)
        topic, *measures = row[len(by):]
        result.setdefault(key, {})[topic] = Counts(*(int(value or 0) for value in measures))
    return result


def visible_atom(committee: Committee, topic=ALL_TOPICS):
    """A condition on `Conversation`: at least k residents of its cell raised `topic` (a name or a column;
    "" for the whole cell).

    The visible atoms of the committee's scope are found once, as one list the conversation's cell is
    looked up in, not summed again for every conversation.
    """
    atoms, c, ours = _atoms(committee, Filters()), Conversation, aliased(Action)
    campaign = func.coalesce(select(ours.campaign_id).where(ours.id == c.action_id)
                             .correlate_except(ours).scalar_subquery(), 0)
    cell = (campaign, func.coalesce(c.branch_id, 0), func.coalesce(c.district_number, ""), c.week)
    listed = (atoms.c.campaign, atoms.c.branch_id, atoms.c.district_number, atoms.c.day)
    if isinstance(topic, str):
        return tuple_(*cell).in_(select(*listed).where(atoms.c.topic == topic))
    return tuple_(*cell, topic).in_(select(*listed, atoms.c.topic))


def cell_of(row) -> tuple:
    """A conversation's cell as `visible_topics` names it, from its campaign, branch, district and week."""
    return (row.campaign or 0, row.branch_id or 0, row.district_number or "", row.week)


def visible_topics(committee: Committee, filters: Filters) -> set[tuple]:
    """The visible topic atoms within the filters, as (*cell, topic): which of an input's topics may be
    named beside its words."""
    # Which topics are named beside a text does not depend on the topic being read.
    atoms = _atoms(committee, replace(filters, topic=None))
    return {tuple(row) for row in db.session.execute(
        select(atoms.c.campaign, atoms.c.branch_id, atoms.c.district_number, atoms.c.day, atoms.c.topic)
        .where(atoms.c.topic != ALL_TOPICS))}


def held_back_share(committee: Committee) -> float:
    """The share of all input in the committee's scope that is in cells under k, over all time.

    It is not filtered, so comparing it between views tells nothing; it changes only as input comes in.
    """
    everything = _atoms(committee, Filters(), visible=False, closed_too=True)
    total = db.session.scalar(select(func.sum(everything.c.residents)).where(everything.c.topic == ALL_TOPICS))
    shown = _atoms(committee, Filters())
    visible = db.session.scalar(select(func.sum(shown.c.residents)).where(shown.c.topic == ALL_TOPICS))
    # Held back: the cells under k and the closed ones, so closing a cell moves it between the two parts and
    # changes the whole only by the record withdrawn, never by a small cell's size.
    return ((total or 0) - (visible or 0)) / total if total else 0.0


def topic_columns(committee: Committee, filters: Filters, by: str = "residents",
                  columns: int = 6) -> tuple[int, list[figures.TopicRow], list[str]]:
    """Residents in all, the topic ranking, and the topics the tables show a column for (the chosen one first).

    With a topic chosen, the residents are those who raised it and the ranking what else they raised.
    """
    counted = dict(sums(committee, filters).get(WHOLE, {}))
    counted.pop(filters.topic, None)
    total, ranking = figures.ranking(counted, committee.k, by)
    topics = [row.topic for row in ranking if row.topic != figures.OTHER][:columns]
    return total, ranking, topics


def topic_order(committee: Committee) -> list[str]:
    """The topics by how many raised them in the committee's whole scope, without filters: the order that
    gives each topic its colour on every page (charts.topic_colours)."""
    _, ranking = figures.ranking(dict(sums(committee, Filters()).get(WHOLE, {})), committee.k)
    return [row.topic for row in ranking if row.topic != figures.OTHER]


@dataclass
class Dashboard:
    total: int
    ranking: list[figures.TopicRow]
    topics: list[str]
    districts: figures.Table
    branches: figures.Table
    weeks: figures.Table
    campaigns: figures.Table
    topic: str | None
    shares: list[figures.Share]
    # Residents within every filter but the topic: what `total` is a part of when a topic is chosen.
    whole: int = 0


def _without(counts: dict, topic: str | None) -> dict:
    return {key: {t: c for t, c in by_topic.items() if t != topic} for key, by_topic in counts.items()}


def dashboard(committee: Committee, filters: Filters, by: str = "residents", columns: int = 6) -> Dashboard:
    """Every figure on the committee's dashboard for the filters, suppressed for the committee's k.

    A chosen topic narrows every figure to the residents who raised it; the map shows, per district,
    the share of all residents who raised it, so it is counted without the topic filter.
    """
    k = committee.k
    total, ranking, topics = topic_columns(committee, filters, by, columns)
    districts = sums(committee, filters, "district_number")
    by_day = sums(committee, filters, "day")
    everyone = replace(filters, topic=None)
    all_districts = sums(committee, everyone, "district_number") if filters.topic else districts
    shown_topic = filters.topic or (topics[0] if topics else None)
    drop = filters.topic
    return Dashboard(
        total=total, ranking=ranking, topics=topics,
        districts=figures.table(_without(districts, drop), k, topics, {d: WHOLE for d in districts if d != WHOLE}),
        branches=figures.table(_without(sums(committee, filters, "branch_id"), drop), k, topics),
        weeks=figures.table(_without(figures.weeks(by_day), drop), k, topics),
        campaigns=figures.table(_without(sums(committee, filters, "campaign"), drop), k, topics),
        topic=shown_topic,
        shares=figures.shares(all_districts, shown_topic, k) if shown_topic else [],
        whole=figures.ranking(sums(committee, everyone).get(WHOLE, {}), k)[0] if filters.topic else total)


def area_names(committee: Committee) -> dict[str, dict]:
    """Readable names for the keys each table uses: district, postal code, branch and campaign."""
    kommuner = committee.organisation.kommunenummer
    return {
        "district": dict(db.session.execute(select(District.number, District.name)
                                            .where(District.kommunenummer.in_(kommuner))).all()),
        "postnummer": {code: f"{code} {place.title()}" for code, place in db.session.execute(
            select(PostalArea.postnummer, PostalArea.poststed).where(PostalArea.kommunenummer.in_(kommuner)))},
        "branch": dict(db.session.execute(select(Branch.id, Branch.name)
                                          .where(Branch.organisation_id == committee.organisation_id)).all()),
        "campaign": dict(db.session.execute(select(Campaign.id, Campaign.name)
                                            .where(Campaign.organisation_id == committee.organisation_id)).all()),
    }


def areas_to_choose(committee: Committee, names: dict[str, dict]) -> dict[str, dict]:
    """The areas a committee can pick in its filters and comparisons: for a branch committee only the branch's
    postal codes and the districts its addresses lie in, not the whole organisation's (whose names say nothing
    the branch's figures could show)."""
    if committee.branch_id is None:
        return names
    codes = set(db.session.scalars(select(BranchPostalCode.postnummer)
                                   .where(BranchPostalCode.branch_id == committee.branch_id)))
    districts = set(db.session.scalars(select(Address.district_number).distinct().where(
        Address.postnummer.in_(codes), Address.district_number.is_not(None))))
    return {**names,
            "district": {n: name for n, name in names["district"].items() if n in districts},
            "postnummer": {c: name for c, name in names["postnummer"].items() if c in codes},
            "branch": {b: name for b, name in names["branch"].items() if b == committee.branch_id}}
