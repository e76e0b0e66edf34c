"""Every route in the URL map against every role and branch, generated from the map itself.

A new route without a line in POLICY fails the test, so nobody can add a page and forget who may
see it. Everything is seeded in Sagene (Oslo): the other branch's coordinator and canvasser, the
committee and Bærum must be turned away, and no page any of them can open may show Sagene's
personal data.
"""
import tests.actors
from tests.actors import (
    ADMIN,
    ANON,
    BAERUM,
    BAERUM_KOMITE,
    CONTACT_NAME,
    CONTACT_PHONE,
    DANIEL,
    FRIDA,
    FROGNER,
    HOLDER_PHONE,
    KOMITE,
    NOTE,
    SAGENE,
    clients,
    readable,
    url,
)

world = tests.actors.world  # the fixture: every actor logged in on the same database

EVERYONE = {DANIEL, FRIDA, SAGENE, FROGNER, ADMIN, KOMITE, BAERUM, BAERUM_KOMITE}
OSLO = {DANIEL, FRIDA, SAGENE, FROGNER, ADMIN, KOMITE}
PUBLIC = EVERYONE | {ANON}
MANAGES_SAGENE = {SAGENE, ADMIN}
MANAGERS = {SAGENE, FROGNER, ADMIN, BAERUM}
ADMINS = {ADMIN, BAERUM}
COMMITTEES = {KOMITE, BAERUM_KOMITE}
VOLUNTEERS = {DANIEL, FRIDA, SAGENE, FROGNER}

# Who gets the page (GET) or may do the thing (POST), for objects that belong to Sagene in Oslo.
# A page for "own scope" (the people list, the follow-up list) is open to every manager; what it shows
# is checked by SECRETS below.
POLICY = {
    "actions.assign": MANAGES_SAGENE, "actions.campaign": MANAGES_SAGENE, "actions.coverage_map": MANAGES_SAGENE,
    "actions.create": MANAGES_SAGENE, "actions.create_campaign": MANAGES_SAGENE, "actions.index": MANAGES_SAGENE,
    "my_turf.sheet": {DANIEL}, "my_turf.shape": {DANIEL}, "actions.progress_fragment": MANAGES_SAGENE,
    "actions.asked": MANAGES_SAGENE, "actions.campaign_questions": MANAGES_SAGENE,
    "actions.release": MANAGES_SAGENE, "actions.second_round": MANAGES_SAGENE, "actions.show": MANAGES_SAGENE,
    # Any volunteer of the organisation may sign up for any branch's action.
    "actions.signup": OSLO,
    "admin.counts": ADMINS,
    "admin.download": ADMINS, "admin.geodata": ADMINS, "admin.map_data": ADMINS, "admin.upload": ADMINS,
    "auth.join": PUBLIC, "auth.language": PUBLIC, "auth.login": PUBLIC, "auth.logout": EVERYONE,
    "auth.logout_page": EVERYONE,
    # Only after the right password; anyone else is sent back to the login page.
    "auth.second_factor": set(),
    "branches.create": ADMINS, "branches.divide": ADMINS, "branches.from_district": {ADMIN},
    "branches.from_unit": {ADMIN}, "branches.map_data": MANAGERS,
    "branches.overview": MANAGERS, "branches.set_codes": {ADMIN}, "branches.show": MANAGES_SAGENE,
    # Answers to Sagene's question: the Bærum committee cannot open another organisation's question.
    "committee.answers": COMMITTEES, "committee.answer": {KOMITE}, "committee.answer_export": {KOMITE},
    "committee.answer_compare": {KOMITE}, "committee.answer_compare_export": {KOMITE}, "committee.answer_map": {KOMITE},
    "committee.add_section": COMMITTEES, "committee.compare": COMMITTEES, "committee.consider_input": {KOMITE},
    "committee.consider_theme": {KOMITE}, "committee.dashboard": COMMITTEES, "committee.delete_section": {KOMITE},
    "committee.export": COMMITTEES, "committee.find_themes": COMMITTEES, "committee.input": COMMITTEES,
    "committee.link": COMMITTEES, "committee.merge_themes": {KOMITE}, "committee.move_input": {KOMITE},
    "committee.programme": COMMITTEES, "committee.rename_theme": {KOMITE}, "committee.report": COMMITTEES,
    "committee.set_k": COMMITTEES, "committee.split_theme": {KOMITE}, "committee.tag_input": {KOMITE},
    "committee.theme": {KOMITE}, "committee.unlink": {KOMITE}, "committee.update_section": {KOMITE},
    "field.conversation": {DANIEL}, "field.note": {DANIEL}, "field.record": {DANIEL},
    "field.stand_input": EVERYONE, "field.undo": {DANIEL}, "field.walk": {DANIEL}, "field.door_states": {DANIEL},
    # Only the one given the turf adds a missing door or address; its branch's coordinator (or an admin) decides.
    "field.missing": {DANIEL}, "field.add_door": {DANIEL}, "turf.field_door": MANAGES_SAGENE,
    "home.index": EVERYONE,
    # Standing turf holders and leaflet drops are the branch's own; a county drop (over every branch) only for
    # those who manage every branch, and a holder's walk sheet only for the holder.
    "holders.index": MANAGES_SAGENE, "holders.map_data": MANAGES_SAGENE, "holders.edit": MANAGES_SAGENE,
    "holders.save": MANAGES_SAGENE, "holders.my_sheet": {DANIEL},
    "drops.index": MANAGES_SAGENE, "drops.start": MANAGES_SAGENE, "drops.show": MANAGES_SAGENE,
    "drops.export_csv": MANAGES_SAGENE, "drops.packing_list": MANAGES_SAGENE, "drops.county": ADMINS,
    "drops.start_county": ADMINS,
    # Households reached in Sagene's drop and action: no other branch's coordinator, no committee, not Bærum.
    "drops.coverage": MANAGES_SAGENE, "drops.coverage_map": MANAGES_SAGENE, "drops.action_coverage": MANAGES_SAGENE,
    "drops.action_coverage_map": MANAGES_SAGENE,
    # Choosing which committee to read for: those who read for one (an admin reads the organisation's).
    "home.choose_committee": COMMITTEES | ADMINS,
    # Practice is on the practiser's own branch's addresses, for everyone who knocks doors for a branch.
    "practice.conversation": VOLUNTEERS, "practice.guide": VOLUNTEERS, "practice.record": VOLUNTEERS,
    "practice.walk": VOLUNTEERS,
    # The seeded job is an import started by Oslo's admin: only those who may start imports in Oslo see it.
    "jobs.show": {ADMIN}, "jobs.status": {ADMIN},
    "people.index": MANAGERS, "people.invite": MANAGES_SAGENE, "people.revoke_invite": MANAGES_SAGENE,
    "people.show_invite": MANAGES_SAGENE, "people.login_link": MANAGES_SAGENE,
    "people.revoke_login_link": MANAGES_SAGENE, "people.revoke_device": MANAGES_SAGENE,
    "people.remove": MANAGES_SAGENE, "people.contact": MANAGES_SAGENE,
    # Roles are given and taken by the organisation's admin only.
    "people.add_role": {ADMIN}, "people.remove_role": {ADMIN},
    # A personal login link opens only with its own token; the seeded token is an invite's, so nobody.
    "auth.login_link": set(), "auth.set_password": set(),
    # First-run setup is closed for good once an organisation exists; what comes after it is the admin's.
    "setup.index": set(), "setup.done": ADMINS,
    "organisation.kommuner_page": ADMINS,
    "privacy.audit_log": ADMINS, "privacy.contacts": MANAGERS, "privacy.contacts_export": MANAGERS,
    "privacy.delete_contact": MANAGES_SAGENE, "privacy.followed_up": MANAGES_SAGENE,
    "privacy.subject_erase": ADMINS, "privacy.subject_export": ADMINS, "privacy.subject_request": ADMINS,
    "pwa.manifest": PUBLIC, "pwa.service_worker": PUBLIC, "pwa.offline": PUBLIC, "pwa.favicon": PUBLIC,
    # Published reports are for the whole organisation: counts and scrubbed quotes only.
    # Sagene's question set: its coordinator and the admin edit it; Frogner's coordinator may not even read it.
    "questions.index": MANAGERS, "questions.create": MANAGERS, "questions.show": MANAGES_SAGENE,
    "questions.copy": MANAGES_SAGENE, "questions.rename": MANAGES_SAGENE, "questions.add": MANAGES_SAGENE,
    "questions.change": MANAGES_SAGENE,
    "reports.index": EVERYONE, "reports.show": OSLO,
    "static": PUBLIC,
    "sync.device": EVERYONE, "sync.events": {DANIEL},
    # Map tiles for every login (no personal data in a tile); a turf's tile list for its volunteer only.
    "tiles.tile": EVERYONE, "tiles.turf_tiles": {DANIEL},
    "turf.cut": MANAGES_SAGENE, "turf.index": MANAGES_SAGENE, "turf.merge": MANAGES_SAGENE,
    "turf.move": MANAGES_SAGENE, "turf.outlines": MANAGES_SAGENE, "turf.rename": MANAGES_SAGENE,
    "turf.shape": MANAGES_SAGENE, "turf.sheet": MANAGES_SAGENE, "turf.show": MANAGES_SAGENE,
    "turf.split": MANAGES_SAGENE, "turf.archive": MANAGES_SAGENE,
}

# Personal data seeded in Sagene, and who may ever see it. Any other actor's page showing it is a leak.
SECRETS = {CONTACT_NAME: MANAGES_SAGENE, CONTACT_PHONE: MANAGES_SAGENE,
           "Daniel Dørbanker": {DANIEL, SAGENE, ADMIN}, NOTE: {DANIEL}, HOLDER_PHONE: MANAGES_SAGENE,
           # A volunteer's phone number: for those who manage the branch, on the page that logs each look.
           "91234567": MANAGES_SAGENE}
DENIED = {401, 403, 404}


def _let_in(response) -> bool:
    """The page itself, or a redirect to the user's own place in the app (the start page does that)."""
    return response.status_code == 200 or (response.status_code == 302 and not response.location.startswith("/login"))


def _turned_away(response) -> bool:
    if response.status_code == 302:
        return response.location.startswith("/login")
    return response.status_code in DENIED


def test_every_route_has_a_policy(world):
    assert sorted({rule.endpoint for rule in world.url_map.iter_rules()} - set(POLICY)) == []
    assert sorted(set(POLICY) - {rule.endpoint for rule in world.url_map.iter_rules()}) == []


def test_every_route_lets_in_exactly_who_it_should_and_leaks_nothing(world):
    actors = clients(world)
    wrong = []
    for rule in sorted(world.url_map.iter_rules(), key=lambda r: r.rule):
        address, allowed = url(world, rule), POLICY[rule.endpoint]
        for actor, client in actors.items():
            if "GET" in rule.methods:
                response = client.get(address)
                if actor in allowed and not _let_in(response):
                    wrong.append(f"GET {address} as {actor}: {response.status_code}, expected to be let in")
                elif actor not in allowed and not _turned_away(response):
                    wrong.append(f"GET {address} as {actor}: {response.status_code}, expected to be turned away")
                body = readable(response) if response.status_code == 200 else ""
                wrong += [f"GET {address} as {actor} shows {secret!r}" for secret, may in SECRETS.items()
                          if actor not in may and secret in body]
            if "POST" in rule.methods and actor not in allowed:
                # The sync API answers to a phone's credential, not to a session: without one it is turned away.
                response = client.post(address, data={"branch": world.ids["branch_id"]})
                if not _turned_away(response):
                    wrong.append(f"POST {address} as {actor}: {response.status_code}, expected to be turned away")
    assert wrong == [], "\n".join(wrong)
