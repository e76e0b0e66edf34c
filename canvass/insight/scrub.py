"""Masking what identifies a person in free text before a programme committee reads it.

Canvassers type what residents say, and now and then that includes a phone number, an e-mail
address, a street address or a name. Committees see the words with those replaced by [telefon],
[e-post], [adresse] and [navn]. The rules are deliberately greedy: masking a word too many costs
a committee little, a name too few is a leak. tests/test_scrub.py holds the corpus they must catch.
"""
import re
from functools import cache
from pathlib import Path

PHONE_MASK, EMAIL_MASK, ADDRESS_MASK, NAME_MASK = "[telefon]", "[e-post]", "[adresse]", "[navn]"
MASK = re.compile("|".join(re.escape(m) for m in (PHONE_MASK, EMAIL_MASK, ADDRESS_MASK, NAME_MASK)))

EMAIL = re.compile(r"[\w.+-]+\s?(?:@|\(at\)|\[at\])\s?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
# Norwegian numbers as people write them: 91234567, 912 34 567, 91 23 45 67, 9123 4567, with +47 or 0047.
PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\s?47[\s.-]?)?"
                   r"(?:\d{8}|\d{3}[\s.-]\d{2}[\s.-]\d{3}|\d{2}[\s.-]\d{2}[\s.-]\d{2}[\s.-]\d{2}|\d{4}[\s.-]\d{4})(?!\d)")
HOUSE_NUMBER = r"\s?(?:nr\.?\s?)?\d{1,4}(?:\s?[A-Za-z](?![\wæøåÆØÅ]))?"
SUFFIX = (r"gate|gata|gaten|veien|vegen|vei|veg|allé|alle|plass|plassen|torg|torget|bakken|stien|sti|tunet|lia"
          r"|svingen|kroken|løkka|brygge|ringen|terrasse|haugen")
# "Sannergata 5B", "Kirkeveien 40 A", and with the street word apart: "Thorvald Meyers gate 12", "vogts gate 64".
STREET = re.compile(rf"\b[\wæøåÆØÅé.-]*(?i:{SUFFIX}){HOUSE_NUMBER}\b"
                    rf"|\b(?:[A-ZÆØÅ][\wæøåÆØÅé.-]*\s){{0,2}}[\wæøåÆØÅé.-]+\s(?i:{SUFFIX}){HOUSE_NUMBER}\b")
WORD = re.compile(r"[A-Za-zÆØÅæøåÀ-ÿ][\wÆØÅæøåÀ-ÿ'-]*")
# Words after which the next words are a person's name, capitalised or not.
CUES = {"heter", "het", "naboen", "nabo", "naboene", "fru", "herr", "kona", "mannen", "samboeren", "datteren",
        "sønnen", "dattera", "moren", "mora", "faren", "broren", "søsteren", "venninnen", "kompisen",
        "familien", "kontakt", "kontaktperson", "hilsen", "spør", "etter", "ring", "ringe"}
NOT_NAMES = {"i", "på", "og", "er", "som", "har", "vil", "var", "sa", "en", "et", "ei", "den", "det", "de", "hun",
             "han", "vi", "jeg", "meg", "seg", "til", "fra", "med", "om", "at", "ikke", "også", "mer", "min", "mitt",
             "mine", "sin", "sitt", "sine", "hans", "hennes", "deres", "alle", "noen", "ingen"}


@cache
def _names() -> tuple[frozenset, frozenset, frozenset]:
    """Given names, given names that are also ordinary words, surnames: all lower-cased."""
    sections: dict[str, set] = {}
    current = None
    for line in (Path(__file__).with_name("names.txt")).read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), set())
            continue
        current.update(word.lower() for word in line.split())
    return (frozenset(sections["given"]), frozenset(sections["given, also a word"]), frozenset(sections["surname"]))


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _sentence_start(text: str, position: int) -> bool:
    before = text[:position].rstrip()
    return not before or before[-1] in ".!?:;«\"(\n-–"


def _name_spans(text: str) -> list[tuple[int, int]]:
    given, ambiguous, surnames = _names()
    words = list(WORD.finditer(text))
    spans = []
    i = 0
    while i < len(words):
        word = words[i].group()
        lower = word.lower().split("-")[0]
        after_cue = i > 0 and words[i - 1].group().lower() in CUES and lower not in NOT_NAMES
        following = words[i + 1] if i + 1 < len(words) else None
        surname_next = (following is not None and _capitalised(following.group())
                        and text[words[i].end():following.start()].strip() == ""
                        and (following.group().lower() in surnames or following.group().lower().endswith(("sen", "son"))))
        is_name = (
            (lower in given and (_capitalised(word) or after_cue))
            or (lower in ambiguous and _capitalised(word) and (surname_next or after_cue
                                                               or not _sentence_start(text, words[i].start())))
            or (after_cue and _capitalised(word) and not _sentence_start(text, words[i].start()))
            or (_capitalised(word) and not _sentence_start(text, words[i].start())
                and (lower.endswith(("sen", "ssen")) and len(lower) > 5 or (lower in surnames and after_cue)))
        )
        if not is_name:
            i += 1
            continue
        # The rest of the name: capitalised words right after it (a surname, a middle name).
        end = i
        while end + 1 < len(words) and end - i < 3 and _capitalised(words[end + 1].group()) \
                and text[words[end].end():words[end + 1].start()].strip() == "":
            end += 1
        spans.append((words[i].start(), words[end].end()))
        i = end + 1
    return spans


def scrub(text: str, streets: frozenset[str] = frozenset()) -> str:
    """The text with phone numbers, e-mail addresses, street addresses and personal names masked.

    `streets` are street names known from the address register (lower-case); a known street with a
    house number is masked whatever its ending.
    """
    if not text:
        return text
    text = EMAIL.sub(EMAIL_MASK, text)
    text = PHONE.sub(PHONE_MASK, text)
    text = STREET.sub(ADDRESS_MASK, text)
    if streets:
        text = _known_streets(text, streets)
    for start, end in reversed(_name_spans(text)):
        text = text[:start] + NAME_MASK + text[end:]
    return text


def _known_streets(text: str, streets: frozenset[str]) -> str:
    words = list(WORD.finditer(text))
    for i in reversed(range(len(words))):
        for length in (4, 3, 2, 1):
            if i + length > len(words):
                continue
            start, end = words[i].start(), words[i + length - 1].end()
            if text[start:end].lower() in streets:
                number = re.match(HOUSE_NUMBER, text[end:])
                if number and number.group().strip():
                    text = text[:start] + ADDRESS_MASK + text[end + number.end():]
                break
    return text
