"""Charts and maps as SVG drawn on the server: no chart library on the phone, and the same picture in the PDF.

Each chart has a title for screen readers; the page shows the same numbers in a table beside it.
Colours are the Okabe–Ito set and ColorBrewer blues, which colour-blind readers can tell apart.
"""
from collections.abc import Sequence

from markupsafe import Markup, escape

LINE_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"]
# Bars of topics without a colour of their own (beyond the first six, and "annet").
OTHER_COLOUR = "#6b6b6b"
BLUES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
NO_DATA = "#d9d9d9"
INK = "#1a1a1a"
FONT = 'font-family="system-ui, sans-serif" font-size="13"'


def _svg(width: float, height: float, title: str, body: str) -> Markup:
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
                  f'class="chart" {FONT}><title>{escape(title)}</title>{body}</svg>')


def topic_colours(topics: Sequence[str], order: Sequence[str] = ()) -> dict[str, str]:
    """A colour per topic on a page, the same in its bar and line charts and from page to page: the first six
    of `order` (the committee's whole ranking) always keep theirs, whatever the filters; another topic on the
    page takes, in the page's order, a colour no topic on it holds, and the rest are grey (OTHER_COLOUR)."""
    fixed = dict(zip(order, LINE_COLOURS, strict=False))  # the first six
    colours = {topic: fixed[topic] for topic in topics if topic in fixed}
    free = [colour for colour in LINE_COLOURS if colour not in colours.values()]
    for topic in topics:
        if topic not in colours and free:
            colours[topic] = free.pop(0)
    return colours


def bars(rows: Sequence[tuple[str, float, str]], title: str, width: int = 640,
         colours: dict[str, str] | None = None) -> Markup:
    """Horizontal bars, one per (label, value, value as text), longest first as given; coloured by label
    from `colours` when given, else all in the first colour."""
    if not rows:
        return Markup("")
    label_width, bar_height, gap = 190, 22, 8
    most = max(value for _, value, _ in rows) or 1
    room = width - label_width - 70
    parts = []
    for i, (label, value, text) in enumerate(rows):
        y = i * (bar_height + gap)
        length = max(room * value / most, 1)
        colour = colours.get(label, OTHER_COLOUR) if colours is not None else LINE_COLOURS[0]
        parts.append(f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" fill="{INK}">{escape(label)}</text>'
                     f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="{colour}"/>'
                     f'<text x="{label_width + length + 6:.1f}" y="{y + 16}" fill="{INK}">{escape(text)}</text>')
    return _svg(width, len(rows) * (bar_height + gap), title, "".join(parts))


def lines(series: dict[str, Sequence[float | None]], x_labels: Sequence[str], title: str, width: int = 640,
          height: int = 260, colours: dict[str, str] | None = None) -> Markup:
    """A line per series over the x labels; a missing value (a hidden small group) breaks the line."""
    if not series or not x_labels:
        return Markup("")
    left, right, top, bottom, legend = 44, 12, 12, 28, 22 * ((len(series) + 2) // 3)
    plot_w, plot_h = width - left - right, height - top - bottom
    most = max((v for values in series.values() for v in values if v is not None), default=0) or 1
    step = plot_w / max(len(x_labels) - 1, 1)

    def point(i, v):
        return left + i * step, top + plot_h - plot_h * v / most

    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{INK}"/>',
             f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" fill="{INK}">{most:g}</text>',
             f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" fill="{INK}">0</text>']
    every = max(1, len(x_labels) // 8)
    for i, label in enumerate(x_labels):
        if i % every == 0:
            x, _ = point(i, 0)
            parts.append(
                f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" fill="{INK}">{escape(label)}</text>'
            )
    for n, (name, values) in enumerate(series.items()):
        colour = (colours or {}).get(name, LINE_COLOURS[n % len(LINE_COLOURS)])
        runs, run = [], []
        for i, v in enumerate(values):
            if v is None:
                runs, run = runs + [run] if run else runs, []
            else:
                run.append(point(i, v))
        runs = runs + [run] if run else runs
        for run in runs:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
            parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>' for x, y in run)
        lx, ly = 10 + (n % 3) * (width // 3), height + 16 + (n // 3) * 22
        parts.append(
            f'<rect x="{lx}" y="{ly - 11}" width="14" height="14" fill="{colour}"/>'
            f'<text x="{lx + 20}" y="{ly}" fill="{INK}">{escape(name)}</text>'
        )
    return _svg(width, height + legend + 4, title, "".join(parts))


def shade(value: float | None, most: float) -> str:
    """The blue for a share, darker for more; grey when there is no number to show."""
    if value is None or most <= 0:
        return NO_DATA
    return BLUES[min(int(len(BLUES) * value / most), len(BLUES) - 1)]


def choropleth(
    paths: dict[str, str], height: float, fills: dict[str, str], labels: dict[str, str], title: str, width: int = 640
) -> Markup:
    """Areas filled by their colour, each with its label as a tooltip; areas without a fill are grey."""
    if not paths:
        return Markup("")
    parts = []
    for key, d in paths.items():
        parts.append(
            f'<path d="{d}" fill="{fills.get(key, NO_DATA)}" stroke="{INK}" stroke-width="1" '
            f'fill-rule="evenodd"><title>{escape(labels.get(key, key))}</title></path>'
        )
    return _svg(width, height, title, "".join(parts))
