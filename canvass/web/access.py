"""Who may see what: role checks and organisation/branch scoping for every view."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from canvass.extensions import db
from canvass.models import Branch, Role


def roles_required(*roles: Role):
    """Require a logged-in user holding one of `roles` somewhere; others get 403. Which branch a role reaches
    is checked by the view (branch_for_manager, the committee's scope)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.holds(*roles):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def branch_for_manager(branch_id: int) -> Branch:
    """The branch, if the current user may manage it: 404 for another organisation's, 403 for another branch."""
    branch = db.session.get(Branch, branch_id)
    if branch is None or branch.organisation_id != current_user.organisation_id:
        abort(404)
    if not current_user.can_manage_branch(branch):
        abort(403)
    return branch
