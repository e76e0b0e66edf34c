"""Personal data handed to a person or taken away: each act and its audit line in one transaction.

The follow-up list, a resident's request for access (art. 15) and for erasure (art. 17) are the
same acts on the web page and on the command line; both call these, so neither can forget the
audit line or write it in a transaction of its own. `actor` None is the command line.
"""
from dataclasses import dataclass

from sqlalchemy import select

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.models import Contact, Role, User
from canvass.privacy import audit, subject


@dataclass(frozen=True)
class Viewer:
    """Whose contacts a person may see: an admin the organisation's, a coordinator those of the branches they
    coordinate."""

    user: User

    def query(self):
        query = select(Contact).where(Contact.organisation_id == self.user.organisation_id)
        managed = self.user.managed_branch_ids()
        if managed is not None:
            query = query.where(Contact.branch_id.in_(sorted(managed)))
        return query

    @property
    def scope(self) -> str:
        if self.user.managed_branch_ids() is None:
            return self.user.organisation.name
        return ", ".join(b.name for b in self.user.branches(Role.COORDINATOR))


def follow_up_list(viewer: Viewer) -> list[Contact]:
    """The contacts to follow up, those not yet followed up first; the viewing is logged."""
    rows = db.session.scalars(viewer.query().order_by(Contact.followed_up_at.is_not(None), Contact.id.desc())).all()
    audit.log(viewer.user, audit.VIEW, f"kontaktliste for {viewer.scope}", len(rows))
    db.session.commit()
    return rows


def export_contacts(viewer: Viewer) -> list[Contact]:
    """The contacts for a spreadsheet; the export is logged before they leave."""
    rows = db.session.scalars(viewer.query().order_by(Contact.id)).all()
    audit.log(viewer.user, audit.EXPORT, f"kontaktliste for {viewer.scope}", len(rows))
    db.session.commit()
    return rows


def _visible(viewer: Viewer, contact_id: int) -> Contact | None:
    return db.session.scalar(viewer.query().where(Contact.id == contact_id))


def mark_followed_up(viewer: Viewer, contact_id: int) -> bool:
    """False when the viewer may not see that contact (or it is gone)."""
    contact = _visible(viewer, contact_id)
    if contact is None:
        return False
    contact.followed_up_at = utcnow()
    db.session.commit()
    return True


def delete_contact(viewer: Viewer, contact_id: int) -> bool:
    """The resident withdrew their consent, or the branch is done with them: the details go now."""
    contact = _visible(viewer, contact_id)
    if contact is None:
        return False
    db.session.delete(contact)
    audit.log(viewer.user, audit.ERASE, "én kontakt", 1)
    db.session.commit()
    return True


def _found(found: subject.Found) -> str:
    return (f"fant {len(found.contacts)} kontakter, {len(found.accounts)} brukere, "
            f"{len(found.conversations)} innspill, {len(found.notes)} dørnotater, {len(found.answers)} svar")


def find(actor: User | None, organisation_id: int, query: subject.Query, event: str) -> subject.Found:
    """The person the query names; a refused request is logged with what was asked, so a data protection
    officer sees someone trying words or names on the page, and raised again."""
    try:
        return subject.find(organisation_id, query)
    except subject.Refused:
        audit.log(actor, event, f"avvist forespørsel: {query.described()}", 0, organisation_id=organisation_id)
        db.session.commit()
        raise


def search(actor: User, query: subject.Query) -> subject.Found:
    """Everything stored in the actor's organisation about the person the query names; the search is logged
    with what was asked and what was found."""
    found = find(actor, actor.organisation_id, query, audit.VIEW)
    audit.log(actor, audit.VIEW, f"søk etter en person: {query.described()}; {_found(found)}", found.count)
    db.session.commit()
    return found


def export_subject(actor: User | None, organisation_id: int, query: subject.Query) -> dict:
    """The art. 15 export for the person the query names, logged as handed over with what was asked."""
    found = find(actor, organisation_id, query, audit.EXPORT)
    line = "innsyn for en person" if actor else "innsyn fra kommandolinjen"
    audit.log(actor, audit.EXPORT, f"{line}: {query.described()}; {_found(found)}", found.count,
              organisation_id=organisation_id)
    exported = subject.export(found)
    db.session.commit()
    return exported


def erase_subject(actor: User | None, found: subject.Found, organisation_id: int) -> subject.Erased:
    """Art. 17: the person goes, the counts stay; an admin erasing on the web keeps their own account.

    The line says what was asked and how much went, with the person's own name, number and address
    masked in it as everywhere else (earlier lines about them too): the log keeps the act, not them."""
    erased = subject.erase(found, keep=actor)
    line = "sletting for en person" if actor else "sletting fra kommandolinjen"
    asked = found.query.described()
    audit.log(actor, audit.ERASE, f"{line}: {subject.masked(asked, found.query)}; {_found(found)}", found.count,
              organisation_id=organisation_id)
    db.session.commit()
    return erased
