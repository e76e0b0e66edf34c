"""A loopback stand-in for Kartverket's open WMTS cache, answering as the real one does.

`/v1/wmts/1.0.0/{layer}/default/webmercator/{z}/{y}/{x}.png` — the row (y) before the column (x) —
for the layers topo, topograatone and toporaster, zoom 0 to 18; a 256×256 PNG for a tile that
exists, 404 for anything else. It counts what it was asked, can be slowed down or broken (every tile, or
those after the first few, as when the signal goes), and paints each tile in a colour of its own layer so a
test can tell where a picture came from.
"""
import io
import re
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from tests import serving

PATH = re.compile(r"^/v1/wmts/1\.0\.0/(?P<layer>[a-z]+)/default/webmercator/(?P<z>\d+)/(?P<y>\d+)/(?P<x>\d+)\.png$")
COLOURS = {"topo": (200, 230, 190), "topograatone": (210, 210, 210), "toporaster": (250, 240, 200)}
MAX_ZOOM = 18


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(out, format="PNG")
    return out.getvalue()


class TileStandIn:
    def __init__(self):
        self.asked: Counter[str] = Counter()
        self.delay = 0.0
        self.status = 200
        # Tiles served before the connection "drops": every later one is answered with 503.
        self.serve_only: int | None = None
        self.bodies = {layer: png(colour) for layer, colour in COLOURS.items()}
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                standin.asked[self.path] += 1
                if standin.delay:
                    time.sleep(standin.delay)
                match = PATH.match(self.path)
                served = sum(n for path, n in standin.asked.items() if PATH.match(path)) - 1
                if standin.serve_only is not None and served >= standin.serve_only:
                    return self.answer(503, b"Service unavailable", "text/plain")
                if standin.status != 200:
                    return self.answer(standin.status, b"Internal error at cache.kartverket.no", "text/plain")
                if not match or match["layer"] not in COLOURS:
                    return self.answer(404, b"Not found", "text/plain")
                z, x, y = int(match["z"]), int(match["x"]), int(match["y"])
                if z > MAX_ZOOM or x >= 2 ** z or y >= 2 ** z:
                    return self.answer(404, b"Tile out of range", "text/plain")
                self.answer(200, standin.bodies[match["layer"]], "image/png")

            def answer(self, status: int, body: bytes, mimetype: str):
                self.send_response(status)
                self.send_header("Content-Type", mimetype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller gave up waiting (the timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = serving.in_thread(self.server)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.template = self.base + "/v1/wmts/1.0.0/{layer}/default/webmercator/{z}/{y}/{x}.png"

    def tile_path(self, layer: str, z: int, x: int, y: int) -> str:
        return f"/v1/wmts/1.0.0/{layer}/default/webmercator/{z}/{y}/{x}.png"

    def close(self):
        self.server.shutdown()
        self.thread.join()
        self.server.server_close()


@pytest.fixture
def kartverket():
    standin = TileStandIn()
    yield standin
    standin.close()
