"""Queue emails with the change that causes them; deliver them after commit."""

import logging
import re
import smtplib
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app

from maturity.db import db, utcnow
from maturity.mail.models import OutboxEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def queue_email(recipient: str, subject: str, body: str) -> OutboxEmail:
    """Add an email to the outbox; it is sent once the caller's transaction commits."""
    email = OutboxEmail(recipient=recipient, subject=subject, body=body)
    db.session.add(email)
    db.session.flush()
    return email


LINK = re.compile(r"https?://\S+")
LINK_REMOVED = "[link removed once the email was sent]"


def without_links(body: str) -> str:
    """The body with every link replaced: links carry single-use secrets, which must not
    outlive delivery in the database (only their hashes are kept)."""
    return LINK.sub(LINK_REMOVED, body)


def smtp_is_configured() -> bool:
    """Whether MAIL_SERVER is set."""
    return bool(current_app.config.get("MAIL_SERVER"))


def _send_smtp(email: OutboxEmail) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message.set_content(email.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def deliver_outbox() -> int:
    """Send unsent emails over SMTP (or log them in development); return how many were sent."""
    pending = db.session.scalars(
        sa.select(OutboxEmail)
        .where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS)
        .order_by(OutboxEmail.id)
    ).all()
    if not smtp_is_configured():
        for email in pending:
            log.info(
                "Email to %s (no SMTP; kept in the outbox): %s", email.recipient, email.subject
            )
        return 0
    sent = 0
    for email in pending:
        email.attempts += 1
        try:
            _send_smtp(email)
        except (OSError, smtplib.SMTPException):
            log.exception("Could not send email %s", email.id)
            continue
        email.sent_at = utcnow()
        email.body = without_links(email.body)
        sent += 1
    db.session.commit()
    return sent
