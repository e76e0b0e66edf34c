"""A request from the person the data is about: find it by phone number or e-mail, hand it over, erase it.

Art. 15 (access) is `export`, art. 17 (erasure) is `erase`. What a resident said at the door is
stored without a name, so it cannot be found from a phone number; only where a canvasser typed
the number or address into the words themselves is it found, and erasure masks it there. The
committees' counts stay as they are: they hold no person.
"""
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, or_, select

from canvass.extensions import db
from canvass.insight import scrub
from canvass.models import Action, Address, AddressNote, Assignment, Contact, Conversation, Device, Signup, User, Visit
from canvass.services import logins

ERASED_NAME = "Slettet"


def _national(phone: str) -> str:
    """A Norwegian number as its digits without the country code, however it was written."""
    return re.sub(r"^(?:\+|00)47", "", re.sub(r"[^\d+]", "", phone))


@dataclass
class Query:
    phone: str | None = None
    email: str | None = None

    @classmethod
    def of(cls, phone: str | None, email: str | None) -> "Query":
        return cls(_national(phone or "") or None, (email or "").strip().lower() or None)

    @property
    def empty(self) -> bool:
        return not self.phone and not self.email

    def phones(self) -> list[str]:
        """The ways a number is stored: as typed without spaces, with or without the country code."""
        return [self.phone, f"+47{self.phone}", f"0047{self.phone}"] if self.phone else []

    def mentions(self, text: str) -> list[tuple[int, int, str]]:
        """Where the words name this phone number or e-mail address, with the mask that replaces it."""
        found = []
        if self.phone:
            found += [(m.start(), m.end(), scrub.PHONE_MASK) for m in scrub.PHONE.finditer(text)
                      if _national(m.group()) == self.phone]
        if self.email:
            found += [(m.start(), m.end(), scrub.EMAIL_MASK) for m in scrub.EMAIL.finditer(text)
                      if m.group().lower() == self.email]
        return found


@dataclass
class Found:
    query: Query
    contacts: list[Contact] = field(default_factory=list)
    accounts: list[User] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.contacts) + len(self.accounts) + len(self.conversations)


def _matches(query: Query, phone_column, email_column):
    conditions = []
    if query.phone:
        conditions.append(phone_column.in_(query.phones()))
    if query.email:
        conditions.append(func.lower(email_column) == query.email)
    return or_(*conditions)


def find(organisation_id: int, query: Query) -> Found:
    if query.empty:
        return Found(query)
    contacts = db.session.scalars(select(Contact).where(
        Contact.organisation_id == organisation_id, _matches(query, Contact.phone, Contact.email))
        .order_by(Contact.id)).all()
    accounts = db.session.scalars(select(User).where(
        User.organisation_id == organisation_id, _matches(query, User.phone, User.email)).order_by(User.id)).all()
    # A cheap filter in SQL (the last digits, the address), then the exact match on what it lets through.
    hints = ([Conversation.words.contains(query.phone[-2:])] if query.phone else []) + \
        ([func.lower(Conversation.words).contains(query.email)] if query.email else [])
    candidates = db.session.scalars(select(Conversation).where(
        Conversation.organisation_id == organisation_id, or_(*hints)).order_by(Conversation.id))
    return Found(query, list(contacts), list(accounts), [c for c in candidates if query.mentions(c.words)])


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def export(found: Found) -> dict:
    """Everything found, as the person may receive it (art. 15): plain JSON with what each part is for."""
    return {
        "contact_details": [{
            "name": c.name, "phone": c.phone, "email": c.email,
            "branch": c.branch.name if c.branch else None, "followed_up_at": _time(c.followed_up_at),
            "consents": [{"purpose": r.purpose, "text_version": r.text_version, "text": r.text,
                          "given_at": _time(r.given_at), "delete_after": _time(r.delete_after),
                          "action": r.action.title if r.action else None}
                         for r in c.consents]} for c in found.contacts],
        "volunteer_accounts": [_account(user) for user in found.accounts],
        "input_naming_you": [{"recorded_at": _time(c.recorded_at), "postnummer": c.postnummer,
                              "topics": c.topics.splitlines(), "words": c.words} for c in found.conversations],
    }


def _account(user: User) -> dict:
    visits = db.session.execute(select(Visit.recorded_at, Visit.outcome, Address).join(Address)
                                .where(Visit.canvasser_id == user.id).order_by(Visit.recorded_at)).all()
    notes = db.session.execute(select(AddressNote.recorded_at, AddressNote.text, Address).join(Address)
                               .where(AddressNote.author_id == user.id).order_by(AddressNote.recorded_at)).all()
    return {
        "name": user.name, "email": user.email, "phone": user.phone, "role": str(user.role),
        "branch": user.branch.name if user.branch else None, "created_at": _time(user.created_at),
        "devices": [{"label": d.label, "created_at": _time(d.created_at), "last_seen_at": _time(d.last_seen_at),
                     "revoked_at": _time(d.revoked_at)}
                    for d in db.session.scalars(select(Device).where(Device.user_id == user.id))],
        "signed_up_for": db.session.scalars(select(Action.title).join(Signup).where(Signup.user_id == user.id)).all(),
        "assigned_to": db.session.scalars(select(Action.title).join(Assignment)
                                          .where(Assignment.user_id == user.id)).all(),
        "doors_recorded": [{"recorded_at": _time(at), "address": f"{a.label}, {a.postnummer}", "outcome": str(o)}
                           for at, o, a in visits],
        "door_notes": [{"recorded_at": _time(at), "address": f"{a.label}, {a.postnummer}", "text": text}
                       for at, text, a in notes],
    }


@dataclass
class Erased:
    contacts: int
    accounts: int
    conversations: int


def erase(found: Found, keep: User | None = None) -> Erased:
    """Erase the person (art. 17): contact details and consents go, accounts lose their name and ways in,
    and their number or address is masked where it was typed into input. The caller commits."""
    for contact in found.contacts:
        # Through the session, so its consents go too: SQLite does not enforce the foreign key's cascade.
        db.session.delete(contact)
    accounts = [u for u in found.accounts if keep is None or u.id != keep.id]
    for user in accounts:
        # The account stays so the doors it recorded keep counting; nothing in it names a person.
        user.name, user.email, user.phone, user.password_hash = ERASED_NAME, None, None, None
        # Its sessions and remember cookies load nobody any more (services/logins.py).
        logins.end_all(user)
        db.session.execute(delete(Device).where(Device.user_id == user.id))
    for conversation in found.conversations:
        conversation.words = _masked(conversation.words, found.query.mentions(conversation.words))
    db.session.flush()
    return Erased(len(found.contacts), len(accounts), len(found.conversations))


def _masked(text: str, spans: list[tuple[int, int, str]]) -> str:
    for start, end, mask in sorted(spans, reverse=True):
        text = text[:start] + mask + text[end:]
    return text
