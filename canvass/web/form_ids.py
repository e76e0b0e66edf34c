"""The id a form is given when it opens, so the same form sent twice (a double tap, or again after Back) does its
work once: joining through an invite, creating an action."""
import uuid

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import UUID, Optional


def form_id() -> HiddenField:
    """A hidden field holding a new UUID each time the form is shown."""
    return HiddenField(default=lambda: str(uuid.uuid4()),
                       validators=[Optional(), UUID(_l("Skjemaet er ødelagt. Last inn siden på nytt."))])


def renew(field: HiddenField) -> None:
    """A new id for a form shown again: sent from here, it is a new form, not the one it was."""
    field.data = str(uuid.uuid4())


def key_of(field: HiddenField) -> str | None:
    """The field's id in one spelling ("{…}", "urn:uuid:…" and upper case are UUIDs too), or None if it sent none."""
    return str(uuid.UUID(field.data)) if field.data else None
