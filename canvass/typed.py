"""A name or a topic as a person typed it, in one spelling: the same text looks the same and compares equal.

"Å" typed as one character or as "A" and a combining ring (text pasted from a Mac), an invisible zero-width
space, or a run of spaces would otherwise make two branches or two topics that look alike."""
import unicodedata

# Characters that show as nothing beside Unicode's format characters (category Cf: zero-width spaces and joiners,
# bidi controls, the soft hyphen, the byte-order mark): fillers, a blank braille cell, the combining grapheme joiner
# and the variation selectors.
_BLANK = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
                   + "".join(map(chr, range(0xFE00, 0xFE10))) + "".join(map(chr, range(0xE0100, 0xE01F0))))


def _shown(character: str) -> bool:
    """Whether a character shows: not a format or control character (a NUL, a tab is a space), nor a blank one."""
    return character not in _BLANK and (unicodedata.category(character) not in ("Cf", "Cc") or character.isspace())


def one_spelling(text: str) -> str:
    """`text` composed (NFC), without invisible characters, trimmed, its spaces single."""
    return " ".join("".join(filter(_shown, unicodedata.normalize("NFC", text or ""))).split())


def name_key(text: str) -> str:
    """`text` as two names are compared: in one spelling and case-folded, so "Bydel Sagene", "bydel sagene" and
    "BYDEL SAGENE" are one name; what a unique key on a name holds. Python folds "Ø" and "Å" as SQLite's
    lower() does not."""
    # NFKC too: fullwidth «Ｓａｇｅｎｅ» and «Sagene» are one name, as the ligature «ﬃ» is «ffi».
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", one_spelling(text)).casefold())


def row_id(text) -> int | None:
    """A row's id as a form or a link gives it: ASCII digits a database integer can hold, else None.

    `"²".isdigit()` is true and `int("²")` fails, and `int("9" * 20)` overflows PostgreSQL's integer: both were a
    server error on any field read as an id (outsider M)."""
    text = text if isinstance(text, str) else ""
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2 ** 31 else None


def row_ids(texts) -> list[int]:
    """The row ids among values a form gives (`row_id`), in their order; the others left out."""
    return [number for number in map(row_id, texts) if number is not None]
