"""A client that speaks real HTTP to a live server, shaped like Flask's test client.

Attacks are replayed the way an outside tester sends them: over a socket, through Werkzeug's
request parsing, with cookies kept in a jar. The response offers the test client's `status_code`,
`location`, `headers` and `get_data(as_text=True)`, so `login`, `post` and `csrf_token` from
conftest work with either client.
"""
import http.client
import http.cookiejar
import json as json_module
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message


@dataclass
class Response:
    status_code: int
    headers: Message
    body: bytes

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")

    def get_data(self, as_text: bool = False):
        return self.body.decode("utf-8", "replace") if as_text else self.body

    @property
    def text(self) -> str:
        return self.get_data(as_text=True)

    def json(self):
        return json_module.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class HttpClient:
    """One browser's worth of cookies against `base_url`; redirects are followed only when asked."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method: str, path: str, data=None, json=None, headers: dict | None = None,
                follow_redirects: bool = False) -> Response:
        headers = dict(headers or {})
        body = None
        if json is not None:
            body = json_module.dumps(json).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(data, dict):
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif data is not None:
            body = data if isinstance(data, bytes) else data.encode()
        url = path if path.startswith("http") else self.base_url + path
        req = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            with self.opener.open(req, timeout=120) as raw:
                response = Response(raw.status, raw.headers, raw.read())
        except urllib.error.HTTPError as err:
            with err:
                response = Response(err.code, err.headers, err.read())
        if follow_redirects and response.status_code in (301, 302, 303, 307, 308) and response.location:
            return self.request("GET", urllib.parse.urljoin(url, response.location), follow_redirects=True)
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Response:
        return self.request("POST", path, **kwargs)

    def get_cookie(self, name: str):
        return next((c for c in self.jar if c.name == name), None)


def raw_request(base_url: str, method: str, target: str, body: bytes = b"", headers: dict | None = None):
    """Send a request line exactly as given (no normalising of the target), for URL-parsing attacks."""
    parsed = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        raw = conn.getresponse()
        return Response(raw.status, raw.headers, raw.read())
    finally:
        conn.close()
