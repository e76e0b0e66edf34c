"""The checks of sync: what an event asks to store, read from the phone's JSON and checked against the batch's
context (who records, the addresses they may record at, the actions they may record under), or a Result saying
why it can never be stored. Also the protocol's limits and what two sends of one record must both say (`_said`).

A few checks still look something up (a note's branch, input's territory, an added door's turf and position);
a visit's checks ask nothing of the database.
"""
import functools
import json
import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from canvass.clock import utcnow
from canvass.extensions import db
from canvass.geo import doors
from canvass.models import (
    Action,
    Address,
    Assignment,
    Branch,
    BranchPostalCode,
    Outcome,
    Turf,
    TurfAddress,
    User,
)
from canvass.models.action import DEFAULT_TOPICS, TOPIC_MAX, TOPICS_MAX
from canvass.models.people import BRANCH_ROLES
from canvass.privacy import consent
from canvass.refusal import N_, Refusal
from canvass.services.field import mailboxes
from canvass.services.field.door_record import field_unit
from canvass.services.turf import questions

PROTOCOL = 1


# The minor version (docs/sync.md, Versioning): 1.3 added answers to a door's questions, 1.4 a leaflet round's
# entrances (the outcome `mailboxes`). The path stays /v1/.
PROTOCOL_VERSION = "1.4"


MAX_BATCH = 200


# A phone's clock may be a little ahead; anything further in the future is a mistake.
CLOCK_SKEW = timedelta(hours=1)


OLDEST = timedelta(days=60)


# How deep an honest batch nests: {events: [{conversation: {topics: [...]}}]} is five levels.
MAX_DEPTH = 8


# Longer numbers than any id or count become floats, which no field accepts (Python's int() of a
# 5,000-digit literal would raise and fail the whole batch).
MAX_DIGITS = 18


def _too_deep(value) -> bool:
    """Whether JSON nests deeper than an honest batch; iterative, so no depth can exhaust the stack."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_batch(body: bytes) -> list | tuple[str, dict]:
    """The events of a request body, or why the request as a whole cannot be read (message, parameters)."""
    try:
        payload = json.loads(body, parse_int=lambda digits: int(digits) if len(digits) <= MAX_DIGITS else float(digits))
    except RecursionError:
        return N_("Ugyldig forespørsel: JSON-en er for dypt nøstet (høyst %(max)s nivåer)."), {"max": MAX_DEPTH}
    except ValueError:  # also UnicodeDecodeError
        return N_("Ugyldig forespørsel: sendingen er ikke gyldig JSON."), {}
    if _too_deep(payload):
        return N_("Ugyldig forespørsel: JSON-en er for dypt nøstet (høyst %(max)s nivåer)."), {"max": MAX_DEPTH}
    if not isinstance(payload, dict):
        return N_("Ugyldig forespørsel: sendingen må være et JSON-objekt med «events»."), {}
    if not isinstance(payload.get("events"), list):
        return N_("Ugyldig forespørsel: «events» må være en liste."), {}
    return payload["events"]


@dataclass
class Result:
    id: object
    status: str
    reason: str | None = None
    params: dict | None = None
    # A stored visit whose contact part was refused: {"part": "contact", "reason": message}.
    refused: dict | None = None
    # Every refused part (contact, answers), in that order; `refused` is the first (as before 1.3).
    refused_parts: list | None = None


def _is_id(value) -> bool:
    """A row id as the phone must send it: a whole number (not true/false, text or a list) the database can hold."""
    return type(value) is int and 0 < value < 2 ** 31


def _shown(value) -> str:
    """A value as a reason may quote it: short, whatever was sent."""
    return str(value)[:40]


def _rejected(event_id, message, **params) -> Result:
    return Result(event_id, "rejected", message, params)


def _parse_time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            return None
        # Near year 1 or 9999, moving to UTC leaves the calendar: OverflowError.
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None


def _recorded_at(event: dict) -> datetime | None:
    """When the phone says it was recorded, if that is a time with a zone, not too old and not ahead of now."""
    moment = _parse_time(event.get("recorded_at"))
    now = utcnow()
    return moment if moment is not None and now - OLDEST <= moment <= now + CLOCK_SKEW else None


def _echo(event):
    """The id as the phone sent it, so the phone finds its event in the answer whatever it sent."""
    value = event.get("id") if isinstance(event, dict) else None
    return value if value is None or isinstance(value, str) else _shown(value)


def _event_id(event: dict) -> str | None:
    value = event.get("id")
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def _note_row(event: dict, user: User, allowed: dict[int, set[int]]) -> dict | Result:
    """A note about a door (door code, broken bell) for the next canvasser."""
    text = event.get("text")
    recorded_at = _recorded_at(event)
    if not isinstance(text, str) or not 0 < len(text.strip()) <= 200 or recorded_at is None:
        return _rejected(_echo(event), N_("Notatet må ha mellom 1 og 200 tegn."))
    turf_id, address_id = event.get("turf_id"), event.get("address_id")
    if not _is_id(turf_id) or not _is_id(address_id) or address_id not in allowed.get(turf_id, ()):
        return _rejected(_echo(event), N_("Du kan ikke registrere besøk på denne adressen."))
    # Filed under the turf's branch, whose walk lists alone show it (one look-up per note; notes are few).
    return {"organisation_id": user.organisation_id, "address_id": address_id,
            "branch_id": db.session.get(Turf, turf_id).branch_id, "text": text.strip(),
            "author_id": user.id, "recorded_at": recorded_at, "received_at": utcnow()}


def _input_row(event: dict, user: User, actions: dict[int, Action]) -> dict | Result:
    """Input not tied to a door (a stand, a street talk): what was said, and the area if the person gave one.

    It goes under one of the actions the person may record under, or under their own branch, and the
    area must lie in that branch's territory: a tampered request cannot file input for another branch."""
    recorded_at = _recorded_at(event)
    if recorded_at is None:
        return _rejected(_echo(event), N_("Tidspunktet for registreringen er ugyldig."))
    action_id = event.get("action_id")
    if action_id is not None and (not _is_id(action_id) or action_id not in actions):
        return _rejected(_echo(event), N_("Ukjent aksjon."))
    action = actions.get(action_id)
    conversation = _conversation(event.get("conversation"), Outcome.CONVERSATION, action)
    if isinstance(conversation, Refusal):
        return _rejected(_echo(event), conversation.message, **conversation.params)
    if not isinstance(conversation, dict) or not (conversation["topics"] or conversation["words"]):
        return _rejected(_echo(event), N_("Innspillet må ha et tema eller noen ord."))
    postnummer = event.get("postnummer") or None
    if postnummer is not None and (not isinstance(postnummer, str) or not re.fullmatch(r"\d{4}", postnummer)):
        return _rejected(_echo(event), N_("Ugyldig postnummer «%(value)s»."), value=_shown(postnummer))
    branch_id = action.branch_id if action else _own_branch(user, postnummer)
    if postnummer is not None and not _in_territory(user, branch_id, postnummer):
        return _rejected(_echo(event), N_("Postnummeret %(value)s hører ikke til lagets område."), value=postnummer)
    return {**conversation, "organisation_id": user.organisation_id, "branch_id": branch_id,
            "action_id": action.id if action else None, "address_id": None, "postnummer": postnummer,
            "district_number": None, "recorded_at": recorded_at}


def _own_branch(user: User, postnummer: str | None) -> int | None:
    """The branch input under no action is filed under: the person's own, and for someone who knocks doors in
    several, the one holding the postal code. An admin without a branch there files for the organisation."""
    mine = sorted(user.branch_ids(*BRANCH_ROLES))
    if postnummer is not None:
        holding = [b for b in mine if _in_territory(user, b, postnummer)]
        if holding:
            return holding[0]
    if user.is_admin:
        return None
    return mine[0] if mine else None


def _in_territory(user: User, branch_id: int | None, postnummer: str) -> bool:
    """Whether the postal code is the branch's, or for input under no branch (an admin's), the organisation's."""
    query = select(BranchPostalCode.postnummer).join(Branch).where(
        BranchPostalCode.postnummer == postnummer, Branch.organisation_id == user.organisation_id)
    if branch_id is not None:
        query = query.where(BranchPostalCode.branch_id == branch_id)
    return db.session.scalar(query.limit(1)) is not None


def _visit_row(event: dict, user: User, allowed: dict[int, set[int]], actions: dict[int, Action],
               asked_by_id: dict | None = None) -> dict | Result:
    """The Visit row an event asks for (with its conversation and contact details), or why it cannot be stored.
    `asked_by_id`: for each action, its questions by id (`questions.by_id`), filled in as the batch's first answers
    to it are checked."""
    try:
        outcome = Outcome(event.get("outcome"))
    except ValueError:
        return _rejected(_echo(event), N_("Ukjent resultat «%(value)s»."), value=_shown(event.get("outcome")))
    recorded_at = _recorded_at(event)
    if recorded_at is None:
        return _rejected(_echo(event), N_("Tidspunktet for registreringen er ugyldig."))
    turf_id, address_id = event.get("turf_id"), event.get("address_id")
    if not _is_id(turf_id) or not _is_id(address_id) or address_id not in allowed.get(turf_id, ()):
        return _rejected(_echo(event), N_("Du kan ikke registrere besøk på denne adressen."))
    action_id = event.get("action_id")
    if action_id is not None and (not _is_id(action_id) or action_id not in actions):
        return _rejected(_echo(event), N_("Ukjent aksjon."))
    unit = event.get("unit") or ""
    # A door the walk list could have shown: "H0101'--", "0", "-1" or "../x" named no door and yet counted as one.
    if not isinstance(unit, str) or not doors.DOOR.fullmatch(unit):
        return _rejected(_echo(event), N_("Ugyldig dør «%(value)s»."), value=_shown(unit))
    corrects = event.get("corrects")
    if corrects is not None:
        try:
            corrects = str(uuid.UUID(corrects if isinstance(corrects, str) else ""))
        except ValueError:
            return _rejected(_echo(event), N_("Ugyldig id på registreringen som angres."))
    # A leaflet round's records are entrances marked, a door round's are doors (undos follow what they undo).
    wrong = mailboxes.wrong_round(actions.get(action_id), outcome.value) if corrects is None else None
    if wrong:
        return _rejected(_echo(event), wrong)
    counts = (None, None)
    if outcome == Outcome.MAILBOXES and corrects is None:
        # An entrance of a leaflet round (protocol 1.4): its optional counts, checked against its mailboxes.
        counts = mailboxes.checked_counts({**event, "unit": unit}, actions.get(action_id))
        if isinstance(counts[0], str):
            return _rejected(_echo(event), counts[0], **counts[1])
    conversation = _conversation(event.get("conversation"), outcome, actions.get(action_id))
    if isinstance(conversation, Refusal):
        return _rejected(_echo(event), conversation.message, **conversation.params)
    # A refused contact part does not cost the conversation: it is stored without it, and the answer says why.
    contact = _contact(event.get("contact"), conversation)
    refused = [{"part": "contact", "reason": contact}] if isinstance(contact, str) else []
    if conversation is not None:
        # Answers to the action's questions (protocol 1.3); a phone from before sends none. A bad answer is left
        # out and said so; the conversation is stored.
        action = actions.get(action_id)
        answers = event["conversation"].get("answers")
        asked = action.asked if action else None
        listed = None
        if answers and asked is not None and asked_by_id is not None:
            if action_id not in asked_by_id:
                asked_by_id[action_id] = questions.by_id(asked)
            listed = asked_by_id[action_id]
        conversation["_answers"], why = questions.check_answers(asked, answers, listed)
        if why:
            refused.append({"part": "answers", "reason": why})
    return {"_conversation": conversation, "_contact": None if isinstance(contact, str) else contact,
            "_refused": refused,
            "organisation_id": user.organisation_id,
            "action_id": action_id, "turf_id": turf_id, "address_id": address_id, "unit": unit, "outcome": outcome,
            "canvasser_id": user.id, "recorded_at": recorded_at, "received_at": utcnow(), "corrects": corrects,
            "no_ads": counts[0], "locked": counts[1]}


# A door or address added in the field (docs/sync.md, "A missing door").
DOOR_KINDS = ("door", "address")


LABEL_MAX = 40


STREET_MAX = 80


HOUSE_NUMBER = re.compile(r"\d{1,4} ?[A-Za-zÆØÅæøå]?")


# A phone further than this from every address of the turf is not standing at a missing address of it.
NEAR_METRES = 1000


def _text(value) -> str | None:
    """Text as a person typed it, on one line with single spaces; None if it is not text at all."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", value).split()) if isinstance(value, str) else None


def _one_newline(value):
    """`value` with each line break one character: a form sends it as two ("\r\n"), so 4,000 characters that fit
    the box's maxlength, which counts it as one, were refused as 4,099 after they had been shown as saved."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    if isinstance(value, dict):
        return {key: _one_newline(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_one_newline(item) for item in value]
    return value


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance along the earth's surface (haversine): plenty precise for "is it near the turf"."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def _door_row(event: dict, event_id: str, user: User, actions: dict[int, Action]) -> dict | Result:
    """A door missing at an address of the turf, or an address missing near one, as the canvasser walking the
    turf adds it. Only someone given the turf may add to it; the coordinator confirms it later."""
    recorded_at = _recorded_at(event)
    if recorded_at is None:
        return _rejected(_echo(event), N_("Tidspunktet for registreringen er ugyldig."))
    what = event.get("what")
    if what not in DOOR_KINDS:
        return _rejected(_echo(event), N_("Ukjent slags tillegg «%(value)s»."), value=_shown(what))
    turf_id, address_id = event.get("turf_id"), event.get("address_id")
    turf = _assigned_turf(user, turf_id, address_id)
    if turf is None:
        return _rejected(_echo(event), N_("Bare den som har fått roden, kan legge til dører og adresser i den."))
    action_id = event.get("action_id")
    if action_id is not None and (not _is_id(action_id) or action_id not in actions):
        return _rejected(_echo(event), N_("Ukjent aksjon."))
    lat, lon = None, None
    if what == "door":
        label = _text(event.get("label"))
        if not label:
            return _rejected(_echo(event), N_("Skriv hva døra heter, for eksempel H0203 eller Kjeller."))
        if len(label) > LABEL_MAX:
            return _rejected(_echo(event), N_("Navnet på døra kan ha høyst %(max)s tegn."), max=LABEL_MAX)
    else:
        street, number = _text(event.get("street")), _text(event.get("number"))
        if not street or not number:
            return _rejected(_echo(event), N_("Skriv gatenavn og husnummer, for eksempel Sagveien 5B."))
        if len(street) > STREET_MAX:
            return _rejected(_echo(event), N_("Gatenavnet kan ha høyst %(max)s tegn."), max=STREET_MAX)
        if not HOUSE_NUMBER.fullmatch(number):
            message = N_("Husnummeret «%(value)s» er ikke et husnummer: skriv et tall, gjerne med bokstav, som 5B.")
            return _rejected(_echo(event), message, value=_shown(number))
        label = f"{street} {number}"
        position = _position(event, turf_id)
        if isinstance(position, Result):
            return position
        lat, lon = position
    return {"organisation_id": user.organisation_id, "branch_id": turf.branch_id, "turf_id": turf_id,
            "action_id": action_id, "address_id": address_id, "kind": what, "unit": field_unit(event_id),
            "label": label, "lat": lat, "lon": lon, "added_by_id": user.id, "recorded_at": recorded_at,
            "received_at": utcnow(), "status": "pending"}


def _assigned_turf(user: User, turf_id, address_id) -> Turf | None:
    """The turf, if the user was given it (in any action) and the address is one of its stops."""
    if not _is_id(turf_id) or not _is_id(address_id):
        return None
    return db.session.scalar(
        select(Turf).join(Assignment, Assignment.turf_id == Turf.id).join(TurfAddress, TurfAddress.turf_id == Turf.id)
        .where(Turf.id == turf_id, Turf.organisation_id == user.organisation_id, Assignment.user_id == user.id,
               TurfAddress.address_id == address_id).limit(1))


def _position(event: dict, turf_id: int) -> tuple[float | None, float | None] | Result:
    """The phone's position, when the canvasser shared it: near the turf, rounded to about a metre."""
    lat, lon = event.get("lat"), event.get("lon")
    if lat is None and lon is None:
        return None, None
    if not all(type(v) in (int, float) and math.isfinite(v) for v in (lat, lon)) or abs(lat) > 90 or abs(lon) > 180:
        return _rejected(_echo(event), N_("Posisjonen er ugyldig."))
    points = db.session.execute(select(Address.lat, Address.lon).join(TurfAddress, TurfAddress.address_id == Address.id)
                                .where(TurfAddress.turf_id == turf_id)).all()
    nearest = min((_metres(lat, lon, a, o) for a, o in points), default=0)
    if nearest > NEAR_METRES:
        return _rejected(_echo(event), N_("Posisjonen er %(km)s km fra roden. Legg bare til adresser i roden du går."),
                         km=max(1, round(nearest / 1000)))
    return round(lat, 5), round(lon, 5)


def known_topics(action: Action | None, topics: list[str]) -> list[str]:
    """The topics that are on the action's list (the campaign's default list without an action), each once and
    spelt as the list spells it; others are dropped, as a checkbox form that was tampered with would be.

    The one check for the door page, the stand page and every phone's sync: a name or a sentence typed
    as a topic would reach the committees' topic lists unscrubbed."""
    by_key = _listed(action.topics if action is not None else None)
    return list(dict.fromkeys(by_key[t.strip().casefold()] for t in topics if t.strip().casefold() in by_key))


@functools.lru_cache(maxsize=256)
def _listed(topics: str | None) -> dict[str, str]:
    """An action's topic list (`Action.topic_list`; None: the default list) by its case-folded names. Kept by the
    list's text: a batch of 200 conversations asks for the same list 200 times."""
    listed = [t.strip() for t in topics.splitlines() if t.strip()] if topics is not None else DEFAULT_TOPICS
    return {t.casefold(): t for t in listed}


# The forms' maxlength: a paste past it (some keyboards, an old cached page) is refused with the limit.
MAX_WORDS = 4000


def _conversation(data, outcome: Outcome, action: Action | None) -> dict | Refusal | None:
    """The conversation's content, checked; a Refusal says what is wrong with it. Topics not on the action's
    list are dropped (`known_topics`): a phone whose list is older than a coordinator's edit keeps the words."""
    if data is None:
        return None
    if outcome != Outcome.CONVERSATION or not isinstance(data, dict):
        return Refusal(N_("Samtaleinnholdet hører bare til en samtale."))
    topics = data.get("topics") or []
    words = data.get("words") or ""
    importance = data.get("importance")
    if isinstance(words, str) and len(words) > MAX_WORDS:
        return Refusal(N_("Teksten kan være høyst %(limit)s tegn (denne har %(count)s)."),
                       limit=MAX_WORDS, count=len(words))
    if (
        not isinstance(topics, list)
        or len(topics) > TOPICS_MAX
        or not all(isinstance(t, str) and 0 < len(t) <= TOPIC_MAX for t in topics)
        or not isinstance(words, str)
        or not (importance is None or type(importance) is int and 1 <= importance <= 3)
    ):
        return Refusal(N_("Samtaleinnholdet er ugyldig."))
    return {
        "topics": "\n".join(known_topics(action, topics)),
        "words": words.strip(),
        "importance": importance,
        "wants_membership": bool(data.get("wants_membership")),
        "wants_contact": bool(data.get("wants_contact")),
    }


def _contact(data, conversation: dict | None) -> dict | str | None:
    """Contact details, accepted only with the current consent text ticked and a reason to contact."""
    if data is None:
        return None
    if (
        not isinstance(data, dict)
        or conversation is None
        or not (conversation["wants_membership"] or conversation["wants_contact"])
    ):
        return N_("Kontaktinformasjon kan bare lagres når beboeren vil bli medlem eller kontaktet.")
    if data.get("consent_version") != consent.VERSION or data.get("consent") is not True:
        return N_("Kontaktinformasjon kan bare lagres med samtykke.")
    fields = [data.get(key) or "" for key in ("name", "phone", "email")]
    if not all(isinstance(value, str) for value in fields):
        return N_("Kontaktinformasjonen er ufullstendig eller ugyldig.")
    name, phone, email = fields[0].strip(), re.sub(r"\s", "", fields[1]) or None, fields[2].strip() or None
    if (
        not name
        or len(name) > 100
        or not (phone or email)
        or (phone and not re.fullmatch(r"\+?\d{8,15}", phone))
        or (email and (len(email) > 200 or "@" not in email))
    ):
        return N_("Kontaktinformasjonen er ufullstendig eller ugyldig.")
    return {
        "name": name,
        "phone": phone,
        "email": email,
        "purposes": consent.purposes(conversation["wants_membership"], conversation["wants_contact"]),
    }


def contact_refusal(data, conversation: dict | None) -> str | None:
    """Why a conversation's contact part would be refused at sync (untranslated), or None when it would be kept:
    the practice round checks its form by the same rule, so it teaches the real one."""
    checked = _contact(data, conversation)
    return checked if isinstance(checked, str) else None


SAME = (
    "organisation_id",
    "action_id",
    "turf_id",
    "address_id",
    "unit",
    "outcome",
    "canvasser_id",
    "recorded_at",
    "corrects",
    "no_ads",
    "locked",
)


SAID = {
    "visit": SAME,
    "note": ("organisation_id", "address_id", "text", "author_id", "recorded_at"),
    "door": ("organisation_id", "turf_id", "address_id", "kind", "label", "lat", "lon", "added_by_id", "recorded_at"),
    "input": (
        "organisation_id",
        "branch_id",
        "action_id",
        "postnummer",
        "topics",
        "words",
        "importance",
        "recorded_at",
    ),
}


SAID_IN_CONVERSATION = ("topics", "words", "importance", "wants_membership", "wants_contact")


SAID_IN_CONTACT = ("name", "phone", "email")


NOT_YOURS = N_("Bare dørbankere, koordinatorer og administratorer kan registrere.")


NOT_YOURS_TO_UNDO = N_("Registreringen du vil angre, finnes ikke, hører til en annen dør, eller er verken din "
                       "eller rodepartnerens i denne aksjonen.")


CONFLICT = N_("En annen registrering har samme id.")


def _said(kind: str, row, conversation=None, contact=None, answers=()) -> dict:
    """What an event says, field by field, from its checked row or from what was stored: two sends of
    one record say the same. Contact details count only while they are stored (see `_compare`). The answers
    to the action's questions are the checked event's, or for a stored conversation `answers`."""
    said = {key: _get(row, key) for key in SAID[kind]} if not isinstance(row, dict) else \
        {key: row[key] for key in SAID[kind]}
    if kind == "visit":
        said["conversation"] = conversation and {
            **({key: _get(conversation, key) for key in SAID_IN_CONVERSATION} if not isinstance(conversation, dict)
               else {key: conversation[key] for key in SAID_IN_CONVERSATION}),
            "answers": sorted(conversation["_answers"] if isinstance(conversation, dict) else answers)}
        said["contact"] = contact and {key: _get(contact, key) for key in SAID_IN_CONTACT}
    return said


def _get(row, key):
    return row[key] if isinstance(row, dict) else getattr(row, key)


def _checked(
    event, user: User, allowed: dict[int, set[int]], actions: dict[int, Action], storable: bool = False,
    asked_by_id: dict | None = None,
) -> tuple[str, str, dict] | Result:
    """An event's type, id and row, or why it can never be stored. `storable`: the whole batch was found storable
    (`_storable`), so each of its events is; `asked_by_id`: each action's questions by id (`questions.by_id`), kept
    for the batch."""
    if not isinstance(event, dict):
        return _rejected(None, N_("Ugyldig registrering."))
    event = _one_newline(event)
    if not storable and not _storable(event):
        return _rejected(
            _echo(event), N_("Registreringen inneholder tegn som ikke kan lagres (en halv emoji eller et nulltegn).")
        )
    event_id = _event_id(event)
    if event_id is None:
        return _rejected(_echo(event), N_("Ugyldig id på registreringen."))
    kind = event.get("type")
    if kind == "note":
        row = _note_row(event, user, allowed)
    elif kind == "input":
        row = _input_row(event, user, actions)
    elif kind == "visit":
        row = _visit_row(event, user, allowed, actions, asked_by_id)
    elif kind == "door":
        row = _door_row(event, event_id, user, actions)
    else:
        return _rejected(_echo(event), N_("Ukjent type registrering."))
    return row if isinstance(row, Result) else (kind, event_id, row)


# A NUL as JSON writes it: `\u0000` after an even number of backslashes (an odd number is a typed backslash).
ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def _storable(value) -> bool:
    """Text every database can hold: JSON lets a phone send half a surrogate pair or a NUL, which UTF-8
    and PostgreSQL refuse at insert, failing the whole batch. The walk over every key and value is json's (in C):
    half a surrogate pair cannot be encoded as UTF-8, and a NUL is escaped. A batch is asked once as a whole (a NUL
    or half a pair is inside one string of one event, so a storable batch has only storable events), and event by
    event only when it is not."""
    text = json.dumps(value, ensure_ascii=False, check_circular=False, default=str)
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    # The regex tries every position; a substring search (in C) finds first whether there is a NUL to look at.
    return "\\u0000" not in text or ESCAPED_NUL.search(text) is None
