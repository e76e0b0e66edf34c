"""Two requests at the same moment, replayed: the second one runs in a thread while the first is inside its change."""
import threading

from canvass.extensions import db


def meanwhile(monkeypatch, app, other, at) -> dict:
    """Run `other()` as a second request (a thread with its own app context and database session) at the moment
    this request calls `at` (a module and a function's name), before it commits: the double tap's second half,
    or the other coordinator. What it returned or raised is in the answer once its thread is
    joined; `finished_at_once` says whether it was done before this request went on."""
    done: dict = {}
    real = getattr(*at)

    def second_request():
        with app.app_context():
            try:
                done["result"] = other()
            except Exception as err:  # whatever it raised is for the test to look at
                done["raised"] = err
            finally:
                db.session.remove()

    def first_request_here(*args, **kwargs):
        if "thread" not in done:
            done["thread"] = threading.Thread(target=second_request)
            done["thread"].start()
            # Untaken, the other request finishes here; taken, it waits until this one has committed.
            done["thread"].join(timeout=1)
            done["finished_at_once"] = not done["thread"].is_alive()
        return real(*args, **kwargs)

    monkeypatch.setattr(*at, first_request_here)
    return done
