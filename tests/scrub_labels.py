"""The labelled doorstep notes in tests/data/scrub/ and how well a scrubber does on them.

A note marks what identifies a person between ⟦ and ⟧. Scoring is per word token (a run of
letters or digits): recall is the share of personal tokens the scrubber removed, precision the
share of removed tokens that were personal. Which tokens were removed is found by aligning the
note's tokens with the scrubbed text's, so any scrubber, old or new, is scored the same way.
"""
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

LABELLED = Path(__file__).with_name("data") / "scrub"
TOKEN = re.compile(r"[^\W_]+")


@dataclass
class Note:
    text: str
    spans: list[tuple[int, int]]

    def tokens(self) -> list[tuple[str, bool]]:
        """Each word token of the note, and whether it identifies a person."""
        return [(m.group(), any(start <= m.start() < end for start, end in self.spans))
                for m in TOKEN.finditer(self.text)]


def parse(line: str) -> Note:
    text, spans = "", []
    for part in re.split(r"(⟦.*?⟧)", line):
        if part.startswith("⟦"):
            spans.append((len(text), len(text) + len(part) - 2))
            text += part[1:-1]
        else:
            text += part
    return Note(text, spans)


def notes(name: str) -> list[Note]:
    lines = (LABELLED / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return [parse(line) for line in lines if line.strip() and not line.startswith("#")]


@dataclass
class Score:
    personal: int = 0
    caught: int = 0
    removed: int = 0

    @property
    def recall(self) -> float:
        return self.caught / self.personal if self.personal else 1.0

    @property
    def precision(self) -> float:
        return self.caught / self.removed if self.removed else 1.0


def removed(original: list[str], scrubbed: str) -> list[bool]:
    """For each original token, whether it is gone from the scrubbed text."""
    after = TOKEN.findall(scrubbed)
    kept = [False] * len(original)
    for block in difflib.SequenceMatcher(None, original, after, autojunk=False).get_matching_blocks():
        for i in range(block.a, block.a + block.size):
            kept[i] = True
    return [not k for k in kept]


def score(scrub, labelled: list[Note]) -> tuple[Score, list[tuple[str, str]]]:
    """The score of `scrub` on the notes, and the notes it got wrong with what it made of them."""
    total, wrong = Score(), []
    for note in labelled:
        tokens = note.tokens()
        scrubbed = scrub(note.text)
        gone = removed([t for t, _ in tokens], scrubbed)
        for (_, personal), g in zip(tokens, gone, strict=True):
            total.personal += personal
            total.caught += personal and g
            total.removed += g
        if any(personal != g for (_, personal), g in zip(tokens, gone, strict=True)):
            wrong.append((note.text, scrubbed))
    return total, wrong
