"""Recall and precision of the scrubber on the labelled doorstep notes (tests/data/scrub/).

    PYTHONPATH=$PWD .venv/bin/python bench/scrub_quality.py            # today's scrubber
    PYTHONPATH=$PWD .venv/bin/python bench/scrub_quality.py 76f7aa4    # the scrubber at a commit
    ... --wrong heldout                                                 # also list what it got wrong

The held-out set was written before tuning and is never tuned on; the development set is.
"""
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.scrub_labels import notes, score  # noqa: E402


def scrubber_at(commit: str):
    """The scrub function as it was at `commit`, with its name lists."""
    folder = Path(tempfile.mkdtemp())
    for name in ("scrub.py", "names.txt"):
        text = subprocess.run(["git", "show", f"{commit}:canvass/insight/{name}"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
        (folder / name).write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"scrub_{commit}", folder / "scrub.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.scrub


def main(args: list[str]) -> None:
    show = args[args.index("--wrong") + 1] if "--wrong" in args else None
    args = [a for a in args if a not in ("--wrong", show)]
    if args:
        scrub, which = scrubber_at(args[0]), args[0]
    else:
        from canvass.insight.scrub import scrub
        which = "working tree"
    for name in ("heldout", "dev"):
        if not (ROOT / "tests" / "data" / "scrub" / f"{name}.txt").exists():
            continue
        labelled = notes(name)
        result, wrong = score(scrub, labelled)
        print(f"{which:>12} {name:>8}: {len(labelled)} notes, {result.personal} personal tokens, "
              f"recall {result.recall:.1%}, precision {result.precision:.1%}")
        if name == show:
            for text, scrubbed in wrong:
                print(f"    {text}\n  → {scrubbed}")


if __name__ == "__main__":
    main(sys.argv[1:])
