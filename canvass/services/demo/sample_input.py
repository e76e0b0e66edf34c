"""Generated door input stored like real input: for the demo, the tests and the benchmark.

Each branch gets a campaign week's door action per week, and the generated conversations are
stored (and counted) as if the phones had sent them.
"""
import itertools
import random
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from canvass.extensions import db
from canvass.models import Action, Campaign, Conversation, Organisation
from canvass.services.committee import tallies
from canvass.services.demo import sample
from canvass.services.geography import territory

CHUNK = 5000


def areas(organisation: Organisation) -> list[sample.Area]:
    """Every postal code of every branch's territory, with the district it mostly lies in."""
    district_of = {code: district.number for district in territory.districts(organisation)
                   for code in territory.codes_in_district(district, organisation)}
    return [sample.Area(code, district_of.get(code), branch.id)
            for branch in organisation.branches for code in branch.territory]


def campaign_actions(organisation: Organisation, start: datetime, weeks: int) -> dict[tuple[int, int], int]:
    """A campaign with one door action per branch and week; (branch id, week index) → action id."""
    campaign = Campaign(organisation_id=organisation.id, name=f"Innspillsrunden {start.year}",
                        starts_on=start.date(), ends_on=(start + timedelta(weeks=weeks, days=-1)).date())
    db.session.add(campaign)
    actions = {}
    for branch in organisation.branches:
        for week in range(weeks):
            action = Action(organisation_id=organisation.id, branch_id=branch.id, campaign=campaign,
                            title=f"Dørbanking uke {(start + timedelta(weeks=week)).isocalendar().week}, {branch.name}",
                            starts_at=start + timedelta(weeks=week, days=2, hours=17),
                            signup_token=secrets.token_urlsafe(16))
            db.session.add(action)
            actions[(branch.id, week)] = action
    db.session.flush()
    return {key: action.id for key, action in actions.items()}


def load(organisation: Organisation, count: int, start: datetime, weeks: int = 8, seed: int = 2027,
         progress: Callable[[int, int], None] | None = None, keep: bool = True) -> list[sample.Generated]:
    """Store `count` generated conversations in the organisation; what was generated (if `keep`), to check against."""
    found = areas(organisation)
    actions = campaign_actions(organisation, start, weeks)
    rng = random.Random(seed)
    generated = sample.generate(count, found, start, weeks, seed=seed)
    kept: list[sample.Generated] = []
    done = 0
    while chunk := list(itertools.islice(generated, CHUNK)):
        rows = []
        for item in chunk:
            week = (item.recorded_at - start).days // 7
            item.action_id = actions.get((item.branch_id, week))
            rows.append({"visit_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                         "organisation_id": organisation.id, "branch_id": item.branch_id,
                         "action_id": item.action_id, "address_id": None, "postnummer": item.postnummer,
                         "district_number": item.district_number, "topics": "\n".join(item.topics),
                         "words": item.words, "importance": item.importance, "wants_membership": False,
                         "wants_contact": False, "recorded_at": item.recorded_at})
        ids = db.session.scalars(db.insert(Conversation).returning(Conversation.id, sort_by_parameter_order=True),
                                 rows).all()
        tallies.record([{**row, "id": conversation_id} for row, conversation_id in zip(rows, ids, strict=True)])
        db.session.commit()
        done += len(chunk)
        if keep:
            kept += chunk
        if progress:
            progress(done, count)
    return kept


def organisation_named(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))
