"""In a real Chromium: a coordinator builds a question set of every kind and gives it to tonight's action, Daniel
answers it offline at three doors, and the committee sees its distribution only once five residents have answered,
on the page and in the CSV, Excel and PDF."""
import re
import uuid
import zlib
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import func, select

from canvass.extensions import db
from canvass.models import Action, Answer, Branch, Question, QuestionSet, User
from canvass.services.field import sync
from canvass.services.turf import actions, turfs
from tests.browser.conftest import download_turf, log_in_as_daniel
from tests.browser.test_join_and_map import log_in
from tests.browser.test_offline import signal_back, waiting

pytestmark = pytest.mark.browser
LAPTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "nb-NO", "accept_downloads": True}
KINDS = [("Ja / nei / vet ikke", "Bør bussen gå oftere?", {}),
         ("Skala 1–5", "Hvor trygt er nabolaget?", {"Skala: hva 1 betyr": "Utrygt", "Skala: hva 5 betyr": "Trygt"}),
         ("Ett av flere svar", "Hva er viktigst?", {"Svaralternativer": "Bolig\nSkole\nKlima"}),
         ("Flere av flere svar", "Hva bruker du?", {"Svaralternativer": "Buss\nTrikk\nSykkel"}),
         ("Kort fritekst", "Noe annet?", {})]
# What the three residents at the door say: yes/no, scale, one of, several of, free text.
SAID = [("Ja", "4", "Bolig", ["Buss"], "Mer lys"), ("Ja", "5", "Skole", ["Buss", "Trikk"], ""),
        ("Nei", "2", "Bolig", ["Sykkel"], "")]


def logged_in(browser, address, email):
    context = browser.new_context(**LAPTOP)
    page = context.new_page()
    log_in(page, address, email)
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page


def build_set_and_give_it(browser, address, action: Action) -> None:
    """Sagene's coordinator builds the set through the pages, one question of each kind, and gives it to the action."""
    context, page = logged_in(browser, address, "sagene@oslo.demo")
    page.goto(f"{address}/sporsmal")
    page.get_by_label("Navn").fill("Torshov-spørsmål")
    page.get_by_role("button", name="Opprett spørsmålssett").click()
    expect(page.get_by_role("heading", name="Torshov-spørsmål", level=1)).to_be_visible()
    new = page.locator("form", has=page.get_by_role("button", name="Legg til spørsmål"))
    for kind, text, more in KINDS:
        new.get_by_label("Type").select_option(label=kind)
        new.get_by_label("Spørsmål", exact=True).fill(text)
        for label, value in more.items():
            new.get_by_label(label, exact=False).fill(value)
        new.get_by_role("button", name="Legg til spørsmål").click()
        expect(page.get_by_role("heading", name=text)).to_be_visible()
    page.goto(f"{address}/aksjoner/{action.id}")
    page.get_by_label("Spørsmålssett (valgfritt)").select_option(label="Torshov-spørsmål")
    page.get_by_role("button", name="Lagre spørsmål og guide").click()
    expect(page.get_by_text("Spørsmålssett: Torshov-spørsmål")).to_be_visible()
    context.close()


def one_district(turf) -> list[int]:
    """Addresses of the turf in one district, in walk order: 0473 lies in two, and a committee reads answers in
    cells of one district, week and action (canvass.services.committee.answer_figures)."""
    early = [stop.address.district_number for stop in turf.stops[:20]]
    common = max(set(early), key=early.count)
    return [stop.address_id for stop in turf.stops if stop.address.district_number == common]


def answer_at_the_door(page, walk_url, address_id: int, said) -> None:
    yes_no, scale, one, many, text = said
    page.locator(f"#a-{address_id} li.door").first.locator('button[name="tap"][value^="conversation"]').click()

    def question(asked):
        return page.locator("fieldset.question", has_text=asked)
    question("Bør bussen gå oftere?").get_by_text(yes_no, exact=True).click()
    question("Hvor trygt er nabolaget?").get_by_text(scale, exact=True).click()
    question("Hva er viktigst?").get_by_text(one, exact=True).click()
    for option in many:
        question("Hva bruker du?").get_by_text(option, exact=True).click()
    if text:
        question("Noe annet?").get_by_role("textbox").fill(text)
        # Back to the list and forward again before saving, as a thumb does: every answer comes back with the form
        # (a short-text answer came back empty and was saved without it).
        page.go_back()
        page.wait_for_url(lambda url: "/samtale" not in url)
        page.go_forward()
        page.wait_for_url("**/samtale?**")
        expect(question("Noe annet?").get_by_role("textbox")).to_have_value(text)
        expect(question("Bør bussen gå oftere?").get_by_label(yes_no, exact=True)).to_be_checked()
    page.get_by_role("button", name="Lagre samtalen").click()
    page.wait_for_url(f"{walk_url}#d-*")


def two_more_through_sync(daniel, turf, action, question_set, addresses) -> None:
    """Two more residents answer on another phone: the same sync the walk list uses, without a browser."""
    asked = {q.text: q for q in question_set.questions}
    events = []
    for address_id, value in zip(addresses, ("yes", "dont_know"), strict=True):
        events.append({"id": str(uuid.uuid4()), "type": "visit", "outcome": "conversation", "turf_id": turf.id,
                       "action_id": action.id, "address_id": address_id, "unit": "",
                       "recorded_at": datetime.now(timezone.utc).isoformat(),
                       "conversation": {"topics": [], "words": "", "importance": None,
                                        "answers": {str(asked["Bør bussen gå oftere?"].id): value}}})
    assert {r.status for r in sync.ingest(daniel, events)} == {"stored"}


def test_a_set_of_every_kind_answered_offline_shows_its_distribution_once_five_have_answered(
        live_server, browser, a_week_later):
    sagene = db.session.scalar(select(Branch).where(Branch.name == "Sagene"))
    turf = max(turfs.cut_turfs(sagene, ["0473"], target=70), key=lambda t: t.doors)
    action = actions.create_action(sagene, "Torshov", "door", datetime.now() - timedelta(hours=1), topics="bolig")
    daniel = db.session.scalar(select(User).where(User.name == "Daniel Dørbanker"))
    actions.assign(action, turf, [daniel])
    build_set_and_give_it(browser, live_server, action)
    db.session.expire_all()
    question_set = db.session.scalar(select(QuestionSet).where(QuestionSet.name == "Torshov-spørsmål"))
    assert [q.kind for q in question_set.questions] == ["yes_no", "scale", "one", "many", "text"]

    phone = browser.new_context(**{k: v for k, v in LAPTOP.items() if k != "accept_downloads"})
    page = log_in_as_daniel(phone, live_server)
    walk_url = f"{live_server}/felt/{actions.my_assignments(daniel)[0].id}"
    download_turf(page, walk_url)
    phone.set_offline(True)
    page.reload()
    addresses = one_district(turf)
    for address_id, said in zip(addresses, SAID, strict=False):
        answer_at_the_door(page, walk_url, address_id, said)
    waiting(page, 3)
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    signal_back(phone, page)
    waiting(page, 0, timeout=20000)
    phone.close()
    db.session.expire_all()
    stored = sorted(db.session.execute(select(Question.kind, Answer.value).join(Question)).all())
    assert stored == sorted([("yes_no", "yes"), ("yes_no", "yes"), ("yes_no", "no"), ("scale", "4"), ("scale", "5"),
                             ("scale", "2"), ("one", "1"), ("one", "2"), ("one", "1"), ("many", "1"), ("many", "1"),
                             ("many", "2"), ("many", "3"), ("text", "Mer lys")])

    committee, page = logged_in(browser, live_server, "komite@oslo.demo")
    page.goto(f"{live_server}/komite/sporsmal")
    bus = page.locator("section.question-row", has_text="Bør bussen gå oftere?")
    expect(bus).to_contain_text("Færre enn 5 har svart: ingen fordeling vises.")
    expect(bus.locator("svg")).to_have_count(0)
    bus_id = db.session.scalar(select(Question.id).where(Question.text == "Bør bussen gå oftere?"))
    early = committee.request.get(f"{live_server}/komite/sporsmal/{bus_id}/eksport.csv?per=all").text()
    assert early.strip().count("\n") == 0

    two_more_through_sync(daniel, turf, action, question_set, addresses[3:5])
    # Five now, but their week is not over: a reading before and after one door would tell that door's answer.
    page.reload()
    expect(page.locator("section.question-row", has_text="Bør bussen gå oftere?")).to_contain_text("Færre enn 5")
    a_week_later()
    page.reload()
    bus = page.locator("section.question-row", has_text="Bør bussen gå oftere?")
    expect(bus).to_contain_text("5 har svart.")
    expect(bus.locator("svg")).to_have_count(1)
    # The scale was answered by three only: still nothing.
    expect(page.locator("section.question-row", has_text="Hvor trygt er nabolaget?")).to_contain_text("Færre enn 5")

    bus.get_by_role("link", name="Bør bussen gå oftere?").click()
    page.get_by_label("Vis", exact=True).select_option(label="Hele utvalget")
    page.get_by_role("button", name="Vis", exact=True).click()
    # Three yes, one no and one don't know: as shares that would be one resident's no. Five answered, and what they
    # answered is held back, in the table and in every export.
    expect(page.locator("table")).to_contain_text("Holdt tilbake")
    expect(page.locator("table tbody")).to_contain_text("100\xa0%")
    expect(page.locator("table tbody")).not_to_contain_text("60\xa0%")
    with page.expect_download() as csv:
        page.get_by_role("link", name="CSV").click()
    assert Path(csv.value.path()).read_text(encoding="utf-8-sig").splitlines() == [
        "Utvalg;Svarte;Ja (%);Nei (%);Vet ikke (%);Holdt tilbake (%)", "Alle som svarte;5;;;;100"]
    with page.expect_download() as excel:
        page.get_by_role("link", name="Excel").click()
    sheet = load_workbook(BytesIO(Path(excel.value.path()).read_bytes()))["Hele utvalget"]
    assert [c.value for c in sheet[2]] == ["Alle som svarte", 5, None, None, None, 1]
    with page.expect_download() as pdf:
        page.get_by_role("link", name="PDF").click()
    body = Path(pdf.value.path()).read_bytes()
    assert body.startswith(b"%PDF")
    text = pdf_text(body)
    assert "Alle som svarte" in text and "100\xa0%" in text and "60\xa0%" not in text
    committee.close()


def pdf_text(body: bytes) -> str:
    """The PDF's page content, its compressed streams opened: what its text operators print."""
    streams = [zlib.decompress(s) for s in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
               if s[:1] == b"x"]
    return b"\n".join([body, *streams]).decode("latin-1")
