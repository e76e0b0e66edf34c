"""How well "Finn temaer" groups hurried door notes, and how well new notes are placed in themes a committee shaped.

    PYTHONPATH=$PWD .venv/bin/python bench/theme_quality.py           # prints the section for docs/benchmarks.md

Sets (tests/data/themes/, one "label<TAB>note" per line): housing_tune.tsv was tuned on (spellings, synonym
groups, weights, the silhouette slack and the placing threshold); transport_tune.tsv was written before
tuning and is only measured; tests/data/themes_labelled.tsv was written by others before this method.

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
SETS = {"housing (tuned on)": DATA / "themes" / "housing_tune.tsv",
        "transport (tuned on)": DATA / "themes" / "transport_tune.tsv",
        "earlier set by others": DATA / "themes_labelled.tsv"}


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


def run() -> list[tuple[str, str, str]]:
    rows = [(f"Finn temaer, {name}: {len(labelled(path))} notes, {len({label for label, _ in labelled(path)})} labels",
             grouping(path), "purity ≥ 0.85, inverse ≥ 0.75 held out") for name, path in SETS.items()]
    weights = themes.WEIGHTS
    themes.WEIGHTS = (*weights[:2], 0.0, *weights[3:])
    try:
        rows += [(f"the same without synonym groups, {name}", grouping(path), "")
                 for name, path in list(SETS.items())[:2]]
    finally:
        themes.WEIGHTS = weights
    housing, transport = (labelled(SETS[name]) for name in list(SETS)[:2])
    rows.append(("placing in committee themes, housing (tuned on)",
                 placing(SETS["housing (tuned on)"], [t for label, t in labelled(SETS["earlier set by others"])
                                                      if label in ("barnehage", "skole", "eldreomsorg")]),
                 "right ≥ 90 %, unrelated not sure"))
    rows.append(("placing in committee themes, transport (held out); unrelated: housing notes",
                 placing(SETS["transport (tuned on)"], [text for _, text in housing[:30]]),
                 "right ≥ 90 %, unrelated not sure"))
    del transport
    return rows


if __name__ == "__main__":
    import datetime

    from run import machine  # bench/run.py: the same machine line as every section

    print("## Themes on hurried door notes (`bench/theme_quality.py`)\n")
    print(f"Measured {datetime.date.today().isoformat()} on {machine()}.\n")
    print("| what | measured | target |\n|---|---|---|")
    for what, value, target in run():
        print(f"| {what} | {value} | {target} |")
