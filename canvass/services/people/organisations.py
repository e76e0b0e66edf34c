"""A party from zero: the first organisation and its admin, the one-time setup code, and its kommuner.

Setup on the web is open only while no organisation exists, and only to whoever holds the one-time
code the server printed on its console at start (`flask --app canvass setup code` prints a fresh one).
Only a hash of the code is stored; it is compared in constant time and used up in the same
transaction that creates the organisation, so two browsers racing with the same code make one.
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from canvass import clock
from canvass.extensions import db
from canvass.models import (
    Branch,
    BranchPostalCode,
    Membership,
    Organisation,
    OrganisationMunicipality,
    PostalArea,
    Role,
    SetupCode,
    User,
)
from canvass.refusal import N_, Refusal
from canvass.services import same_form
from canvass.services.geography import geodata_scope, kommuner
from canvass.services.people import people
from canvass.typed import name_key, one_spelling

# Eight groups of four from an alphabet without look-alikes (no 0/O, 1/I/L): typed from a console by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class Refused(Refusal, ValueError):
    """A Norwegian refusal; nothing was stored. The caller translates `message` with `params`."""

    def __init__(self, message: str, field: str | None = None, **params):
        super().__init__(message, **params)
        self.field = field  # the form field the refusal is about, where there is one


def _hash(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def _normalised(code: str) -> str:
    return "".join(c for c in (code or "").upper() if c.isalnum())


def setup_open() -> bool:
    return db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def new_setup_code() -> str | None:
    """A fresh one-time code, replacing any earlier unused one; None once an organisation exists. Commits."""
    if not setup_open():
        return None
    now = clock.utcnow()
    db.session.execute(update(SetupCode).where(SetupCode.used_at.is_(None), SetupCode.replaced_at.is_(None))
                       .values(replaced_at=now))
    code = "".join(secrets.choice(ALPHABET) for _ in range(16))
    db.session.add(SetupCode(code_hash=_hash(code), created_at=now))
    db.session.commit()
    return "-".join(code[i:i + 4] for i in range(0, 16, 4))


WRONG_CODE = N_("Feil oppsettskode. Bruk koden serveren skrev ut sist den startet, eller lag en ny med "
                "«flask --app canvass setup code».")


def _current_code(code: str) -> SetupCode | None:
    """The current code if `code` is it, compared in constant time; only reads."""
    current = db.session.scalar(select(SetupCode).where(SetupCode.used_at.is_(None), SetupCode.replaced_at.is_(None))
                                .order_by(SetupCode.id.desc()).limit(1))
    return current if current is not None and hmac.compare_digest(current.code_hash, _hash(code)) else None


def _claim_code(code: str) -> bool:
    """Use up the current code if `code` is it; never commits."""
    current = _current_code(code)
    if current is None:
        return False
    claimed = db.session.execute(update(SetupCode).where(SetupCode.id == current.id, SetupCode.used_at.is_(None),
                                                         SetupCode.replaced_at.is_(None))
                                 .values(used_at=clock.utcnow()))
    return claimed.rowcount == 1


def checked_kommuner(numbers) -> list[str]:
    """Kommune numbers as given (0301, 3420), each known in the 2024 list; at least one."""
    cleaned = sorted({(n or "").strip() for n in numbers if (n or "").strip()})
    if not cleaned:
        raise Refused(N_("Velg minst én kommune."), field="kommune")
    unknown = [n for n in cleaned if kommuner.get(n) is None]
    if unknown:
        raise Refused(N_("Ukjent kommunenummer: %(numbers)s. Bruk de firesifrede numrene fra 2024, "
                         "f.eks. 3420 for Elverum."), field="kommune", numbers=", ".join(unknown))
    return cleaned


@dataclass
class Created:
    organisation: Organisation
    admin: User


def create(name: str, kommunenummer, admin_name: str, admin_email: str, party: str | None = None,
           password: str | None = None, setup_code: str | None = None, commit: bool = True,
           key: str | None = None) -> Created:
    """An organisation, its kommuner and its first admin, all or nothing.

    Without a password the admin gets one from a one-time link (logins.issue_password_link). With
    `setup_code` this is the first-run setup: refused unless no organisation exists and the code is the
    current one, which is used up; `key` is the id of the setup form (`set_up_with`)."""
    # The code first: whoever does not have it learns nothing of the rest of the form, and whoever does is not sent
    # round twice (a wrong code came to light only after the kommune was chosen). It is used up only below, once the
    # rest has passed: a refusal for another reason leaves it as it was.
    if setup_code is not None:
        if not setup_open():
            raise Refused(N_("Canvass er allerede satt opp. Logg inn, eller be en administrator om tilgang."))
        if _current_code(setup_code) is None:
            raise Refused(WRONG_CODE)
    name = one_spelling(name)
    party = " ".join((party or "").split()) or None
    admin_name = " ".join((admin_name or "").split())
    if not name:
        raise Refused(N_("Skriv organisasjonens navn."))
    if len(name) > 100 or (party and len(party) > 100) or len(admin_name) > 100:
        raise Refused(N_("Navn kan være høyst 100 tegn."))
    if not admin_name:
        raise Refused(N_("Skriv navnet til den første administratoren."))
    email = people.normal_email(admin_email, Refused)
    numbers = checked_kommuner(kommunenummer)
    if password is not None and len(password) < 10:
        raise Refused(N_("Passordet må ha minst 10 tegn."))
    if setup_code is not None and not _claim_code(setup_code):  # used by someone else since the check above
        raise Refused(WRONG_CODE)
    taken = Refused(N_("Det finnes allerede en organisasjon som heter %(name)s."), name=name)
    if db.session.scalar(select(Organisation.id).where(Organisation.name_key == name_key(name))):
        db.session.rollback()
        raise taken
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email,
                                               User.memberships.any(Membership.role != Role.CANVASSER),
                                               User.removed_at.is_(None))):
        db.session.rollback()
        raise Refused(N_("%(email)s har allerede en brukerkonto i Canvass."), email=email)
    organisation = Organisation(name=name, party=party, form_key=key,
                                municipalities=[OrganisationMunicipality(kommunenummer=n) for n in numbers])
    db.session.add(organisation)
    admin = people.create_user(organisation, Role.ADMIN, admin_name, email=email, password=password)
    try:
        db.session.flush()
    except IntegrityError:
        # The same name stored by another request since the check above (the key is unique: models/organisation.py).
        db.session.rollback()
        raise taken from None
    if commit:
        db.session.commit()
    return Created(organisation, admin)


def set_up_with(key: str | None, email: str, password: str) -> User | None:
    """The first admin of the organisation the setup form `key` made, if that form is sent again within the double
    tap's minutes with the admin's own e-mail and password: the second tap of «Sett opp» goes where the first did,
    not to «Feil oppsettskode» with the new admin logged out."""
    made = same_form.made_with(Organisation.form_key, key) if key is not None else None
    admin = people.authenticate(email, password) if made is not None else None
    if admin is None or admin.organisation_id != made.id or clock.utcnow() - admin.created_at > people.SAME_FORM:
        return None
    return admin


def create_branch(organisation: Organisation, name: str, kind: str, key: str | None = None) -> Branch:
    """A new branch of the organisation; its name (in one spelling: canvass/typed.py) must differ from every
    other branch's, whatever the case. Commits. `key`: the id of its form; the same form sent again (a double tap)
    is the branch it made, and sent again with another name it is refused, as the action form is."""
    name = one_spelling(name)
    if not name:  # only spaces, or characters that show as nothing
        raise Refused(N_("Skriv et navn."), field="name")
    if key is not None and (made := same_form.made_with(Branch.form_key, key)) is not None:
        if made.organisation_id != organisation.id:
            key = None  # another organisation's form sent here: a new branch, as any form would make
        elif not same_form.as_sent(made, {"name": name, "kind": kind}):
            raise same_form.FormUsed(N_("Dette skjemaet har allerede laget laget «%(name)s». Vil du lage et nytt lag "
                                        "med det som står i skjemaet nå, trykker du «Opprett lag» igjen."),
                                     name=made.name)
        else:
            return made
    taken = Refused(N_("Det finnes allerede et lag med dette navnet."), field="name")
    if any(b.name_key == name_key(name) for b in organisation.branches):
        raise taken
    branch = Branch(organisation=organisation, name=name, kind=kind, form_key=key)
    db.session.add(branch)
    try:
        return same_form.committed(branch, Branch.form_key, key)
    except IntegrityError:
        # Another request stored that name first (same_form has rolled this one back).
        raise taken from None


@dataclass
class KommuneChange:
    added: list[str]
    removed: list[str]
    # Kommuner added that have no postal codes in the database yet: their geodata is still to be fetched.
    without_geodata: list[str]
    # Kommuner added where another organisation uploaded geography while it was theirs alone.
    uploaded_by_others: list[str] = field(default_factory=list)


def set_kommuner(organisation: Organisation, numbers) -> KommuneChange:
    """Replace the organisation's kommuner. Taking one away is refused while a branch holds postal codes in it:
    the admin moves or removes them first, so no branch keeps territory outside the organisation. Commits."""
    wanted = checked_kommuner(numbers)
    before = set(organisation.kommunenummer)
    removed = sorted(before - set(wanted))
    if removed:
        held = db.session.execute(
            select(Branch.name, BranchPostalCode.postnummer, PostalArea.kommunenummer)
            .join(BranchPostalCode, BranchPostalCode.branch_id == Branch.id)
            .join(PostalArea, PostalArea.postnummer == BranchPostalCode.postnummer)
            .where(Branch.organisation_id == organisation.id, PostalArea.kommunenummer.in_(removed))
            .order_by(Branch.name, BranchPostalCode.postnummer)).all()
        if held:
            by_branch: dict[str, list[str]] = {}
            for branch, code, number in held:
                by_branch.setdefault(branch, []).append(f"{code} ({kommuner.name(number)})")
            raise Refused(N_("Lagene har fortsatt postnumre i kommunene dere vil fjerne: %(held)s. Ta dem bort fra "
                             "lagene først. Ingenting ble endret."),
                          field="kommune", held="; ".join(f"{b}: {', '.join(c)}" for b, c in by_branch.items()))
    added = sorted(set(wanted) - before)
    organisation.municipalities = [m for m in organisation.municipalities if m.kommunenummer in wanted] + [
        OrganisationMunicipality(kommunenummer=n) for n in added]
    known = set(db.session.scalars(select(PostalArea.kommunenummer).where(PostalArea.kommunenummer.in_(added))
                                   .distinct()))
    db.session.commit()
    return KommuneChange(added, removed, [n for n in added if n not in known],
                         geodata_scope.uploaded_by_others(organisation.id, added))
