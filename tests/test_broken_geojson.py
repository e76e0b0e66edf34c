"""A .geojson file that is not JSON is refused as such, with where the parser stopped, not with its "columns"."""
import pytest

from canvass.geo import formats
from canvass.geo.errors import GeodataError


def refusal(path) -> str:
    with pytest.raises(GeodataError) as caught:
        formats.detect(path)
    return caught.value.message % caught.value.params


def test_a_geojson_file_that_is_not_json_says_so_with_the_line_and_character(tmp_path):
    broken = tmp_path / "broken.geojson"
    broken.write_text("this is not geojson {", encoding="utf-8")
    text = refusal(broken)
    assert text == "Fila broken.geojson kan ikke leses som GeoJSON: den er ikke gyldig JSON (linje 1, tegn 1)."
    assert "kolonnene" not in text
