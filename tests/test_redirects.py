"""Open redirect: every "go back to" address a visitor can hand the app sends the browser to a page of this site.

The tester sent `/login?next=/%09/evil.example` and got `Location: //evil.example`. Each known way of
writing another site so that a naive check sees a local path is replayed over real HTTP, on the
login (with and without the second factor), the language switch and the committee's forms.
"""
import re
import urllib.parse
import urllib.request

from hypothesis import given, settings
from hypothesis import strategies as st

from canvass.extensions import limiter
from canvass.web.redirects import local_target
from tests.conftest import PASSWORD, csrf_token, two_factor_code
from tests.http import HttpClient, raw_request

EVIL = "evil.example"
# What the app reads from `next` after Werkzeug's decoding: each one is another site to a browser or to a
# proxy that decodes once more (or at least not the page it looks like).
DECODED = [
    f"//{EVIL}", f"/\t/{EVIL}", f"/\n/{EVIL}", f"/\r\n/{EVIL}", f"\t//{EVIL}", f" //{EVIL}", f"\x00//{EVIL}",
    f"\x1f/\\{EVIL}", f"\\\\{EVIL}", f"/\\{EVIL}", f"\\/{EVIL}", f"/\t\\{EVIL}", f"/%2f{EVIL}", f"%2f%2f{EVIL}",
    f"/%5c{EVIL}", f"/%5C{EVIL}", f"/%252f%252f{EVIL}", f"/%09/{EVIL}", f"https://{EVIL}/", f"https:{EVIL}",
    f"http:{EVIL}", f"http:/{EVIL}", f"HTTPS://{EVIL}", "javascript:alert(1)", " javascript:alert(1)",
    "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", f"//user@{EVIL}", f"//127.0.0.1@{EVIL}",
    f"/\\user@{EVIL}", f"/／{EVIL}", f"／／{EVIL}", f"/∕{EVIL}", f"/%EF%BC%8F{EVIL}", f"/..//{EVIL}",
    f"/%2e%2e//{EVIL}", f"/./\\{EVIL}", f"{EVIL}", f"@{EVIL}", f"/@{EVIL}", "/komite/\r\nSet-Cookie: stjal=1",
    "/" + "%25" * 40 + "2f" + EVIL,
]
# The same, typed straight into the request line as a tester does (everything the request line may hold).
RAW = [f"/%09/{EVIL}", f"%2f%2f{EVIL}", f"%2F%2F{EVIL}", f"/%5c{EVIL}", f"/\\{EVIL}", f"\\/{EVIL}",
       f"\\\\{EVIL}", f"//{EVIL}", f"/%0d%0a/{EVIL}", f"%20//{EVIL}", f"/%252f%252f{EVIL}", f"https:{EVIL}",
       f"http://{EVIL}", f"//user@{EVIL}", f"/%EF%BC%8F{EVIL}", f"%E2%88%95%E2%88%95{EVIL}"]
TARGETS = [urllib.parse.quote(value, safe="") for value in DECODED] + RAW


def is_local(location: str) -> bool:
    """A path on this site as a browser reads the header: one slash first, nothing it would drop or fold."""
    return (location.isascii() and not re.search(r"[\x00-\x20\x7f\\]", location)
            and location.startswith("/") and not location.startswith("//"))


def goes_to_a_page_here(response, value: str, under: str = "/") -> bool:
    """The answer sends the browser to a page of this site (under `under`); or, for text holding a NUL character,
    refuses it (400, no Location) before any view reads it (canvass/web/sent_text.py): it goes nowhere."""
    if "\x00" in urllib.parse.unquote(value):
        return response.status_code == 400 and response.location is None
    return response.status_code == 302 and is_local(response.location) and response.location.startswith(under)


def browser_resolves(location: str) -> urllib.parse.SplitResult:
    """Where a browser on this site goes for `location`: tabs and newlines dropped, ends trimmed,
    backslashes read as slashes, resolved against the page's address."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("".join(map(chr, range(0x21)))).replace("\\", "/")
    return urllib.parse.urlsplit(urllib.parse.urljoin("https://canvass.example/komite/", cleaned))


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(list("/\\\t\n\r @:%.?#25cCfFeE09a") + ["／", "∕", "＼", "evil", "http", "%2f", "%5c",
                                                                           "%09", "%25"]), max_size=12).map("".join))
def test_no_text_of_slashes_escapes_and_whitespace_becomes_another_site(value):
    target = local_target(value)
    if target is not None:
        assert is_local(target), repr(value)
        resolved = browser_resolves(target)
        assert resolved.netloc == "canvass.example" and not resolved.path.startswith("//"), repr(value)


def cookie_header(client: HttpClient) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in client.jar)


class _Answer:
    """What the cookie jar needs of an answer to take its cookies."""

    def __init__(self, response):
        self.response = response

    def info(self):
        return self.response.headers


def send(live_server, client: HttpClient, target: str, form: dict):
    """POST `form` to the exact request target `target`, with the client's cookies and a CSRF token; the
    answer's cookies go back into the client's jar as a browser keeps them."""
    body = urllib.parse.urlencode({"csrf_token": csrf_token(client, "/login"), **form}).encode()
    response = raw_request(live_server, "POST", target, body,
                           {"Cookie": cookie_header(client), "Content-Type": "application/x-www-form-urlencoded"})
    client.jar.extract_cookies(_Answer(response), urllib.request.Request(live_server + "/"))
    return response


def test_the_language_switch_never_sends_the_browser_to_another_site(live_server):
    client, wrong = HttpClient(live_server), []
    for target in TARGETS:
        response = send(live_server, client, f"/sprak?next={target}", {"lang": "nn"})
        if not goes_to_a_page_here(response, target):
            wrong.append(f"?next={target}: {response.status_code} {response.location!r}")
    for value in DECODED:
        response = send(live_server, client, "/sprak", {"lang": "nn", "next": value})
        if not goes_to_a_page_here(response, value):
            wrong.append(f"next={value!r} in the form: {response.status_code} {response.location!r}")
    assert wrong == [], "\n".join(wrong)


def test_the_language_switch_still_returns_to_the_page_it_was_chosen_on(live_server):
    client = HttpClient(live_server)
    for page in ("/komite/innspill?area=p%3A0165&start=2026-11-20", "/roder/3", "/felt/innspill"):
        response = send(live_server, client, "/sprak?next=" + urllib.parse.quote(page, safe=""), {"lang": "en"})
        assert response.location == page


def test_a_login_link_never_sends_the_person_to_another_site(live_server, demo_app):
    wrong = []
    # A login costs a password hash: the request-line forms and the whitespace and backslash tricks here, the
    # whole list on the language switch, which goes through the same check.
    for target in RAW + [urllib.parse.quote(value, safe="") for value in DECODED[:12]]:
        # Each login counts against the login limit of this one address; the limit has its own tests.
        limiter.reset()
        client = HttpClient(live_server)
        response = send(live_server, client, f"/login?next={target}",
                        {"email": "komite@oslo.demo", "password": PASSWORD})
        if not goes_to_a_page_here(response, target):
            wrong.append(f"?next={target}: {response.status_code} {response.location!r}")
    assert wrong == [], "\n".join(wrong)


def test_a_login_link_still_returns_to_the_page_that_asked_for_it(live_server):
    client = HttpClient(live_server)
    asked = client.get("/komite/innspill")
    assert asked.location.startswith("/login?next=")
    response = send(live_server, client, asked.location, {"email": "komite@oslo.demo", "password": PASSWORD})
    assert response.location == "/komite/innspill"


def test_the_second_factor_does_not_carry_a_foreign_address_through(live_server, demo_app):
    client = HttpClient(live_server)
    password = send(live_server, client, f"/login?next=/%09/{EVIL}", {"email": "admin@oslo.demo", "password": PASSWORD})
    assert password.location.startswith("/login/kode") and is_local(password.location)
    assert EVIL not in urllib.parse.unquote(password.location)
    # The tester skips the password page's cleaning and puts the address on the code page directly.
    code = two_factor_code(client, "admin@oslo.demo")
    response = send(live_server, client, f"/login/kode?next=/%09/{EVIL}", {"code": code})
    assert response.status_code == 302 and response.location == "/"


def test_the_committees_forms_go_back_only_to_the_committees_pages(live_server):
    client = HttpClient(live_server)
    send(live_server, client, "/login", {"email": "komite@oslo.demo", "password": PASSWORD})
    wrong = []
    for value in DECODED + [f"/komite/..//{EVIL}", f"/komite/%2e%2e/%2e%2e//{EVIL}", f"/komite\\..\\..\\/{EVIL}"]:
        response = send(live_server, client, "/komite/temaer/finn", {"next": value})
        if not goes_to_a_page_here(response, value, under="/komite/"):
            wrong.append(f"next={value!r}: {response.status_code} {response.location!r}")
    assert wrong == [], "\n".join(wrong)
    back = send(live_server, client, "/komite/temaer/finn", {"next": "/komite/innspill?topic=bolig"})
    assert back.location == "/komite/innspill?topic=bolig"
