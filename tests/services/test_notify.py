"""E-mail through a real SMTP server (aiosmtpd on localhost): what is sent, in whose language,
and that a failing server never fails the offer."""

import socket
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from evac.extensions import db
from evac.models import OutboxMessage, User
from evac.services import cases, notify, offers, triage, users


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("EVAC_SMTP_HOST", "EVAC_SMTP_PORT")}
    app.config.update(EVAC_SMTP_HOST="127.0.0.1", EVAC_SMTP_PORT=port)
    yield inbox
    app.config.update(saved)
    controller.stop()


def setup_offer(make, locale=None):
    coordinator = db.session.get(User, make.user("coordinator").id)
    staff = db.session.get(User, make.user("hospital", "UMCG").id)
    if locale:
        users.set_locale(staff, locale)
    ref = make.case(family_name="Бойко", given_name="Тарас")
    triage.triage_case(coordinator, ref, triage.starting_values(cases.get_case(coordinator, ref)))
    return coordinator, staff, ref


def test_a_new_offer_mails_the_hospital_with_a_link_and_no_identity(ctx, make, smtp):
    coordinator, staff, ref = setup_offer(make)
    offer = offers.make_offer(coordinator, ref, "UMCG")
    (mail,) = smtp.messages
    body = mail.get_payload(decode=True).decode()
    assert mail["To"] == staff.email and ref in mail["Subject"]
    assert f"http://localhost/hospital/offers/{offer.id}" in body
    assert "Бойко" not in body + mail["Subject"] and "Boiko" not in body


def test_mail_is_written_in_the_recipients_language(ctx, make, smtp):
    coordinator, staff, ref = setup_offer(make, locale="nl")
    offers.make_offer(coordinator, ref, "UMCG")
    (mail,) = smtp.messages
    body = mail.get_payload(decode=True).decode()
    assert "Casus" in body or "casus" in body


def test_a_decline_tells_the_duty_coordinator(ctx, make, smtp):
    coordinator, staff, ref = setup_offer(make)
    offer = offers.make_offer(coordinator, ref, "UMCG")
    offers.decline_offer(staff, offer.id, "no_staff")
    assert [m["To"] for m in smtp.messages] == [staff.email, "pecc@lcps.example"]
    assert "Not enough staff" in smtp.messages[1].get_payload(decode=True).decode()


def test_a_failing_mail_server_never_fails_the_offer_and_is_retried(ctx, make, app, smtp):
    coordinator, staff, ref = setup_offer(make)
    port = app.config["EVAC_SMTP_PORT"]
    app.config["EVAC_SMTP_PORT"] = 1  # nothing listens there
    offer = offers.make_offer(coordinator, ref, "UMCG")
    assert offer.status == "pending" and smtp.messages == []
    waiting = db.session.scalar(select(OutboxMessage))
    assert waiting.status == "pending" and waiting.attempts == 1 and waiting.last_error
    app.config["EVAC_SMTP_PORT"] = port
    waiting.next_attempt_at = waiting.created_at  # due again
    db.session.commit()
    assert notify.send_pending() == (1, 0)
    assert len(smtp.messages) == 1 and db.session.get(OutboxMessage, waiting.id).status == "sent"
