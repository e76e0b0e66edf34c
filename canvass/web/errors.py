"""Error pages in Norwegian, as fragments for htmx requests and pages otherwise."""
from flask import render_template
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from htmx_flask import request

from canvass.extensions import db
from canvass.web import limits

MESSAGES = {
    400: _l("Forespørselen kunne ikke behandles."),
    401: _l("Du er ikke logget inn lenger. Logg inn igjen."),
    403: _l("Du har ikke tilgang til denne siden."),
    404: _l("Fant ikke siden."),
    500: _l("Noe gikk galt hos oss. Prøv igjen om litt."),
    503: _l("Tjenesten er opptatt akkurat nå. Prøv igjen om litt."),
}


def register(app):
    def render(code: int, message: str):
        if code >= 500:
            # The error may have left the database session in a failed transaction, and the page asks it who is
            # logged in: without a rollback that second error replaced this page with Werkzeug's English one.
            db.session.rollback()
        template = "errors/_message.html" if request.htmx else "errors/page.html"
        return render_template(template, code=code, message=message), code

    def handler(code, message):
        def handle(error):
            # A view may abort with its own (translated) explanation; Werkzeug's defaults are English.
            custom = getattr(error, "description", None) != type(error).description
            return render(code, error.description if custom else str(message))
        return handle

    for code, message in MESSAGES.items():
        app.register_error_handler(code, handler(code, message))

    @app.errorhandler(413)
    def too_large(e):
        # The cap depends on the page (canvass/web/limits.py): say the one that applied here.
        return render(413, gettext("Det du sendte er for stort. Største tillatte størrelse her er %(size)s.",
                                   size=limits.shown(limits.cap(request))))

    @app.errorhandler(429)
    def too_many(e):
        # Flask-Limiter's description is the limit itself, in English.
        return render(429, gettext("For mange forsøk på kort tid. Vent litt og prøv igjen."))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        # Named in a header: the service worker keeps a record refused for this reason alone in the outbox.
        body, code = render(400, gettext("Skjemaet er utløpt eller ugyldig. Last inn siden og prøv igjen."))
        return body, code, {"Canvass-Refused": "form-token"}
