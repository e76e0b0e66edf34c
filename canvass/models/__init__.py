"""The data model, one module per aggregate."""
from canvass.models.action import Action, ActionTurf, Assignment, Campaign, Signup
from canvass.models.conversation import AddressNote, Conversation
from canvass.models.device import Device, SyncEvent
from canvass.models.geography import Address, District, Dwelling, Municipality, PostalArea, SubDistrict
from canvass.models.holder import LeafletDrop, LeafletDropAction, TurfHolder
from canvass.models.insight import (
                                     ClosedCell,
                                     Committee,
                                     ConsideredInput,
                                     ConversationTopic,
                                     InputTag,
                                     InputTally,
                                     ProgrammeSection,
                                     Report,
                                     SectionLink,
                                     Tag,
                                     Theme,
                                     ThemeMember,
)
from canvass.models.job import Job, JobKind, JobState
from canvass.models.organisation import Branch, BranchPostalCode, Organisation, OrganisationMunicipality, SetupCode
from canvass.models.people import Invite, Login, LoginLink, Membership, Role, User
from canvass.models.privacy import AuditEntry, ConsentRecord, Contact
from canvass.models.question import Answer, AnswerCount, AnswerPiece, Question, QuestionSet
from canvass.models.turf import FieldDoor, Turf, TurfAddress
from canvass.models.visit import Outcome, Visit

__all__ = [
    "Answer",
    "AnswerCount",
    "AnswerPiece",
    "Question",
    "QuestionSet",
    "ClosedCell",
    "Committee",
    "Job",
    "JobKind",
    "JobState",
    "ConsideredInput",
    "ConversationTopic",
    "InputTag",
    "InputTally",
    "ProgrammeSection",
    "Report",
    "SectionLink",
    "Tag",
    "Theme",
    "ThemeMember",
    "AddressNote",
    "AuditEntry",
    "ConsentRecord",
    "Contact",
    "Conversation",
    "Device",
    "Action",
    "ActionTurf",
    "Assignment",
    "Campaign",
    "Outcome",
    "Signup",
    "SyncEvent",
    "FieldDoor",
    "Turf",
    "TurfAddress",
    "TurfHolder",
    "LeafletDrop",
    "LeafletDropAction",
    "Visit",
    "Address",
    "Branch",
    "BranchPostalCode",
    "District",
    "Dwelling",
    "Invite",
    "Membership",
    "Login",
    "LoginLink",
    "Municipality",
    "Organisation",
    "OrganisationMunicipality",
    "PostalArea",
    "Role",
    "SetupCode",
    "SubDistrict",
    "User",
]
