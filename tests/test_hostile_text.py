"""Text typed by people is shown as text everywhere: script tags, broken-out attributes, Unicode tricks, formulas.

Every name and free-text field of the access tests' world is overwritten with hostile text, then
every page and export is fetched as every actor. HTML must carry it escaped, JSON as data, and a
spreadsheet cell must never start like a formula.
"""
import csv
import io
import uuid

from openpyxl import load_workbook
from sqlalchemy import select, update

from canvass.extensions import db
from canvass.insight.export import FORMULA_START, XLSX
from canvass.models import (
    Action,
    AddressNote,
    Branch,
    Campaign,
    Contact,
    Conversation,
    InputTag,
    ProgrammeSection,
    Tag,
    Theme,
    Turf,
    User,
)
from canvass.services.committee import committees, programme, tallies
from tests.actors import ADMIN, KOMITE, SAGENE, build_world, clients, url
from tests.conftest import _dispose

# An element, an attribute break-out, a right-to-left override and full-width brackets (which must
# stay full-width: normalising them after escaping would make them real brackets).
HOSTILE = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>\u202egnp.exe＜b＞"
RAW = ("<script>alert(1)</script>", "<img src=x onerror", "<b>")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULA = '=HYPERLINK("http://example.org";"klikk")'


def _poison(app) -> None:
    with app.app_context():
        sagene = db.session.get(Branch, app.ids["branch_id"])
        text = HOSTILE + " Sagene"
        db.session.execute(update(Branch).where(Branch.id == sagene.id).values(name=text))
        db.session.execute(update(Turf).where(Turf.branch_id == sagene.id).values(name=text))
        db.session.execute(update(Action).where(Action.branch_id == sagene.id).values(
            title=HOSTILE, meeting_point=HOSTILE, topics="bolig\n" + HOSTILE[:60]))
        db.session.execute(update(Campaign).where(Campaign.branch_id == sagene.id).values(name=HOSTILE))
        db.session.execute(update(User).where(User.name.in_(["Daniel Dørbanker", "Frida Frogner"])).values(
            name=HOSTILE))
        db.session.execute(update(Contact).values(name=FORMULA, email="-2+3@example.org"))
        db.session.execute(update(Conversation).values(words=f"{FORMULA} {HOSTILE}", topics="bolig\n" + HOSTILE[:60]))
        db.session.execute(update(Theme).values(label=HOSTILE))
        db.session.execute(update(ProgrammeSection).values(title=HOSTILE, answer=f"@SUM(1) {HOSTILE}"))
        db.session.execute(update(AddressNote).values(text=HOSTILE))
        committee = committees.committee_for(db.session.scalar(select(User).where(User.email == "komite@oslo.demo")))
        tag = Tag(committee_id=committee.id, name=HOSTILE[:60])
        db.session.add(tag)
        db.session.flush()
        db.session.add(InputTag(tag_id=tag.id, conversation_id=app.ids["conversation_id"]))
        db.session.commit()
        app.ids["report_id"] = programme.publish(committee, HOSTILE, HOSTILE).id


def _cells(response) -> list[str]:
    if response.mimetype == XLSX:
        book = load_workbook(io.BytesIO(response.get_data()))
        return [
            cell.value for sheet in book for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)
        ]
    return [
        cell
        for row in csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
        for cell in row
    ]


def test_hostile_text_is_shown_as_text_on_every_page_and_in_every_export(databases_, demo_template):
    app = build_world(databases_, demo_template)
    _poison(app)
    actors = clients(app)
    wrong, escaped_on = [], set()
    # Every kind of export, with the input table that holds the free text.
    extra = {
        "committee.export": [
            "/komite/eksport.csv?topic=bolig&tabell=input",
            "/komite/eksport.xlsx?topic=bolig",
            "/komite/eksport.pdf?topic=bolig",
        ]
    }
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        for actor, client in actors.items():
            for address in [url(app, rule)] + extra.get(rule.endpoint, []):
                response = client.get(address)
                if response.status_code >= 500:
                    wrong.append(f"{address} as {actor}: {response.status_code}")
                if response.status_code != 200:
                    continue
                if response.mimetype == "text/html":
                    body = response.get_data(as_text=True)
                    wrong += [f"{address} as {actor} has {raw!r} unescaped" for raw in RAW if raw in body]
                    if ESCAPED in body:
                        escaped_on.add(rule.endpoint)
                elif response.mimetype in (XLSX, "text/csv"):
                    wrong += [
                        f"{address} as {actor}: cell {cell!r} runs as a formula"
                        for cell in _cells(response)
                        if cell.startswith(FORMULA_START)
                    ]
    _dispose(app)
    assert wrong == [], "\n".join(wrong)
    # The hostile text did reach the pages it was written for, escaped.
    assert {
        "actions.show",
        "turf.show",
        "field.walk",
        "committee.input",
        "committee.programme",
        "reports.show",
        "people.index",
        "branches.overview",
    } <= escaped_on, sorted(escaped_on)


def _four_more_like_it(app) -> None:
    """Committees read only groups of at least five residents: the seeded conversation gets four neighbours."""
    with app.app_context():
        said = db.session.get(Conversation, app.ids["conversation_id"])
        rows = [
            {c.key: getattr(said, c.key) for c in Conversation.__table__.columns if c.key != "id"}
            | {"visit_uuid": str(uuid.uuid4())}
            for _ in range(4)
        ]
        clones = [Conversation(**row) for row in rows]
        db.session.add_all(clones)
        db.session.flush()
        tallies.record([{**row, "id": clone.id} for row, clone in zip(rows, clones, strict=True)])
        db.session.commit()


def test_a_contact_export_never_hands_excel_a_formula(databases_, demo_template, a_week_later):
    app = build_world(databases_, demo_template)
    _four_more_like_it(app)
    _poison(app)
    actors = clients(app)
    a_week_later()
    with app.app_context():
        for actor in (SAGENE, ADMIN):
            cells = _cells(actors[actor].get("/personvern/kontakter.xlsx"))
            assert "'" + FORMULA in cells and "'-2+3@example.org" in cells
        cells = _cells(actors[KOMITE].get("/komite/eksport.csv?topic=bolig&tabell=input"))
        assert any(cell.startswith("'" + FORMULA) for cell in cells), cells
    _dispose(app)
