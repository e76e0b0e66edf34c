"""gunicorn settings, read when gunicorn starts in the project folder: `gunicorn "canvass:create_app()"`.

The app is built once in the master and the workers are forked from it: a worker answers its first
request at once instead of importing geopandas and the app for seconds while the port is already open.
The app builds no database connection, so the workers share none.
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
    from canvass.web.setup import announce

    announce(server.app.wsgi(), server.log.info)
