"""One door record: the server's builder and the service worker's `eventFrom`, fed the same forms, make the same
event."""
import pytest
from werkzeug.datastructures import MultiDict

from canvass.services.field import door_record
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
ID, AT = "0d6f2c8e-6a3b-4c1e-9f57-2b1d3c4e5f60", "2026-12-01T18:10:04.000Z"
STAMP = [("csrf_token", "x"), ("id", ID), ("recorded_at", AT)]
DOOR = [("turf_id", "340"), ("action_id", "12"), ("address_id", "91234"), ("unit", "H0301")]
TALK = [("topic", "bolig"), ("topic", " klima "), ("topic", " "), ("words", "Husleia er for høy."),
        ("importance", "3"), ("wants_membership", "1")]
FORMS = {
    "a tap from the page's script": ("besok", STAMP + DOOR + [("outcome", "not_home")]),
    "a tap without script": ("besok", STAMP + DOOR[:2] + [("page", ID), ("tap", "refused 91234 H0301")]),
    "a door with no number yet": ("besok", STAMP + DOOR[:3] + [("unit", ""), ("outcome", "leaflet")]),
    "an undo from a folded door": ("besok", STAMP + DOOR[:2] + [("undo", f"{ID} not_home 91234 H0301")]),
    "an undo from the page's script": ("angre", STAMP + DOOR + [("outcome", "not_home"), ("corrects", ID)]),
    "a conversation with consent": ("samtale", STAMP + DOOR + TALK + [
        ("consent", "2026-11-v1"), ("name", "Kari <b>Nordmann</b>"), ("phone", "412 34 567"), ("email", "")]),
    "a conversation, consent ticked but no wish": ("samtale", STAMP + DOOR + [("topic", "skole"), ("consent", "v")]),
    "a conversation with nothing in it": ("samtale", STAMP + DOOR),
    "numbers that are not": ("samtale", STAMP + [("turf_id", "abc"), ("action_id", "0"), ("address_id", "-4"),
                                                 ("unit", "1"), ("importance", "2.5")]),
    "an entrance of a leaflet round, one tap": ("besok", STAMP + DOOR[:3] + [
        ("unit", ""), ("page", ID), ("tap", "mailboxes 91234 "), ("no_ads", ""), ("locked", "")]),
    "an entrance with counts, one not a number": ("besok", STAMP + DOOR[:3] + [
        ("unit", ""), ("tap", "mailboxes 91234 "), ("no_ads", " 2 "), ("locked", "tre")]),
    "an undo of an entrance": ("angre", STAMP + DOOR[:3] + [("unit", ""), ("outcome", "mailboxes"), ("corrects", ID),
                                                            ("no_ads", "1")]),
    "a note": ("notat", STAMP + DOOR + [("text", "Dørkode 1234")]),
    "input from a stand": ("innspill", STAMP + [("action_id", "12"), ("postnummer", " 0473 ")] + TALK),
    "input with no action or area": ("innspill", STAMP + [("action_id", ""), ("postnummer", ""), ("words", "Trikk")]),
    "a missing door": ("dor", STAMP + DOOR[:3] + [("what", "door"), ("label", " <b>Kjeller</b> ")]),
    "a missing address with the phone's position": ("dor", STAMP + DOOR[:3] + [
        ("what", "address"), ("street", "Sagveien"), ("number", "5B"), ("lat", " 59.9381 "), ("lon", "10.7593")]),
    "a missing address with a position that is not": ("dor", [("id", ID.upper()), ("recorded_at", AT)] + DOOR[:3] + [
        ("what", "address"), ("street", "Sagveien"), ("number", "5"), ("lat", "Infinity"), ("lon", "12abc")]),
}


def event_from_in_the_browser(page, pairs, kind):
    """`eventFrom` as sw.js has it, run in Chromium on a FormData holding the pairs."""
    source = (ROOT / "static" / "sw.js").read_text()
    # The outbox's script, as the worker imports it, for the id of an event that has none.
    functions = (ROOT / "static" / "js" / "store.js").read_text() + \
        source[source.index("function number("):source.index("// Kept on the phone")]
    return page.evaluate(f"""([pairs, kind]) => {{ {functions}
        const form = new FormData();
        pairs.forEach(([name, value]) => form.append(name, value));
        return eventFrom(form, kind); }}""", [pairs, kind])


@pytest.mark.parametrize("case", FORMS)
def test_the_server_and_the_service_worker_make_the_same_event_from_the_same_form(browser, case):
    kind, pairs = FORMS[case]
    context = browser.new_context()
    page = context.new_page()
    try:
        assert event_from_in_the_browser(page, pairs, kind) == door_record.event_from(MultiDict(pairs), kind)
    finally:
        context.close()


def test_an_event_without_an_id_gets_a_fresh_one_on_both_sides(browser, live_server):
    pairs = DOOR + [("outcome", "not_home")]
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")  # a secure context, as the service worker's is
        phone = event_from_in_the_browser(page, pairs, "besok")
    finally:
        context.close()
    server = door_record.event_from(MultiDict(pairs), "besok")
    assert phone["id"] != server["id"] and len(phone["id"]) == len(server["id"]) == 36
    assert {k: v for k, v in phone.items() if k not in ("id", "recorded_at")} == \
        {k: v for k, v in server.items() if k not in ("id", "recorded_at")}
