"""A programme committee reads what people said, works it into the programme, and exports it: never who said it."""
import csv
import io
import re
from datetime import datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.insight import tally
from canvass.models import (
    Branch,
    Contact,
    Conversation,
    InputTally,
    Organisation,
    Report,
    SectionLink,
    Theme,
    ThemeMember,
)
from canvass.services.committee import tallies
from canvass.web.references import ref
from tests import kanon_model
from tests.conftest import login, post

SECRET_WORDS = "Husleia er for høy. Ring meg på 912 34 567, hilsen Kari Nordmann i Sannergata 5B"


@pytest.fixture
def committee(insight_app):
    client = insight_app.test_client()
    login(client, "komite@oslo.demo")
    return client


def _said(words: str, topics="bolig", district="030103", postnummer="0473") -> Conversation:
    """One more input in the district, in the action and week where most raised the topic: a committee reads
    input only in cells where at least k raised it, and a hand-made input alone would be a cell of one."""
    oslo = db.session.scalar(select(Organisation).where(Organisation.name == "Oslo"))
    action_id, branch_id, week = db.session.execute(
        select(InputTally.action_id, InputTally.branch_id, InputTally.day).where(
            InputTally.grain == tally.Grain.DISTRICT_WEEK, InputTally.district_number == district,
            InputTally.topic == topics.splitlines()[0]).order_by(InputTally.residents.desc()).limit(1)).one()
    row = {"visit_uuid": f"00000000-0000-4000-8000-{abs(hash(words)) % 10**12:012d}", "organisation_id": oslo.id,
           "branch_id": branch_id, "action_id": action_id, "address_id": None, "postnummer": postnummer,
           "district_number": district, "topics": topics, "words": words, "importance": 3,
           "wants_membership": True, "wants_contact": True,
           "recorded_at": datetime.combine(week + timedelta(days=2), time(17))}
    conversation = Conversation(**row)
    db.session.add(conversation)
    db.session.add(Contact(event_key="k" * 64, organisation_id=oslo.id, name="Kari Nordmann", phone="+4791234567"))
    db.session.flush()
    tallies.record([{**row, "id": conversation.id}])
    db.session.commit()
    return conversation


def test_only_committee_members_see_the_dashboard(insight_app):
    client = insight_app.test_client()
    assert client.get("/komite/").status_code == 302
    login(client, "sagene@oslo.demo")
    assert client.get("/komite/").status_code == 403
    assert client.get("/komite/eksport.xlsx").status_code == 403


def test_the_dashboard_shows_ranking_map_and_weeks(committee, insight_app):
    page = committee.get("/komite/").get_data(as_text=True)
    total, _ = kanon_model.visible(insight_app.generated)
    assert f"{total:,} innspill".replace(",", " ") in page.replace("\xa0", " ")
    # the ranking, the district map, the weeks, the coverage map; the legends' swatches are small svgs of their own
    assert page.count("<svg") - page.count('<svg class="swatch-svg"') == 4
    assert "Andel som nevnte bolig, per bydel" in page
    assert "Gamle Oslo" in page and "Uke 37 2026" in page


def test_there_is_no_table_or_filter_per_postal_code(committee, insight_app):
    page = committee.get("/komite/?topic=klima").get_data(as_text=True)
    assert "/komite/postnummer" not in page and 'value="p:' not in page
    assert committee.get("/komite/postnummer?topic=klima").status_code == 404
    assert committee.get("/komite/?area=p:0473").status_code == 400


def test_filtering_to_a_district_and_a_topic(committee, insight_app):
    page = committee.get("/komite/?area=d:030103&topic=klima").get_data(as_text=True)
    everyone, raised = kanon_model.visible(insight_app.generated, where=lambda item: item.district_number == "030103")
    # The topic narrows the figures to those who raised it (tests/test_committee_hand_counts.py counts by hand).
    assert f"{raised['klima']} av {everyone} innspill nevnte «klima»." in page.replace("\xa0", " ")
    assert "Andel som nevnte klima, per bydel" in page


def test_no_page_or_export_shows_who_said_it(committee, insight_app):
    _said(SECRET_WORDS)
    pages = [committee.get(url).get_data(as_text=True) for url in
             ("/komite/", "/komite/innspill?topic=bolig", "/komite/eksport.csv?topic=bolig&tabell=input")]
    post(committee, "/komite/temaer/finn?topic=bolig", {"topic": "bolig"})
    theme = db.session.scalar(select(ThemeMember.theme_id).join(Conversation).where(Conversation.words == SECRET_WORDS))
    pages.append(committee.get(f"/komite/temaer/{theme}").get_data(as_text=True))
    book = load_workbook(io.BytesIO(committee.get("/komite/eksport.xlsx?topic=bolig").data))
    pages.append(" ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row))
    for text in pages:
        assert "Nordmann" not in text and "912 34 567" not in text and "91234567" not in text
        assert "Sannergata 5B" not in text and "Dørbanker" not in text
    assert "Husleia er for høy. Ring meg på [telefon], hilsen [navn] i [adresse]" in pages[-1]
    assert '<span class="mask">[telefon]</span>' in pages[3]


def test_masks_are_named_in_the_readers_language(committee, insight_app):
    _said(SECRET_WORDS)
    post(committee, "/komite/temaer/finn?topic=bolig", {"topic": "bolig"})
    post(committee, "/sprak", {"lang": "en"})
    theme = db.session.scalar(select(ThemeMember.theme_id).join(Conversation).where(Conversation.words == SECRET_WORDS))
    page = committee.get(f"/komite/temaer/{theme}").get_data(as_text=True)
    assert '<span class="mask">[phone]</span>' in page and '<span class="mask">[name]</span>' in page


def test_themes_are_found_named_merged_split_and_considered(committee, insight_app):
    response = post(
        committee, "/komite/temaer/finn?topic=bolig", {"topic": "bolig", "next": "/komite/innspill?topic=bolig"}
    )
    assert response.status_code == 303 and response.location.startswith("/jobber/")
    job_page = committee.get(response.location).get_data(as_text=True)
    assert "nye temaer" in job_page and 'href="/komite/innspill?topic=bolig"' in job_page
    themes = db.session.scalars(select(Theme).where(Theme.topic == "bolig")).all()
    assert len(themes) >= 3
    page = committee.get("/komite/innspill?topic=bolig").get_data(as_text=True)
    assert "ikke sortert i temaer" not in page
    first, second = themes[0], themes[1]
    post(committee, f"/komite/temaer/{first.id}/navn", {"label": "Husleie og leie"})
    post(committee, f"/komite/temaer/{first.id}/slaa-sammen", {"theme": str(second.id)})
    db.session.expire_all()
    assert db.session.get(Theme, second.id) is None and first.label == "Husleie og leie"
    members = db.session.scalars(select(ThemeMember.conversation_id).where(ThemeMember.theme_id == first.id)).all()
    post(committee, f"/komite/temaer/{first.id}/del", {"label": "Utleiere", "input": [ref(m) for m in members[:3]]})
    new = db.session.scalar(select(Theme).where(Theme.label == "Utleiere"))
    assert len(new.members) == 3
    post(committee, f"/komite/temaer/{new.id}/vurdert", {"considered": "1"})
    db.session.expire_all()
    assert new.considered


def test_a_bad_theme_name_changes_nothing_and_says_why(committee, insight_app):
    post(committee, "/komite/temaer/finn?topic=klima", {"topic": "klima"})
    theme = db.session.scalar(select(Theme).where(Theme.topic == "klima"))
    label = theme.label
    response = post(committee, f"/komite/temaer/{theme.id}/navn", {"label": "  "}, follow_redirects=True)
    assert "Navnet på temaet må ha mellom 1 og 120 tegn." in response.get_data(as_text=True)
    db.session.expire_all()
    assert theme.label == label


def test_another_committees_theme_is_not_found(committee, insight_app):
    post(committee, "/komite/temaer/finn?topic=klima", {"topic": "klima"})
    theme = db.session.scalar(select(Theme).where(Theme.topic == "klima"))
    other = insight_app.test_client()
    baerum = db.session.scalar(select(Organisation).where(Organisation.name == "Bærum"))
    from canvass.services.people import people

    people.create_user(baerum, "committee", "Bærum-komiteen", email="komite@baerum.demo", password="demo-passord")
    db.session.commit()
    login(other, "komite@baerum.demo")
    assert other.get(f"/komite/temaer/{theme.id}").status_code == 404
    assert post(other, f"/komite/temaer/{theme.id}/navn", {"label": "x"}).status_code == 404


def test_tags_and_considered_input(committee, insight_app):
    conversation = _said("Vil ha flere kommunale boliger")
    post(committee, f"/komite/innspill/{ref(conversation.id)}/merkelapp", {"tag": "Kommunal  bolig"})
    post(committee, f"/komite/innspill/{ref(conversation.id)}/vurdert", {"considered": "1"})
    post(committee, "/komite/temaer/finn?topic=bolig", {"topic": "bolig"})
    theme = db.session.scalar(select(ThemeMember.theme_id).where(ThemeMember.conversation_id == conversation.id))
    page = committee.get(f"/komite/temaer/{theme}").get_data(as_text=True)
    item = page[page.index(f'id="innspill-{ref(conversation.id)}"') :][:3000]
    assert '<span class="tag">kommunal bolig</span>' in item and "Ikke vurdert likevel" in item


def test_a_theme_linked_to_a_section_is_no_longer_unanswered_and_the_report_is_published(committee, insight_app):
    post(committee, "/komite/temaer/finn?topic=bolig", {"topic": "bolig"})
    post(committee, "/komite/program", {"title": "Boligpolitikk", "answer": "Vi vil bygge 10 000 kommunale boliger."})
    page = committee.get("/komite/program").get_data(as_text=True)
    biggest = db.session.scalars(select(Theme).where(Theme.topic == "bolig")).all()
    section = re.search(r'name="section"><option value="(\d+)"', page).group(1)
    assert f'/komite/temaer/{biggest[0].id}"' in page
    post(committee, "/komite/program/lenke", {"section": section, "theme": str(biggest[0].id)})
    assert db.session.scalar(select(SectionLink.theme_id)) == biggest[0].id
    page = committee.get("/komite/program").get_data(as_text=True)
    unanswered = page[page.index("unanswered-title") : page.index("outline-title")]
    assert f'/komite/temaer/{biggest[0].id}"' not in unanswered
    proposal = next(t for t in biggest[1:] if t.label != biggest[0].label)
    post(committee, "/komite/program/lenke", {"section": section, "theme": str(proposal.id)})
    # Only a theme a person has named is published: the biggest is named here, the other keeps its proposal.
    post(committee, f"/komite/temaer/{biggest[0].id}/navn", {"label": "Husleia er for høy"})
    form = {"title": "Dette hørte vi – dette gjorde vi", "intro": "Takk!"}
    asked = post(committee, "/komite/rapport", form)
    assert asked.status_code == 200 and db.session.scalar(select(func.count(Report.id))) == 0
    shown = asked.get_data(as_text=True)
    assert "Vil du publisere dette for alle medlemmene?" in shown and "Husleia er for høy" in shown
    assert proposal.label not in shown[shown.index("Dette blir publisert"):]
    response = post(committee, "/komite/rapport", {**form, "confirm": "1"})
    assert response.status_code == 302
    member = insight_app.test_client()
    login(member, "sagene@oslo.demo")
    report = member.get(response.location).get_data(as_text=True)
    assert "Boligpolitikk" in report and "Vi vil bygge 10 000 kommunale boliger." in report
    assert "Husleia er for høy" in report and proposal.label not in report
    outsider = insight_app.test_client()
    login(outsider, "admin@baerum.demo")
    assert outsider.get(response.location).status_code == 404


def test_a_section_of_another_committee_cannot_be_linked(committee, insight_app):
    post(committee, "/komite/temaer/finn?topic=bolig", {"topic": "bolig"})
    theme = db.session.scalar(select(Theme))
    response = post(
        committee, "/komite/program/lenke", {"section": "999", "theme": str(theme.id)}, follow_redirects=True
    )
    assert "Velg hvilket avsnitt i programmet som svarer på dette." in response.get_data(as_text=True)
    assert db.session.scalar(select(SectionLink)) is None


def test_the_excel_export_has_a_sheet_per_table(committee, insight_app):
    response = committee.get("/komite/eksport.xlsx?area=d:030103")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:5] == ["Temaer", "Per bydel", "Per lag", "Per uke", "Per kampanje"]
    ranking = {row[0]: row[1] for row in book["Temaer"].iter_rows(min_row=2, values_only=True)}
    _, expected = kanon_model.visible(insight_app.generated, where=lambda item: item.district_number == "030103")
    assert ranking["bolig"] == expected["bolig"]


def test_exports_do_not_run_formulas(committee, insight_app):
    _said('=HYPERLINK("http://evil.example","klikk") er det jeg mener om husleia')
    body = committee.get("/komite/eksport.csv?topic=bolig&tabell=input").data.decode("utf-8-sig")
    words = [row[1] for row in csv.reader(io.StringIO(body), delimiter=";")]
    assert any(w.startswith("'=HYPERLINK") for w in words) and not any(w.startswith("=") for w in words)
    book = load_workbook(io.BytesIO(committee.get("/komite/eksport.xlsx?topic=bolig").data))
    cells = [c.value for row in book.worksheets[-1].iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(value.startswith("=") for value in cells)


def test_the_pdf_report_has_the_charts(committee, insight_app):
    response = committee.get("/komite/eksport.pdf?area=d:030103")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert len(response.data) > 5000


def test_k_can_be_raised_but_not_lowered_below_five(committee, insight_app):
    page = post(committee, "/komite/k", {"k": "3"}, follow_redirects=True).get_data(as_text=True)
    assert "Minste gruppe må være et helt tall på minst 5." in page
    # A district's week holds a few dozen residents: a k of 40 leaves a county view with little to show.
    post(committee, "/komite/k", {"k": "12"})
    page = committee.get("/komite/").get_data(as_text=True)
    numbers = [int(n.replace("\xa0", "")) for n in re.findall(r'<td class="num">([\d\xa0]+)</td>', page)]
    assert numbers and min(numbers) >= 12
    # The coverage counts dwellings and doors, not residents; its conversations are none or at least k.
    conversations = re.findall(r'<td class="num conversations">([\d\xa0]+)</td>', page)
    assert conversations and all(n == "0" or int(n.replace("\xa0", "")) >= 12 for n in conversations)


def test_a_branch_committee_member_sees_only_the_branch(insight_app):
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    from canvass.services.people import people

    people.create_user(
        sagene.organisation,
        "committee",
        "Sagenekomiteen",
        email="komite@sagene.demo",
        password="demo-passord",
        branch=sagene,
    )
    db.session.commit()
    client = insight_app.test_client()
    login(client, "komite@sagene.demo")
    page = client.get("/komite/").get_data(as_text=True)
    expected, _ = kanon_model.visible(insight_app.generated, where=lambda item: item.branch_id == sagene.id)
    assert f"{expected} innspill med disse filtrene" in page.replace("\xa0", " ")
    assert "Gamle Oslo" not in page.split("Etter område")[1].split("</section>")[0] or expected == 0


def test_counts_stay_when_the_conversation_is_erased(committee, insight_app):
    conversation = _said("Husleia er for høy")
    before = committee.get("/komite/eksport.csv").data
    db.session.delete(conversation)
    db.session.commit()
    assert committee.get("/komite/eksport.csv").data == before
    assert db.session.scalar(select(InputTally).where(InputTally.topic == tally.ALL_TOPICS)) is not None


def test_printed_tables_show_shares_as_percent_and_a_mean_of_one_as_one(app):
    from canvass.services.committee.committee_pdf import cell_text

    # As the page prints them, in Norwegian: 25 %, 1,0 and 2 400.
    with app.test_request_context():
        assert cell_text(0.25, percent=True) == "25\xa0%"
        assert cell_text(1.0) == "1,0" and cell_text(None) == "-" and cell_text(2400) == "2\xa0400"


def test_the_excel_ranking_shows_shares_as_percent(committee, insight_app):
    book = load_workbook(io.BytesIO(committee.get("/komite/eksport.xlsx").data))
    assert book["Temaer"]["C2"].number_format == "0%" and book["Temaer"]["B2"].number_format == "General"


def test_a_branch_committee_compares_only_the_areas_of_its_own_branch(insight_app):
    """Outsider: Sagene's committee was offered every bydel and lag of Oslo to compare, areas its figures never
    hold, and a typed address of another branch's area was compared as if it were its own."""
    from canvass.services.people import people

    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    frogner = db.session.scalar(select(Branch).where(Branch.name == "Frogner"))
    people.create_user(sagene.organisation, "committee", "Sagenekomiteen", email="komite@sagene.demo",
                       password="demo-passord", branch=sagene)
    db.session.commit()
    client = insight_app.test_client()
    login(client, "komite@sagene.demo")
    page = client.get("/komite/sammenlign").get_data(as_text=True)
    offered = re.findall(r'<option value="([db]:[^"]+)"[^>]*>([^<]+)</option>', page)
    assert ("d:030103", "Bydel Sagene") in [(v, n.strip()) for v, n in offered]
    assert not any("Frogner" in name or "Gamle Oslo" in name for _, name in offered)
    assert not any(value.startswith("b:") for value, _ in offered)
    # Another branch's area typed into the address is not compared.
    other = client.get(f"/komite/sammenlign?a=b:{frogner.id}&b=d:030105").get_data(as_text=True)
    assert "Frogner" not in other.split("<main")[1]
    # Its maps (the topic's and where it heard whom) draw its own bydeler, not all of Oslo's in grey.
    board = client.get("/komite/?topic=bolig").get_data(as_text=True)
    assert "Sagene" in board.split("<main")[1] and "Frogner:" not in board and "Gamle Oslo:" not in board
