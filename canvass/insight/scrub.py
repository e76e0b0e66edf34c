"""Masking what identifies a person in free text before a programme committee reads it.

Canvassers type what residents say, and now and then that includes a phone number, an e-mail
address, a street address, a flat or floor, a personal id number, a licence plate or a name.
Committees see the words with those replaced by [telefon], [e-post], [adresse], [nummer] and
[navn]. The rules are greedy where it is cheap: masking a word too many costs a committee little,
a name too few is a leak. tests/data/scrub/ holds the labelled notes they are measured on.

Linear time by construction. Anyone can type a note, and the text is scrubbed on every reading
page, export and theme search, so one note must never cost more than a few passes over it. The
text is cut once into tokens by a regular expression whose alternatives are each one character
class repeated (letters, digits, white space) or a single character: it cannot backtrack. Every
rule after that walks the token list and looks at most a fixed number of tokens around each one;
no regular expression runs on the text itself.
"""
import re
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

PHONE_MASK, EMAIL_MASK, ADDRESS_MASK, NAME_MASK = "[telefon]", "[e-post]", "[adresse]", "[navn]"
NUMBER_MASK = "[nummer]"  # a fødselsnummer or a licence plate
MASKS = (PHONE_MASK, EMAIL_MASK, ADDRESS_MASK, NAME_MASK, NUMBER_MASK)
# Literal alternatives only: linear.
MASK = re.compile("|".join(re.escape(m) for m in MASKS))

# A run of letters, a run of digits, a run of white space, or one other character.
TOKEN = re.compile(r"[^\W\d_]+|\d+|\s+|.", re.DOTALL)
# How far a rule looks around a token, in tokens; bounds the work per token.
REACH = 48
# Longer words are never names or streets, so they are not looked up.
LONGEST_WORD = 40

# --- e-mail ---
AT_WORDS = {"at", "krøllalfa", "alfakrøll", "a"}  # "a" only in brackets: "kaja(a)gmail.com"
DOT_WORDS = {"dot", "punktum", "prikk", "dott"}
SPELLED = (AT_WORDS | DOT_WORDS) - {"a"}
# Mail services people name without their domain's ending: "kari.nordbakken@hotmail", "kari.nordbakken på gmail".
PROVIDERS = {"gmail", "hotmail", "outlook", "yahoo", "icloud", "online", "live", "msn", "protonmail", "proton"}
# Before a mail service, these stand for the "@": "kari.nordbakken på gmail".
PROVIDER_AT = {"på", "hos", "on", "at"}
# An "at" or "dot" spelled out is only an e-mail when it ends in a domain people use.
TOP_DOMAINS = {"no", "com", "net", "org", "se", "dk", "fi", "is", "nu", "io", "eu", "info", "de", "uk", "co", "pl",
               "lt", "lv", "ee", "so", "pk", "tr", "ph", "vn", "me", "edu", "gov", "biz", "fr", "es", "it", "nl"}
# --- addresses, flats and floors --------------------------------------------------------------------------------------
# A word ending so is a street ("Sannergata", "Kapellveien"); these on their own follow the street's name.
STREET_ENDINGS = ("gate", "gata", "gaten", "veien", "vegen", "vei", "veg", "allé", "allè", "plass", "plassen", "torg",
                  "torget", "bakken", "bakke", "stien", "sti", "tunet", "lia", "svingen", "kroken", "løkka", "brygge",
                  "brygga", "ringen", "terrasse", "stredet", "strædet", "smauet", "kaia", "kaien", "jordet", "grenda",
                  "sletta", "høgda", "åsen", "bråten", "myra")
STREET_WORDS = {"gate", "gata", "vei", "veien", "veg", "vegen", "allé", "allè", "plass", "terrasse", "torg", "brygge",
                "bakke", "sving", "stredet", "street", "road", "gt", "vn"}
# Abbreviated streets, with or without their dot before the number: "Sannergt. 5", "Kapellvn 12", "Meyers gt. 20".
STREET_ABBREVIATIONS = ("gt", "vn")
# Cut shorter, a street is a street only with its dot: "Sandakerv. 24", "Sannerg. 5", "Thorvald Meyers g. 20" (not
# "Forslag 3"). Without the dot, the register knows it ("Sandakerv 24": `_short_forms`).
SHORT_STREET_ENDINGS = ("g", "v")
# How the register's streets end, and the short forms written for them.
SHORTENED = {"veien": ("v", "vn"), "vegen": ("v", "vn"), "vei": ("v", "vn"), "veg": ("v", "vn"),
             "gata": ("g", "gt"), "gate": ("g", "gt"), "gaten": ("g", "gt")}
# Words before a street word that belong to the street's name ("Nedre Slottsgate 8").
STREET_PREFIXES = {"nedre", "øvre", "store", "lille", "gamle", "nordre", "søndre", "vestre", "østre", "sankt", "st"}
FLAT_WORDS = {"leil", "leilighet", "leiligheten", "leilighetsnummer", "leilnr", "lgh", "dør", "døra", "døren", "hybel",
              "nr", "nummer", "oppgang", "inngang", "flat", "apartment", "apt"}
FLOOR_WORDS = {"etg", "etasje", "etasjen", "etage", "etasjar", "floor"}
ORDINALS = {"første", "fyrste", "andre", "annen", "anna", "tredje", "tridje", "fjerde", "femte", "sjette", "sjuende",
            "syvende", "åttende", "niende", "tiende", "øverste", "øvste", "nederste", "nedste", "first",
            "second", "third", "fourth", "top", "ground"}
PLACES_IN_A_HOUSE = {"kjelleren", "kjellaren", "underetasjen", "underetasjes", "sokkelen", "loftet", "loftsleiligheten",
                     "kjellerleiligheten", "sokkelleiligheten", "hybelleiligheten", "basement", "attic",
                     "toppetasjen", "penthouseleiligheten"}
# A number after these is a bus, a line or a time, not a door.
NOT_A_DOOR = {
    "buss",
    "bussen",
    "trikk",
    "trikken",
    "linje",
    "linjen",
    "rute",
    "ruten",
    "t-bane",
    "bane",
    "kl",
    "klokka",
    "klokken",
    "uke",
    "side",
    "sak",
    "punkt",
    "år",
    "ring",
    "rv",
    "e",
    "fv",
    "kapittel",
    "paragraf",
}
# Letters Norwegian licence plates start with (two of them, then five digits).
PLATE_LETTERS = frozenset("ABCDEFGHJKLNPRSTUVXYZ")
# --- names ------------------------------------------------------------------------------------------------------------
# After these the next word is a name, whatever its case.
STRONG_CUES = {"heter", "heiter", "het", "hette", "named", "fornavn", "etternavn", "fru", "frue", "herr", "hr", "frk",
               "mrs", "mr", "ms"}
# After these a capitalised word or a word from the name lists is a name.
CUES = STRONG_CUES | {
    "naboen",
    "nabo",
    "naboene",
    "grannen",
    "granne",
    "grannane",
    "fru",
    "frue",
    "herr",
    "hr",
    "frk",
    "kona",
    "kone",
    "mannen",
    "samboeren",
    "sambuaren",
    "datteren",
    "dattera",
    "dottera",
    "sønnen",
    "sonen",
    "moren",
    "mora",
    "faren",
    "far",
    "mor",
    "broren",
    "bror",
    "søsteren",
    "syster",
    "systera",
    "venninnen",
    "venninna",
    "kompisen",
    "vennen",
    "kjæresten",
    "bestemor",
    "bestefar",
    "onkel",
    "tante",
    "kontakt",
    "kontaktperson",
    "hilsen",
    "helsing",
    "spør",
    "etter",
    "ring",
    "ringe",
    "ringes",
    "sms",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "neighbour",
    "neighbor",
    "wife",
    "husband",
    "son",
    "daughter",
    "mother",
    "father",
    "call",
    "hei",
    "familien",
    "familie",
    "familiane",
    "familiene",
    "familen",
    "famillien",
    "fam",
    "ekteparet",
    "paret",
    "søsknene",
    "sysken",
    "brødrene",
    "søstrene",
}
# Cues written short, with their dot: "fam. Nordbakken", "hr. Berg".
SHORT_CUES = {"fam", "hr", "frk", "dr", "mr", "mrs", "ms"}
# Never names after a cue: the small words that follow "med", "til" and "etter".
NOT_NAMES = {
    "i",
    "på",
    "og",
    "er",
    "som",
    "har",
    "vil",
    "var",
    "sa",
    "en",
    "et",
    "ei",
    "den",
    "det",
    "de",
    "dei",
    "hun",
    "ho",
    "han",
    "vi",
    "me",
    "jeg",
    "eg",
    "meg",
    "seg",
    "til",
    "fra",
    "frå",
    "med",
    "om",
    "at",
    "ikke",
    "ikkje",
    "også",
    "mer",
    "meir",
    "min",
    "mitt",
    "mine",
    "sin",
    "sitt",
    "sine",
    "hans",
    "hennes",
    "hennar",
    "deres",
    "alle",
    "noen",
    "nokon",
    "ingen",
    "oss",
    "dere",
    "dykk",
    "dem",
    "henne",
    "ham",
    "honom",
    "kl",
    "klokka",
    "dette",
    "denne",
    "disse",
    "hva",
    "kva",
    "når",
    "hvem",
    "kven",
    "tilbake",
    "igjen",
    "senere",
    "seinare",
    "the",
    "a",
    "an",
    "to",
    "him",
    "her",
    "them",
    "us",
    "back",
    "about",
    "on",
    "in",
    "and",
    "or",
    "is",
    "was",
    "he",
    "she",
    "they",
    "it",
    "we",
    "you",
}
# --- profiles on a service -------------------------------------------------------------------------------------------
# After a service's name the next word is a person's name on it: "snap: karisagene85", "insta ola_nordmann".
SERVICES = {"snap", "snapchat", "insta", "instagram", "ig", "fb", "facebook", "tiktok", "twitter", "linkedin",
            "telegram", "discord", "threads", "bluesky", "youtube", "messenger", "kik", "wechat", "whatsapp", "signal",
            "skype", "viber", "brukernavn", "username"}
# Services whose name is also an everyday word ("dårlig signal hjemme"): a name follows only after a colon or
# written as a handle is.
EVERYDAY_SERVICES = {"signal"}
# Between a service's name and the name on it: "ig bruker karisagene85", "snap = karisagene85", "snap (…)".
PROFILE_WORDS = {"bruker", "brukeren", "brukernavn", "brukernavnet", "username", "user", "handle", "navn", "heter"}
# True where what follows counts as a name however plain (a colon); a hyphen more often makes a compound word
# ("signal-dekning", "snap-kart").
SEPARATORS = {":": True, "=": True, "-": False, "(": False, "\"": False, "«": False, "'": False, ";": False}
# What follows a service's name and is no one's name: "facebook-gruppa", "snap og tiktok", "facebook for info".
NOT_PROFILES = {"gruppa", "gruppe", "gruppen", "grupper", "siden", "side", "sida", "profil", "profilen", "konto",
                "kontoen", "story", "innlegg", "post", "posten", "chat", "melding", "meldingen", "meldinger", "for",
                "eller", "men", "også", "group", "page", "account", "ja", "nei", "yes", "no", "marketplace", "live",
                "reels", "stories", "feed", "feeden", "video", "videoer", "annonse", "annonser", "reklame"} | SERVICES
# After these and a colon come up to three words of a name: "navn: gunnbjørg tveitevoll", "dørskilt: Tveitevoll/Berg".
LABELS = {"navn", "name", "fornavn", "etternavn", "kontaktperson", "dørskilt", "dørskiltet", "ringeklokke",
          "ringeklokka", "postkasse", "postkassa", "postkassen"}
# Before these a word is at the start of a sentence.
SENTENCE_BREAKS = set('.!?:;«»"“”„()[]-–—•*·/|')


@cache
def _lists() -> dict[str, frozenset]:
    """The sections of names.txt, lower-cased."""
    sections: dict[str, set] = {}
    current = None
    for line in Path(__file__).with_name("names.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip().strip("[]"), set())
            continue
        current.update(word.lower() for word in line.split())
    return {name: frozenset(words) for name, words in sections.items()}


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    text: str
    kind: str  # "a" letters, "d" digits, "p" one other character
    glued: bool  # no white space between this token and the one before
    newline_before: bool
    lower: str  # lower-cased, empty for words too long to be a name or a street
    mask: str | None = None
    kept: bool = False  # part of a mask already in the text: left as it is


def _tokens(text: str) -> list[_Token]:
    """The text's tokens without the white space; a mask already in the text is one token that stays."""
    tokens, gap, newline, at = [], False, False, 0
    masks = MASK.finditer(text)
    next_mask = next(masks, None)
    while at < len(text):
        if next_mask is not None and next_mask.start() == at:
            # Stands for what it hid, so the rules read "5 [telefon]" as they read "5 912 34 567".
            kind = "d" if next_mask.group() in (PHONE_MASK, NUMBER_MASK) else "a"
            tokens.append(
                _Token(at, next_mask.end(), next_mask.group(), kind, not gap and bool(tokens), newline, "", kept=True)
            )
            at, gap, newline = next_mask.end(), False, False
            next_mask = next(masks, None)
            continue
        match = TOKEN.match(text, at)  # stops before any "[" a mask begins with
        piece, at = match.group(), match.end()
        first = piece[0]
        if first.isspace():
            gap, newline = True, "\n" in piece
            continue
        kind = "a" if first.isalpha() else "d" if first.isdigit() else "p"
        lower = piece.lower() if len(piece) <= LONGEST_WORD else ""
        tokens.append(_Token(match.start(), at, piece, kind, not gap and bool(tokens), newline, lower))
        gap = newline = False
    return tokens


def _mark(tokens: list[_Token], first: int, last: int, mask: str) -> None:
    """Masks tokens first..last, leaving those a rule run earlier masked (e-mail first, names last)."""
    for token in tokens[first : last + 1]:
        if not token.mask and not token.kept:
            token.mask = mask


def _free(tokens: list[_Token], i: int) -> bool:
    return 0 <= i < len(tokens) and not tokens[i].mask and not tokens[i].kept


def _lower(token: _Token) -> str:
    return token.lower


# --- e-mail -----------------------------------------------------------------------------------------------------------


def _separator(tokens: list[_Token], i: int, words: set, symbol: str, forward: bool) -> int:
    """How many tokens from i on (or back from i) spell an "@" or a "." as people hide it, 0 if none.

    "@", "at", "(at)", "[at]", "(a)", " krøllalfa "; ".", "dot", "(dot)", "[punktum]".
    """
    step = 1 if forward else -1
    if not 0 <= i < len(tokens):
        return 0
    token = tokens[i]
    if token.text == symbol or (token.kind == "a" and _lower(token) in words and _lower(token) != "a"):
        return 1
    opening, closing = ("([{<", ")]}>") if forward else (")]}>", "([{<")
    if token.text in opening and 0 <= i + 2 * step < len(tokens):
        middle, close = tokens[i + step], tokens[i + 2 * step]
        if (middle.text == symbol or _lower(middle) in words) and close.text == closing[opening.index(token.text)]:
            return 3
    return 0


def _part(tokens: list[_Token], i: int, forward: bool) -> int:
    """How many glued tokens from i on (or back) make one piece of an address: letters, digits, _ - + '."""
    step, n = (1 if forward else -1), 0
    while 0 <= i < len(tokens) and n < REACH:
        token = tokens[i]
        if not (token.kind in "ad" or token.text in "_-+'"):
            break
        if n and not (tokens[i].glued if forward else tokens[i + 1].glued):
            break
        if n == 0 and _lower(token) in SPELLED:
            break
        n += 1
        i += step
    return n


def _emails(tokens: list[_Token]) -> None:
    for i, token in enumerate(tokens):
        if not _free(tokens, i):
            continue
        at = _separator(tokens, i, AT_WORDS, "@", True)
        if not at and _lower(token) in PROVIDER_AT and i + 1 < len(tokens) and _lower(tokens[i + 1]) in PROVIDERS:
            at = 1
        if not at or token.text in ")]}>":
            continue
        spelled = token.text != "@" and not (at == 3 and tokens[i + 1].text == "@")
        # The domain: pieces joined by dots, at least two.
        j, pieces, last_piece = i + at, 0, None
        while pieces < 8:
            n = _part(tokens, j, True)
            if not n:
                break
            pieces, last_piece = pieces + 1, (j, j + n - 1)
            dot = _separator(tokens, j + n, DOT_WORDS, ".", True)
            if not dot or not _part(tokens, j + n + dot, True):
                break
            j += n + dot
        if pieces < 2 and not (pieces == 1 and _lower(tokens[last_piece[1]]) in PROVIDERS):
            continue
        tld = tokens[last_piece[1]]
        if tld.kind != "a" or len(tld.text) < 2 or (spelled and _lower(tld) not in TOP_DOMAINS | PROVIDERS):
            continue
        # The name before the "@": pieces joined by dots, going back.
        k, first = i - 1, None
        for _ in range(8):
            n = _part(tokens, k, False)
            if not n or not _free(tokens, k):
                break
            first = k - n + 1
            dot = _separator(tokens, first - 1, DOT_WORDS, ".", False)
            if not dot or not _part(tokens, first - 1 - dot, False):
                break
            k = first - 1 - dot
        if first is None:
            continue
        if spelled and tokens[first].kind == "a" and _lower(tokens[first]) in NOT_NAMES:
            continue
        if pieces == 1 and token.text != "@" and first == i - 1 and tokens[first].kind == "a":
            continue  # "Hun er på gmail": a word before "på gmail" is an address only with a dot or digits in it
        _mark(tokens, first, last_piece[1], EMAIL_MASK)


# --- phone numbers and personal id numbers ----------------------------------------------------------------------------

# Eight digits in groups of two or more are a Norwegian number ("912 34 567", "9261 23 45", "47 11 223 44"),
# except as money ("12 000 000" kroner) and dates ("12.03.2026", "2026-03-12").


def _digit_runs(tokens: list[_Token]):
    """Runs of digit groups as people space them: "912 34 567", "45.67.89.01", "481-23-456", "916/23/456".

    Yields (first token, group tokens, whether a "+" stands glued before the first group).
    """
    i, n = 0, len(tokens)
    while i < n:
        if tokens[i].kind != "d" or not _free(tokens, i):
            i += 1
            continue
        groups, j = [i], i + 1
        while j < n:
            token = tokens[j]
            if token.kind == "d" and not token.glued and _free(tokens, j):
                groups.append(j)
            elif (
                token.text in ".-/"
                and token.glued
                and j + 1 < n
                and tokens[j + 1].kind == "d"
                and tokens[j + 1].glued
                and _free(tokens, j + 1)
            ):
                groups.append(j + 1)
                j += 1
            else:
                break
            j += 1
        plus = i > 0 and tokens[i - 1].text == "+" and tokens[i].glued
        yield (i - 1 if plus else i), groups, plus
        i = j


def _numbers(tokens: list[_Token]) -> None:
    """Phone numbers in every grouping, with or without +47 / 0047, and fødselsnummer (six digits of a date,
    five more)."""
    for start, groups, plus in list(_digit_runs(tokens)):
        texts = [tokens[g].text for g in groups]
        if len(texts) >= 8 and all(len(t) == 1 for t in texts):
            # Read out one digit at a time, the country code too ("4 7 9 1 2 3 4 5 6 7"): all of it.
            _mark(tokens, start, groups[-1], PHONE_MASK)
            continue
        k, coded = 0, False
        if (texts[0] == "47" and plus or texts[0] == "0047") and len(groups) > 1:
            k, coded = 1, True
        elif (
            plus
            and len(texts[0]) == 10
            and texts[0].startswith("47")
            or len(texts[0]) == 12
            and texts[0].startswith("0047")
        ):
            _mark(tokens, start, groups[0], PHONE_MASK)
            k = 1
        while k < len(groups):
            total, m, hit = 0, k, None
            while m < len(groups) and total < 11:  # at most eleven groups: bounded
                total += len(texts[m])
                m += 1
                shape = tuple(len(t) for t in texts[k:m])
                if total == 8 and (coded or _phone_shape(shape, texts[k:m])):
                    hit = PHONE_MASK
                    break
                if total == 11 and shape in {(11,), (6, 5)} and _birth_date("".join(texts[k:m])):
                    hit = NUMBER_MASK
                    break
            if hit:
                _mark(tokens, start if coded else groups[k], groups[m - 1], hit)
                k = m
            else:
                k += 1
            coded = False


def _phone_shape(shape: tuple[int, ...], texts: list[str]) -> bool:
    if texts[0][0] not in "23456789":
        return False
    if min(shape) < 2:
        # Read out digit by digit, or partly: "9 1 2 3 4 5 6 7", "91 2 3 4 5 6 7", "9 1 23 45 67" (never money:
        # "1 200 000" has groups of three).
        return max(shape) <= 2 and len(shape) >= 4
    if shape == (2, 3, 3):  # a mobile number, "41 122 344", or a sum of money, "12 000 000"
        return texts[0][0] in "49" and "000" not in texts
    year = lambda t: len(t) == 4 and t.startswith(("19", "20"))  # noqa: E731
    return not (shape in {(2, 2, 4), (4, 4)} and year(texts[-1]) or shape in {(4, 2, 2), (4, 4)} and year(texts[0]))


def _birth_date(digits: str) -> bool:
    day, month = int(digits[:2]), int(digits[2:4])
    return (1 <= day <= 31 or 41 <= day <= 71) and (1 <= month <= 12 or 41 <= month <= 52)


BORN = {"født", "fødd", "f", "born", "dob", "fødselsdato", "fødselsdag", "bursdag"}


def _dates(tokens: list[_Token]) -> None:
    """Dates of birth: a whole date whose year is long past ("12.03.1954", "12/3-54"), and any date or year
    right after "født" ("født 1954", "f. 12.3.54"). A door note has little other use for them; a meeting's date
    lies ahead and keeps its year."""
    this_year = date.today().year
    for i, token in enumerate(tokens):
        if token.kind != "d" or not _free(tokens, i):
            continue
        after_born = _born_before(tokens, i)
        parts, j = [i], i
        while len(parts) < 3 and j + 2 < len(tokens) and tokens[j + 1].text in "./-" and tokens[j + 1].glued \
                and tokens[j + 2].kind == "d" and tokens[j + 2].glued:
            j += 2
            parts.append(j)
        texts = [tokens[p].text for p in parts]
        if len(parts) == 3 and len(texts[0]) <= 2 and len(texts[1]) <= 2 and len(texts[2]) in (2, 4):
            year = int(texts[2]) if len(texts[2]) == 4 else None
            if 1 <= int(texts[0]) <= 31 and 1 <= int(texts[1]) <= 12 and (
                    after_born or (year is not None and 1900 <= year <= this_year - 12)):
                _mark(tokens, i, j, NUMBER_MASK)
        elif after_born and len(parts) == 1 and len(texts[0]) == 4 and 1900 <= int(texts[0]) <= this_year:
            _mark(tokens, i, i, NUMBER_MASK)


def _born_before(tokens: list[_Token], i: int) -> bool:
    """Whether "født" (or "f.", "born") stands just before token i."""
    j = i - 1
    if j >= 0 and tokens[j].text == ".":
        j -= 1
    return j >= 0 and tokens[j].kind == "a" and tokens[j].lower in BORN and (tokens[j].lower != "f" or j + 1 < i)


def _phone_context(tokens: list[_Token]) -> None:
    """A country code in brackets before a number ("(+47) 915 55 123") goes with the number."""
    for i, token in enumerate(tokens):
        if token.mask == PHONE_MASK and i > 0 and not tokens[i - 1].mask:
            j = i - 1
            while j >= 0 and j > i - 5 and tokens[j].text in {"+", "(", ")", "47", "0047"} and _free(tokens, j):
                j -= 1
            if any(t.text in ("47", "0047") for t in tokens[j + 1 : i]):
                _mark(tokens, j + 1, i - 1, PHONE_MASK)


# Numbers as words. Eight digits of them in a row are a phone number read out, one by one ("ni en to tre fire fem seks
# sju") or in pairs as Norwegians read numbers ("nittien tjuetre førtifem sekstisju"); in prose even three number
# words in a row are rare.
DIGIT_WORDS = {"null", "en", "ett", "ein", "eitt", "to", "tre", "fire", "fem", "seks", "sju", "syv", "åtte", "ni",
               "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
TEENS = {"ti", "elleve", "tolv", "tretten", "fjorten", "femten", "seksten", "sytten", "atten", "nitten"}
TENS = ("tjue", "tretti", "tredve", "førti", "femti", "seksti", "sytti", "åtti", "nitti")
# "og" may join them: "nittien og tjuetre".
NUMBER_JOINS = {",", "-", "–", ".", "og"}


def _word_digits(word: str) -> int:
    """How many digits a number word says: 1 for "ni", 2 for "nitten", "nitti" and "nittien"; 0 for any other word."""
    if word in DIGIT_WORDS:
        return 1
    if word in TEENS:
        return 2
    tens = next((t for t in TENS if word.startswith(t)), None)
    return 2 if tens is not None and (word == tens or word[len(tens):] in DIGIT_WORDS - {"null", "zero"}) else 0


def _spelled_numbers(tokens: list[_Token]) -> None:
    """Eight or more digits in a row, written as words or single digits, with a comma, hyphen, dot or "og" at most
    between."""
    i, n = 0, len(tokens)
    while i < n:
        digits, j, last = 0, i, None
        while j < n and _free(tokens, j):
            token = tokens[j]
            said = _word_digits(_lower(token)) if token.kind == "a" else int(len(token.text) == 1 and token.kind == "d")
            if said:
                digits, last = digits + said, j
            elif not (_lower(token) in NUMBER_JOINS and digits):
                break
            j += 1
        if digits >= 8:
            _mark(tokens, i, last, PHONE_MASK)
        i = max(j, i + 1)


# --- social media handles ---------------------------------------------------------------------------------------------


def _glued_name(tokens: list[_Token], i: int) -> int:
    """The last token of a name on a service that goes on from token i: what is glued on of letters, digits, "_",
    "-", and a "." or "#" between them ("kari_sagene85", "ola.nordmann", "karisagene#1234")."""
    last = i
    while last + 1 < len(tokens) and tokens[last + 1].glued and _free(tokens, last + 1) and last - i < REACH:
        following = tokens[last + 1]
        if following.kind in "ad" or following.text in "_-" or (
                following.text in ".#" and last + 2 < len(tokens) and tokens[last + 2].glued
                and tokens[last + 2].kind in "ad"):
            last += 1  # "ola.nordmann", and Discord's "karisagene#1234"
        else:
            break
    return last


def _handles(tokens: list[_Token]) -> None:
    """"@kari_sagene85", "@ola.nordmann": an "@" not glued to a word before it, and what is glued after it, is a
    person's name on some service. (With a word glued before, it is an e-mail address, found before this.)"""
    for i, token in enumerate(tokens):
        if token.text != "@" or not _free(tokens, i) or (i > 0 and token.glued and tokens[i - 1].kind in "ad"):
            continue
        last = _glued_name(tokens, i)
        if last == i and i + 1 < len(tokens) and tokens[i + 1].kind == "a" and _free(tokens, i + 1):
            last = _glued_name(tokens, i + 1)  # "@ karisagene85", the "@" set apart
            if last == i + 1 and not any(t.kind == "d" or t.text in "._" for t in tokens[i + 1:last + 1]) \
                    and len(tokens[i + 1].text) < 6:
                continue  # "@ home", "møtes @ 17": no name follows
        if last > i:
            _mark(tokens, i, last, NAME_MASK)


def _profile_start(tokens: list[_Token], i: int) -> tuple[int, bool]:
    """Where the name on a service begins after its name at token i, past a separator and "bruker", and whether a
    colon (or "=") came before it: "snap: x", "ig bruker x", "snap (x)", "whatsapp-bruker: x"."""
    j, colon = i + 1, False
    for _ in range(4):
        if j >= len(tokens):
            break
        if tokens[j].text in SEPARATORS:
            colon = colon or SEPARATORS[tokens[j].text]
        elif tokens[j].kind == "a" and _lower(tokens[j]) in PROFILE_WORDS:
            pass
        else:
            break
        j += 1
    return j, colon


def _profiles(tokens: list[_Token]) -> None:
    """"snap: karisagene85", "insta ola_nordmann", "på snap karisagene", "facebook: Kari Nordbakken": after a
    service's name, a person's name on it, without the "@". A plain word counts after a colon or when it is long
    enough to be no small word ("tiktok tar all tid", "facebook for info" stay); a capitalised name goes on over
    the capitalised words after it."""
    for i, token in enumerate(tokens):
        if token.kind != "a" or _lower(token) not in SERVICES:
            continue
        first, colon = _profile_start(tokens, i)
        if first >= len(tokens) or not _free(tokens, first) or tokens[first].kind not in "ad" or (
                tokens[first].glued and not colon and tokens[first - 1].kind == "a"):
            continue
        word = _lower(tokens[first])
        if word in NOT_NAMES or word in NOT_PROFILES or word in _verbs() or word in _lists()["not a name"]:
            continue
        last = _glued_name(tokens, first)
        handle = last > first
        if not (colon or handle or len(tokens[first].text) >= 6 and _lower(token) not in EVERYDAY_SERVICES):
            continue
        while not handle and last + 1 < len(tokens) and not tokens[last + 1].glued and tokens[last + 1].kind == "a" \
                and last - first < 3 and _surname_after(tokens[last].text, tokens[last + 1].text):
            last += 1  # "Kari Nordbakken", "kari nordbakken": the name a person goes by on Facebook
        _mark(tokens, first, last, NAME_MASK)


def _surname_after(word: str, following: str) -> bool:
    """Whether `following` goes on a name that `word` begins: capitalised after a capitalised word ("Kari
    Nordbakken"), or a surname or farm name after a given name in any case ("kari nordbakken")."""
    lists = _lists()
    if word[:1].isupper() and following[:1].isupper():
        return _continues(following, lists)
    return _kind_of_name(word, lists) == "given" and (
        _kind_of_name(following, lists) == "surname" or _farm_name(following, lists))


def _web_addresses(tokens: list[_Token]) -> None:
    """"fb.com/karinordbakken", "https://www.facebook.com/kari.nordbakken?id=3": what follows a domain's "/" names a
    page, often a person's, and is masked up to its last letter or digit; so is a site's own name after "www."
    ("www.karinordbakken.no")."""
    for i, token in enumerate(tokens):
        if _lower(token) == "www" and i + 2 < len(tokens) and tokens[i + 1].text == "." and tokens[i + 1].glued \
                and tokens[i + 2].glued and tokens[i + 2].kind in "ad" and _free(tokens, i + 2) \
                and _lower(tokens[i + 2]) not in SERVICES:
            last = i + 2
            while last + 1 < len(tokens) and tokens[last + 1].glued and (
                    tokens[last + 1].kind in "ad" or tokens[last + 1].text in "-_") and last - i < REACH:
                last += 1
            _mark(tokens, i + 2, last, NAME_MASK)
        if token.text != "/" or not token.glued or i < 3:
            continue
        tld, dot, name = tokens[i - 1], tokens[i - 2], tokens[i - 3]
        if not (tld.kind == "a" and _lower(tld) in TOP_DOMAINS and tld.glued and dot.text == "." and dot.glued
                and name.kind in "ad"):
            continue
        last, j = None, i + 1
        while j < len(tokens) and tokens[j].glued and j - i < REACH:
            if tokens[j].kind in "ad":
                last = j
            j += 1
        if last is not None:
            _mark(tokens, i + 1, last, NAME_MASK)


def _plates(tokens: list[_Token]) -> None:
    """Licence plates: two capital letters and five digits, "EL 12345", "AB12345"."""
    for i in range(len(tokens) - 1):
        letters, digits = tokens[i], tokens[i + 1]
        if (
            letters.kind == "a"
            and len(letters.text) == 2
            and all(c in PLATE_LETTERS for c in letters.text)
            and digits.kind == "d"
            and len(digits.text) == 5
            and digits.text[0] != "0"
            and _free(tokens, i)
            and _free(tokens, i + 1)
            and not (i + 2 < len(tokens) and tokens[i + 2].kind == "d" and not tokens[i + 2].glued)
        ):
            _mark(tokens, i, i + 1, NUMBER_MASK)


# --- addresses, flats and floors --------------------------------------------------------------------------------------


def _house_number(tokens: list[_Token], i: int) -> int:
    """How many tokens from i make a house number: "5", "5B", "40 A", "nr. 12"; 0 if none."""
    n = 0
    if i < len(tokens) and _lower(tokens[i]) == "nr":
        n = 2 if i + 1 < len(tokens) and tokens[i + 1].text == "." else 1
    if i + n >= len(tokens) or tokens[i + n].kind != "d" or len(tokens[i + n].text) > 4 or not _free(tokens, i + n):
        return 0
    number = i + n
    n += 1
    after = tokens[number + 1] if number + 1 < len(tokens) else None
    beyond = tokens[number + 2] if number + 2 < len(tokens) else None
    if (
        after is not None
        and after.kind == "a"
        and len(after.text) == 1
        and (after.glued or "a" <= after.text.lower() <= "h")
        and not (beyond is not None and beyond.kind == "a" and beyond.glued)
    ):
        n += 1
    # A number in a run of digits is a phone number or a sum, not a door.
    following = tokens[i + n] if i + n < len(tokens) else None
    if following is not None and following.kind == "d" and not following.glued:
        return 0
    return n


def _dot_after(tokens: list[_Token], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].text == "." and tokens[i + 1].glued


@lru_cache(maxsize=4)
def _short_forms(streets: frozenset[str]) -> frozenset[str]:
    """The register's streets as canvassers write them short: "sandakerv", "sandakervn", "thorvald meyers g"."""
    forms = set()
    for street in streets:
        for ending, shorts in SHORTENED.items():
            if street.endswith(ending):
                # "schweigaards gate" is written "schweigaards gt" and "schweigaardsgt" too.
                stems = {street[: -len(ending)], street[: -len(ending)].rstrip()}
                forms.update(form for stem in stems for form in (stem + short for short in shorts) if len(form) >= 5)
    return frozenset(forms)


@lru_cache(maxsize=4)
def _street_starts(streets: frozenset[str]) -> frozenset[str]:
    """The first words of the register's streets of three words or more ("thorvald meyers" of "thorvald meyers
    gate"): a street named without its number is no person's name."""
    return frozenset(" ".join(words[:n]) for street in streets if len(words := street.split()) > 2
                     for n in range(2, len(words)))


def _streets(tokens: list[_Token], streets: frozenset[str], text: str) -> None:
    short_forms = _short_forms(streets) if streets else frozenset()
    for i, token in enumerate(tokens):
        if token.kind != "a" or not _free(tokens, i):
            continue
        lower = _lower(token)
        street_end, first = None, i
        if lower in STREET_WORDS or lower in SHORT_STREET_ENDINGS and _dot_after(tokens, i):
            # "Thorvald Meyers gate", "vogts gate", "Sagene terrasse": the name stands before the street word.
            j = i - 1
            if j >= 0 and tokens[j].kind == "a" and _free(tokens, j) and _lower(tokens[j]) not in NOT_NAMES:
                street_end, first = i, j
                while (
                    first > 0
                    and i - first < 3
                    and tokens[first - 1].kind == "a"
                    and _free(tokens, first - 1)
                    and tokens[first - 1].text[:1].isupper()
                    and not _sentence_start(tokens, first)
                ):
                    first -= 1
        elif lower.endswith(STREET_ENDINGS) and any(
            len(lower) > len(e) + 2 for e in STREET_ENDINGS if lower.endswith(e)
        ):
            street_end = i
            if first > 0 and _lower(tokens[first - 1]) in STREET_PREFIXES and tokens[first - 1].text[:1].isupper():
                first -= 1
        elif lower.endswith(STREET_ABBREVIATIONS) and len(lower) > 4 and token.text[:1].isupper():
            street_end = i  # "Sannergt. 5"; not "langt. 5"
        elif (lower.endswith(SHORT_STREET_ENDINGS) and len(lower) > 4 and _dot_after(tokens, i)
              and lower not in _lists()["not a name"]):
            street_end = i  # "Sandakerv. 24", "Sannerg. 5"; not "lørdag. 12"
        elif streets:
            # A street from the register, up to four words long.
            for length in (4, 3, 2, 1):
                last = i + length - 1
                if (
                    last >= len(tokens)
                    or tokens[last].end - token.start > 80
                    or any(t.kind == "p" and t.text not in "-." for t in tokens[i : last + 1])
                ):
                    continue
                written = text[token.start : tokens[last].end].lower()
                if written in streets or written in short_forms:
                    street_end = last
                    break
        if street_end is None:
            continue
        if _lower(tokens[street_end]).endswith(STREET_ABBREVIATIONS + SHORT_STREET_ENDINGS) and _dot_after(
                tokens, street_end):
            street_end += 1  # the abbreviation's dot
        n = _house_number(tokens, street_end + 1)
        if n:
            _mark(tokens, first, street_end + n, ADDRESS_MASK)


def _flats(tokens: list[_Token]) -> None:
    """Flat numbers ("H0201", "leil. 3"), floors ("3. etg", "andre etasje") and places in a house ("i kjelleren")."""
    n = len(tokens)
    for i, token in enumerate(tokens):
        if not _free(tokens, i):
            continue
        lower = _lower(token)
        # "H0201", "U0101": the flat number of the address register.
        if (
            token.kind == "a"
            and lower in {"h", "u", "k", "l"}
            and i + 1 < n
            and tokens[i + 1].glued
            and tokens[i + 1].kind == "d"
            and len(tokens[i + 1].text) == 4
            and not (i + 2 < n and tokens[i + 2].glued and tokens[i + 2].kind in "ad")
        ):
            first = i - 1 if i > 0 and _lower(tokens[i - 1]) in FLAT_WORDS and _free(tokens, i - 1) else i
            _mark(tokens, first, i + 1, ADDRESS_MASK)
        # "leil. 3", "leilighet 12", "nr. 17"
        elif token.kind == "a" and lower in FLAT_WORDS:
            j = i + 1 + (i + 1 < n and tokens[i + 1].text == ".")
            if (
                j < n
                and tokens[j].kind == "d"
                and len(tokens[j].text) <= 4
                and _free(tokens, j)
                and not (i > 0 and _lower(tokens[i - 1]) in NOT_A_DOOR)
                and not (j + 1 < n and tokens[j + 1].kind == "d" and not tokens[j + 1].glued)
            ):
                end = (
                    j + 1
                    if j + 1 < n and tokens[j + 1].kind == "a" and tokens[j + 1].glued and len(tokens[j + 1].text) == 1
                    else j
                )
                _mark(tokens, i, end, ADDRESS_MASK)
        # "3. etg", "3 etasje", "2. etg." and "etg 3"
        elif token.kind == "d" and len(token.text) <= 2:
            j = i + 1 + (i + 1 < n and tokens[i + 1].text == "." and tokens[i + 1].glued)
            if j < n and _lower(tokens[j]) in FLOOR_WORDS:
                _mark(tokens, i, j + _trailing_dot(tokens, j), ADDRESS_MASK)
        elif token.kind == "a" and lower in FLOOR_WORDS:
            before = i - 1
            if before >= 0 and _lower(tokens[before]) in ORDINALS and _free(tokens, before):
                _mark(tokens, before, i + _trailing_dot(tokens, i), ADDRESS_MASK)
            elif i + 1 < n and tokens[i + 1].kind == "d" and len(tokens[i + 1].text) <= 2:
                _mark(tokens, i, i + 1, ADDRESS_MASK)
        elif token.kind == "a" and lower in PLACES_IN_A_HOUSE:
            _mark(tokens, i, i, ADDRESS_MASK)
        # "han i tredje vil ha heis": an ordinal on its own after "i" or "på" is a floor.
        elif (
            token.kind == "a"
            and lower in ORDINALS
            and i > 0
            and _lower(tokens[i - 1]) in {"i", "på"}
            and (i + 1 >= n or tokens[i + 1].kind != "a" or _lower(tokens[i + 1]) in _verbs())
        ):
            _mark(tokens, i, i, ADDRESS_MASK)


def _trailing_dot(tokens: list[_Token], i: int) -> int:
    """1 when "etg." ends with its abbreviation dot and the sentence goes on after it."""
    return int(i + 1 < len(tokens) and tokens[i + 1].text == "." and tokens[i + 1].glued and _lower(tokens[i]) == "etg")


@cache
def _verbs() -> frozenset[str]:
    return _lists()["verbs"] | NOT_NAMES


# --- names ------------------------------------------------------------------------------------------------------------


def _sentence_start(tokens: list[_Token], i: int) -> bool:
    """Whether token i begins a sentence (or the text, a line, a bracket, a quotation)."""
    if i == 0 or tokens[i].newline_before:
        return True
    before = tokens[i - 1]
    return before.kind == "p" and before.text in SENTENCE_BREAKS and not before.kept


def _words(tokens: list[_Token]) -> list[tuple[int, int, str]]:
    """Words as (first token, last token, text): letters joined by a glued hyphen or apostrophe count as one."""
    words, i, n = [], 0, len(tokens)
    while i < n:
        if tokens[i].kind != "a" or tokens[i].kept:
            i += 1
            continue
        last = i
        while (
            last + 2 < n
            and tokens[last + 1].text in "-'’"
            and tokens[last + 1].glued
            and tokens[last + 2].kind == "a"
            and tokens[last + 2].glued
            and last - i < 6
        ):
            last += 2
        if last + 1 < n and tokens[last + 1].kind == "a" and tokens[last + 1].glued:
            last += 1  # letters split by a combining mark the tokeniser saw as a letter run of its own
        text = "".join(t.text for t in tokens[i : last + 1])
        words.append((i, last, text))
        i = last + 1
    return words


def _kind_of_name(word: str, lists: dict[str, frozenset]) -> str | None:
    """Which list the word is in: "given", "surname", "given-word", "surname-word", "cap" or None."""
    lower = word.lower()
    pieces = word.replace("’", "-").replace("'", "-").split("-")
    if len(pieces) > 1 and not all(piece[:1].isupper() for piece in pieces[1:] if len(piece) > 1):
        return None  # a compound noun, "Solberg-regjeringen", "Frp-velgere"; not "Anne-Lise", "Al-Sayed"
    parts = [lower] + [piece.lower() for piece in pieces] if len(pieces) > 1 else [lower]
    for part in parts:
        if part in lists["given"]:
            return "given"
        if part in lists["surname"]:
            return "surname"
    for part in parts:
        if part in lists["given, capitalised"]:
            return "cap"
        if part in lists["given, also a word"]:
            return "given-word"
        if part in lists["surname, also a word"]:
            return "surname-word"
    # Genitive: "Karis", "Ahmeds".
    if lower.endswith("s") and lower[:-1] in lists["given"]:
        return "given"
    return None


def _surname_by_ending(word: str) -> bool:
    """ "Kowalski", "Kazlauskas", "Yılmazoğlu"; and "Hansen", "Svensson" from a given name, not "Bussen" or "Prisen"."""
    lower = word.lower()
    if len(lower) <= 5 or not lower.endswith(tuple(_lists()["surname endings"])):
        return False
    patronymic = ("ssen", "sen", "sson", "son", "en")
    if not lower.endswith(patronymic):
        return True
    lists = _lists()
    names = lists["given"] | lists["given, capitalised"] | lists["given, also a word"]
    return any(lower.endswith(end) and lower[: -len(end)] in names for end in patronymic)


def _names(tokens: list[_Token], known: tuple[frozenset[str], ...] = ()) -> None:
    lists = _lists()
    words = _words(tokens)
    never = lists["not a name"]
    found = [False] * len(words)

    def capitalised(w):
        return w[2][:1].isupper()

    def adjacent(a, b):  # words a and b follow each other with only white space between
        return words[b][0] == words[a][1] + 1 and not tokens[words[b][0]].glued

    def dotted(a, b):  # word a, its dot, then word b: "fam. Nordbakken"
        return words[b][0] == words[a][1] + 2 and tokens[words[a][1] + 1].text == "." and tokens[
            words[a][1] + 1].glued

    def given_before(w):  # a given name right before word w: "per kvam", "kari nordbakken"
        return w > 0 and adjacent(w - 1, w) and _kind_of_name(words[w - 1][2], lists) in ("given", "given-word", "cap")

    public = _public_figures(words, adjacent)
    unlisted = _unlisted_pairs(tokens, words, known)
    for w, (first, _last, text) in enumerate(words):
        if len(text) > LONGEST_WORD or not _free(tokens, first) or w in public:
            continue
        lower = text.lower()
        if lower in never or lower.split("-")[0] in never:
            continue
        kind = _kind_of_name(text, lists)
        before = words[w - 1][2].lower() if w > 0 else ""
        short_cue = before in SHORT_CUES and dotted(w - 1, w)
        cue = (
            w > 0
            and (adjacent(w - 1, w) or short_cue)
            and before in CUES
            and lower not in NOT_NAMES
            and lower not in _verbs()
        )
        strong = cue and before in STRONG_CUES
        start = _sentence_start(tokens, first) and not short_cue
        nxt = _kind_of_name(words[w + 1][2], lists) if w + 1 < len(words) and adjacent(w, w + 1) else None
        next_is_name = (
            nxt in ("given", "surname", "surname-word")
            and capitalised(words[w + 1])
            or (
                w + 1 < len(words)
                and adjacent(w, w + 1)
                and capitalised(words[w + 1])
                and _surname_by_ending(words[w + 1][2])
            )
        )
        found[w] = bool(
            w in unlisted
            or kind == "given"
            or strong
            or (kind == "surname" and (capitalised(words[w]) or cue or given_before(w)))
            or (cue and _farm_name(text, lists))
            or (kind == "cap" and capitalised(words[w]) and (not start or next_is_name or _speaks(words, w, adjacent)))
            or (kind == "cap" and cue)
            or (kind in ("given-word", "surname-word") and capitalised(words[w]) and (not start or next_is_name or cue))
            or (kind in ("given-word", "surname-word") and cue and not start)
            or (capitalised(words[w]) and _surname_by_ending(text) and (not start or lower in lists["surname"]))
            or (capitalised(words[w]) and cue and not start and lower not in _verbs())
            or (capitalised(words[w]) and _name_prefix(text))
        )
    # A surname in lower case takes the given name before it, however ordinary a word that is ("per kvam").
    for w in range(1, len(words)):
        if found[w] and _kind_of_name(words[w][2], lists) == "surname" and given_before(w):
            found[w - 1] = True
    # A name goes on over the capitalised words and name-list words right after it ("Nguyen Van Anh",
    # "trond hansen") and takes in a capitalised word right before it ("Piotr Kowalski").
    for w in public:
        found[w] = False
    told = found[:]
    run = 0
    for w in range(len(words) - 1):
        run = run + 1 if found[w] and not told[w] else 0
        if found[w] and run < 3 and not found[w + 1] and adjacent(w, w + 1) and (
                _continues(words[w + 1][2], lists)
                or _kind_of_name(words[w][2], lists) == "given" and _farm_name(words[w + 1][2], lists)):
            found[w + 1] = True
    run = 0
    for w in range(len(words) - 1, 0, -1):
        run = run + 1 if found[w] and not told[w] else 0
        if (
            found[w]
            and run < 2
            and not found[w - 1]
            and adjacent(w - 1, w)
            and capitalised(words[w - 1])
            and _precedes(words[w - 1][2], lists)
            and not _sentence_start(tokens, words[w][0])
            and (not _sentence_start(tokens, words[w - 1][0]) or _kind_of_name(words[w - 1][2], lists))
        ):
            found[w - 1] = True
    for w, (first, last, _) in enumerate(words):
        if found[w]:
            _mark(tokens, first, last, NAME_MASK)


def _labels(tokens: list[_Token]) -> None:
    """A name written as a form or a door sign gives it: up to three words after "navn:", "dørskilt:" and the like,
    in any case, joined by white space or "/", "&", "-" ("Tveitevoll/Berg")."""
    for i, token in enumerate(tokens):
        if token.kind != "a" or _lower(token) not in LABELS or i + 2 >= len(tokens) or tokens[i + 1].text != ":":
            continue
        j, last, words = i + 2, None, 0
        while j < len(tokens) and words < 3:
            lower = _lower(tokens[j])
            if tokens[j].kind == "a" and _free(tokens, j) and lower not in NOT_NAMES and lower not in _verbs():
                last, words = j, words + 1
            elif not (tokens[j].text in "/&-" and last is not None):
                break
            j += 1
        if last is not None:
            _mark(tokens, i + 2, last, NAME_MASK)


def _unlisted_pairs(tokens: list[_Token], words: list, known: tuple[frozenset[str], ...]) -> set[int]:
    """Words that make a name with a neighbour although no list knows either: two capitalised words side by side
    that are no known place ("Gunnbjørg Tveitevoll", "GUNNBJØRG TVEITEVOLL"), the same turned round with a comma
    ("Tveitevoll, Gunnbjørg"), and an initial before one ("G. Tveitevoll"). A rare given name and a farm-name
    surname are on no list, and hurried notes capitalise little else. A word too many masked costs a committee
    little ("Nordre Gate"); a name too few is a leak. `known` are the sets of place and street names (lower-case),
    looked up one by one rather than joined for every text."""
    found: set[int] = set()
    for w in range(len(words) - 1):
        first, second = words[w][2], words[w + 1][2]
        between = [t.text for t in tokens[words[w][1] + 1 : words[w + 1][0]]]
        if (
            not between and not tokens[words[w + 1][0]].glued
            or between == [","] and min(len(first), len(second)) >= 4
        ):
            pair = f"{first} {second}".lower()
            if all(pair not in names for names in known) and _unlisted(first, known) and _unlisted(second, known):
                found |= {w, w + 1}
        elif between == ["."] and len(first) == 1 and first.isupper() and _unlisted(second, known) \
                and len(second) >= 4:
            found |= {w, w + 1}
    return found


def _unlisted(word: str, known: tuple[frozenset[str], ...]) -> bool:
    """A capitalised word (or one in capitals, but not an acronym like NAV or SFO) that is no place, party, cue,
    verb or listed word."""
    lower = word.lower()
    lists = _lists()
    return (
        len(word) > 2
        and (word[:1].isupper() and word[1:].islower() or word.isupper() and len(word) >= 5)
        and all(lower not in names for names in known)
        and _kind_of_name(word, lists) is None
        and _precedes(word, lists)
        and lower not in lists["says"]
    )


def _speaks(words: list, w: int, adjacent) -> bool:
    """Whether the word after w says what someone does: "Bjørn mener", not "Bjørn og ulv", "Storm i natt"."""
    return w + 1 < len(words) and adjacent(w, w + 1) and words[w + 1][2].lower() in _lists()["says"]


@cache
def _figure_starts() -> frozenset[str]:
    """The first word of each public figure's full name (a word holds no "_", so a name starts with one of these)."""
    return frozenset(name.split("_", 1)[0] for name in _lists()["public figures"])


def _public_figures(words: list, adjacent) -> set[int]:
    """Words that make the full name of a national politician: what residents say about them is not about themselves."""
    figures, starts, found = _lists()["public figures"], _figure_starts(), set()
    for w in range(len(words)):
        if words[w][2].lower() not in starts:
            continue  # most words: the joins below were a quarter of scrubbing a text
        for length in (4, 3, 2):
            if (
                w + length <= len(words)
                and all(adjacent(v, v + 1) for v in range(w, w + length - 1))
                and all(len(words[v][2]) <= LONGEST_WORD for v in range(w, w + length))
                and "_".join(words[v][2].lower() for v in range(w, w + length)) in figures
            ):
                found.update(range(w, w + length))
                break
    return found


def _name_prefix(word: str) -> bool:
    """Arabic and Tigrinya names built on a prefix: "Al-Masri", "El-Amin", "Abdel-Aziz", "Gebremedhin"."""
    lower = word.lower()
    return (
        lower.startswith(
            (
                "al-",
                "el-",
                "abdel",
                "abdul",
                "abdi",
                "gebre",
                "ghebre",
                "tesfa",
                "habte",
                "wolde",
                "haile",
                "ould-",
                "ben-",
                "bin-",
                "abu-",
            )
        )
        and len(lower) > 5
    )


# How Norwegian farm and place names end, and so many surnames: "Nordbakken", "Nordmann", "Haugland", "Bjørnstad".
FARM_ENDINGS = ("bakken", "bakke", "rud", "stad", "heim", "land", "dal", "dalen", "vik", "berg", "haug", "haugen",
                "lie", "nes", "seth", "strand", "mann", "moen", "vold", "hagen", "aas", "ås", "sæter", "seter", "holm",
                "gård", "gaard", "bø", "li", "by", "rød", "set", "sund", "fjeld", "fjell", "skog", "eng", "lund")


def _farm_name(word: str, lists: dict[str, frozenset]) -> bool:
    """A word written in lower case after a given name that is a surname all the same: "kari nordbakken"."""
    lower = word.lower()
    return (
        any(lower.endswith(end) and len(lower) > len(end) + 2 for end in FARM_ENDINGS)
        and lower not in lists["not a name"]
        and lower not in NOT_NAMES
        and lower not in _verbs()
    )


def _continues(word: str, lists: dict[str, frozenset]) -> bool:
    lower = word.lower()
    if lower in lists["not a name"] or lower in NOT_NAMES or lower in _verbs():
        return False
    return word[:1].isupper() or _kind_of_name(word, lists) in ("given", "surname")


def _precedes(word: str, lists: dict[str, frozenset]) -> bool:
    lower = word.lower()
    return not (
        lower in lists["not a name"]
        or lower in NOT_NAMES
        or lower in _verbs()
        or lower in CUES
        or lower in lists["not before a name"]
    )


# --- the whole --------------------------------------------------------------------------------------------------------


def _masked(text: str, streets: frozenset[str] = frozenset(), places: frozenset[str] = frozenset()) -> list[_Token]:
    tokens = _tokens(text)
    _emails(tokens)
    _numbers(tokens)
    _phone_context(tokens)
    _spelled_numbers(tokens)
    _handles(tokens)
    _profiles(tokens)
    _web_addresses(tokens)
    _plates(tokens)
    _dates(tokens)
    _flats(tokens)
    _streets(tokens, streets, text)
    _labels(tokens)
    _names(tokens, (places, streets, _street_starts(streets)))
    return tokens


def spans(text: str, streets: frozenset[str] = frozenset(),
          places: frozenset[str] = frozenset()) -> list[tuple[int, int, str]]:
    """Where the text identifies a person: (start, end, mask), in order, not overlapping.

    Neighbouring pieces under the same mask with only white space between them are one span.
    """
    found: list[list] = []
    for token in _masked(text, streets, places):
        if not token.mask:
            continue
        if (
            found
            and found[-1][2] == token.mask
            and (found[-1][1] == token.start or text[found[-1][1] : token.start].isspace())
        ):
            found[-1][1] = token.end
        else:
            found.append([token.start, token.end, token.mask])
    return [tuple(span) for span in found]


def scrub(text: str, streets: frozenset[str] = frozenset(), places: frozenset[str] = frozenset()) -> str:
    """The text with phone numbers, e-mail addresses, addresses, id numbers and personal names masked.

    `streets` are street names known from the address register (lower-case); a known street with a
    house number is masked whatever its ending. `places` are other place names the organisation's geography
    knows (lower-case: postal places, districts): two capitalised words that are no known place are a name.
    """
    if not text:
        return text
    pieces, at = [], 0
    for start, end, mask in spans(text, streets, places):
        pieces += [text[at:start], mask]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


@dataclass
class Found:
    """One place in a text, shaped like a regular-expression match for callers that used one."""

    at: tuple[int, int]
    text: str

    def start(self) -> int:
        return self.at[0]

    def end(self) -> int:
        return self.at[1]

    def group(self) -> str:
        return self.text


class _Finder:
    """Finds the places one mask would cover, with the `finditer` of a compiled pattern."""

    def __init__(self, mask: str):
        self.mask = mask

    def finditer(self, text: str):
        return [Found((start, end), text[start:end]) for start, end, mask in spans(text) if mask == self.mask]


PHONE = _Finder(PHONE_MASK)
EMAIL = _Finder(EMAIL_MASK)
