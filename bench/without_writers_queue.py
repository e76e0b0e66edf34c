"""Canvass as gunicorn serves it, with SQLite's own busy handler in place of the writers' queue
(canvass/sqlite_writes.py): bench/door_record_parts.py measures what the queue costs and saves a door tap."""
from sqlalchemy import event
from sqlalchemy.engine import Engine

from canvass import create_app, extensions

event.remove(Engine, "do_connect", extensions._sqlite_writers_queue)
app = create_app()
