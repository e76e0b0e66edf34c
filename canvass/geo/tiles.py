"""Basemap tiles: web-mercator tile arithmetic and a bounded disk cache in front of the tile provider.

Phones fetch tiles from our own server only (canvass/web/tiles.py), so the provider (Kartverket's
open WMTS cache by default) sees our server and never a volunteer's phone or where it is. The cache
keeps every tile it fetched on disk for `max_age` seconds, trims itself to `max_bytes`, and asks
upstream once for a tile that several requests want at the same moment (per process; several
workers share the files, written atomically).
"""
import math
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# Kartverket's open cache (CC BY 4.0). Note the order: row (y) before column (x).
KARTVERKET = "https://cache.kartverket.no/v1/wmts/1.0.0/{layer}/default/webmercator/{z}/{y}/{x}.png"
KARTVERKET_LAYERS = ("topograatone", "topo", "toporaster")
MAX_ZOOM = 18
PNG = b"\x89PNG\r\n\x1a\n"
# A real tile is tens of kB; anything much larger is not a tile and is not kept.
MAX_TILE_BYTES = 1024 * 1024
# What a tile weighs when nothing is cached yet to measure (Kartverket's topo tiles in a city).
TYPICAL_TILE_BYTES = 20 * 1024


class TileError(Exception):
    """The tile cannot be had; `status` is the HTTP status our route answers with."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


def valid(z: int, x: int, y: int, max_zoom: int = MAX_ZOOM) -> bool:
    return 0 <= z <= max_zoom and 0 <= x < 2 ** z and 0 <= y < 2 ** z


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """A point in web-mercator world units: 0..1 from west to east and from north to south."""
    lat = max(min(lat, 85.0511), -85.0511)
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2
    return (lon + 180) / 360, y


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    wx, wy = mercator(lon, lat)
    n = 2 ** z
    return min(int(wx * n), n - 1), min(int(wy * n), n - 1)


def covering(bounds: tuple[float, float, float, float], zooms: Iterable[int], limit: int) -> list[tuple[int, int, int]]:
    """(z, x, y) of every tile over `bounds` (west, south, east, north), padded by a quarter of the area's size
    so the streets around the turf are there too; from the lowest zoom up, stopping before a zoom that would
    pass `limit` tiles."""
    west, south, east, north = bounds
    pad_x, pad_y = max((east - west) / 4, 0.002), max((north - south) / 4, 0.001)
    west, south, east, north = west - pad_x, south - pad_y, east + pad_x, north + pad_y
    tiles: list[tuple[int, int, int]] = []
    for z in sorted(zooms):
        x0, y0 = tile_of(west, north, z)
        x1, y1 = tile_of(east, south, z)
        level = [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        if len(tiles) + len(level) > limit:
            break
        tiles += level
    return tiles


def prefetch_allowed(upstream: str) -> bool:
    """OpenStreetMap's tile servers forbid bulk and offline prefetching: never download a turf from them."""
    host = (urlsplit(upstream).hostname or "").lower()
    return bool(upstream) and not (host == "openstreetmap.org" or host.endswith(".openstreetmap.org"))


@dataclass
class TileCache:
    folder: Path
    upstream: str
    max_bytes: int
    max_age: float
    timeout: float = 10.0
    user_agent: str = "Canvass tile cache"
    _locks: dict = field(default_factory=dict, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _writes: int = field(default=0, repr=False)

    def path(self, layer: str, z: int, x: int, y: int) -> Path:
        return self.folder / layer / str(z) / str(x) / f"{y}.png"

    def cached(self, layer: str, z: int, x: int, y: int) -> bytes | None:
        """The tile from disk while it is fresh, else None."""
        path = self.path(layer, z, x, y)
        try:
            if time.time() - path.stat().st_mtime < self.max_age:
                return path.read_bytes()
        except FileNotFoundError:
            pass
        return None

    def get(self, layer: str, z: int, x: int, y: int) -> bytes:
        """The tile, from disk or fetched once from upstream; raises TileError when it cannot be had."""
        hit = self.cached(layer, z, x, y)
        if hit is not None:
            return hit
        key = (layer, z, x, y)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            # Whoever waited on the lock finds the tile the first one fetched.
            hit = self.cached(layer, z, x, y)
            if hit is not None:
                return hit
            try:
                body = self._fetch(layer, z, x, y)
                self._store(self.path(layer, z, x, y), body)
                return body
            except TileError:
                stale = self.path(layer, z, x, y)
                if stale.exists() and stale.stat().st_size:
                    return stale.read_bytes()  # an old tile beats no map while upstream is down
                raise
            finally:
                with self._guard:
                    self._locks.pop(key, None)

    def _fetch(self, layer: str, z: int, x: int, y: int) -> bytes:
        url = self.upstream.format(layer=layer, z=z, x=x, y=y)
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept": "image/png"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(MAX_TILE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise TileError(404 if exc.code in (400, 404) else 502, f"upstream answered {exc.code}") from None
        except TimeoutError:
            raise TileError(504, "upstream timed out") from None
        except (urllib.error.URLError, OSError) as exc:
            timed_out = isinstance(getattr(exc, "reason", None), TimeoutError)
            raise TileError(504 if timed_out else 502, "upstream unreachable") from None
        if not body.startswith(PNG) or len(body) > MAX_TILE_BYTES:
            raise TileError(502, "upstream answered something that is not a tile")
        return body

    def _store(self, path: Path, body: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        partial.write_bytes(body)
        os.replace(partial, path)
        with self._guard:
            self._writes += 1
            due = self._writes % 50 == 1
        if due:
            self.trim()

    def files(self) -> list[tuple[float, int, Path]]:
        found = []
        for path in self.folder.rglob("*.png"):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            found.append((stat.st_mtime, stat.st_size, path))
        return found

    def trim(self) -> None:
        """Delete expired tiles, then the oldest ones until the cache is under nine tenths of its bound."""
        files = sorted(self.files())
        now, total = time.time(), sum(size for _, size, _ in files)
        for mtime, size, path in files:
            if now - mtime < self.max_age and total <= self.max_bytes * 0.9:
                break
            path.unlink(missing_ok=True)
            total -= size

    def size_of(self, layer: str, tiles: Iterable[tuple[int, int, int]]) -> tuple[int, int]:
        """(bytes known from the cache, how many of the tiles are not cached)."""
        known, unknown = 0, 0
        for z, x, y in tiles:
            try:
                known += self.path(layer, z, x, y).stat().st_size
            except FileNotFoundError:
                unknown += 1
        return known, unknown
