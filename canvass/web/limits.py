"""How large a request may be, per endpoint: a small cap for every page and API, raised only where a view needs it.

Werkzeug refuses a body over the cap with 413 before reading it into memory, so a worker never
parses 200 MB of JSON or form data. The app-wide cap is MAX_CONTENT_LENGTH (with
MAX_FORM_MEMORY_SIZE for form fields); a view that takes more names its own setting:

    @bp.post("/geodata")
    @body_limit("GEODATA_MAX_UPLOAD")
    @roles_required(Role.ADMIN)
    def upload(): ...

The cap is looked up from the matched endpoint when the body is first read, so it holds already
for the CSRF check that reads a form before the view runs (setting request.max_content_length in
the view would come too late for that).
"""
from flask import Flask, current_app

MB = 1024 * 1024


def body_limit(setting: str):
    """Let this view take a body up to the app setting `setting` (bytes); put it right under the route decorator."""
    def decorate(view):
        view.body_limit = setting
        return view
    return decorate


class _Capped:
    """Mixed into the app's request class: the cap is the endpoint's own setting where it names one."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and current_app and self.url_rule is not None:
            setting = getattr(current_app.view_functions.get(self.url_rule.endpoint), "body_limit", None)
            if setting is not None:
                return current_app.config[setting]
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def cap(request) -> int | None:
    """The cap that applied to this request: a plain form is held in memory whole, so its field cap is its cap."""
    if request.mimetype == "application/x-www-form-urlencoded" and request.max_form_memory_size is not None:
        return min(request.max_content_length or request.max_form_memory_size, request.max_form_memory_size)
    return request.max_content_length


def shown(size: int | None) -> str:
    """A cap as people read it: 2 MB, 500 kB."""
    if size is None:
        return ""
    return f"{size // MB} MB" if size >= MB else f"{size // 1024} kB"


def init_app(app: Flask) -> None:
    # On top of whatever request class the extensions chose (htmx adds its own).
    app.request_class = type("CappedRequest", (_Capped, app.request_class), {})
