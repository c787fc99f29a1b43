"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from evac.services import users as user_service
from evac.web.access import EVERYONE, public, roles_required

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = user_service.authenticate(form.email.data, form.password.data)
        except user_service.LoginFailed as exc:
            flash(exc.message, "error")
            status = 401
        else:
            login_user(user)
            target = request.args.get("next") or ""
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("dashboard.index")
            return redirect(target)
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@roles_required(*EVERYONE)
def logout():
    user_service.record_logout(current_user)
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
