"""Ids on pages as opaque references (canvass/opaque.py): `<ref:name>` in a route, `ref(id)` in a template."""
from flask import current_app
from werkzeug.routing import BaseConverter, ValidationError

from canvass import opaque


def _secret() -> bytes:
    return current_app.secret_key.encode()


def ref(number: int) -> str:
    return opaque.encode(_secret(), number)


def id_of(reference: str) -> int | None:
    return opaque.decode(_secret(), reference)


class ReferenceConverter(BaseConverter):
    """A route's reference, decoded to the id before the view is called; anything else is a 404."""

    regex = r"[A-Za-z0-9_-]{22}"

    def to_python(self, value: str) -> int:
        number = id_of(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return ref(value)
