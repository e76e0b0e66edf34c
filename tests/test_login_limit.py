"""The login limit holds across gunicorn's workers: 25 wrong passwords in a minute, at most 10 reach the check.

The tester ran gunicorn with 2 workers and got 17 of 25 guesses through, because each worker counted on
its own. Here gunicorn runs as production does (4 workers, the settings a deployment gets without any
limit-specific variable), on SQLite and PostgreSQL, and the guesses arrive over real HTTP, each on a new
connection so the workers take turns, half of them with a made-up X-Forwarded-For.
"""
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT, csrf_token
from tests.http import HttpClient
from tests.test_chaos import _free_port

LIMIT = 10  # LOGIN_LIMIT: "10 per minute; 50 per hour"


@pytest.fixture
def gunicorn(databases_, demo_template):
    """gunicorn -w 4 on a copy of the demo database, in its own process group; yields its address."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("CANVASS_RATELIMIT")}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}", "canvass:create_app()"],
        cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**env, "DATABASE_URL": databases_.create(demo_template)})
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(address + "/login", timeout=2):
                    break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        yield address
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def guesses(address: str, email: str, count: int) -> list[int]:
    client = HttpClient(address)
    token = csrf_token(client, "/login")
    answers = []
    for n in range(count):
        headers = {"X-Forwarded-For": f"203.0.113.{n}"} if n % 2 else {}
        response = client.post("/login", data={"email": email, "password": f"gjett-{n}", "csrf_token": token},
                               headers=headers)
        assert response.status_code == 429 or "Feil e-post eller passord" in response.text, response.status_code
        answers.append(response.status_code)
    return answers


def test_25_wrong_passwords_in_a_minute_reach_the_password_check_at_most_10_times_with_four_workers(gunicorn):
    started = time.time()
    answers = guesses(gunicorn, "komite@oslo.demo", 25)
    assert time.time() - started < 60, "all guesses fell within the one-minute window"
    checked = answers.count(200)
    assert checked <= LIMIT, f"{checked} of 25 guesses reached the password check: {answers}"
    assert answers[:LIMIT] == [200] * LIMIT and set(answers[LIMIT:]) == {429}
    # Another account from the same address is limited too: the count is per client, not per account.
    assert guesses(gunicorn, "admin@oslo.demo", 3) == [429, 429, 429]
