"""Actions (aksjoner) and campaign weeks for coordinators; sign-up for volunteers (their turf: web/my_turf.py)."""
import json
from datetime import datetime

import segno
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext, to_utc
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, FloatField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from canvass.extensions import db
from canvass.models import Action, Campaign, QuestionSet, Role, Turf, User
from canvass.refusal import N_
from canvass.services import same_form
from canvass.services.field import field
from canvass.services.turf import actions, held, progress, questions, turfs
from canvass.typed import row_id, row_ids
from canvass.web import flash_error, form_ids
from canvass.web.access import branch_for_manager, roles_required
from canvass.web.refusals import answer, refused_to

bp = Blueprint("actions", __name__)
MANAGERS = (Role.ADMIN, Role.COORDINATOR)
KIND_LABELS = {"door": _l("Dørbanking"), "leaflet": _l("Løpeseddelutdeling i postkasser")}


class ActionForm(FlaskForm):
    title = StringField(_l("Navn på aksjonen"), validators=[DataRequired(_l("Skriv et navn.")), Length(max=120)])
    kind = SelectField(_l("Type"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    day = DateField(_l("Dato"), validators=[DataRequired(_l("Velg en dato."))])
    time = TimeField(_l("Klokkeslett"), validators=[DataRequired(_l("Velg et klokkeslett."))])
    meeting_point = StringField(_l("Oppmøtested"), validators=[Length(max=200)])
    meeting_lat = FloatField(_l("Breddegrad"), validators=[Optional(), NumberRange(57, 82)])
    meeting_lon = FloatField(_l("Lengdegrad"), validators=[Optional(), NumberRange(-10, 35)])
    campaign = SelectField(_l("Kampanjeuke"), choices=[], validate_choice=False)
    topics = TextAreaField(_l("Temaer (ett per linje)"))
    question_set = SelectField(_l("Spørsmålssett (valgfritt)"), choices=[], validate_choice=False)
    guide = TextAreaField(_l("Samtaleguide (valgfri, vises for dørbankerne før første dør)"),
                          validators=[Length(max=questions.GUIDE_MAX)])
    form_id = form_ids.form_id()


class AskedForm(FlaskForm):
    """The questions and the guide of an existing action."""
    question_set = SelectField(_l("Spørsmålssett (valgfritt)"), choices=[], validate_choice=False)
    guide = TextAreaField(_l("Samtaleguide (valgfri, vises for dørbankerne før første dør)"),
                          validators=[Length(max=questions.GUIDE_MAX)])


class CampaignForm(FlaskForm):
    name = StringField(_l("Navn på kampanjeuka"), validators=[DataRequired(_l("Skriv et navn.")), Length(max=120)])
    starts_on = DateField(_l("Fra"), validators=[DataRequired(_l("Velg en dato."))])
    ends_on = DateField(_l("Til"), validators=[DataRequired(_l("Velg en dato."))])


def action_for_manager(action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None or action.organisation_id != current_user.organisation_id:
        abort(404)
    branch_for_manager(action.branch_id)
    return action


def _action_form(branch) -> ActionForm:
    form = ActionForm()
    form.campaign.choices = [SelectChoice("", gettext("Ingen"))] + [
        SelectChoice(str(c.id), c.name) for c in actions.campaigns(branch)]
    if not form.topics.data:
        form.topics.data = Action.topics.default.arg
    form.question_set.choices = _set_choices(branch)
    return form


def _set_choices(branch) -> list[SelectChoice]:
    return [SelectChoice("", gettext("Ingen spørsmål"))] + [
        SelectChoice(str(s.id), s.name) for s in questions.usable_sets(branch)]


def _chosen_campaign(branch, value: str | None) -> Campaign | None:
    """The campaign week chosen in a form: one of the branch's (create_action checks whose), or none; an id that is
    not one (a crafted form, a week deleted since the page was opened) is refused, not taken as none."""
    if not value:
        return None
    campaign = db.session.get(Campaign, number) if (number := row_id(value)) else None
    if campaign is None:
        raise turfs.TurfError(N_("Velg en kampanjeuke fra listen."))
    return campaign


def _chosen_set(branch, value: str | None) -> QuestionSet | None:
    """The set chosen in a form, if the branch may use it; another branch's or organisation's is refused."""
    if not value:
        return None
    question_set = db.session.get(QuestionSet, number) if (number := row_id(value)) else None
    if question_set is None or not questions.usable_in(question_set, branch):
        raise questions.QuestionError(N_("Spørsmålssettet hører til et annet lag."))
    return question_set


@bp.get("/lag/<int:branch_id>/aksjoner")
@roles_required(*MANAGERS)
def index(branch_id: int):
    """The branch's actions and campaign weeks, and forms to plan new ones."""
    branch = branch_for_manager(branch_id)
    return render_template("actions/index.html", branch=branch, actions=actions.actions(branch),
                           campaigns=actions.campaigns(branch), form=_action_form(branch),
                           campaign_form=CampaignForm(), kinds=KIND_LABELS)


@bp.post("/lag/<int:branch_id>/aksjoner")
@roles_required(*MANAGERS)
def create(branch_id: int):
    branch = branch_for_manager(branch_id)
    form = _action_form(branch)
    if form.validate_on_submit():
        try:
            campaign = _chosen_campaign(branch, form.campaign.data)
            action = actions.create_action(
                branch, form.title.data, form.kind.data, to_utc(datetime.combine(form.day.data, form.time.data)),
                form.meeting_point.data or "", form.meeting_lat.data, form.meeting_lon.data, form.topics.data,
                campaign, _chosen_set(branch, form.question_set.data), form.guide.data or "",
                key=form_ids.key_of(form.form_id))
        except same_form.FormUsed as err:
            flash_error(err)
            form_ids.renew(form.form_id)
        except turfs.TurfError as err:
            flash_error(err)
        else:
            return redirect(url_for("actions.show", action_id=action.id))
    return render_template("actions/index.html", branch=branch, actions=actions.actions(branch),
                           campaigns=actions.campaigns(branch), form=form, campaign_form=CampaignForm(),
                           kinds=KIND_LABELS), 400


@bp.post("/lag/<int:branch_id>/kampanjer")
@roles_required(*MANAGERS)
@refused_to(lambda branch_id: url_for("actions.index", branch_id=branch_id))
def create_campaign(branch_id: int):
    branch = branch_for_manager(branch_id)
    form = CampaignForm()
    if form.validate_on_submit():
        actions.create_campaign(branch, form.name.data, form.starts_on.data, form.ends_on.data)
        return redirect(url_for("actions.index", branch_id=branch.id))
    return render_template("actions/index.html", branch=branch, actions=actions.actions(branch),
                           campaigns=actions.campaigns(branch), form=_action_form(branch), campaign_form=form,
                           kinds=KIND_LABELS), 400


@bp.get("/aksjoner/<int:action_id>")
@roles_required(*MANAGERS)
def show(action_id: int):
    """An action: who walks which turf, and how far they have come."""
    action = action_for_manager(action_id)
    live = turfs.live_turfs(action.branch)
    tallies = progress.by_turf(live, action.id)
    people_tallies = progress.by_canvasser(live, action.id)
    link = url_for("actions.signup", token=action.signup_token, _external=True)
    # What the last assignment on this page did, shown beside its turf, where the page opens again.
    done = session.pop("turf_done", None)
    return render_template("actions/show.html", action=action, turfs=live, tallies=tallies,
                           total=progress.total(list(tallies.values())), assigned=actions.assignments(action),
                           volunteers=actions.volunteers(action), signed={s.user_id for s in action.signups},
                           done=done if done and done.get("action") == action.id else None,
                           people_tallies=people_tallies,
                           names=user_names(people_tallies), kinds=KIND_LABELS,
                           added=field.pending_doors([t.id for t in live]),
                           link=link, qr=segno.make(link, error="m").svg_inline(scale=4, title=link),
                           asked_form=_asked_form(action), out=questions.is_out(action))


def _asked_form(action: Action) -> AskedForm:
    form = AskedForm(question_set=str(action.question_set_id or ""), guide=action.guide)
    form.question_set.choices = _set_choices(action.branch)
    return form


@bp.post("/aksjoner/<int:action_id>/sporsmal")
@roles_required(*MANAGERS)
@refused_to(lambda action_id: url_for("actions.show", action_id=action_id) + "#sporsmal")
def asked(action_id: int):
    """Choose the action's question set and write its conversation guide."""
    action = action_for_manager(action_id)
    form = AskedForm()
    if form.validate_on_submit():
        questions.ask(action, _chosen_set(action.branch, form.question_set.data))
        action.guide = questions.set_guide(form.guide.data)
        db.session.commit()
        flash(gettext("Spørsmål og samtaleguide er lagret."))
    else:
        flash(gettext("Samtaleguiden kan være høyst %(limit)s tegn.", limit=questions.GUIDE_MAX), "error")
    return redirect(url_for("actions.show", action_id=action.id) + "#sporsmal")


@bp.get("/aksjoner/<int:action_id>/framdrift")
@roles_required(*MANAGERS)
def progress_fragment(action_id: int):
    """The action's totals, polled by the dashboard so it follows the action live."""
    action = action_for_manager(action_id)
    tallies = progress.by_turf(turfs.live_turfs(action.branch), action.id)
    response = render_template("actions/_progress.html", action=action, total=progress.total(list(tallies.values())))
    return response, {"Vary": "HX-Request", "Cache-Control": "no-store"}


@bp.get("/kampanjer/<int:campaign_id>")
@roles_required(*MANAGERS)
def campaign(campaign_id: int):
    """A campaign week: every action in it, with totals and each action's progress."""
    week = db.session.get(Campaign, campaign_id)
    if week is None or week.organisation_id != current_user.organisation_id or week.branch_id is None:
        abort(404)
    branch = branch_for_manager(week.branch_id)
    live = turfs.live_turfs(branch)
    rows = []
    for action in sorted(week.actions, key=lambda a: a.starts_at):
        rows.append((action, progress.total(list(progress.by_turf(live, action.id).values()))))
    combined = progress.by_turf(live)
    return render_template("actions/campaign.html", week=week, branch=branch, rows=rows,
                           total=progress.total([tally for action, tally in rows]),
                           covered=progress.total(list(combined.values())), sets=questions.usable_sets(branch),
                           out=[a for a in week.actions if a.question_set_id is None and questions.is_out(a)])


@bp.post("/kampanjer/<int:campaign_id>/sporsmal")
@roles_required(*MANAGERS)
@refused_to(lambda campaign_id: url_for("actions.campaign", campaign_id=campaign_id))
def campaign_questions(campaign_id: int):
    """The question set asked at every door of the week, unless an action names its own."""
    week = db.session.get(Campaign, campaign_id)
    if week is None or week.organisation_id != current_user.organisation_id or week.branch_id is None:
        abort(404)
    branch = branch_for_manager(week.branch_id)
    questions.ask_in_week(week, _chosen_set(branch, request.form.get("question_set", "")))
    db.session.commit()
    flash(gettext("Spørsmålssettet er lagret."))
    return redirect(url_for("actions.campaign", campaign_id=week.id))


@bp.get("/aksjoner/<int:action_id>/kart.geojson")
@roles_required(*MANAGERS)
def coverage_map(action_id: int):
    """The branch's turf coloured by the share of doors knocked in this action."""
    action = action_for_manager(action_id)
    live = turfs.live_turfs(action.branch)
    tallies = progress.by_turf(live, action.id)
    features = [
        {"type": "Feature", "geometry": json.loads(t.geometry), "properties": {
            "name": t.name, "coverage": round(tallies[t.id].coverage, 3),
            "fill": tallies[t.id].shade,
            "label": f"{t.name}: {round(tallies[t.id].coverage * 100)} %"}}
        for t in live if t.geometry]
    if action.meeting_lat is not None and action.meeting_lon is not None:
        features.append({"type": "Feature", "geometry": {"type": "Point",
                                                         "coordinates": [action.meeting_lon, action.meeting_lat]},
                         "properties": {"label": gettext("Oppmøte: %(place)s", place=action.meeting_point)}})
    return jsonify({"type": "FeatureCollection", "features": features})


@bp.post("/aksjoner/<int:action_id>/tildel")
@roles_required(*MANAGERS)
def assign(action_id: int):
    """Give a turf to one volunteer or a pair (re-assigning them if they had another)."""
    action = action_for_manager(action_id)
    t = _turf_of(action)
    ids = set(row_ids(request.form.getlist("user")))
    # Everyone named in the organisation, so one who may not walk here is refused by name, not left out unsaid.
    users = list(db.session.scalars(select(User).where(User.id.in_(ids), User.organisation_id == action.organisation_id)
                                    .order_by(User.name, User.id)))
    try:
        left = actions.assign(action, t, users)
    except held.TurfGone as err:  # its row has left the page, so the message goes at the top
        return answer(err, url_for("actions.show", action_id=action.id), 303)
    except turfs.TurfError as err:
        _done(action, t, gettext(err.message, **err.params), error=True)
    else:
        # Taking someone off a turf may leave their partner there alone: say so, not only who has this one.
        _done(action, t, " ".join([
            gettext("%(turf)s er tildelt %(names)s.", turf=t.name, names=", ".join(u.name for u in users)),
            *(gettext("%(name)s går ikke lenger %(turf)s.", name=user.name, turf=turf.name) for user, turf in left)]))
    return redirect(url_for("actions.show", action_id=action.id) + f"#rode-{t.id}", 303)


def _done(action: Action, t: Turf, text: str, error: bool = False) -> None:
    """The result of assigning or releasing, for the page to show beside the turf it opens at again."""
    session["turf_done"] = {"action": action.id, "turf": t.id, "text": text, "error": error}


@bp.post("/aksjoner/<int:action_id>/frigi")
@roles_required(*MANAGERS)
def release(action_id: int):
    action = action_for_manager(action_id)
    t = _turf_of(action)
    actions.release(action, t)
    released = gettext("%(turf)s er ledig igjen.", turf=t.name)
    if t.archived_at is None:
        _done(action, t, released)
    else:
        flash(released)  # a turf gone since the page was opened has no row to say it beside
    return redirect(url_for("actions.show", action_id=action.id) + f"#rode-{t.id}", 303)


@bp.post("/aksjoner/<int:action_id>/ny-runde")
@roles_required(*MANAGERS)
@refused_to(lambda action_id: url_for("actions.show", action_id=action_id))
def second_round(action_id: int):
    """Build a turf of the doors nobody answered, for another round at another time of day."""
    action = action_for_manager(action_id)
    t = _turf_of(action)
    again = turfs.second_round(t)
    flash(gettext("Ny rode med %(doors)s dører som ikke var hjemme.", doors=again.doors))
    return redirect(url_for("turf.show", turf_id=again.id))


def _turf_of(action: Action) -> Turf:
    t = db.session.get(Turf, request.form.get("turf", type=int) or 0)
    if t is None or t.branch_id != action.branch_id:
        abort(400)
    return t  # one that has left the map since the page was opened is refused as the change is made (held.py)


@bp.route("/aksjon/<token>", methods=["GET", "POST"])
@login_required
def signup(token: str):
    """A volunteer signs up for an action from its link or QR code."""
    action = actions.by_signup_token(token)
    if action is None or action.organisation_id != current_user.organisation_id:
        abort(404)
    signed = any(s.user_id == current_user.id for s in action.signups)
    if request.method == "POST":
        actions.sign_up(action, current_user)
        flash(gettext("Du er påmeldt %(title)s.", title=action.title))
        return redirect(url_for("home.index"))
    return render_template("actions/signup.html", action=action, signed=signed, kinds=KIND_LABELS)


def user_names(ids) -> dict[int, str]:
    return {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(list(ids))))}
