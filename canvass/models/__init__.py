"""The data model, one module per aggregate."""
from canvass.models.geography import Address, District, Dwelling, Municipality, PostalArea, SubDistrict
from canvass.models.organisation import Branch, BranchPostalCode, Organisation, OrganisationMunicipality
from canvass.models.people import Invite, Role, User

__all__ = [
    "Address", "Branch", "BranchPostalCode", "District", "Dwelling", "Invite", "Municipality",
    "Organisation", "OrganisationMunicipality", "PostalArea", "Role", "SubDistrict", "User",
]
