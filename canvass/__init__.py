"""Canvass: a canvassing field app for Norwegian political parties."""
import gc
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from canvass import assets, config, queue
from canvass.extensions import babel, compress, csrf, db, htmx, limiter, login, migrate
from canvass.formatting import (
    format_date,
    format_datetime,
    format_day,
    format_km,
    format_number,
    format_percent,
    format_phone,
    format_tenths,
    place_name,
)
from canvass.signing import KeptSessionInterface
from canvass.web import door_tap_gate, limits, security

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def _no_collections():
    """No garbage collection while the app is built.

    Building it imports the models, views and their libraries: hundreds of thousands of long-lived objects and next
    to no garbage, which the collector walked again and again as they grew, a sixth of the CPU every web worker, job
    consumer and `flask` command spent starting. Switched back on after (if it was on: two apps built at once in one
    process leave it to whichever began first)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def create_app(test_config: dict | None = None) -> Flask:
    with _no_collections():
        return _built(test_config)


def _built(test_config: dict | None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_mapping(config.from_environment(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    # The session cookie checked with a serializer built once, not once per request (canvass/signing.py).
    app.session_interface = KeptSessionInterface()
    # The walk list's door tap is answered below Flask's request cycle; inside ProxyFix, so it sees the phone's
    # address and scheme as the app does.
    app.wsgi_app = door_tap_gate.DoorTapGate(app, app.wsgi_app)
    if app.config["BEHIND_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    register_extensions(app)
    limits.init_app(app)
    register_blueprints(app)
    assets.init_app(app)
    register_commands(app)
    app.wsgi_app = security.ServerDate(app.wsgi_app)
    return app


def select_locale() -> str:
    languages = ("nb", "nn", "en")
    if not has_request_context():
        return "nb"
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages, default="nb")


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    compress.init_app(app)
    from canvass import ratelimit  # noqa: F401 (the database:// storage the limits count in by default)

    limiter.init_app(app)
    queue.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(ROOT / "canvass" / "translations"))
    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message = None
    from canvass.web.auth import not_logged_in

    login.unauthorized_handler(not_logged_in)
    # The session's browser-and-network mark, worked out by the one function the door tap's gate uses too.
    login._session_identifier_generator = lambda: door_tap_gate.session_identifier(request.environ)

    from canvass.models import Role
    from canvass.services.people import logins

    @login.user_loader
    def load_user(token: str):
        # The session and the remember cookie carry a login's token, never the user's id (services/people/logins.py).
        user = logins.user_for(token, logins.code_days(app.config))
        if user is not None:
            # Someone on several committees reads for the one they chose (web/home.py).
            user.committee_scope = session.get("committee_scope")
        return user

    # current_user a global, not only in each page's context: a macro imported without the context (the door
    # fields, templates/field/_door.html) reads it too, and stays cached between renders.
    app.jinja_env.globals.update(current_user=current_user, Role=Role, get_locale=get_locale, format_date=format_date,
                                  format_datetime=format_datetime, format_number=format_number,
                                  format_percent=format_percent, format_tenths=format_tenths, format_km=format_km,
                                  format_day=format_day, format_phone=format_phone,
                                  place_name=place_name)

    @app.context_processor
    def layout_context():
        return {"languages": app.config["LANGUAGES"]}


def register_blueprints(app: Flask) -> None:
    from canvass.web.references import RandomIdConverter, ReferenceConverter, RowIdConverter, ref

    app.url_map.converters["ref"] = ReferenceConverter
    app.url_map.converters["int"] = RowIdConverter
    app.url_map.converters["random"] = RandomIdConverter
    app.jinja_env.globals["ref"] = ref
    from canvass.web import (
        actions,
        admin,
        auth,
        branches,
        committee,
        drops,
        errors,
        field,
        holders,
        home,
        jobs,
        my_turf,
        organisation,
        people,
        practice,
        privacy,
        pwa,
        questions,
        refusals,
        reports,
        security,
        sent_text,
        setup,
        sync,
        tiles,
        turf,
    )

    for module in (home, setup, auth, admin, jobs, organisation, branches, people, turf, holders, actions, drops, field,
                   my_turf, practice, sync, pwa, committee, questions, reports, privacy, tiles):
        app.register_blueprint(module.bp)
    errors.register(app)
    refusals.register(app)
    security.register(app)
    sent_text.register(app)


def register_commands(app: Flask) -> None:
    from canvass.cli import backup_cli, counts_cli, demo_cli, geodata_cli, org_cli, privacy_cli, setup_cli, user_cli

    for group in (geodata_cli, demo_cli, user_cli, org_cli, setup_cli, privacy_cli, backup_cli, counts_cli):
        app.cli.add_command(group)
    from canvass.worker import jobs_cli

    app.cli.add_command(jobs_cli)
