"""osm: an OpenStreetMap address takes its kommune from its bydel, else from its postal code

Addresses imported from OpenStreetMap were stored without a kommune, so committees saw "0 boliger" for
every area (dwellings are counted by kommune). New imports fill it; this fills the stored ones the same way.

Revision ID: 0013_osm
Revises: 0012_roles
Create Date: 2026-12-02 00:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_osm'
down_revision = '0012_roles'
branch_labels = None
depends_on = None

MISSING = "(address.kommunenummer IS NULL OR address.kommunenummer = '')"


def upgrade():
    op.execute(f"UPDATE address SET kommunenummer = substr(district_number, 1, 4) "
               f"WHERE {MISSING} AND district_number IS NOT NULL AND district_number <> ''")
    op.execute(f"UPDATE address SET kommunenummer = (SELECT postal_area.kommunenummer FROM postal_area "
               f"WHERE postal_area.postnummer = address.postnummer) WHERE {MISSING}")


def downgrade():
    # The kommune is right either way; nothing to take back.
    pass
