"""Whose data a map shows: the credits follow what an organisation's kommuner hold, not a fixed list.

Oslo kommune is credited only where its bydeler are loaded, and addresses by where they came from
(Matrikkelen or OpenStreetMap, told by their official id).

Every page with a map shows them, the walk list too, so `held_credits` keeps them per database and
organisation: forgotten at once when the session writes geodata (addresses, bydeler, postal areas, an
organisation's kommuner), and after CACHE_SECONDS in any case (a write outside the ORM, another process).
"""
import time
from weakref import WeakKeyDictionary

from sqlalchemy import event, exists, or_, select
from sqlalchemy.orm import Session

from canvass.extensions import db
from canvass.models import Address, District, OrganisationMunicipality, PostalArea
from canvass.refusal import N_

BASEMAP = N_("Bakgrunnskart: © Kartverket (CC BY 4.0)")
AREAS = N_("Postnummerområder, kommunegrenser: © Kartverket (CC BY 4.0)")
POSTAL_REGISTER = N_("Postnummerregister: © Posten Norge AS")
DISTRICTS = N_("Bydeler: © Oslo kommune")
MATRIKKEL = N_("Adresser: © Kartverket, Matrikkelen (CC BY 4.0)")
OSM = N_("Adresser: © OpenStreetMap contributors (ODbL)")


def credits(organisation_id: int | None) -> list[str]:
    """The (untranslated) credits for an organisation's maps; without one, for all data on the server."""
    if organisation_id is None:
        kommuner = None
    else:
        kommuner = select(OrganisationMunicipality.kommunenummer).where(
            OrganisationMunicipality.organisation_id == organisation_id)

    def addresses(source: str):
        # OpenStreetMap's addresses carry no kommune of their own: their postal code's kommune counts.
        scope = () if kommuner is None else (or_(Address.kommunenummer.in_(kommuner), Address.postnummer.in_(
            select(PostalArea.postnummer).where(PostalArea.kommunenummer.in_(kommuner)))),)
        return exists().where(Address.official_id.startswith(source + ":", autoescape=True), *scope)

    districts = exists().where(District.id.is_not(None),
                               *(() if kommuner is None else (District.kommunenummer.in_(kommuner),)))
    # One query for the three questions: it runs on every page with a map, the walk list too.
    has_districts, matrikkel, osm = db.session.execute(
        select(districts, addresses("matrikkel"), addresses("osm"))).one()
    found = [AREAS, POSTAL_REGISTER]
    found += [DISTRICTS] if has_districts else []
    found += [MATRIKKEL] if matrikkel else []
    found += [OSM] if osm else []
    return found


CACHE_SECONDS = 300
GEODATA = (Address, District, OrganisationMunicipality, PostalArea)
# Per engine (a test's own database, a worker's), weakly: an engine that goes takes its entries along.
_held: WeakKeyDictionary = WeakKeyDictionary()


def held_credits(organisation_id: int | None) -> list[str]:
    """`credits`, looked up at most once per CACHE_SECONDS per organisation while its geodata stays."""
    held = _held.setdefault(db.engine, {})
    now = time.monotonic()
    hit = held.get(organisation_id)
    if hit is None or now - hit[0] >= CACHE_SECONDS:
        hit = held[organisation_id] = (now, credits(organisation_id))
    return list(hit[1])


def _forget(session: Session) -> None:
    _held.pop(session.get_bind(), None)


@event.listens_for(Session, "after_flush")
def _geodata_flushed(session: Session, context) -> None:
    if any(isinstance(row, GEODATA) for row in (*session.new, *session.dirty, *session.deleted)):
        _forget(session)


@event.listens_for(Session, "do_orm_execute")
def _geodata_written(state) -> None:
    # Bulk inserts, updates and deletes (the importers') pass no objects through the flush.
    if not state.is_select and state.bind_mapper is not None and state.bind_mapper.class_ in GEODATA:
        _forget(state.session)
