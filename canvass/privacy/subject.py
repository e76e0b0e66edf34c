"""A request from the person the data is about: identify them, hand their data over, erase it.

Art. 15 (access) is `export`, art. 17 (erasure) is `erase`. A request must name one person the
party knows: a phone number or e-mail address on a contact record or an account, or a full name
that exactly one of them carries (`find` refuses anything else, with the reason). Only then is free
text searched, and only for that person's own full name, number and address as learnt from those
records: never for what was typed, so the request page is no search engine over what residents
said. What a resident said at the door is stored without a name; only where a canvasser typed
their name, number or address into the words or a free-text answer is it found, and erasure masks
it there. The committees' counts stay as they are: they hold no person.
"""
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update

from canvass.extensions import db
from canvass.insight import scrub
from canvass.insight.tally import local_day
from canvass.models import (
    Action,
    Address,
    AddressNote,
    Answer,
    Assignment,
    AuditEntry,
    Contact,
    Conversation,
    Device,
    Outcome,
    Question,
    Signup,
    User,
    Visit,
)
from canvass.refusal import N_, Refusal
from canvass.services.people import logins

ERASED_NAME = "Slettet"
# Between the digits of a number as people write it: spaces, dots, dashes, slashes.
_DIGIT_GAP = r"[\s./-]*"
# How an e-mail address is spelled out to slip past filters: "kari at example dot org", "(at)", "[dot]", "krøllalfa".
_AT = r"\s*(?:@|[(\[]\s*(?:at|alfa|krøllalfa)\s*[)\]]|(?<![^\W\d_])(?:at|alfa|krøllalfa)(?![^\W\d_]))\s*"
_DOT = r"\s*(?:\.|[(\[]\s*(?:dot|punktum|prikk)\s*[)\]]|(?<![^\W\d_])(?:dot|punktum|prikk)(?![^\W\d_]))\s*"
# A name as it stands in a sentence: "Kari", "Karis", "Kari's", "Nordmanns".
_POSSESSIVE = r"(?:s|'s|’s|'|’)?"


def _national(phone: str) -> str:
    """A Norwegian number as its digits without the country code, however it was written."""
    return re.sub(r"^(?:\+|00)47", "", re.sub(r"[^\d+]", "", phone))


def _name(name: str) -> str:
    """A name compared as a person reads it: case and spacing do not matter."""
    return " ".join(name.casefold().split())


def _phone_pattern(national: str) -> str:
    return r"(?<![\d+])(?:(?:\+|00)\s*47" + _DIGIT_GAP + ")?" + _DIGIT_GAP.join(national) + r"(?!\d)"


def _email_pattern(email: str) -> str:
    local, _, domain = email.partition("@")
    return (r"(?<![\w.+-])" + _DOT.join(re.escape(p) for p in local.split(".")) + _AT
            + _DOT.join(re.escape(p) for p in domain.split(".")) + r"(?![\w-])")


def _name_pattern(parts: list[str]) -> str:
    return r"(?<!\w)" + r"\s+".join(re.escape(p) for p in parts) + _POSSESSIVE + r"(?!\w)"


class Refused(Refusal):
    """Why a request names nobody, or more than one person: a message in bokmål (N_) and its parameters."""


NOBODY = N_("Skriv mobilnummer eller e-post.")
NAME_ALONE = N_("Et navn alene holder bare når det er fullt navn (fornavn og etternavn) som bare én person har. "
                "Skriv mobilnummeret eller e-postadressen personen oppga.")
SEVERAL_NAMED = N_("Flere personer har dette navnet. Skriv mobilnummeret eller e-postadressen personen oppga.")
SEVERAL_BEHIND = N_("Nummeret eller adressen hører til flere personer (%(names)s). Skriv også det fulle navnet "
                    "til den som spør.")
OTHER_NAME = N_("Den som har dette nummeret eller denne adressen, heter noe annet. Sjekk navnet, eller la feltet "
                "stå tomt.")


def _full(name: str) -> bool:
    """A name that is more than one word: a first name alone ("Kari", "Husleia") names nobody in particular."""
    return len(name.split()) >= 2 and _name(name) != _name(ERASED_NAME)


@dataclass
class Query:
    """Who is asking: the phone number, e-mail address or name they give, as typed (never as a pattern)."""

    phone: str | None = None
    email: str | None = None
    name: str | None = None
    # The person's own identifiers, learnt from the contact records and accounts that identify them:
    # what free text is searched for and masked. Never the typed words themselves.
    phones: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, phone: str | None, email: str | None, name: str | None = None) -> "Query":
        national = _national(phone or "")
        return cls(national if len(national) >= 5 else None, (email or "").strip().lower() or None,
                   _name(name or "") or None)

    @property
    def empty(self) -> bool:
        return not self.phone and not self.email and not self.name

    def described(self) -> str:
        """What was asked, for the access log: the identifiers as typed (normalised), never more."""
        parts = [f"telefon {self.phone}" if self.phone else "", f"e-post {self.email}" if self.email else "",
                 f"navn «{self.name}»" if self.name else ""]
        return ", ".join(p for p in parts if p) or "ingenting"

    def learn(self, phone: str | None, email: str | None, name: str | None) -> None:
        national = _national(phone or "")
        if len(national) >= 5:
            self.phones.add(national)
        if email and "@" in email:
            self.emails.add(email.strip().lower())
        # Only a full name is searched for in free text: a one-word contact name ("Kari") would find every Kari.
        if name and _full(name):
            self.names.add(_name(name))

    def stored_phones(self) -> list[str]:
        """The ways a number is stored: as typed without spaces, with or without the country code."""
        return [self.phone, f"+47{self.phone}", f"0047{self.phone}"] if self.phone else []

    def hints(self) -> list[str]:
        """Plain substrings, one of which any mention must contain: a cheap filter in SQL before the exact match.

        The last two digits of a number (its groupings keep them together), and the longest run of
        ASCII letters and digits in each part of an e-mail address or a name: SQLite compares only
        ASCII without regard to case, so "KARI", "Kari" and "ØYVIND" are all found."""
        hints = {p[-2:] for p in self.phones}
        parts = [part for e in self.emails for part in e.split("@")] + [p for n in self.names for p in n.split()]
        for part in parts:
            runs = re.findall(r"[A-Za-z0-9]+", part)
            longest = max(runs, key=len) if runs else ""
            hints.add(longest if len(longest) >= 3 else part)
        return sorted(h for h in hints if h)

    def _patterns(self) -> tuple[re.Pattern | None, re.Pattern | None]:
        """What names the person outright (number, address, full name), and their names' parts alone."""
        whole = [_phone_pattern(p) for p in self.phones] + [_email_pattern(e) for e in self.emails] + \
            [_name_pattern(n.split()) for n in self.names]
        parts = {part for n in self.names for part in n.split() if len(part) > 1}
        return (re.compile("|".join(whole), re.IGNORECASE) if whole else None,
                re.compile("|".join(_name_pattern([p]) for p in sorted(parts)), re.IGNORECASE) if parts else None)

    def mentions(self, text: str) -> list[tuple[int, int, str]]:
        """Where the text names this person, with the mask that replaces it. A first or last name alone
        counts only in a text that names them outright too: another Kari keeps her words."""
        whole, parts = self._patterns()
        found = [(m.start(), m.end(), self._mask(m.group())) for m in whole.finditer(text)] if whole else []
        if found and parts:
            found += [(m.start(), m.end(), scrub.NAME_MASK) for m in parts.finditer(text)]
        kept, end = [], -1
        for start, stop, mask in sorted(found, key=lambda span: (span[0], -span[1])):
            if start >= end:
                kept.append((start, stop, mask))
                end = stop
        return kept

    def _mask(self, found: str) -> str:
        if any(re.fullmatch(_phone_pattern(p), found) for p in self.phones):
            return scrub.PHONE_MASK
        if any(re.fullmatch(_email_pattern(e), found, re.IGNORECASE) for e in self.emails):
            return scrub.EMAIL_MASK
        return scrub.NAME_MASK


@dataclass
class Found:
    query: Query
    contacts: list[Contact] = field(default_factory=list)
    accounts: list[User] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    notes: list[AddressNote] = field(default_factory=list)
    # Short free-text answers to an action's questions ("Hva bør kommunen gjøre?"): typed at the door like input.
    answers: list[Answer] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.contacts) + len(self.accounts) + len(self.conversations) + len(self.notes) + len(self.answers)


def _digits(column):
    """A stored number without the spaces, dots and dashes people type between its digits."""
    return func.replace(func.replace(func.replace(func.replace(column, " ", ""), ".", ""), "-", ""), "/", "")


def _people(model, organisation_id: int, query: Query) -> list:
    """Contact records or accounts with the number or the address given, each compared by equality; with
    neither, those with exactly the full name given. Names are compared in Python: SQLite folds the case
    of ASCII letters only."""
    conditions = []
    if query.phone:
        conditions.append(_digits(model.phone).in_(query.stored_phones()))
    if query.email:
        conditions.append(func.lower(model.email) == query.email)
    if conditions:
        return list(db.session.scalars(select(model).where(model.organisation_id == organisation_id, or_(*conditions))
                                       .order_by(model.id)))
    named = [row_id for row_id, name in db.session.execute(select(model.id, model.name).where(
        model.organisation_id == organisation_id)) if _name(name) == query.name]
    return list(db.session.scalars(select(model).where(model.id.in_(named)).order_by(model.id))) if named else []


def _identifiers(person) -> set[str]:
    return {i for i in (_national(person.phone or ""), (person.email or "").strip().lower()) if i}


def identify(organisation_id: int, query: Query) -> tuple[list[Contact], list[User]]:
    """The contact records and accounts of the one person the request names, or Refused saying why not.

    A number or an address finds the records that carry it; a name given beside them must be theirs
    (a number shared in a household names whoever is asking among them). A name alone must be a full
    name, and all records with it must share a number or an address: two Kari Nordmanns are two people."""
    if query.empty:
        raise Refused(NOBODY)
    if not (query.phone or query.email) and not _full(query.name):
        raise Refused(NAME_ALONE)
    contacts = _people(Contact, organisation_id, query)
    accounts = [u for u in _people(User, organisation_id, query) if _name(u.name) != _name(ERASED_NAME)]
    people = contacts + accounts
    if query.phone or query.email:
        if query.name:
            contacts = [c for c in contacts if _name(c.name) == query.name]
            accounts = [u for u in accounts if _name(u.name) == query.name]
            if people and not contacts + accounts:
                raise Refused(OTHER_NAME)
        names = {_name(p.name) for p in contacts + accounts}
        if len(names) > 1:
            raise Refused(SEVERAL_BEHIND, names=", ".join(sorted({p.name for p in contacts + accounts})))
    elif len(people) > 1 and not set.intersection(*(_identifiers(p) for p in people)):
        raise Refused(SEVERAL_NAMED)
    return contacts, accounts


def _naming(column, organisation_column, organisation_id: int, query: Query):
    """Rows whose text may name the person: any hint as a plain substring (LIKE with % and _ escaped)."""
    hints = query.hints()
    if not hints:
        return []
    model = column.class_
    return [row for row in db.session.scalars(select(model).where(
        organisation_column == organisation_id, or_(*(column.icontains(h, autoescape=True) for h in hints)))
        .order_by(*model.__table__.primary_key.columns)) if query.mentions(getattr(row, column.key))]


def find(organisation_id: int, query: Query) -> Found:
    """Everything stored about the one person the request names (Refused if it names nobody in particular):
    their records, and the input and door notes that name them by their own full name, number or address."""
    contacts, accounts = identify(organisation_id, query)
    for person in contacts + accounts:
        query.learn(person.phone, person.email, person.name)
    return Found(query, contacts, accounts,
                 _naming(Conversation.words, Conversation.organisation_id, organisation_id, query),
                 _naming(AddressNote.text, AddressNote.organisation_id, organisation_id, query),
                 _naming(Answer.value, Answer.organisation_id, organisation_id, query))


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def _day(moment: datetime | None) -> str | None:
    """The day in Oslo: what a door or an input is handed over with. An exact time would let whoever holds
    two exports (the canvasser's doors, the input naming someone) join them into "said at this door"."""
    return local_day(moment).isoformat() if moment else None


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
        "input_naming_you": [{"day": _day(c.recorded_at), "topics": c.topics.splitlines(), "words": c.words}
                             for c in found.conversations],
        "door_notes_naming_you": [{"day": _day(n.recorded_at), "text": n.text} for n in found.notes],
        "answers_naming_you": [{"week": a.week.isoformat() if a.week else None,
                                "question": db.session.get(Question, a.question_id).text, "answer": a.value}
                               for a in found.answers],
    }


def _account(user: User) -> dict:
    """A volunteer's own data. Their doors come with the day, not the time, and a door where they talked
    with someone says "opened" (as every visit does after 30 days); how many conversations they had each
    day is told apart. Which door had a conversation, and when, is what ties the residents' words to a
    door (docs/privacy.md), and that is not the volunteer's to carry away."""
    visits = db.session.execute(select(Visit.recorded_at, Visit.outcome, Address).join(Address)
                                .where(Visit.canvasser_id == user.id, Visit.corrects.is_(None),
                                       Visit.client_uuid.not_in(select(Visit.corrects).where(
                                           Visit.corrects.is_not(None), Visit.organisation_id == user.organisation_id)))
                                .order_by(Visit.recorded_at)).all()
    notes = db.session.execute(select(AddressNote.recorded_at, AddressNote.text, Address).join(Address)
                               .where(AddressNote.author_id == user.id).order_by(AddressNote.recorded_at)).all()
    talks: dict[str, int] = {}
    for at, outcome, _address in visits:
        if outcome == Outcome.CONVERSATION:
            talks[_day(at)] = talks.get(_day(at), 0) + 1
    doors = sorted({(_day(at), f"{a.label}, {a.postnummer}", str(Outcome.OPENED if o == Outcome.CONVERSATION else o))
                    for at, o, a in visits})
    return {
        "name": user.name, "email": user.email, "phone": user.phone,
        "roles": [{"role": str(m.role), "branch": m.branch.name if m.branch else None} for m in user.memberships],
        "created_at": _time(user.created_at),
        "devices": [{"label": d.label, "created_at": _time(d.created_at), "last_seen_at": _time(d.last_seen_at),
                     "revoked_at": _time(d.revoked_at)}
                    for d in db.session.scalars(select(Device).where(Device.user_id == user.id))],
        "signed_up_for": db.session.scalars(select(Action.title).join(Signup).where(Signup.user_id == user.id)).all(),
        "assigned_to": db.session.scalars(select(Action.title).join(Assignment)
                                          .where(Assignment.user_id == user.id)).all(),
        "doors_recorded": [{"day": day, "address": address, "outcome": outcome} for day, address, outcome in doors],
        "conversations_per_day": [{"day": day, "conversations": n} for day, n in sorted(talks.items())],
        "door_notes": [{"day": _day(at), "address": f"{a.label}, {a.postnummer}", "text": text}
                       for at, text, a in notes],
    }


@dataclass
class Erased:
    contacts: int
    accounts: int
    conversations: int


def erase(found: Found, keep: User | None = None) -> Erased:
    """Erase the person (art. 17): contact details and consents go, accounts lose their name and ways in,
    and their name, number and address, however spelt, are masked wherever they were typed: input,
    door notes, the access log's copy of an account's name. The caller commits.

    Ending an erased account's logins is the accounts' part (canvass.services.people.people); the phones'
    sync credentials go here."""
    for contact in found.contacts:
        # Through the session, so its consents go too: SQLite does not enforce the foreign key's cascade.
        db.session.delete(contact)
    accounts = [u for u in found.accounts if keep is None or u.id != keep.id]
    for user in accounts:
        # The account stays so the doors it recorded keep counting; nothing in it names a person.
        user.name, user.email, user.phone, user.password_hash = ERASED_NAME, None, None, None
        # Its sessions and remember cookies load nobody any more (services/people/logins.py).
        logins.end_all(user)
        db.session.execute(delete(Device).where(Device.user_id == user.id))
    if accounts:
        db.session.execute(update(AuditEntry).where(AuditEntry.user_id.in_([u.id for u in accounts]))
                           .values(user_name=ERASED_NAME))
    for conversation in found.conversations:
        conversation.words = _masked(conversation.words, found.query.mentions(conversation.words))
    for note in found.notes:
        note.text = _masked(note.text, found.query.mentions(note.text))
    for answer in found.answers:
        # A free-text answer is counted only as a resident who answered (AnswerCount), never by what it says.
        answer.value = _masked(answer.value, found.query.mentions(answer.value))[:200]
    organisation_id = _organisation(found)
    for entry in _naming(AuditEntry.subject, AuditEntry.organisation_id, organisation_id, found.query) \
            if organisation_id is not None else []:
        entry.subject = _masked(entry.subject, found.query.mentions(entry.subject))
    db.session.flush()
    return Erased(len(found.contacts), len(accounts), len(found.conversations))


def _organisation(found: Found) -> int | None:
    rows = found.contacts + found.accounts + found.conversations + found.notes + found.answers
    return rows[0].organisation_id if rows else None


def masked(text: str, query: Query) -> str:
    """The text with every mention of the person the query found masked."""
    return _masked(text, query.mentions(text))


def _masked(text: str, spans: list[tuple[int, int, str]]) -> str:
    for start, end, mask in sorted(spans, reverse=True):
        text = text[:start] + mask + text[end:]
    return text
