"""A name or a topic as a person typed it, in one spelling: the same text looks the same and compares equal.

"Å" typed as one character or as "A" and a combining ring (text pasted from a Mac), an invisible zero-width
space, or a run of spaces would otherwise make two branches or two topics that look alike."""
import re
import unicodedata

# Characters that show as nothing: zero-width spaces and joiners, the byte-order mark, the soft hyphen.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")


def one_spelling(text: str) -> str:
    """`text` composed (NFC), without invisible characters, trimmed, its spaces single."""
    return " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFC", text or "")).split())


def name_key(text: str) -> str:
    """`text` as two names are compared: in one spelling and case-folded, so "Bydel Sagene", "bydel sagene" and
    "BYDEL SAGENE" are one name; what a unique key on a name holds. Python folds "Ø" and "Å" as SQLite's
    lower() does not."""
    return unicodedata.normalize("NFC", one_spelling(text).casefold())
