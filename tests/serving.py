"""Loopback servers in a thread: the live app, and the stand-ins for Kartverket, Geonorge and a bad network.

socketserver's `serve_forever` looks for a shutdown every half second unless told otherwise, so every test that
stopped a server waited up to that long in its teardown: 0.4–0.5 s for each of about two hundred tests, time in
which a worker's core stood idle."""
import threading

# How soon a server notices `shutdown()`: a wake-up this often costs nothing measurable.
POLL = 0.02


def in_thread(server) -> threading.Thread:
    """`server` serving in a daemon thread, started; `server.shutdown()` stops it within POLL seconds."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL}, daemon=True)
    thread.start()
    return thread
