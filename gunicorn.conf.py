"""gunicorn settings, read when gunicorn starts in the project folder: `gunicorn "canvass:create_app()"`.

The app is built once in the master and the workers are forked from it: a worker answers its first
request at once instead of importing geopandas and the app for seconds while the port is already open.
The workers share no database connection: the master closes the one it used for the setup code.
"""
import gc

preload_app = True


def pre_fork(server, worker):
    # The ~270,000 objects of the imported app live as long as the process. Left to the collector,
    # each full collection in a worker walks them all (150 ms here, a request's worth of delay);
    # frozen, it walks only what requests made, and the pages holding them stay shared.
    gc.freeze()


def when_ready(server):
    # On an empty database the log shows the one-time code for setting Canvass up on the web.
    from canvass.extensions import db
    from canvass.web.setup import announce

    app = server.app.wsgi()
    announce(app, server.log.info)
    # This runs in the master before it forks the workers: close the connection the code took, or every
    # worker inherits the same PostgreSQL socket and reads the others' answers (tests/test_chaos.py).
    with app.app_context():
        db.engine.dispose()
