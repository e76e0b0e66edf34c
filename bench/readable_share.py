"""How much of the input a programme committee can still count and read under the k rule.

Run against any database, e.g. after `flask --app canvass demo load`:

    PYTHONPATH=. .venv/bin/python bench/readable_share.py            # the instance database
    DATABASE_URL=sqlite:////tmp/demo.sqlite PYTHONPATH=. .venv/bin/python bench/readable_share.py

For a few typical views of Oslo's county committee and of Sagene's branch committee it prints the
share of input counted in the figures and the share of input with words that can be read on at
least one topic's page (`canvass.insight.cells`: only cells of at least k residents are used).
"""
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench")

from sqlalchemy import func, select  # noqa: E402

from canvass import create_app  # noqa: E402
from canvass.extensions import db  # noqa: E402
from canvass.models import Branch, Campaign, Committee, Conversation, District, Organisation  # noqa: E402
from canvass.services.committee.committee_input import readable_share  # noqa: E402
from canvass.services.committee.committees import Filters  # noqa: E402


def views(oslo: Organisation) -> list[tuple[str, Committee, Filters]]:
    county = Committee(organisation_id=oslo.id, k=int(os.environ.get("K", 5)))
    sagene = db.session.scalar(select(Branch).where(Branch.organisation_id == oslo.id, Branch.name == "Sagene"))
    branch = Committee(organisation_id=oslo.id, branch_id=sagene.id, k=county.k, branch=sagene)
    last = db.session.scalar(select(func.max(Conversation.week)).where(Conversation.organisation_id == oslo.id))
    busiest = db.session.scalar(select(Conversation.district_number).where(Conversation.organisation_id == oslo.id)
                                .group_by(Conversation.district_number).order_by(func.count().desc()).limit(1))
    name = db.session.scalar(select(District.name).where(District.number == busiest))
    campaign = db.session.scalar(select(Campaign.id).where(Campaign.organisation_id == oslo.id)
                                 .order_by(Campaign.starts_on.desc()).limit(1))
    month = Filters(start=last - timedelta(weeks=3), end=last + timedelta(days=6))
    return [
        ("county, no filter (the default view)", county, Filters()),
        ("county, the latest campaign", county, Filters(campaign_id=campaign)),
        ("county, the last four weeks", county, month),
        ("county, the last whole week", county, Filters(start=last - timedelta(weeks=1), end=last - timedelta(days=1))),
        (f"county, district {name}", county, Filters(district=busiest)),
        (f"county, district {name}, the last four weeks", county, Filters(district=busiest, start=month.start,
                                                                          end=month.end)),
        ("Sagene's committee, no filter", branch, Filters()),
    ]


def main() -> None:
    app = create_app()
    with app.app_context():
        oslo = db.session.scalar(select(Organisation).where(Organisation.name == "Oslo"))
        print(f"{'view':55} {'counted':>16} {'readable text':>16}")
        for label, committee, filters in views(oslo):
            counted, everything, readable, said = readable_share(committee, filters)
            print(f"{label:55} {counted:5}/{everything:5} {counted / max(everything, 1):4.0%} "
                  f"{readable:5}/{said:5} {readable / max(said, 1):4.0%}")
        db.session.rollback()


if __name__ == "__main__":
    main()
