"""Free text is scrubbed before a committee reads it: phone numbers, e-mail, addresses and names are masked.

The corpus is what canvassers really type: hurried, lower-case, with abbreviations. Text between
⟦ and ⟧ identifies a person and must not survive; every other word must. The labelled notes in
tests/data/scrub/ measure recall and precision (bench/scrub_quality.py prints them); whatever is
typed, scrubbing takes a few passes over the text, never time that grows with its square.
"""
import re
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from canvass.extensions import db
from canvass.insight import scrub as scrubber
from canvass.insight.scrub import scrub
from canvass.models import Conversation, Organisation
from canvass.services.committee import tallies
from canvass.services.demo import sample
from tests.conftest import login, post, serve
from tests.http import HttpClient
from tests.scrub_labels import notes, score

CORPUS = [
    "Vil ha mer info om bolig, ring ⟦912 34 567⟧",
    "ring meg på ⟦91234567⟧ etter kl 17",
    "tlf ⟦+47 48 12 34 56⟧, vil bli medlem",
    "Nummeret er ⟦0047 93322110⟧ men bare sms",
    "kan nås på ⟦4123 4567⟧",
    "send mail til ⟦kari.nordmann@gmail.com⟧ om møtet",
    "⟦ola_h88@hotmail.no⟧ vil ha nyhetsbrev",
    "skriv til ⟦per (at) online.no⟧ om klima",
    "Hun bor i ⟦Sannergata 5B⟧ og er lei av trafikken",
    "Bekymret for støy fra byggeplassen ved ⟦Thorvald Meyers gate 12⟧",
    "Vi møttes i ⟦Kirkeveien 40 A⟧, han var opptatt av skole",
    "bor i ⟦vogts gate 64⟧ og venter på ny heis",
    "Naboen i ⟦Åsengata 3⟧ klager på trikken",
    "Adressen hennes er ⟦Ringstadbekkveien 14⟧ i Bærum",
    "Jeg heter ⟦Kari Nordmann⟧ og vil at dere ringer",
    "han heter ⟦mohammed⟧ og driver kiosken",
    "Snakket med ⟦Ingrid Solberg⟧ om eldreomsorg",
    "⟦Fatima Ali⟧ sier barnehagen mangler plasser",
    "naboen ⟦Per⟧ mener bomringen er urettferdig",
    "Kona ⟦Liv⟧ jobber i hjemmetjenesten og er sliten",
    "fru ⟦Hansen⟧ i ⟦andre etasje⟧ vil ha svar om husleia",
    "⟦Per Olsen⟧ vil ha flere benker i parken",
    "spør etter ⟦Trond⟧, han har mye å si om skolen",
    "Ønsker kontakt, ⟦Ahmed Hassan⟧, ⟦ahmed.h@outlook.com⟧",
    "snakk med ⟦Nora⟧ i 2. etg om ungdomsklubben",
    "hilsen ⟦Siri⟧, vil ha bedre busstilbud",
    "⟦Anne-Lise Johansen⟧ vil ha flere sykehjemsplasser",
    "Mannen ⟦Geir⟧ jobber turnus på Ullevål og er bekymret for sykehuset",
    "Bor sammen med datteren ⟦Emma⟧ i kommunal bolig, for dyrt",
    "hun heter ⟦Sigrid Haugen⟧ og vil bli medlem, tlf ⟦97 65 43 21⟧",
    # What the outside tester found leaking.
    "⟦Ola⟧ på hjørnet sier bussen er for dyr",
    "ringe tilbake til ⟦trond⟧ om eiendomsskatten",
    "⟦Lise⟧ i ⟦andre etg.⟧ stemmer Frp",
    "⟦H0201⟧ og ⟦H0303⟧ i ⟦Sannergata 5⟧ vil ha sykkelparkering",
    "⟦Nguyen Van Anh⟧",
    "⟦Piotr Kowalski⟧",
    "⟦9261 23 45⟧",
    "⟦926 123 45⟧",
    "⟦kari dot nordmann at gmail dot com⟧",
    # Every grouping of a number, with and without the country code.
    "ring ⟦+47 926 12 345⟧ etter fem",
    "ring ⟦0047 926 12 345⟧ etter fem",
    "ring ⟦(+47) 92 61 23 45⟧ etter fem",
    "ring ⟦+4792612345⟧ etter fem",
    "ring ⟦92.61.23.45⟧ etter fem",
    "ring ⟦926-12-345⟧ etter fem",
    "ring ⟦41 122 344⟧ etter fem",
    "ring ⟦22 33 44 55⟧ på jobb",
    # Spelled-out and bracketed e-mail.
    "skriv til ⟦ola punktum hansen krøllalfa online punktum no⟧",
    "skriv til ⟦ola [at] online [dot] no⟧",
    "skriv til ⟦ola.hansen (at) online (dot) no⟧",
    "skriv til ⟦ola . hansen @ online . no⟧",
    # Flats, floors and places in a house.
    "bor i ⟦leil. 3⟧ og heisen står",
    "hun i ⟦3. etg⟧ vil ha hjelp",
    "han i ⟦andre etasje⟧ vil ha hjelp",
    "mannen i ⟦kjelleren⟧ vil ha hjelp",
    # Personal id numbers and licence plates.
    "fødselsnummeret ⟦01017012345⟧ sto på lappen",
    "bilen ⟦EL 12345⟧ står på fortauet",
    # Names from the communities that live here.
    "⟦Abdirahman Warsame⟧ vil ha fotballbane",
    "⟦Muhammad Iqbal⟧ vil ha flere lærere",
    "⟦Tran Thi Hoa⟧ vil ha mer politi",
    "⟦Katarzyna⟧ vil ha norskkurs",
    "⟦Jonas Kazlauskas⟧ vil ha kommunal bolig",
    "⟦Yonas Tesfay⟧ vil ha fritidsklubb",
    "⟦Mehmet Yılmaz⟧ vil ha lavere strømpris",
    "⟦Maria Santos⟧ vil ha bedre rettigheter",
    "⟦Khaled Haddad⟧ vil ha raskere godkjenning",
    "⟦Erik Johansson⟧ vil ha flere tog",
    "⟦Bjørn⟧ mener bussen går for sjelden",
    # What an outsider got past the committee's reading page: a number read out digit by digit, a handle, an
    # abbreviated street, a surname in lower case.
    "Ring meg på ⟦9 1 2 3 4 5 6 7⟧ eller ⟦@kari_sagene85⟧ på instagram, bor i ⟦Sannergt. 5 B⟧, heter ⟦kari nordbakken⟧",
    "Nummeret er ⟦ni en to tre fire fem seks sju⟧, ring etter middag",
    "Følg ⟦@ola.nordmann_85⟧ for mer om parkeringen",
    "Bor i ⟦Kapellvn. 12⟧ og vil ha fartsdumper",
    "Sier at ⟦ola haugland⟧ også savner nattbussen",
    # The re-test's numbers: read in pairs, in mixed groups, with the country code one digit at a time.
    "Ring ⟦nittien tjuetre førtifem sekstisju⟧ etter middag",
    "Ring ⟦nittien og tjuetre og førtifem og sekstisju⟧ etter middag",
    "Nummeret hennes er ⟦91 2 3 4 5 6 7⟧ eller ⟦9 1 23 45 67⟧",
    # What the re-test still got through: handles without an "@", streets written short or in lower case, and
    # surnames with no cue.
    "snap: ⟦karisagene85⟧ vil ha mer lys i parken",
    "legg meg til på snap ⟦karisagene85⟧",
    "snapchat: ⟦kari_sagene⟧, vil ha nattbuss",
    "finn meg på instagram ⟦ola_nordmann⟧",
    "tiktok ⟦@karisagene⟧ svarer på meldinger",
    "fb.com/⟦karinordbakken⟧ vil ha benker",
    "se https://www.facebook.com/⟦kari.nordbakken?id=3⟧ om veien",
    "Bor i ⟦Thorvald Meyers g. 20⟧ og vil ha trær",
    "Bor i ⟦Sandakerv. 24⟧, vil ha trær",
    "⟦Sannerg. 5⟧ trenger lekeplass",
    "bor i ⟦sandakerveien 24 b⟧ og savner heis",
    "snakket med ⟦per kvam⟧ om bussen",
    "Familien ⟦Nordbakken⟧ vil ha fartsdumper",
    "familien ⟦nordbakken⟧ vil ha fartsdumper",
    "fam. ⟦Nordbakken⟧ vil ha fartsdumper",
    # The re-test's re-test: other services and ways to write a handle, two-word streets written short, names
    # no list had, and labels.
    "ig bruker ⟦karisagene85⟧ svarer",
    "brukernavn: ⟦karisagene85⟧",
    "whatsapp ⟦kari_sagene⟧ om møtet",
    "signal: ⟦karisagene85⟧",
    "snap=⟦karisagene85⟧",
    "snap (⟦karisagene85⟧) vil ha lys",
    "facebook: ⟦Kari Nordbakken⟧ vil ha benker",
    "discord: ⟦karisagene#1234⟧",
    "se www.⟦karinordbakken⟧.no om saken",
    "snakka med ⟦Trygve⟧ om bussen",
    "⟦Håvard⟧ og ⟦Malene Tveitevoll⟧, nettopp flyttet inn",
    "ekteparet ⟦Tveitevoll⟧ er positive",
    "søsknene ⟦Tveitevoll⟧ vil ha ballbinge",
    "fru ⟦tveitevoll⟧ vil ha benk",
    "navn: ⟦gunnbjørg tveitevoll⟧, vil ha svar",
    "dørskilt: ⟦Tveitevoll⟧, vil ha svar",
    "epost ⟦kari.nordbakken@hotmail⟧ om møtet",
    "skriv til ⟦kari.nordbakken på gmail⟧ om møtet",
    "⟦@ karisagene85⟧ på insta svarer",
]

CLEAN = [
    "Husleia er altfor høy, og kommunen bygger for lite.",
    "Det er langt. 5 av dem går til fots, en to tre ganger i uka.",
    "Det var tjue eller tretti, kanskje førti stykker, og det koster 1 200 000 kroner.",
    "Bekymret for klimaet og for at bussen går sjeldnere.",
    "Vil ha flere lærere i skolen og mindre testing.",
    "Bymiljøetaten må brøyte fortauene tidligere om morgenen.",
    "Per i dag er det 12 000 000 kroner i potten, sa hun, men det holder ikke.",
    "Dag og natt kjører lastebilene forbi.",
    "Liv og røre i gata hver helg, vil ha mer politi.",
    "Ruter bør ha nattbuss til Tøyen.",
    "NAV svarer ikke på telefonen, det tar uker.",
    "Synes Oslo kommune bruker for mye på konsulenter.",
    "Postnummer 0473 og 2026 er ikke telefonnumre.",
    "Sol og vind er bra, men vindmøller i marka er feil.",
    "Stemmer Frp, Høyre er for snille, Ap og SV har styrt for lenge, Rødt har rett.",
    "Mai og juni er travle, per måned koster det 12 000 kroner.",
    "Berg og dal-bane med strømprisene.",
    "Kommer tilbake 12.03.2026 og 2026-03-12, sesongen 2025-2026.",
    "Bussen 31 går hver 10. minutt, buss nr 37 er full.",
    "Vil ha flere sykkelveier langs Trondheimsveien og nattbuss til Tøyen.",
    "Kristiansand har bedre kollektivtilbud, sa han, og vi var alle 3 hjemme.",
    "I helga var det fest i bakgården, og barna i tredje klasse savner gymsal.",
    "Storm i natt veltet trær. Stein og grus ligger på fortauet. Finn ut hvem som rydder.",
    "Stemmer Ap fordi Jonas Gahr Støre er flink, men Erna Solberg var bedre enn Solberg-regjeringen.",
    "Det koster 200 kroner per uke, per dag kommer det 40 biler.",
    "Følg kommunen på facebook for info, snap og tiktok tar all tid, instagram er for unge.",
    "Forslag 3 er best, og lørdag 12. kommer vi tilbake.",
    "Familien har bodd her i 40 år, og familien min vil bli.",
    "Spurte om snap: ja, og ig: nei takk. Dårlig signal hjemme.",
    "Hun er på gmail og facebook, men svarer sjelden. Møtes @ 17 på torget.",
    "Dårlig signal-dekning i bygget, og snap-kart viser feil.",
]


def marked(entry: str) -> tuple[str, list[str]]:
    return entry.replace("⟦", "").replace("⟧", ""), re.findall(r"⟦(.+?)⟧", entry)


@pytest.mark.parametrize("entry", CORPUS)
def test_what_identifies_a_person_is_masked(entry):
    text, secrets = marked(entry)
    scrubbed = scrub(text)
    for secret in secrets:
        for part in re.findall(r"[^\W_]{3,}", secret):  # each piece: a half-masked "kari_sagene" leaks
            assert part.lower() not in scrubbed.lower(), (text, scrubbed)
    kept = re.sub(r"⟦.+?⟧", " ", entry)
    for word in re.findall(r"[\wæøåÆØÅ]{4,}", kept):
        assert word in scrubbed, (word, text, scrubbed)


@pytest.mark.parametrize("text", CLEAN)
def test_input_without_personal_data_is_left_as_it_was(text):
    assert scrub(text) == text


def test_the_generated_demo_input_keeps_its_words_and_loses_its_personal_touches():
    for sayings in sample.SAYINGS.values():
        for saying in (s for theme in sayings.values() for s in theme):
            for opening in sample.OPENINGS:
                assert scrub(opening + saying) == opening + saying
    for personal in sample.PERSONAL:
        assert not re.search(r"Kari|Hansen|Ola|Nordmann|\d|@|Sannergata", scrub(personal)), personal


def test_a_known_street_with_a_number_is_masked_whatever_its_name_ends_with():
    streets = frozenset({"torshov", "sandakerveien", "schweigaards gate"})
    assert scrub("Bor i Torshov 7, vil ha lekeplass", streets) == "Bor i [adresse], vil ha lekeplass"
    assert scrub("Torshov er et fint sted", streets) == "Torshov er et fint sted"


def test_a_known_street_in_lower_case_or_cut_short_is_masked_with_its_number():
    """The re-test wrote streets as hurried canvassers do: the register knows them however they are typed."""
    streets = frozenset({"thorvald meyers gate", "sandakerveien", "schweigaards gate"})
    assert scrub("bor i thorvald meyers gate 20 og vil ha trær", streets) == "bor i [adresse] og vil ha trær"
    assert scrub("Bor i Sandakerv 24, vil ha trær", streets) == "Bor i [adresse], vil ha trær"
    assert scrub("bor i sandakervn 24 b og savner heis", streets) == "bor i [adresse] og savner heis"
    assert scrub("Schweigaards g 12 har ikke heis", streets) == "[adresse] har ikke heis"
    assert scrub("Sandakerv er lang", streets) == "Sandakerv er lang"
    assert scrub("bor i schweigaardsgt 12", streets) == "bor i [adresse]"
    assert scrub("bor i thorvald meyersgt 20", streets) == "bor i [adresse]"
    assert scrub("Mer politi i Thorvald Meyers gate", streets) == "Mer politi i Thorvald Meyers gate"


@pytest.mark.parametrize("note", [
    "Gunnbjørg Tveitevoll vil ha flere sykehjemsplasser",
    "snakket med Gunnbjørg Tveitevoll om bussen",
    "trafikk er problemet sier Ingeborg Myrvold i 3. etg",
    "Solveig Haugerudsletta og mannen vil ha lyskryss",
    "Tveitevoll, Gunnbjørg vil ha nattbuss",
    "GUNNBJØRG TVEITEVOLL vil ha nattbuss",
    "snakket med G. Tveitevoll om bussen",
])
def test_a_rare_name_on_no_list_is_masked_in_what_committees_read(note):
    """Outsider: "Gunnbjørg Tveitevoll" reached the committee's text and "tveitevoll" became a theme label. A rare
    given name with a farm-name surname is on no list; two capitalised words side by side that are no known place
    are a name."""
    scrubbed = scrub(note, frozenset(), frozenset({"haugerud"}))
    assert not re.search(r"(?i)Gunnbjørg|Tveitevoll|Ingeborg|Myrvold|Solveig|Haugerudsletta", scrubbed), scrubbed
    assert "[navn]" in scrubbed


@pytest.mark.parametrize(("note", "scrubbed"), [
    ("født 12.03.1954, vil ha nattbuss", "født [nummer], vil ha nattbuss"),
    ("mora er f. 3.4.38 og bor alene", "mora er f. [nummer] og bor alene"),
    ("han er født 1954 og vil ha sykehjem", "han er født [nummer] og vil ha sykehjem"),
    ("12/03/1954 sa hun, bussen er for dyr", "[nummer] sa hun, bussen er for dyr"),
])
def test_a_date_of_birth_is_masked(note, scrubbed):
    """Outsider: "født 12.03.1954" reached the committee beside a name."""
    assert scrub(note) == scrubbed


def test_a_date_ahead_or_a_year_on_its_own_is_left_as_it_is():
    for note in (f"folkemøte 12.03.{date.today().year + 1} på skolen", "bodd her siden 1987", "buss 31 hvert 10. min"):
        assert scrub(note) == note


def test_two_capitalised_words_that_make_a_known_place_or_an_acronym_are_left_as_they_are():
    places = frozenset({"gamle oslo", "nordre aker", "kjelsås stasjon"})
    for note in ("mye støy ved Kjelsås Stasjon om natta", "Bor i Gamle Oslo, vil ha lekeplass",
                 "NAV Sagene svarer ikke", "Nordre Aker trenger flere skoler"):
        assert scrub(note, frozenset(), places) == note


def test_a_number_read_out_one_digit_at_a_time_is_masked_whole_with_its_country_code():
    assert scrub("Tlf 4 7 9 1 2 3 4 5 6 7 etter seks") == "Tlf [telefon] etter seks"


def test_the_masks_say_what_was_there():
    assert (scrub("Kari på 91234567 eller kari@example.no, Sannergata 5")
            == "[navn] på [telefon] eller [e-post], [adresse]")


@given(st.text(max_size=300))
def test_scrubbing_any_text_masks_the_phone_number_and_a_second_pass_changes_nothing(text):
    scrubbed = scrub(text + " ring 912 34 567")
    assert "912 34 567" not in scrubbed
    assert scrub(scrubbed) == scrubbed


def test_on_notes_it_was_not_tuned_on_the_scrubber_removes_nearly_all_that_is_personal_and_little_else():
    """The held-out notes were written before the rules were tuned; the development notes are what they were
    tuned on."""
    held_out, _ = score(scrub, notes("heldout"))
    assert held_out.personal > 400
    assert held_out.recall >= 0.95 and held_out.precision >= 0.98, (held_out.recall, held_out.precision)
    development, wrong = score(scrub, notes("dev"))
    assert development.recall >= 0.98 and development.precision >= 0.98, wrong


def test_erasure_finds_a_number_however_it_is_grouped():
    """Access and erasure look for a resident's number with the scrubber's own rules."""
    found = [(m.start(), m.end(), m.group()) for m in scrubber.PHONE.finditer("ring 926 123 45 eller 9261 23 45")]
    assert found == [(5, 15, "926 123 45"), (22, 32, "9261 23 45")]
    assert [m.group() for m in scrubber.EMAIL.finditer("til kari dot nordmann at gmail dot com")] == [
        "kari dot nordmann at gmail dot com"
    ]


# Pieces that made the old regular expressions backtrack, and the stuff of every rule.
ADVERSARIAL = [
    "a.",
    ". ",
    "a",
    "1",
    "1 ",
    "12 ",
    "9",
    "@",
    "a@",
    "a@b.",
    " dot ",
    " at ",
    "(at)",
    "[dot]",
    "Kari ",
    "ola ",
    "Hansen ",
    "Nguyen Van ",
    "heter ",
    " gate ",
    "gata 1 ",
    "H0101",
    "+47 ",
    "0047",
    "-",
    "a-",
    "'",
    "i ",
    "andre ",
    "etg. ",
    "nr ",
    "leil. 3 ",
    "ø",
    "Ω",
    "e\u0301",
    "\u202e",
    "[navn]",
    "[",
    "\n",
    "æ.",
    "x" * 50,
    "A" * 41,
    "Sannergata",
    "5B ",
    "EL 12345 ",
    "a_",
    "+",
    "(",
    "/",
]
FIFTY_KB = 50_000


@settings(
    max_examples=15,
    deadline=timedelta(minutes=2),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(st.tuples(st.sampled_from(ADVERSARIAL), st.integers(1, FIFTY_KB)), min_size=1, max_size=4))
@example([("a.", FIFTY_KB // 2)])
@example([("a@", FIFTY_KB // 2)])
@example([("Kari ", FIFTY_KB // 5)])
def test_scrubbing_50_kb_of_hostile_text_takes_seconds_not_hours(parts):
    """The old rules spent 30 s on 4 KB of "a.a.a." and would run for hours on 50 KB; the deadline is generous."""
    text = "".join(piece * count for piece, count in parts)[:FIFTY_KB]
    scrubbed = scrub(text)
    assert scrub(scrubbed) == scrubbed


# What the tester stored: eight inputs that made the old scrubber backtrack, four of them theirs.
HOSTILE_INPUT = ["a." * 5000] * 4 + ["a@" * 5000, "a-" * 5000, ". " * 5000, "Ola Hansen " * 1000]


@pytest.fixture
def committee_over_http(insight_app):
    """A committee member logged in over real HTTP to the demo with eight hostile inputs on housing."""
    with insight_app.app_context():
        oslo = db.session.scalar(select(Organisation).where(Organisation.name == "Oslo"))
        rows = []
        for n, words in enumerate(HOSTILE_INPUT):
            row = {
                "visit_uuid": f"00000000-0000-4000-8000-{n:012d}",
                "organisation_id": oslo.id,
                "branch_id": None,
                "action_id": None,
                "address_id": None,
                "postnummer": "0473",
                "district_number": "030103",
                "topics": "bolig",
                "words": words,
                "importance": 3,
                "wants_membership": False,
                "wants_contact": False,
                "recorded_at": datetime(2026, 10, 5 + n, 17),
            }
            conversation = Conversation(**row)
            db.session.add(conversation)
            db.session.flush()
            rows.append({**row, "id": conversation.id})
        tallies.record(rows)
        db.session.commit()
    for base in serve(insight_app):
        client = HttpClient(base)
        login(client, "komite@oslo.demo")
        yield client


def test_hostile_input_does_not_stop_the_export_the_reading_page_or_finding_themes(committee_over_http):
    """Replays the tester: each request answers within the client's timeout (the old code ran for minutes)."""
    export = committee_over_http.get("/komite/eksport.csv?topic=bolig&tabell=input")
    assert export.status_code == 200
    assert "a." * 5000 in export.text
    assert committee_over_http.get("/komite/innspill?topic=bolig").status_code == 200
    found = post(committee_over_http, "/komite/temaer/finn?topic=bolig", {"topic": "bolig"})
    assert found.status_code == 303 and found.location.startswith("/jobber/")
    job_page = committee_over_http.get(found.location).get_data(as_text=True)
    assert 'data-state="done"' in job_page, job_page
    made = re.search(r"Fant (\d+) (?:nytt tema|nye temaer)\.", job_page)
    assert made and int(made.group(1)) > 0, job_page
    assert committee_over_http.get("/komite/eksport.xlsx?topic=bolig").status_code == 200
