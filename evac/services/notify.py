"""E-mail notifications through an outbox: a message is written in the same transaction as the
change it reports, and sent after the commit. A failing mail server never fails the change; the
message waits in the outbox and is retried (`flask --app evac send-mail`, e.g. from cron).

Messages name cases by their reference only: no patient identity travels by e-mail.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from evac.config import LOCALE_FORMATS
from evac.extensions import db
from evac.models import OutboxMessage, User
from evac.models.types import utcnow
from evac.terms import Role

log = logging.getLogger("evac.mail")
MAX_ATTEMPTS = 8


Recipient = tuple[str, str | None]  # (e-mail address, preferred locale)


def queue(
    recipients: list[Recipient],
    render: Callable[[], tuple[str, str]],
    attachment: tuple[str, bytes] | None = None,
) -> None:
    """Add a message per recipient to the outbox, in the caller's transaction. `render` gives
    (subject, body) and is called in each recipient's language; `attachment` is (file name,
    PDF bytes)."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    for address, locale in sorted(set(recipients)):
        language = locale or default
        with force_locale(LOCALE_FORMATS.get(language, language)):
            subject, body = render()
        db.session.add(
            OutboxMessage(
                recipient=address, subject=str(subject), body=str(body),
                attachment=attachment[1] if attachment else None,
                attachment_name=attachment[0] if attachment else None,
            )
        )  # fmt: skip


def hospital_staff(hospital_id: int) -> list[Recipient]:
    rows = db.session.execute(
        select(User.email, User.locale).where(
            User.hospital_id == hospital_id, User.role == Role.HOSPITAL, User.active
        )
    )
    return [(email, locale) for email, locale in rows]


def duty_coordinator() -> list[Recipient]:
    """The centre's duty mailbox: one address that whoever is on duty reads."""
    return [(current_app.config["EVAC_DUTY_EMAIL"], None)]


def send_pending(limit: int = 50) -> tuple[int, int]:
    """Send what is due; returns (sent, failed attempts). Never raises."""
    sent = failed = 0
    now = utcnow()
    try:
        for _ in range(limit):
            # One message at a time, claimed with a row lock until it is marked sent: another
            # host running the outbox at the same moment skips it instead of sending it again.
            message = db.session.scalar(
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if message is None:
                break
            try:
                _deliver(message)
            except (OSError, smtplib.SMTPException) as exc:
                failed += 1
                message.attempts += 1
                message.last_error = str(exc)[:500]
                # back off: 1, 2, 4, ... minutes; give up after MAX_ATTEMPTS
                message.next_attempt_at = now + timedelta(minutes=2 ** (message.attempts - 1))
                if message.attempts >= MAX_ATTEMPTS:
                    message.status = "failed"
                    log.error("giving up on mail %s to %s: %s", message.id, message.recipient, exc)
            else:
                sent += 1
                message.attempts += 1
                message.status = "sent"
                message.sent_at = utcnow()
            db.session.commit()
    except Exception:  # the outbox must never break the action that filled it
        db.session.rollback()
        log.exception("sending the outbox failed")
    return sent, failed


def _deliver(message: OutboxMessage) -> None:
    cfg = current_app.config
    host = cfg.get("EVAC_SMTP_HOST")
    if not host:
        log.info(
            "mail (no SMTP server set) to %s: %s\n%s",
            message.recipient,
            message.subject,
            message.body,
        )
        return
    mail = EmailMessage()
    mail["From"] = cfg["EVAC_MAIL_FROM"]
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail.set_content(message.body)
    if message.attachment is not None:
        mail.add_attachment(message.attachment, maintype="application", subtype="pdf",
                            filename=message.attachment_name or "attachment.pdf")  # fmt: skip
    with smtplib.SMTP(host, cfg["EVAC_SMTP_PORT"], timeout=cfg["EVAC_SMTP_TIMEOUT"]) as smtp:
        if cfg["EVAC_SMTP_STARTTLS"]:
            smtp.starttls()
        if cfg.get("EVAC_SMTP_USER"):
            smtp.login(cfg["EVAC_SMTP_USER"], cfg["EVAC_SMTP_PASSWORD"])
        smtp.send_message(mail)
