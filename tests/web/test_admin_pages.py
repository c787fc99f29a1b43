"""Admin pages: the list of users, inviting one or many, changing role, deactivating, resetting
two-factor sign-in; API tokens created with an end and revoked, and the CLI for tokens."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from evac.extensions import db
from evac.models import ApiToken, User
from tests.conftest import login, post_form


def test_the_user_list_shows_role_hospital_last_sign_in_and_two_factor(as_user, make):
    make.user("hospital", "UMCG", email="sanne@umcg.example")
    client = as_user("admin")
    html = client.get("/admin/users").get_data(as_text=True)
    row = re.search(r"sanne@umcg\.example.*?</tr>", html, re.S).group(0)
    assert "Hospital" in row and "UMCG" in row and "never" in row and "off" in row
    assert "Users" in client.get("/").get_data(as_text=True)  # in the navigation


def test_inviting_a_user_shows_the_link_once_and_mails_it(app, as_user):
    client = as_user("admin")
    response = post_form(client, "/admin/users/new", {"email": "new@mst.example", "name": "Nieuw",
                         "role": "hospital", "hospital": "MST2", "expires_on": ""},
                         page="/admin/users/new")  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "/invitation/" in html
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@mst.example"))
        assert user.hospital.code == "MST2" and user.invitation_hash
    bad = post_form(client, "/admin/users/new", {"email": "x@y.example", "name": "X",
                    "role": "hospital", "hospital": ""}, page="/admin/users/new")  # fmt: skip
    assert bad.status_code == 422 and "needs a hospital code" in bad.get_data(as_text=True)


def test_many_users_from_csv_or_none_with_the_rows_named(app, as_user):
    client = as_user("admin")
    bad = b"email,name,role,hospital,expires_on\nok@y.example,Ok,viewer,,\nbroken,B,pilot,,\n"
    response = post_form(client, "/admin/users/import",
                         {"file": (io.BytesIO(bad), "users.csv")}, page="/admin/users/import",
                         content_type="multipart/form-data")  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Nobody was created" in html and "Unknown role" in html
    good = b"email,name,role,hospital,expires_on\nok@y.example,Ok,viewer,,2099-12-31\n"
    response = post_form(client, "/admin/users/import",
                         {"file": (io.BytesIO(good), "users.csv")}, page="/admin/users/import",
                         content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 200 and "ok@y.example" in response.get_data(as_text=True)


def test_changing_a_role_and_deactivating_from_the_user_page(app, client, make):
    admin = make.user("admin")
    target = make.user("coordinator")
    theirs = app.test_client()
    login(theirs, target)
    login(client, admin)
    page = f"/admin/users/{target.id}"
    assert "Deactivate" in client.get(page).get_data(as_text=True)
    response = post_form(client, page, {"name": "Reserve", "role": "viewer", "hospital": "",
                         "expires_on": "2099-01-31"}, page=page)  # fmt: skip
    assert response.status_code == 302
    assert theirs.get("/cases/").status_code == 302  # signed out by the role change
    with app.app_context():
        user = db.session.get(User, target.id)
        assert user.role == "viewer" and user.expires_at is not None
    html = client.get(page).get_data(as_text=True)
    assert 'value="2099-01-31"' in html  # the last day, as entered
    post_form(client, f"{page}/active", {"active": "0"}, page=page)
    assert "Reactivate" in client.get(page).get_data(as_text=True)


def test_resetting_two_factor_of_a_user(app, client, make):
    from evac.services import signin

    target = make.user("coordinator")
    with app.app_context():
        import pyotp

        user = db.session.get(User, target.id)
        signin.confirm_enrolment(user, pyotp.TOTP(signin.start_enrolment(user)).now())
    login(client, make.user("admin"))
    page = f"/admin/users/{target.id}"
    assert "Reset two-factor sign-in" in client.get(page).get_data(as_text=True)
    post_form(client, f"{page}/two-factor/reset", page=page)
    with app.app_context():
        assert not db.session.get(User, target.id).two_factor_enabled


def test_a_token_made_on_the_page_works_until_revoked(app, as_user, make):
    viewer = make.user("viewer")
    client = as_user("admin")
    response = post_form(client, "/admin/tokens", {"email": viewer.email, "label": "dashboard",
                         "days": "30"}, page="/admin/tokens")  # fmt: skip
    token = re.search(r'<code class="secret">(evac_[^<]+)</code>', response.get_data(as_text=True))
    token = token.group(1)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def row() -> str:  # the token's row in the list
        listing = client.get("/admin/tokens").get_data(as_text=True)
        return re.search(rf"<tr[^>]*>\s*<td>\d+</td><td>{re.escape(viewer.email)}</td>.*?</tr>",
                         listing, re.DOTALL).group(0)  # fmt: skip

    assert "dashboard" in row() and "never" in row()  # not used yet (it has an end date)
    assert api.get("/api/v1/capacity", headers=headers).status_code == 200
    assert "never" not in row()  # its use is noted
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.label == "dashboard"))
    post_form(client, f"/admin/tokens/{token_id}/revoke", page="/admin/tokens")
    assert api.get("/api/v1/capacity", headers=headers).status_code == 401


def test_token_commands_create_with_an_end_list_and_revoke(app, runner, make):
    user = make.user("coordinator")
    created = runner.invoke(args=["create-api-token", user.email, "--label", "bridge",
                                  "--days", "10"])  # fmt: skip
    token = created.output.strip().splitlines()[-1]
    listed = runner.invoke(args=["list-api-tokens", "--email", user.email])
    token_id, email, state = listed.output.split("\t")[:3]
    assert email == user.email and state == "active" and "bridge" in listed.output
    revoked = runner.invoke(args=["revoke-api-token", token_id])
    assert revoked.exit_code == 0
    assert (
        app.test_client()
        .get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
        .status_code
        == 401
    )
    assert runner.invoke(args=["revoke-api-token", "99999"]).exit_code == 1
