"""Blueprints, one per area of the product: thin views that parse, call a service and render."""
from flask import flash
from flask_babel import gettext


def flash_error(err) -> None:
    """Show a service's refusal (a message with parameters, in bokmål) in the user's language."""
    flash(gettext(err.message, **err.params), "error")
