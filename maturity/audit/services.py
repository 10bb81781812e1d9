"""Record audit events."""

from typing import Any

from flask import has_request_context, request

from maturity.audit.models import AuditEvent
from maturity.db import db


def record_event(
    action: str,
    subject_type: str,
    subject_id: object,
    *,
    actor_id: int | None,
    organisation_id: int | None = None,
    collaborative_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction.

    The client address is the one piece of request state a service may read: it is what
    "from where" means in the audit trail, and it is None outside a request.
    """
    event = AuditEvent(
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        actor_id=actor_id,
        organisation_id=organisation_id,
        collaborative_id=collaborative_id,
        ip_address=request.remote_addr if has_request_context() else None,
        details=details,
    )
    db.session.add(event)
    return event
