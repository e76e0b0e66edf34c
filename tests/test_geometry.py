"""Geometry without a database: projections, repair, and which area a point or polygon belongs to."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from canvass.geo import geometry
from canvass.geo.errors import GeodataError


def test_utm33_coordinates_of_oslo_city_hall_land_at_the_city_hall():
    lon, lat = geometry.project_points(np.array([261504.5]), np.array([6649243.6]), 25833)
    assert (lon[0], lat[0]) == pytest.approx((10.7336, 59.9115), abs=1e-5)


def test_utm32_and_utm33_coordinates_of_the_same_place_agree():
    lon32, lat32 = geometry.project_points(np.array([596947.0]), np.array([6642824.4]), 25832)
    lon33, lat33 = geometry.project_points(np.array([261504.5]), np.array([6649243.6]), 25833)
    assert (lon32[0], lat32[0]) == pytest.approx((lon33[0], lat33[0]), abs=1e-5)
    assert geometry.inside_norway(lon32, lat32)[0]


def test_a_bow_tie_polygon_is_repaired_into_two_valid_triangles():
    bow_tie = Polygon([(10.70, 59.90), (10.72, 59.92), (10.72, 59.90), (10.70, 59.92), (10.70, 59.90)])
    assert not bow_tie.is_valid
    fixed = geometry.repair(bow_tie)
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon" and len(fixed.geoms) == 2
    assert fixed.area == pytest.approx(0.0002, rel=1e-6)


def test_layers_in_metres_mistaken_for_degrees_are_refused():
    with pytest.raises(GeodataError, match="utenfor Norge"):
        geometry.check_inside_norway([box(597000, 6643000, 598000, 6644000)])


def test_a_postal_area_goes_to_the_district_holding_most_of_it():
    west, east = box(10.0, 59.0, 10.5, 60.0), box(10.5, 59.0, 11.0, 60.0)
    areas = {"0001": box(10.1, 59.1, 10.6, 59.2), "0002": box(10.45, 59.5, 10.9, 59.6),
             "0003": box(12.0, 59.0, 12.1, 59.1)}
    assigned = geometry.dominant_area(areas, {"west": west, "east": east})
    assert assigned == {"0001": "west", "0002": "east"}


def test_an_area_split_evenly_below_the_threshold_is_left_for_a_person_to_decide():
    thirds = {"a": box(0 + 10, 59, 10.1, 60), "b": box(10.1, 59, 10.2, 60), "c": box(10.2, 59, 10.3, 60)}
    assert geometry.dominant_area({"x": box(10.0, 59.0, 10.3, 60.0)}, thirds) == {}


@given(st.lists(st.tuples(st.floats(10.0, 11.0), st.floats(59.0, 60.0)), max_size=50))
def test_every_point_is_located_in_the_one_region_that_contains_it(points):
    regions = {"west": box(10.0, 59.0, 10.5, 60.0), "east": box(10.5, 59.0, 11.0, 60.0)}
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    located = geometry.locate_points(lon, lat, regions)
    for (x, _), region in zip(points, located, strict=True):
        if x < 10.5:
            assert region == "west"
        elif x > 10.5:
            assert region == "east"
