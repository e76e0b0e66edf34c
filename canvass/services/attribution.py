"""Whose data a map shows: the credits follow what an organisation's kommuner hold, not a fixed list.

Oslo kommune is credited only where its bydeler are loaded, and addresses by where they came from
(Matrikkelen or OpenStreetMap, told by their official id)."""
from sqlalchemy import exists, or_, select

from canvass.extensions import db
from canvass.geo.errors import N_
from canvass.models import Address, District, OrganisationMunicipality, PostalArea

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
