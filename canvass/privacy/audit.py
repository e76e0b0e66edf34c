"""The audit log: who viewed, exported or erased personal data, written in the same transaction as the act."""
from canvass.extensions import db
from canvass.models import AuditEntry

VIEW, EXPORT, ERASE, PURGE = "view", "export", "erase", "purge"
# Who gave whom a way in, or took it away (services/people/logins.py).
LOGIN_LINK, REMOVE, REVOKE = "login_link", "remove", "revoke"
# Who gave or took a role (services/people/people.py).
ROLE = "role"
SYSTEM = "system"


def log(user, event: str, subject: str, count: int = 0, organisation_id: int | None = None) -> None:
    """Note one access; `user` None is the purge or the command line. The caller's commit stores it with the act.

    `subject` is a short line in bokmål, stored as written like any log line."""
    db.session.add(AuditEntry(organisation_id=user.organisation_id if user else organisation_id,
                              user_id=user.id if user else None, user_name=user.name if user else SYSTEM,
                              event=event, subject=subject[:200], count=count))
