"""Admin pages for accounts: the list of users, inviting one or many (CSV), changing role,
hospital and end date, deactivating, resetting the second factor; and API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from evac.services import registry
from evac.services import users as user_service
from evac.services.errors import InvalidInput
from evac.terms import Role, choices
from evac.web.access import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _hospital_choices():
    return [("", _("No hospital"))] + [
        (h.code, f"{h.name} ({h.code})") for h in registry.hospitals()
    ]


def _region_choices():
    return [("", _("No region"))] + [(r.code, f"{r.code} · {r.name}") for r in registry.regions()]


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=lambda: choices(Role))
    hospital = SelectField(_l("Hospital"), choices=_hospital_choices, validate_choice=False)
    region = SelectField(
        _l("Region (for regional coordinators)"), choices=_region_choices, validate_choice=False
    )
    expires_on = DateField(
        _l("Account ends after (for temporary accounts)"), validators=[Optional()]
    )


class NewUserForm(UserForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


class TokenForm(FlaskForm):
    email = EmailField(_l("User's e-mail address"), validators=[DataRequired(), Length(max=254)])
    label = StringField(_l("What it is for"), validators=[Length(max=200)])
    days = IntegerField(
        _l("Valid for (days)"), default=90, validators=[DataRequired(), NumberRange(1, 3660)]
    )


def _apply_problems(form, problems) -> None:
    for p in problems:
        target = getattr(form, p.field, None)
        if target is None:
            flash(p.message, "error")
        else:
            target.errors = [*target.errors, p.message]


@bp.get("/users")
@roles_required(Role.ADMIN)
def users():
    return render_template("admin/users.html", users=user_service.list_users(current_user))


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_user():
    form = NewUserForm()
    status = 200
    if form.validate_on_submit():
        try:
            invitation = user_service.invite_user(
                current_user,
                form.email.data,
                form.role.data,
                name=form.name.data,
                hospital_code=form.hospital.data or None,
                region_code=form.region.data or None,
                expires_on=form.expires_on.data,
            )
        except InvalidInput as exc:
            _apply_problems(form, exc.problems)
            status = 422
        else:
            return render_template("admin/invited.html", invitations=[invitation])
    elif request.method == "POST":
        status = 422
    return render_template("admin/new_user.html", form=form), status


@bp.route("/users/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def import_users():
    form = ImportForm()
    problems = []
    status = 200
    if form.validate_on_submit():
        try:
            result = user_service.import_users(current_user, form.file.data.read())
        except InvalidInput as exc:
            problems = exc.problems
            status = 422
        else:
            return render_template("admin/invited.html", invitations=result.invitations)
    return render_template(
        "admin/import_users.html", form=form, problems=problems,
        columns=user_service.USER_CSV_COLUMNS,
    ), status  # fmt: skip


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user(user_id: int):
    account = user_service.get_user(current_user, user_id)
    form = UserForm(
        obj=account,
        data=None
        if request.method == "POST"
        else {
            "name": account.name,
            "role": account.role,
            "hospital": account.hospital.code if account.hospital else "",
            "region": account.region.code if account.region else "",
            "expires_on": _local_day(account.expires_at),
        },
    )
    status = 200
    if form.validate_on_submit():
        try:
            user_service.update_user(
                current_user,
                user_id,
                name=form.name.data,
                role=form.role.data,
                hospital_code=form.hospital.data or None,
                expires_on=form.expires_on.data,
                region_code=form.region.data or None,
            )
        except InvalidInput as exc:
            _apply_problems(form, exc.problems)
            status = 422
        else:
            flash(_("The account of %(email)s was changed.", email=account.email), "success")
            return redirect(url_for("admin.user", user_id=user_id))
    elif request.method == "POST":
        status = 422
    return render_template("admin/user.html", account=account, form=form), status


def _local_day(value):
    """The last day a temporary account works, as the admin entered it."""
    if value is None:
        return None
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from flask import current_app

    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return (value.astimezone(zone) - timedelta(seconds=1)).date()


@bp.post("/users/<int:user_id>/active")
@roles_required(Role.ADMIN)
def set_active(user_id: int):
    active = request.form.get("active") == "1"
    account = user_service.set_active(current_user, user_id, active)
    if active:
        flash(_("%(email)s may sign in again.", email=account.email), "success")
    else:
        flash(_("%(email)s was deactivated and signed out.", email=account.email), "info")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/two-factor/reset")
@roles_required(Role.ADMIN)
def reset_two_factor(user_id: int):
    account = user_service.reset_two_factor(current_user, user_id)
    flash(
        _("Two-factor sign-in of %(email)s was reset; they set it up again.", email=account.email),
        "info",
    )
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/invitation")
@roles_required(Role.ADMIN)
def reinvite(user_id: int):
    invitation = user_service.reinvite(current_user, user_id)
    return render_template("admin/invited.html", invitations=[invitation])


@bp.route("/tokens", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def tokens():
    form = TokenForm()
    status = 200
    if form.validate_on_submit():
        try:
            token = user_service.create_api_token(
                form.email.data, form.label.data or "", actor=current_user, days=form.days.data
            )
        except InvalidInput as exc:
            _apply_problems(form, exc.problems)
            status = 422
        else:
            return render_template("admin/token_created.html", token=token, email=form.email.data)
    elif request.method == "POST":
        status = 422
    return (
        render_template("admin/tokens.html", form=form, tokens=user_service.list_api_tokens()),
        status,
    )


@bp.post("/tokens/<int:token_id>/revoke")
@roles_required(Role.ADMIN)
def revoke_token(token_id: int):
    user_service.revoke_api_token(token_id, actor=current_user)
    flash(_("The token was revoked; it no longer opens the API."), "info")
    return redirect(url_for("admin.tokens"))
