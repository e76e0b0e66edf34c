"""Packing lists for a leaflet drop: leaflets to pack per turf, with totals per branch and for the whole drop.

Each turf gets its households (its doors: the Matrikkel's dwellings, or the estimate where those are
missing) plus a margin of 5 %, rounded up, and never less than 2 extra, for a torn bundle or a
mailbox the list lacks. The totals are the sums of the turf's figures, so the print order adds up.
"""
import math
from dataclasses import dataclass, field

from flask_babel import gettext

from canvass.models import LeafletDrop, Turf
from canvass.services.field.walk_sheet import a4, latin1
from canvass.services.turf.drops import BranchPart

MARGIN_SHARE = 0.05
MARGIN_MINIMUM = 2


def to_pack(households: int) -> int:
    """Leaflets for a turf of `households`: the margin above, on top of one per household."""
    return households + max(MARGIN_MINIMUM, math.ceil(households * MARGIN_SHARE))


def streets(t: Turf) -> list[str]:
    """The turf's streets in walking order, each once."""
    seen: dict[str, None] = {}
    for stop in t.stops:
        seen.setdefault(stop.address.street, None)
    return list(seen)


@dataclass
class Line:
    turf: Turf
    holders: list[str]
    households: int
    leaflets: int
    streets: list[str]


@dataclass
class BranchList:
    name: str
    lines: list[Line] = field(default_factory=list)

    @property
    def households(self) -> int:
        return sum(line.households for line in self.lines)

    @property
    def leaflets(self) -> int:
        return sum(line.leaflets for line in self.lines)


def lists(parts: list[BranchPart]) -> list[BranchList]:
    """One list per branch of the drop, every turf in it, given out or not."""
    result = []
    for part in parts:
        branch_list = BranchList(part.branch.name)
        given = [(t, [u.name for u in people]) for t, people in part.assigned] + [(t, []) for t in part.unassigned]
        for t, names in sorted(given, key=lambda pair: pair[0].name):
            branch_list.lines.append(Line(t, names, t.doors, to_pack(t.doors), streets(t)))
        result.append(branch_list)
    return result


def render(drop: LeafletDrop, branch_lists: list[BranchList]) -> bytes:
    """The packing list as a PDF: a section per branch, and the drop's totals for the print order."""
    pdf = a4(drop.title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, latin1(gettext("Pakkeliste: %(title)s", title=drop.title)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, latin1(gettext(
        "Løpesedler per rode: husstandene pluss %(share)s %%, rundet opp, og minst %(minimum)s ekstra.",
        share=round(MARGIN_SHARE * 100), minimum=MARGIN_MINIMUM)), new_x="LMARGIN", new_y="NEXT")
    total_households = sum(b.households for b in branch_lists)
    total_leaflets = sum(b.leaflets for b in branch_lists)
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, latin1(gettext("Totalt: %(households)s husstander, %(leaflets)s løpesedler",
                                        households=total_households, leaflets=total_leaflets)),
                   new_x="LMARGIN", new_y="NEXT")
    for branch_list in branch_lists:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 7, latin1(branch_list.name), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 5, latin1(gettext("%(households)s husstander, %(leaflets)s løpesedler",
                                            households=branch_list.households, leaflets=branch_list.leaflets)),
                       new_x="LMARGIN", new_y="NEXT")
        for line in branch_list.lines:
            pdf.set_font("Helvetica", "B", 10)
            pdf.multi_cell(0, 5, latin1(f"{line.turf.name}: {line.leaflets} "
                                        + gettext("løpesedler") + f" ({line.households})"),
                           new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 9)
            who = ", ".join(line.holders) or gettext("uten rodeansvarlig")
            pdf.multi_cell(0, 4.5, latin1(who + " - " + ", ".join(line.streets)), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
