"""How well "Finn temaer" groups hurried door notes, and how well new notes are placed in themes a committee shaped.

    PYTHONPATH=$PWD .venv/bin/python bench/theme_quality.py           # prints the section for docs/benchmarks.md
    PYTHONPATH=$PWD .venv/bin/python bench/theme_quality.py --tuned   # the tuned-on sets only, while tuning

Sets (tests/data/themes/, one "label<TAB>note" per line). Tuned on: housing_tune.tsv and transport_tune.tsv
(spellings, the lexicon, weights, the silhouette slack and the placing threshold were changed while looking at
how these grouped) and tests/data/themes_labelled.tsv (written by others before this method, and looked at
too). Held out: schools_heldout.tsv and care_heldout.tsv, written by someone who had not seen the method,
copied in unchanged and only measured: never printed or opened while the method changed.

- Purity: the share of notes that belong to their theme's commonest label. Inverse purity: the share that
  sit in the theme holding most of their label. The pile of notes that fit no theme counts as one theme.
- Placing: the notes of a set are split in two; the first half, grouped by their labels, stands for the
  themes a committee corrected, and the second half is placed in them. Right: placed notes in the theme of
  their label. Unrelated notes (another policy area) should land in "not sure".
"""
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from canvass.insight import themes  # noqa: E402

DATA = ROOT / "tests" / "data"
TUNED = {"housing (tuned on)": DATA / "themes" / "housing_tune.tsv",
         "transport (tuned on)": DATA / "themes" / "transport_tune.tsv",
         "earlier set by others (looked at)": DATA / "themes_labelled.tsv"}
HELD_OUT = {"schools (held out)": DATA / "themes" / "schools_heldout.tsv",
            "care (held out)": DATA / "themes" / "care_heldout.tsv"}
SETS = TUNED | HELD_OUT
# Placing: each set with notes of another policy area as the unrelated ones.
UNRELATED = {"housing (tuned on)": "earlier set by others (looked at)", "transport (tuned on)": "housing (tuned on)",
             "schools (held out)": "care (held out)", "care (held out)": "schools (held out)"}


def labelled(path: Path) -> list[tuple[str, str]]:
    return [tuple(line.split("\t", 1)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def purity(found, truth) -> float:
    return sum(Counter(truth[i] for i in t.members).most_common(1)[0][1] for t in found) / len(truth)


def inverse_purity(found, truth) -> float:
    where: dict[str, Counter] = {}
    for number, theme in enumerate(found):
        for i in theme.members:
            where.setdefault(truth[i], Counter())[number] += 1
    return sum(c.most_common(1)[0][1] for c in where.values()) / len(truth)


def grouping(path: Path) -> str:
    notes = labelled(path)
    truth = [label for label, _ in notes]
    found = themes.find_themes([text for _, text in notes])
    pile = sum(len(t.members) for t in found if t.unsure)
    return (f"{len(found) - any(t.unsure for t in found)} themes + {pile} notes not sure; "
            f"purity {purity(found, truth):.2f}, inverse purity {inverse_purity(found, truth):.2f}")


def placing(path: Path, unrelated: list[str]) -> str:
    notes = labelled(path)
    corrected: dict[str, list[str]] = {}
    for label, text in notes[::2]:
        corrected.setdefault(label, []).append(text)
    new = notes[1::2]
    placed = themes.place(corrected, [text for _, text in new])
    sure = [(label, got) for (label, _), got in zip(new, placed, strict=True) if got is not None]
    right = sum(label == got for label, got in sure)
    away = themes.place(corrected, unrelated)
    return (f"{len(sure)} of {len(new)} placed, {right / max(len(sure), 1):.0%} of them right; "
            f"{sum(got is None for got in away)} of {len(unrelated)} unrelated notes not sure")


def unrelated(name: str) -> list[str]:
    """Thirty notes of another policy area than the set's: the earlier set's schools, kindergartens and care
    for housing, the first thirty of another set for the rest."""
    notes = labelled(SETS[UNRELATED[name]])
    if UNRELATED[name].startswith("earlier"):
        notes = [(label, text) for label, text in notes if label in ("barnehage", "skole", "eldreomsorg")]
    return [text for _, text in notes[:30]]


def run(sets: dict[str, Path] = SETS) -> list[tuple[str, str, str]]:
    rows = [(f"Finn temaer, {name}: {len(labelled(path))} notes, {len({label for label, _ in labelled(path)})} labels",
             grouping(path), "purity ≥ 0.85, inverse ≥ 0.75 held out") for name, path in sets.items()]
    weights = themes.WEIGHTS
    themes.WEIGHTS = (*weights[:2], 0.0, *weights[3:])
    try:
        rows += [(f"the same without the lexicon's groups, {name}", grouping(path), "")
                 for name, path in sets.items() if not name.startswith("earlier")]
    finally:
        themes.WEIGHTS = weights
    rows += [(f"placing in committee themes, {name}; unrelated: {UNRELATED[name].split(' (')[0]} notes",
              placing(SETS[name], unrelated(name)), "right ≥ 90 %, unrelated not sure") for name in UNRELATED
             if name in sets]
    return rows


if __name__ == "__main__":
    import datetime

    from run import machine  # bench/run.py: the same machine line as every section

    print("## Themes on hurried door notes (`bench/theme_quality.py`)\n")
    print(f"Measured {datetime.date.today().isoformat()} on {machine()}.\n")
    print("| what | measured | target |\n|---|---|---|")
    for what, value, target in run(TUNED if "--tuned" in sys.argv else SETS):
        print(f"| {what} | {value} | {target} |")
