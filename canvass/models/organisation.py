"""Party organisations (county or municipal) and their local branches with postal-code territories."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from canvass.extensions import db
from canvass.typed import name_key

BRANCH_KINDS = ("lokallag", "partiavdeling", "bydelsparti", "partilag")


class Organisation(db.Model):
    """A county or municipal party organisation; it never sees another organisation's data."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The name as two names are compared (canvass.typed.name_key): unique, so no two organisations differ only
    # in case, even when both are made at the same moment.
    name_key: Mapped[str] = mapped_column(String(300), unique=True)
    # The party as its members write it ("SV", "Arbeiderpartiet"); free text, shown beside the name.
    party: Mapped[str | None] = mapped_column(String(100))
    # The id of the first-run setup form that made it (canvass/web/form_ids.py): a second tap goes where the first did.
    form_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    branches: Mapped[list["Branch"]] = relationship(
        back_populates="organisation", order_by="Branch.name", cascade="all, delete-orphan"
    )
    municipalities: Mapped[list["OrganisationMunicipality"]] = relationship(cascade="all, delete-orphan")

    @property
    def kommunenummer(self) -> list[str]:
        return [m.kommunenummer for m in self.municipalities]

    @validates("name")
    def _keyed(self, _, name: str) -> str:
        self.name_key = name_key(name)
        return name


class OrganisationMunicipality(db.Model):
    """The municipalities an organisation works in: its postal codes are the ones to cover."""

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    kommunenummer: Mapped[str] = mapped_column(String(4), primary_key=True)


class Branch(db.Model):
    """A local branch (lokallag, partiavdeling, bydelsparti) with its territory of postal codes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # As Organisation.name_key: one branch of a name in each organisation, whatever its case.
    name_key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="lokallag")
    # The id of the form it was made with: the same form sent again is this branch.
    form_key: Mapped[str | None] = mapped_column(String(36), unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="branches")
    postal_codes: Mapped[list["BranchPostalCode"]] = relationship(
        cascade="all, delete-orphan", order_by="BranchPostalCode.postnummer"
    )

    __table_args__ = (UniqueConstraint("organisation_id", "name"),
                      UniqueConstraint("organisation_id", "name_key", name="uq_branch_name_key"))

    @validates("name")
    def _keyed(self, _, name: str) -> str:
        self.name_key = name_key(name)
        return name

    @property
    def territory(self) -> list[str]:
        return [p.postnummer for p in self.postal_codes]


class BranchPostalCode(db.Model):
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), primary_key=True)
    postnummer: Mapped[str] = mapped_column(ForeignKey("postal_area.postnummer"), primary_key=True)


class SetupCode(db.Model):
    """The one-time code that lets whoever holds the server's console set up the first organisation.

    Only a hash is kept. A new code replaces the one before; a used one never works again, and setup
    closes for good once an organisation exists (services/people/organisations.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    replaced_at: Mapped[datetime | None] = mapped_column(DateTime)
