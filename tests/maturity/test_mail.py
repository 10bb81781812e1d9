"""The outbox: emails wait for commit, go out over SMTP, and keep no secret link once sent."""

import sqlalchemy as sa

from maturity.db import db
from maturity.mail import services
from maturity.mail.models import OutboxEmail


def test_without_smtp_emails_stay_whole_in_the_outbox(app):
    services.queue_email("a@example.org", "Invitation", "Open https://x.example/password/SECRET1")
    db.session.commit()
    assert services.deliver_outbox() == 0
    email = db.session.scalars(sa.select(OutboxEmail)).one()
    assert email.sent_at is None and "SECRET1" in email.body


def test_sent_emails_lose_their_secret_links(app, monkeypatch):
    sent = []
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setattr(services, "_send_smtp", lambda email: sent.append(email.body))
    services.queue_email("a@example.org", "Invitation", "Open https://x.example/r/SECRET2/ now")
    db.session.commit()
    assert services.deliver_outbox() == 1
    assert "SECRET2" in sent[0], "the person gets the link"
    db.session.expire_all()
    email = db.session.scalars(sa.select(OutboxEmail)).one()
    assert email.sent_at is not None
    assert "SECRET2" not in email.body and services.LINK_REMOVED in email.body


def test_a_failed_send_keeps_the_email_for_another_try(app, monkeypatch):
    def refuse(email):
        raise OSError("connection refused")

    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    monkeypatch.setattr(services, "_send_smtp", refuse)
    services.queue_email("a@example.org", "Reset", "https://x.example/password/SECRET3")
    db.session.commit()
    assert services.deliver_outbox() == 0
    db.session.expire_all()
    email = db.session.scalars(sa.select(OutboxEmail)).one()
    assert email.sent_at is None and email.attempts == 1 and "SECRET3" in email.body
