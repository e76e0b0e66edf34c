"""People and invitations: passwords for coordinators and admins, invite links for volunteers, and the roles
a person holds (one login, any number of roles in one or several branches)."""
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, or_, select

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.models import Action, Assignment, Branch, Invite, Membership, Role, Signup, User
from canvass.models.people import BRANCH_ROLES, PASSWORD_ROLES
from canvass.privacy import audit
from canvass.refusal import N_, Refusal
from canvass.services import same_form
from canvass.services.people import logins

_hasher = PasswordHasher()


def create_user(organisation, role: Role, name: str, email: str | None = None, phone: str | None = None,
                password: str | None = None, branch=None) -> User:
    """A person with their first role; the caller commits."""
    user = User(organisation=organisation, name=name, email=email.lower() if email else None,
                phone=phone, password_hash=_hasher.hash(password) if password else None)
    user.memberships.append(Membership(role=role, branch=branch if role != Role.ADMIN else None))
    db.session.add(user)
    return user


class RoleRefused(Refusal, ValueError):
    """A Norwegian refusal of a change of roles; nothing was stored. The page translates `message`."""


def normal_email(email: str, refusal: type[Refusal] = RoleRefused) -> str:
    """An e-mail address as it is stored and looked up: checked, without spaces, in lower case."""
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as err:
        raise refusal(N_("«%(email)s» er ikke en gyldig e-postadresse."), email=(email or "").strip()) from err


def add_role(user: User, role: Role, branch: Branch | None, by: User | None,
             password_link: timedelta = timedelta(hours=72), email: str | None = None) -> str | None:
    """Give a person one more role. Returns a one-time link for choosing a password when the new role logs in
    with one and the person has none yet (a volunteer made coordinator); `by` None is the command line.

    `email`: the address such a person logs in with, given with the role when they have none (a volunteer who
    joined with a phone number only).

    Whoever gains a role that asks more of a login (a password, a second factor) is logged out everywhere, so
    the power comes only through a login that asked for it."""
    if user.removed_at is not None:
        raise RoleRefused(N_("%(name)s er fjernet. Inviter personen på nytt."), name=user.name)
    if role == Role.ADMIN:
        branch = None
    elif role in BRANCH_ROLES and branch is None:
        raise RoleRefused(N_("Velg laget rollen gjelder i."))
    if branch is not None and branch.organisation_id != user.organisation_id:
        raise RoleRefused(N_("Laget hører til en annen organisasjon."))
    branch_id = branch.id if branch is not None else None
    if any(m.role == role and m.branch_id == branch_id for m in user.memberships):
        raise RoleRefused(N_("%(name)s har den rollen allerede."), name=user.name)
    token = None
    if role in PASSWORD_ROLES and user.password_hash is None:
        if not user.email and (email or "").strip():
            user.email = normal_email(email)
        if not user.email:
            raise RoleRefused(N_("%(name)s trenger en e-postadresse for å logge inn med passord. Skriv den i "
                                 "feltet «E-post» og gi rollen på nytt."), name=user.name)
        if _login_email_taken(user):
            raise RoleRefused(N_("%(email)s er allerede brukt av en annen konto med passord."), email=user.email)
    asked_before = (user.needs_password(), user.needs_two_factor())
    user.memberships.append(Membership(role=role, branch_id=branch_id))
    db.session.flush()
    if (user.needs_password(), user.needs_two_factor()) != asked_before:
        logins.end_all(user)
        if user.password_hash is None:
            token = logins.issue_password_link(user, password_link)
    audit.log(by, audit.ROLE, f"ga bruker {user.id} rollen {role.value}" + (f" i lag {branch_id}" if branch_id else ""),
              organisation_id=user.organisation_id)
    db.session.commit()
    return token


def remove_roles(user: User, memberships: list[Membership], by: User | None) -> bool:
    """Take roles away in one go; the others stay. Taking the last is removing the person
    (logins.remove_volunteer). Someone leaving a branch also leaves its actions still to come or under way
    (started in the last 12 hours), as remove_volunteer does.
    Returns whether the person is removed."""
    if not memberships:
        raise RoleRefused(N_("%(name)s har ingen slik rolle."), name=user.name)
    for membership in memberships:
        if membership.role == Role.ADMIN and not _other_admin(user):
            raise RoleRefused(N_("Organisasjonen må ha minst én administrator. Gi noen andre rollen først."))
    if len(memberships) >= len(user.memberships):
        logins.remove_volunteer(user, by)
        return True
    for membership in memberships:
        user.memberships.remove(membership)
        audit.log(by, audit.ROLE, f"tok rollen {membership.role.value} fra bruker {user.id}"
                  + (f" i lag {membership.branch_id}" if membership.branch_id else ""),
                  organisation_id=user.organisation_id)
    db.session.flush()
    left = {m.branch_id for m in memberships} - user.branch_ids(*BRANCH_ROLES) - {None}
    if left:
        upcoming = select(Action.id).where(Action.branch_id.in_(sorted(left)), Action.not_over(utcnow()))
        db.session.execute(delete(Assignment).where(Assignment.user_id == user.id, Assignment.action_id.in_(upcoming)))
        db.session.execute(delete(Signup).where(Signup.user_id == user.id, Signup.action_id.in_(upcoming)))
    db.session.commit()
    return False


def _other_admin(user: User) -> bool:
    return db.session.scalar(select(Membership.id).join(User).where(
        User.organisation_id == user.organisation_id, Membership.role == Role.ADMIN, User.id != user.id,
        User.removed_at.is_(None)).limit(1)) is not None


def authenticate(email: str, password: str) -> User | None:
    # Only password accounts log in here; a volunteer may have given the same address at an invite.
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower(),
                                                User.password_hash.is_not(None)))
    if user is None or not user.password_hash:
        _hasher.hash(password)  # same work whether or not the user exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        db.session.commit()
    return user


def create_invite(branch, created_by: User, days: int) -> Invite:
    invite = Invite(token=secrets.token_urlsafe(24), organisation_id=branch.organisation_id, branch=branch,
                    created_by_id=created_by.id, created_at=utcnow(), expires_at=utcnow() + timedelta(days=days))
    db.session.add(invite)
    db.session.commit()
    return invite


def _usable():
    return (Invite.expires_at > utcnow()) & Invite.revoked_at.is_(None)


def active_invites(branch_ids: list[int]) -> list[Invite]:
    return list(db.session.scalars(select(Invite).where(Invite.branch_id.in_(branch_ids), _usable())
                                   .order_by(Invite.created_at.desc())))


def current_invite(branch) -> Invite | None:
    """The branch's invite that stays valid longest, if any is still valid."""
    return db.session.scalar(select(Invite).where(Invite.branch_id == branch.id, _usable())
                             .order_by(Invite.expires_at.desc()).limit(1))


def valid_invite(token: str) -> Invite | None:
    return db.session.scalar(select(Invite).where(Invite.token == token, _usable()))


def revoke_invite(invite: Invite) -> None:
    """The link stops working at once (shared too widely, or a QR code left on a noticeboard)."""
    invite.revoked_at = invite.revoked_at or utcnow()
    db.session.commit()


# How long the same invite form sent again is the person who joined with it: a double tap, or Back and send again.
SAME_FORM = timedelta(minutes=10)


def join(invite: Invite, name: str, phone: str | None, email: str | None, key: str | None = None) -> User:
    """A volunteer joins the invite's branch as a canvasser, always with a new account.

    An invite link is shared widely, so what is typed into it never picks an existing account, whatever
    phone number or e-mail it gives: that would let anyone holding the link log in as someone else, and a
    refusal would tell them who has an account. A volunteer whose phone lost its login gets a personal
    login link from the coordinator instead (services/people/logins.py).

    `key`: the id the form was given when it opened, known only to the page that showed it. The same form sent
    again (a second tap on "Bli med" before the first answered, or sent again after Back) is the person who
    joined with it, not a second account; for `SAME_FORM` after the account was made. Later the form is used up: it
    would log in as that person whoever sent it, so a volunteer who lost the login asks for a login link.
    """
    if key is not None:
        joined = same_form.made_with(User.join_key, key)
        if joined is not None:
            if joined.organisation_id == invite.branch.organisation_id and joined.removed_at is None:
                if utcnow() - joined.created_at > SAME_FORM:
                    raise RoleRefused(N_("Dette skjemaet er brukt allerede. Har du mistet innloggingen på telefonen, "
                                         "kan koordinatoren gi deg en innloggingslenke."))
                return _as_sent_again(joined, name, phone, email)
            key = None  # a removed person's old form joins afresh, as any form would
    user = create_user(invite.branch.organisation, Role.CANVASSER, name, email=email, phone=phone,
                       branch=invite.branch)
    user.join_key = key
    invite.uses += 1
    return same_form.committed(user, User.join_key, key)


def _as_sent_again(joined: User, name: str, phone: str | None, email: str | None) -> User:
    """The person a join form made, as the form says now: sent again with the name put right (Back, a typo), the
    account just made is theirs, so it takes the new name, phone and e-mail."""
    typed = {"name": name, "phone": phone, "email": email.lower() if email else None}
    if not same_form.as_sent(joined, typed):
        for field, value in typed.items():
            setattr(joined, field, value)
        db.session.commit()
    return joined


def _login_email_taken(user: User, pending: bool = True) -> bool:
    """Whether someone else logs in with the user's e-mail: with a password, or (`pending`) is to, holding a role
    that asks for one (a volunteer made coordinator who has not chosen it yet). One address logs in one person."""
    logs_in = User.password_hash.is_not(None)
    if pending:
        logs_in = or_(logs_in, User.memberships.any(Membership.role.in_(PASSWORD_ROLES)))
    return db.session.scalar(select(User.id).where(
        func.lower(User.email) == user.email.lower(), User.id != user.id, User.removed_at.is_(None), logs_in)
        .limit(1)) is not None


def set_password(user: User, password: str) -> None:
    """A new password ends every login of the person: whoever knew the old one is out."""
    if user.email and _login_email_taken(user, pending=False):
        raise RoleRefused(N_("%(email)s er allerede brukt av en annen konto med passord."), email=user.email)
    user.password_hash = _hasher.hash(password)
    logins.end_all(user)
    db.session.commit()
