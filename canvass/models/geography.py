"""Official geography: postal codes and their areas, districts, municipalities, addresses, dwellings.

Geometry is stored as GeoJSON text in EPSG:4326 so the same schema runs on SQLite and
PostgreSQL; all geometric work happens in `canvass.geo` with shapely.
"""
from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from canvass.extensions import db


class Municipality(db.Model):
    kommunenummer: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    geometry: Mapped[str | None] = mapped_column(Text)


class PostalArea(db.Model):
    """A postal code from Posten's register, with its Kartverket polygon when one exists."""

    postnummer: Mapped[str] = mapped_column(String(4), primary_key=True)
    poststed: Mapped[str] = mapped_column(String(100))
    kommunenummer: Mapped[str | None] = mapped_column(String(4), index=True)
    kommunenavn: Mapped[str | None] = mapped_column(String(100))
    # Posten's category: G street, B street and PO box, P PO box only, S service.
    kategori: Mapped[str | None] = mapped_column(String(1))
    geometry: Mapped[str | None] = mapped_column(Text)


class District(db.Model):
    """A city district (bydel)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kommunenummer: Mapped[str] = mapped_column(String(4), index=True)
    geometry: Mapped[str] = mapped_column(Text)


class SubDistrict(db.Model):
    """A sub-district (delbydel), the finer areas Oslo publishes statistics for."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    district_number: Mapped[str | None] = mapped_column(String(6), index=True)
    geometry: Mapped[str] = mapped_column(Text)


class Address(db.Model):
    """An address point; it belongs to the postal code in its own field, not to the polygon it lies in."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # "matrikkel:<lokalid>" or "osm:<node id>": re-imports update by this id.
    official_id: Mapped[str] = mapped_column(String(40), unique=True)
    kommunenummer: Mapped[str | None] = mapped_column(String(4))
    adressekode: Mapped[int | None] = mapped_column(Integer)
    street: Mapped[str] = mapped_column(String(120))
    number: Mapped[int | None] = mapped_column(Integer)
    letter: Mapped[str] = mapped_column(String(4), default="")
    postnummer: Mapped[str] = mapped_column(ForeignKey("postal_area.postnummer"), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    district_number: Mapped[str | None] = mapped_column(String(6), index=True)
    # The electoral precinct Matrikkelen gives every address: numbered within its kommune.
    valgkretsnummer: Mapped[str | None] = mapped_column(String(8))
    valgkretsnavn: Mapped[str | None] = mapped_column(String(100))
    # Statistics Norway's basic statistical unit, also on every Matrikkel address: kommunenummer + four digits.
    grunnkretsnummer: Mapped[str | None] = mapped_column(String(8))
    grunnkretsnavn: Mapped[str | None] = mapped_column(String(100))
    building_id: Mapped[str | None] = mapped_column(String(40))
    building_type: Mapped[str | None] = mapped_column(String(40))
    building_levels: Mapped[int | None] = mapped_column(Integer)

    dwellings: Mapped[list["Dwelling"]] = relationship(back_populates="address")

    __table_args__ = (
        Index("ix_address_official_key", "kommunenummer", "adressekode", "number", "letter"),
        Index("ix_address_valgkrets", "kommunenummer", "valgkretsnummer"),
        Index("ix_address_grunnkrets", "kommunenummer", "grunnkretsnummer"),
    )

    @property
    def label(self) -> str:
        return f"{self.street} {self.number or ''}{self.letter}".strip()


class Dwelling(db.Model):
    """A dwelling (bruksenhet) behind an address: H0101 is floor 1, flat 01."""

    id: Mapped[int] = mapped_column(primary_key=True)
    address_id: Mapped[int] = mapped_column(ForeignKey("address.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(5))

    address: Mapped[Address] = relationship(back_populates="dwellings")

    __table_args__ = (UniqueConstraint("address_id", "unit"),)
