"""Free text is scrubbed before a committee reads it: phone numbers, e-mail, addresses and names are masked.

The corpus is what canvassers really type: hurried, lower-case, with abbreviations. Text between
⟦ and ⟧ identifies a person and must not survive; every other word must.
"""
import re

import pytest
from hypothesis import given, strategies as st

from canvass.insight.scrub import scrub

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
    "fru ⟦Hansen⟧ i andre etasje vil ha svar om husleia",
    "⟦Per Olsen⟧ vil ha flere benker i parken",
    "spør etter ⟦Trond⟧, han har mye å si om skolen",
    "Ønsker kontakt, ⟦Ahmed Hassan⟧, ⟦ahmed.h@outlook.com⟧",
    "snakk med ⟦Nora⟧ i 2. etg om ungdomsklubben",
    "hilsen ⟦Siri⟧, vil ha bedre busstilbud",
    "⟦Anne-Lise Johansen⟧ vil ha flere sykehjemsplasser",
    "Mannen ⟦Geir⟧ jobber turnus på Ullevål og er bekymret for sykehuset",
    "Bor sammen med datteren ⟦Emma⟧ i kommunal bolig, for dyrt",
    "hun heter ⟦Sigrid Haugen⟧ og vil bli medlem, tlf ⟦97 65 43 21⟧",
]

CLEAN = [
    "Husleia er altfor høy, og kommunen bygger for lite.",
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
]


def marked(entry: str) -> tuple[str, list[str]]:
    return entry.replace("⟦", "").replace("⟧", ""), re.findall(r"⟦(.+?)⟧", entry)


@pytest.mark.parametrize("entry", CORPUS)
def test_what_identifies_a_person_is_masked(entry):
    text, secrets = marked(entry)
    scrubbed = scrub(text)
    for secret in secrets:
        for part in re.findall(r"[\wæøåÆØÅ.@-]{3,}", secret):
            assert part.lower() not in scrubbed.lower(), (text, scrubbed)
    kept = re.sub(r"⟦.+?⟧", " ", entry)
    for word in re.findall(r"[\wæøåÆØÅ]{4,}", kept):
        assert word in scrubbed, (word, text, scrubbed)


@pytest.mark.parametrize("text", CLEAN)
def test_input_without_personal_data_is_left_as_it_was(text):
    assert scrub(text) == text


def test_a_known_street_with_a_number_is_masked_whatever_its_name_ends_with():
    streets = frozenset({"torshov", "sandakerveien", "schweigaards gate"})
    assert scrub("Bor i Torshov 7, vil ha lekeplass", streets) == "Bor i [adresse], vil ha lekeplass"
    assert scrub("Torshov er et fint sted", streets) == "Torshov er et fint sted"


def test_the_masks_say_what_was_there():
    assert scrub("Kari på 91234567 eller kari@example.no, Sannergata 5") == "[navn] på [telefon] eller [e-post], [adresse]"


@given(st.text(max_size=300))
def test_scrubbing_any_text_masks_the_phone_number_and_a_second_pass_changes_nothing(text):
    scrubbed = scrub(text + " ring 912 34 567")
    assert "912 34 567" not in scrubbed
    assert scrub(scrubbed) == scrubbed
