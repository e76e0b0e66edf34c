"""A programme committee's scope and the counts behind its dashboard and exports.

Everything is summed from `InputTally`, at the coarsest grain the question allows, for the
committee's scope (the organisation, or one branch's territory) and the filters, then handed to
`canvass.insight.figures`, which suppresses small groups. Nothing here reads a conversation's
address, a contact or a canvasser.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, func, or_, select

from canvass.extensions import db
from canvass.insight import figures
from canvass.insight.suppress import K
from canvass.insight.tally import LOCAL, MEASURES, Counts, Grain
from canvass.models import (Action, Branch, BranchPostalCode, Campaign, Committee, District, InputTally, PostalArea,
                            Role, User)

WHOLE = ""


def committee_for(user: User) -> Committee:
    """The committee the user sits on: the organisation's, or their branch's. Made on first use."""
    if user.role not in (Role.COMMITTEE, Role.ADMIN):
        raise PermissionError(user.role)
    branch_id = user.branch_id if user.role == Role.COMMITTEE else None
    committee = db.session.scalar(select(Committee).where(Committee.organisation_id == user.organisation_id,
                                                         Committee.branch_id.is_(None) if branch_id is None
                                                         else Committee.branch_id == branch_id))
    if committee is None:
        committee = Committee(organisation_id=user.organisation_id, branch_id=branch_id, k=K)
        db.session.add(committee)
        db.session.commit()
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
    action_id: int | None = None
    district: str | None = None
    postnummer: str | None = None
    branch_id: int | None = None
    start: date | None = None
    end: date | None = None
    topic: str | None = None


def _utc(day: date, end: bool = False) -> datetime:
    """The UTC time an Oslo day starts (or, with `end`, the next day starts)."""
    moment = datetime.combine(day + timedelta(days=1) if end else day, time(), LOCAL)
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def grain(committee: Committee, filters: Filters, by: tuple[str, ...] = ()) -> Grain:
    """The coarsest counts that answer a question grouped `by` these columns within the committee's filters."""
    return Grain.coarsest_for(days=bool(filters.start or filters.end),
                               postal_codes=("postnummer" in by or bool(filters.postnummer)
                                             or committee.branch_id is not None))


def conditions(committee: Committee, filters: Filters, table=InputTally, by: tuple[str, ...] = ()) -> list:
    """The committee's scope and the filters as conditions on `InputTally` (grouped `by`) or on `Conversation`.

    The counts store an Oslo day and "" for no postal code; conversations a UTC time and NULL.
    """
    counted = table is InputTally
    conditions = [table.organisation_id == committee.organisation_id]
    if counted:
        conditions.append(table.grain == grain(committee, filters, by))
    if committee.branch_id is not None:
        # Input with no postal code (a stand) belongs to the branch that held the action.
        territory = select(BranchPostalCode.postnummer).where(BranchPostalCode.branch_id == committee.branch_id)
        no_code = table.postnummer == "" if counted else table.postnummer.is_(None)
        conditions.append(or_(table.postnummer.in_(territory), and_(no_code, table.branch_id == committee.branch_id)))
    if filters.campaign_id:
        conditions.append(table.action_id.in_(select(Action.id).where(Action.campaign_id == filters.campaign_id)))
    if filters.action_id:
        conditions.append(table.action_id == filters.action_id)
    if filters.district:
        conditions.append(table.district_number == filters.district)
    if filters.postnummer:
        conditions.append(table.postnummer == filters.postnummer)
    if filters.branch_id:
        conditions.append(table.branch_id == filters.branch_id)
    if filters.start:
        conditions.append(table.day >= filters.start if counted else table.recorded_at >= _utc(filters.start))
    if filters.end:
        conditions.append(table.day <= filters.end if counted else table.recorded_at < _utc(filters.end, end=True))
    return conditions


def sums(committee: Committee, filters: Filters, *by: str) -> dict:
    """Counts per `by` column values (a tuple when several, a value when one, WHOLE when none) and topic.

    Grouped by "day", the keys are days or, when no day is filtered on, the Mondays of weeks.
    """
    t = InputTally
    keys = [getattr(t, name) for name in by]
    stmt = (select(*keys, t.topic, *(func.sum(getattr(t, name)) for name in MEASURES))
            .where(*conditions(committee, filters, by=by)).group_by(*keys, t.topic)
            # In order, so that tables and ties in the ranking come out the same on every grain and database.
            .order_by(*keys, t.topic))
    result: dict = {}
    for row in db.session.execute(stmt):
        key = tuple(row[:len(by)]) if len(by) > 1 else (row[0] if by else WHOLE)
        topic, *measures = row[len(by):]
        result.setdefault(key, {})[topic] = Counts(*(int(value or 0) for value in measures))
    return result


def topic_columns(committee: Committee, filters: Filters, by: str = "residents",
                  columns: int = 6) -> tuple[int, list[figures.TopicRow], list[str]]:
    """Residents in all, the topic ranking, and the topics the tables show a column for (the chosen one first)."""
    total, ranking = figures.ranking(sums(committee, filters).get(WHOLE, {}), committee.k, by)
    topics = [row.topic for row in ranking if row.topic != figures.OTHER][:columns]
    if filters.topic and filters.topic not in topics:
        topics = [filters.topic, *topics[:columns - 1]]
    return total, ranking, topics


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
    # Only when asked for: the one table that needs the counts per postal code.
    postal_codes: figures.Table | None = None


def dashboard(committee: Committee, filters: Filters, by: str = "residents", columns: int = 6,
              postal_codes: bool = False) -> Dashboard:
    """Every figure on the committee's dashboard for the filters, suppressed for the committee's k."""
    k = committee.k
    total, ranking, topics = topic_columns(committee, filters, by, columns)
    districts = sums(committee, filters, "district_number")
    by_day = sums(committee, filters, "day")
    by_action = sums(committee, filters, "action_id")
    campaign_of = dict(db.session.execute(select(Action.id, Action.campaign_id).where(
        Action.id.in_([a for a in by_action if a]))).all())
    shown_topic = filters.topic or (topics[0] if topics else None)
    return Dashboard(
        total=total, ranking=ranking, topics=topics,
        districts=figures.table(districts, k, topics, {d: WHOLE for d in districts if d != WHOLE}),
        branches=figures.table(sums(committee, filters, "branch_id"), k, topics),
        weeks=figures.table(figures.weeks(by_day), k, topics),
        campaigns=figures.table(figures.regroup(by_action, lambda a: campaign_of.get(a) or 0), k, topics),
        topic=shown_topic,
        shares=figures.shares(districts, shown_topic, k) if shown_topic else [],
        postal_codes=postal_code_table(committee, filters, topics) if postal_codes else None)


def postal_code_table(committee: Committee, filters: Filters, topics: list[str]) -> figures.Table:
    """Counts per postal code; a postal code with fewer than k residents is counted in its district."""
    by_code = sums(committee, filters, "postnummer", "district_number")
    district_of = {code: district for code, district in by_code}
    codes = figures.regroup(by_code, lambda key: key[0])
    parents = {**{code: ("district", district_of[code]) for code in codes if code},
               **{("district", district): WHOLE for district in set(district_of.values())}}
    return figures.table(codes, committee.k, topics, parents)


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
