"""Ids in routes: opaque references (canvass/opaque.py), `<ref:name>` in a route and `ref(id)` in a template, and
plain numbers, `<int:name>`, only as large as a row's id can be."""
from flask import current_app
from werkzeug.routing import BaseConverter, IntegerConverter, ValidationError

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


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every route: a number past what the database's integer holds is a 404, not a server error
    (`/komite/sporsmal/99999999999999999999` overflowed SQLite's integer, and 2³¹ PostgreSQL's: tester N). As
    canvass.typed.row_id does for ids in forms and query strings."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = 2 ** 31 - 1,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


class RandomIdConverter(RowIdConverter):
    """`<random:…>`: a contact's random id (canvass/models/privacy.py `random_id`, 53 bits, a bigint)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = 2 ** 53,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)
