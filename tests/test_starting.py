"""Starting the app: every web worker, job consumer and `flask` command does it, and leaves the process as it found
it apart from the app."""
import gc

import pytest

from canvass import create_app


@pytest.fixture
def collector():
    """The garbage collector's state, put back after the test."""
    was_on = gc.isenabled()
    yield
    if was_on:
        gc.enable()
    else:
        gc.disable()


def test_the_garbage_collector_is_on_again_once_the_app_is_built(collector):
    gc.enable()
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert gc.isenabled()


def test_a_process_that_had_switched_the_collector_off_finds_it_still_off(collector):
    gc.disable()
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert not gc.isenabled()


def test_an_app_that_fails_to_build_still_leaves_the_collector_on(collector, monkeypatch):
    gc.enable()
    monkeypatch.setattr("canvass.register_blueprints", lambda app: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert gc.isenabled()
