"""Signing in: the throttle (per account and client address, per account, for unknown addresses
alike, under concurrency), the same work for unknown and known addresses, and the second factor
(TOTP codes used once, recovery codes used once)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from evac.extensions import db
from evac.models import AuditEvent, LoginThrottle, User
from evac.models.types import utcnow
from evac.services import signin


def actor(u) -> User:
    return db.session.get(User, u.id)


def fail(email, client="10.0.0.1", password="wrong password") -> str:
    with pytest.raises(signin.LoginFailed) as err:
        signin.authenticate(email, password, client)
    return err.value.message


def end_locks() -> None:
    db.session.execute(update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_five_failures_from_one_address_lock_that_address_out_of_the_account(ctx, make):
    u = make.user("coordinator")
    for _ in range(5):
        assert "wrong password" in fail(u.email)
    # Now even the right password is refused from there ...
    assert "Too many failed attempts" in fail(u.email, password=u.password)
    # ... while the coordinator, elsewhere, still signs in: a stranger cannot lock them out.
    assert signin.authenticate(u.email, u.password, "192.0.2.7").id == u.id
    # The lock ends by itself.
    end_locks()
    assert signin.authenticate(u.email, u.password, "10.0.0.1").id == u.id
    assert "user.login_failed" in db.session.scalars(select(AuditEvent.action)).all()


def test_many_addresses_together_lock_the_account(ctx, make, app):
    u = make.user("coordinator")
    limit = app.config["EVAC_LOGIN_MAX_FAILURES_ACCOUNT"]
    for i in range(limit):
        fail(u.email, client=f"10.0.{i}.1")
    assert "Too many" in fail(u.email, client="10.9.9.9", password=u.password)


def test_unknown_addresses_are_answered_and_throttled_like_known_ones(ctx, make):
    u = make.user()
    assert fail("nobody@y.example") == fail(u.email)
    for _ in range(4):
        fail("nobody@y.example")
        fail(u.email)
    # The sixth attempt: both locked, with the same words; nobody learns which account exists.
    assert fail("nobody@y.example") == fail(u.email)
    assert "Too many" in fail("nobody@y.example")


def test_unknown_and_known_addresses_cost_one_password_check_each(ctx, make, monkeypatch):
    checks = []
    real = signin.check_password_hash
    monkeypatch.setattr(signin, "check_password_hash", lambda h, p: checks.append(h) or real(h, p))
    u = make.user()
    fail("nobody@y.example")
    fail(u.email)
    assert len(checks) == 2
    # The unknown address is checked against a hash made the same way as the real ones.
    assert checks[0].split("$")[0] == checks[1].split("$")[0]


def test_a_deactivated_user_gets_the_wrong_password_answer(ctx, make):
    u = make.user()
    actor(u).active = False
    db.session.commit()
    assert "wrong password" in fail(u.email, password=u.password)


def test_forty_parallel_guesses_get_at_most_five_password_checks(app, make, monkeypatch):
    u = make.user("coordinator")
    checks = []
    real = signin.check_password_hash
    lock = threading.Lock()

    def counted(stored, password):
        with lock:
            checks.append(1)
        return real(stored, password)

    monkeypatch.setattr(signin, "check_password_hash", counted)
    start = threading.Barrier(40)
    answers = []

    def guess(n):
        with app.app_context():
            start.wait()
            try:
                signin.authenticate(u.email, f"guess {n}", "203.0.113.5")
            except signin.LoginFailed as exc:
                answers.append(exc.message)
            except Exception as exc:  # e.g. SQLite's "database is locked" under load
                answers.append(type(exc).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 40
    assert len(checks) <= app.config["EVAC_LOGIN_MAX_FAILURES"]
    assert sum("Too many" in a for a in answers) >= 40 - app.config["EVAC_LOGIN_MAX_FAILURES"]


# ---------------------------------------------------------------------------------------------
# The second factor


def enrolled(make) -> tuple[User, pyotp.TOTP, list[str]]:
    u = actor(make.user("coordinator"))
    secret = signin.start_enrolment(u)
    totp = pyotp.TOTP(secret)
    codes = signin.confirm_enrolment(u, totp.now())
    return u, totp, codes


def test_enrolment_needs_a_right_code_and_gives_ten_recovery_codes(ctx, make):
    u = actor(make.user("coordinator"))
    secret = signin.start_enrolment(u)
    assert "otpauth://totp/evac:" in signin.provisioning_uri(u)
    with pytest.raises(signin.LoginFailed):
        signin.confirm_enrolment(u, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert not u.two_factor_enabled
    version = u.session_version
    codes = signin.confirm_enrolment(u, pyotp.TOTP(secret).now())
    assert u.two_factor_enabled and len(set(codes)) == 10
    assert u.session_version == version + 1  # sessions without the second factor end


def test_a_code_signs_in_once_and_a_wrong_one_not_at_all(ctx, make):
    u, totp, _codes = enrolled(make)
    # The enrolment used the current code already: it cannot be replayed.
    with pytest.raises(signin.LoginFailed):
        signin.check_second_factor(u, totp.now())
    u.totp_last_step = None
    db.session.commit()
    assert signin.check_second_factor(u, totp.now()) == "totp"
    with pytest.raises(signin.LoginFailed):
        signin.check_second_factor(u, totp.now())
    with pytest.raises(signin.LoginFailed):
        signin.check_second_factor(u, "12345")


def test_a_recovery_code_works_once(ctx, make):
    u, _totp, codes = enrolled(make)
    assert signin.check_second_factor(u, codes[3].upper()) == "recovery"
    assert signin.recovery_codes_left(u) == 9
    with pytest.raises(signin.LoginFailed):
        signin.check_second_factor(u, codes[3])


def test_wrong_codes_are_throttled(ctx, make):
    u, totp, codes = enrolled(make)
    for _ in range(5):
        with pytest.raises(signin.LoginFailed):
            signin.check_second_factor(u, "abc-def", "10.0.0.1")
    with pytest.raises(signin.LoginFailed) as err:
        signin.check_second_factor(u, codes[0], "10.0.0.1")
    assert "Too many" in err.value.message


def test_two_factor_is_required_for_coordinators_and_admins_only_when_set(ctx, make, app):
    coordinator, viewer = actor(make.user("coordinator")), actor(make.user("viewer"))
    assert not signin.two_factor_required(coordinator)  # off in the test settings
    app.config["EVAC_REQUIRE_2FA"] = True
    try:
        assert signin.two_factor_required(coordinator)
        assert not signin.two_factor_required(viewer)
    finally:
        app.config["EVAC_REQUIRE_2FA"] = False
