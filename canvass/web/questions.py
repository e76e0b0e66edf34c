"""Question sets for coordinators: build, reorder, copy, and retire-and-replace a question once it may be on a phone."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from canvass.extensions import db
from canvass.models import Question, QuestionSet, Role
from canvass.services.turf import questions
from canvass.web.access import roles_required
from canvass.web.refusals import refused_to

bp = Blueprint("questions", __name__)
MANAGERS = (Role.ADMIN, Role.COORDINATOR)
KIND_LABELS = {"yes_no": _l("Ja / nei / vet ikke"), "scale": _l("Skala 1–5"), "one": _l("Ett av flere svar"),
               "many": _l("Flere av flere svar"), "text": _l("Kort fritekst")}
# The answers a yes/no question is counted in, in the order the door shows them.
YES_NO_LABELS = {"yes": _l("Ja"), "no": _l("Nei"), "dont_know": _l("Vet ikke")}


def _readable(set_id: int) -> QuestionSet:
    """The set, if the manager may read it: 404 for another organisation's or another branch's."""
    question_set = db.session.get(QuestionSet, set_id)
    if question_set is None or not questions.may_read(current_user, question_set):
        abort(404)
    return question_set


def _editable(set_id: int) -> QuestionSet:
    question_set = _readable(set_id)
    if not questions.may_edit(current_user, question_set):
        abort(403)
    return question_set


def _typed() -> dict:
    form = request.form
    return {"kind": form.get("kind", ""), "text": form.get("text", ""), "options": form.get("options", ""),
            "low": form.get("low", ""), "high": form.get("high", "")}


@bp.get("/sporsmal")
@roles_required(*MANAGERS)
def index():
    """The question sets the manager may use: their branch's and the organisation's."""
    return render_template("questions/index.html", sets=questions.sets_for(current_user),
                           branches=current_user.organisation.branches if current_user.is_admin else [],
                           may_edit=lambda s: questions.may_edit(current_user, s))


@bp.post("/sporsmal")
@roles_required(*MANAGERS)
@refused_to(lambda: url_for("questions.index"))
def create():
    branch_id = request.form.get("branch", type=int)
    question_set = questions.create_set(current_user, request.form.get("name", ""), branch_id)
    return redirect(url_for("questions.show", set_id=question_set.id))


@bp.get("/sporsmal/<int:set_id>")
@roles_required(*MANAGERS)
def show(set_id: int):
    """A set: its questions in order, each editable until it may be on a phone (then retired and replaced), and
    a form for a new one."""
    question_set = _readable(set_id)
    return render_template("questions/show.html", question_set=question_set, kinds=KIND_LABELS,
                           editable=questions.may_edit(current_user, question_set),
                           answers=questions.answer_counts(question_set), yes_no=YES_NO_LABELS,
                           fixed=questions.fixed(question_set), sent_out=_sent_out(question_set))


def _sent_out(question_set: QuestionSet) -> tuple[int, list]:
    """How many actions are out with the set, and those among them the manager plans (another branch's are
    counted, not named)."""
    out = questions.sent_out_with(question_set)
    mine = current_user.branch_ids(Role.COORDINATOR)
    return len(out), [a for a in out if current_user.is_admin or a.branch_id in mine]


@bp.post("/sporsmal/<int:set_id>/navn")
@roles_required(*MANAGERS)
@refused_to(lambda set_id: url_for("questions.show", set_id=set_id))
def rename(set_id: int):
    question_set = _editable(set_id)
    questions.rename_set(question_set, request.form.get("name", ""))
    return redirect(url_for("questions.show", set_id=set_id))


@bp.post("/sporsmal/<int:set_id>/kopi")
@roles_required(*MANAGERS)
def copy(set_id: int):
    """A copy of any set the manager may read, in their own branch (an admin's where the original is)."""
    question_set = _readable(set_id)
    copied = questions.copy_set(current_user, question_set)
    flash(gettext("Kopiert. Gi kopien et nytt navn og tilpass spørsmålene."))
    return redirect(url_for("questions.show", set_id=copied.id))


@bp.post("/sporsmal/<int:set_id>/nytt")
@roles_required(*MANAGERS)
@refused_to(lambda set_id: url_for("questions.show", set_id=set_id) + "#nytt")
def add(set_id: int):
    question_set = _editable(set_id)
    question = questions.add_question(question_set, **_typed())
    return redirect(url_for("questions.show", set_id=set_id) + f"#q-{question.id}")


@bp.post("/sporsmal/<int:set_id>/<int:question_id>")
@roles_required(*MANAGERS)
@refused_to(lambda set_id, question_id: url_for("questions.show", set_id=set_id) + f"#q-{question_id}")
def change(set_id: int, question_id: int):
    """One question: save an edit, retire, replace, remove, or move it (the button pressed says which)."""
    question_set = _editable(set_id)
    question = db.session.get(Question, question_id)
    if question is None or question.set_id != question_set.id:
        abort(404)
    do = request.form.get("do")
    anchor = f"#q-{question.id}"
    if do == "save":
        questions.edit_question(question, **_typed())
    elif do == "replace":
        anchor = f"#q-{questions.replace(question, **_typed()).id}"
    elif do == "retire":
        questions.retire(question)
    elif do == "remove":
        questions.remove(question)
        anchor = ""
    elif do in ("up", "down"):
        questions.move(question, -1 if do == "up" else 1)
    else:
        abort(400)
    return redirect(url_for("questions.show", set_id=set_id) + anchor)
