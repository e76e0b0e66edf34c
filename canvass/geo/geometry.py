"""All geometry in one place: projections, repair, containment and overlap.

Storage and the web map use EPSG:4326 (lon, lat). Areas and distances are computed in
EPSG:25833 (UTM 33N), the projection Kartverket publishes most of Norway in.
"""
import json

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from canvass.geo.errors import GeodataError
from canvass.refusal import N_

WGS84 = CRS.from_epsg(4326)
METRIC = CRS.from_epsg(25833)
# Norway with Svalbard and Jan Mayen, generously: a point outside is a projection mistake.
NORWAY_BOUNDS = (-10.0, 57.0, 35.0, 82.0)
# The EPSG codes Kartverket publishes addresses in.
ADDRESS_CRS = {25832, 25833, 25835, 4258, 4326}

_transformers: dict[int, Transformer] = {}
_TO_METRIC = Transformer.from_crs(WGS84, METRIC, always_xy=True)


def _to_wgs84(epsg: int) -> Transformer:
    if epsg not in _transformers:
        _transformers[epsg] = Transformer.from_crs(CRS.from_epsg(epsg), WGS84, always_xy=True)
    return _transformers[epsg]


def project_points(east: np.ndarray, north: np.ndarray, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    """Project coordinates (east/north or lon/lat) from `epsg` to WGS84 lon, lat."""
    return _to_wgs84(epsg).transform(east, north)


def inside_norway(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    west, south, east, north = NORWAY_BOUNDS
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def bounding_box(text: str) -> tuple[float, float, float, float]:
    """A stored GeoJSON geometry's (west, south, east, north)."""
    return tuple(shapely.bounds(from_geojson(text)).tolist())


def km_outside(lon: np.ndarray, lat: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """How far each point lies outside its box (west, south, east, north in degrees), in km at the point's
    latitude: 0 inside its box, and 0 for a box of NaN (nothing to compare with)."""
    lon, lat, boxes = np.asarray(lon, float), np.asarray(lat, float), np.asarray(boxes, float).reshape(-1, 4)
    west, south, east, north = boxes.T
    # fmax drops the NaN of a missing box, so such a point is never "outside".
    dx = np.fmax(np.fmax(west - lon, lon - east), 0)
    dy = np.fmax(np.fmax(south - lat, lat - north), 0)
    return np.hypot(dx * 111.32 * np.cos(np.radians(lat)), dy * 110.57)


def check_inside_norway(geometries) -> None:
    """Refuse a layer whose coordinates are not in Norway: almost always a wrong or missing CRS."""
    west, south, east, north = shapely.total_bounds(np.asarray(geometries))
    if not (NORWAY_BOUNDS[0] <= west and east <= NORWAY_BOUNDS[2]
            and NORWAY_BOUNDS[1] <= south and north <= NORWAY_BOUNDS[3]):
        raise GeodataError(
            N_("Koordinatene ligger utenfor Norge (%(bounds)s). Fila har trolig feil eller manglende "
               "koordinatsystem."),
            bounds=", ".join(_degrees(value) for value in (west, south, east, north)),
        )


def _degrees(value: float) -> str:
    """A coordinate for a message: one decimal, or three significant digits when it is nowhere near
    the earth (a hostile file's 1e308 would otherwise print as 309 digits)."""
    return f"{value:.1f}" if abs(value) < 10_000 else f"{value:.3g}"


def repair(geometry: BaseGeometry) -> BaseGeometry:
    """Make a polygon valid (self-intersections, bow-ties), keeping only its areal parts."""
    if geometry.is_valid:
        return geometry
    fixed = shapely.make_valid(geometry)
    if fixed.geom_type == "GeometryCollection":
        polygons = [g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        fixed = shapely.union_all(polygons)
    return fixed


def union(parts: list[BaseGeometry]) -> BaseGeometry:
    """The union of polygons as one valid Polygon or MultiPolygon (islands stay separate polygons)."""
    merged = repair(shapely.union_all([repair(part) for part in parts]))
    if merged.geom_type == "GeometryCollection":
        merged = shapely.union_all([g for g in merged.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
    return merged


def to_geojson(geometry: BaseGeometry) -> str:
    return json.dumps(mapping(geometry), separators=(",", ":"))


def from_geojson(text: str) -> BaseGeometry:
    return shape(json.loads(text))


def metric_area(geometries) -> np.ndarray:
    """Areas in square metres of WGS84 geometries."""
    projected = shapely.transform(np.asarray(geometries), _TO_METRIC.transform, interleaved=False)
    return shapely.area(projected)


def metric_distance(a: BaseGeometry, b: BaseGeometry) -> float:
    """Distance in metres between two WGS84 geometries."""
    return float(shapely.distance(shapely.transform(a, _TO_METRIC.transform, interleaved=False),
                                  shapely.transform(b, _TO_METRIC.transform, interleaved=False)))


def dominant_area(areas: dict[str, BaseGeometry], regions: dict[str, BaseGeometry],
                  min_share: float = 0.5) -> dict[str, str]:
    """Map each area to the region holding the largest share of it, when that share is at least `min_share`.

    Used to derive a branch territory (postal codes) from a district polygon. Postal polygons
    include sea, so the share is of the whole polygon.
    """
    area_keys, area_geoms = list(areas), np.asarray(list(areas.values()))
    region_keys, region_geoms = list(regions), np.asarray(list(regions.values()))
    tree = shapely.STRtree(region_geoms)
    pairs = tree.query(area_geoms, predicate="intersects")
    area_size = metric_area(area_geoms)
    overlaps = metric_area(shapely.intersection(area_geoms[pairs[0]], region_geoms[pairs[1]]))
    best: dict[str, tuple[float, str]] = {}
    for a, r, overlap in zip(pairs[0], pairs[1], overlaps, strict=True):
        share = overlap / area_size[a] if area_size[a] else 0.0
        key = area_keys[a]
        if share >= min_share and share > best.get(key, (0.0, ""))[0]:
            best[key] = (share, region_keys[r])
    return {key: region for key, (_, region) in best.items()}


def locate_points(lon: np.ndarray, lat: np.ndarray, regions: dict[str, BaseGeometry]) -> list[str | None]:
    """The region each point lies in, or None."""
    result: list[str | None] = [None] * len(lon)
    if not regions or len(lon) == 0:
        return result
    keys, geoms = list(regions), np.asarray(list(regions.values()))
    points = shapely.points(lon, lat)
    point_idx, region_idx = shapely.STRtree(geoms).query(points, predicate="intersects")
    for p, r in zip(point_idx, region_idx, strict=True):
        result[p] = keys[r]
    return result


def svg_outlines(geometries: dict[str, BaseGeometry], width: float) -> tuple[dict[str, str], float]:
    """SVG path data for each area, fitted to `width`, north up; and the drawing's height.

    Longitude is shrunk by the cosine of the latitude so the districts keep their shape, and the
    outlines are simplified to about a pixel, which keeps a city map to a few kilobytes.
    """
    if not geometries:
        return {}, 0.0
    west, south, east, north = shapely.total_bounds(list(geometries.values()))
    squeeze = float(np.cos(np.radians((south + north) / 2)))
    scale = width / max((east - west) * squeeze, 1e-9)
    height = (north - south) * scale
    paths = {}
    for key, geometry in geometries.items():
        simple = geometry.simplify(1 / scale, preserve_topology=True)
        polygons = getattr(simple, "geoms", [simple])
        parts = []
        for polygon in polygons:
            for ring in [polygon.exterior, *polygon.interiors]:
                xy = np.asarray(ring.coords)
                x = (xy[:, 0] - west) * squeeze * scale
                y = (north - xy[:, 1]) * scale
                parts.append("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y, strict=True)) + "Z")
        paths[key] = "".join(parts)
    return paths, float(height)
