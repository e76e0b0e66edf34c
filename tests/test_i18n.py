"""Bokmål first, with nynorsk and English: every user-facing string is translated."""
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from tests.conftest import ROOT, csrf_token, login

TRANSLATIONS = ROOT / "canvass" / "translations"


def catalog(path):
    with open(path, "rb") as f:
        return read_po(f)


def ids(messages) -> set:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}


def test_the_message_catalogue_holds_every_string_in_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "N_", "-o", str(fresh), "--omit-header", "."], cwd=ROOT, check=True, capture_output=True)
    assert ids(catalog(fresh)) == ids(catalog(TRANSLATIONS / "messages.pot")), "run `make messages` and translate"


@pytest.mark.parametrize("lang", ["nn", "en"])
def test_every_string_is_translated(lang):
    translated = catalog(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po")
    untranslated = [m.id for m in translated if m.id and (not m.string or "fuzzy" in m.flags
                                                          or (isinstance(m.string, tuple) and not all(m.string)))]
    assert untranslated == []
    assert ids(catalog(TRANSLATIONS / "messages.pot")) <= ids(translated)


def test_bokmal_is_the_default(client):
    assert "Hopp til innholdet" in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("lang, text", [("nn", "Hopp til innhaldet"), ("en", "Skip to content")])
def test_the_language_can_be_chosen(client, lang, text):
    response = client.post("/sprak?next=/login", data={"lang": lang, "csrf_token": csrf_token(client)})
    assert response.location == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert text in page and f'<html lang="{lang}">' in page


def test_the_browser_language_is_respected(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Log in" in page


@pytest.mark.parametrize("lang, heading", [("nb", "Ingen nett"), ("nn", "Ikkje nett"), ("en", "No connection")])
def test_the_no_signal_page_comes_in_the_chosen_language_and_says_which(client, lang, heading):
    login(client, "sagene@oslo.demo")
    client.post("/sprak", data={"lang": lang, "csrf_token": csrf_token(client)})
    response = client.get("/uten-nett")
    page = response.get_data(as_text=True)
    assert response.headers["Content-Language"] == lang and f"<h1>{heading}</h1>" in page
    # The same page for everyone: the phone keeps it, so it holds nothing of who fetched it.
    assert "sagene@oslo.demo" not in page and "csrf" not in page
