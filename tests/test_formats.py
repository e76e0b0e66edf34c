"""Reading the official CSV layout row by row: every bad row is named by its line, every good row kept."""
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvass.geo import formats

ELVERUM = "kartverket-format/matrikkelen_adresse_sample_3420_elverum.csv"
CORRUPTIONS = {
    "postnummer": lambda row, col: row.__setitem__(col["postnummer"], "24A6"),
    "nummer": lambda row, col: row.__setitem__(col["nummer"], "tolv"),
    "EPSG-kode": lambda row, col: row.__setitem__(col["EPSG-kode"], "3857"),
    "Nord": lambda row, col: row.__setitem__(col["Nord"], ""),
    "lokalid": lambda row, col: row.__setitem__(col["lokalid"], ""),
    "short": lambda row, col: row.__delitem__(slice(20, None)),
}


@pytest.fixture(scope="module")
def template(geodata):
    lines = (geodata / ELVERUM).read_text(encoding="utf-8-sig").splitlines()
    return lines[0], [line.split(";") for line in lines[1:]]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_each_corrupt_row_is_rejected_by_line_and_the_rest_kept(template, tmp_path_factory, data):
    header, rows = template
    col = {name: i for i, name in enumerate(header.split(";"))}
    count = data.draw(st.integers(1, 60))
    corrupt = data.draw(
        st.dictionaries(st.integers(0, count - 1), st.sampled_from(sorted(CORRUPTIONS)), max_size=count)
    )
    lines = [header]
    for i in range(count):
        row = list(rows[i % len(rows)])
        row[col["lokalid"]] = str(1_000_000 + i)
        if i in corrupt:
            CORRUPTIONS[corrupt[i]](row, col)
        lines.append(";".join(row))
    path = Path(tmp_path_factory.mktemp("csv")) / "adresser.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")

    chunks = list(formats.read_csv_chunks(path, formats.MATRIKKEL_ADDRESSES))
    rejected = sorted(r.line for chunk in chunks for r in chunk.rejected)
    kept = [line for chunk in chunks for line in chunk.lines]
    assert rejected == sorted(i + 2 for i in corrupt)
    assert sorted(kept) == [i + 2 for i in range(count) if i not in corrupt]
    assert all(
        r["official_id"] == f"matrikkel:{1_000_000 + line - 2}"
        for chunk in chunks
        for line, r in zip(chunk.lines, chunk.records, strict=True)
    )
