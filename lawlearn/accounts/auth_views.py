"""Login, logout and password change."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lawlearn.accounts import auth_bp, devices, services
from lawlearn.accounts.forms import ChangePasswordForm, LoginForm
from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.extensions import db, limiter
from lawlearn.security import safe_next


def login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    return response.status_code >= 400


# One budget per address for the login page, the API token endpoint and password changes,
# spent only by failures: a room of people logging in at once is not throttled.
login_throttle = limiter.shared_limit(login_rate_limit, scope="credentials",
                                      methods=["POST"], deduct_when=_failed)


@auth_bp.route("/login", methods=["GET", "POST"])
@login_throttle
def login():
    """Log in with username and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), _landing(current_user)))
    form = LoginForm(next=request.args.get("next", ""))
    error, status = None, 200
    if form.validate_on_submit():
        device = devices.known_device(form.username.data)
        try:
            user = services.authenticate(form.username.data, form.password.data, utcnow(),
                                         known_device=device is not None)
        except DomainError as failure:
            if device is not None and failure.code == "invalid_credentials":
                devices.count_failure(device)  # this browser's count, not the account's
            db.session.commit()  # keep the failure count that leads to a lockout
            error, status = failure.message, failure.status
        else:
            login_user(user, remember=form.remember.data)
            db.session.commit()
            response = redirect(safe_next(form.next.data, _landing(user)))
            devices.remember_device(response, user.username, user.login_nonce)
            return response
    return render_template("auth/login.html", form=form, error=error), status


def _landing(user) -> str:
    """Where signing in leads without a ``next``: the admin pages for an account that only
    administers (the staff home page offered it practice and "未分配部门"), else home."""
    return "admin.index" if user.is_admin and not user.studies else "main.home"


@auth_bp.route("/logout", methods=["POST"])
def logout():
    """Log out this browser (a POST, so that a link on another site cannot do it). Other
    logins of the account stay: an admin leaving on a phone must not stop the check-in
    projector running under the same account in the meeting room."""
    logout_user()
    flash(_("您已退出登录。"), "success")
    return redirect(url_for("auth.login"))


@auth_bp.route("/logout/everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    """Log out every browser and phone client of the account (asked first): the login
    nonce changes, so every session and remember-me cookie issued so far, copied ones too,
    is refused; every bearer token and the calendar feed's address end too."""
    services.end_every_sign_in(current_user._get_current_object(), utcnow())
    db.session.commit()
    logout_user()
    flash(_("已在所有设备上退出登录。"), "success")
    return redirect(url_for("auth.login"))


@auth_bp.route("/password", methods=["GET", "POST"])
@login_required
@login_throttle
def change_password():
    """Change one's own password; required at first login and after a reset."""
    form = ChangePasswordForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data,
                                     form.new_password.data)
        except DomainError as error:
            db.session.commit()  # keep the failure count of a wrong current password
            getattr(form, error.field or "new_password").errors.append(error.message)
            return render_template("auth/change_password.html", form=form), error.status
        else:
            db.session.commit()
            login_user(current_user._get_current_object(), remember=False)  # the new nonce keeps this session
            flash(_("密码已修改。"), "success")
            return redirect(safe_next(form.next.data))
    return render_template("auth/change_password.html", form=form)
