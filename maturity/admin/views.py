"""Platform administration: organisations, collaboratives, accounts, outbox, audit trail,
background jobs."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from maturity.accounts import services as accounts
from maturity.accounts.models import Role, User
from maturity.admin.forms import JobRetryForm, NewCollaborativeForm
from maturity.audit.models import AuditEvent
from maturity.audit.services import record_event
from maturity.collaboratives.models import Collaborative, PeerVisibility
from maturity.collaboratives.services import create_collaborative
from maturity.db import db
from maturity.errors import DomainError
from maturity.extensions import get_redis
from maturity.jobs import monitor
from maturity.mail.models import OutboxEmail
from maturity.mail.services import deliver_outbox
from maturity.organisations.forms import OrganisationForm
from maturity.organisations.models import Organisation, OrganisationKind
from maturity.organisations.services import create_organisation
from maturity.tenancy import get_or_404
from maturity.web import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 100


@bp.before_request
@admin_required
def _admins_only():
    """Every page here is for platform admins only."""


@bp.get("/")
def admin_home():
    """Organisations and collaboratives on the platform."""
    organisations = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    collaboratives = db.session.scalars(
        sa.select(Collaborative)
        .options(selectinload(Collaborative.convening_organisation))
        .order_by(Collaborative.name)
    ).all()
    return render_template(
        "admin/home.html", organisations=organisations, collaboratives=collaboratives
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
def organisation_new():
    """Add an organisation (a council or a convening body)."""
    form = OrganisationForm()
    if form.validate_on_submit():
        organisation = create_organisation(
            form.name.data,
            OrganisationKind(form.kind.data),
            region=form.region.data,
            population=form.population.data,
            actor_id=current_user.id,
        )
        db.session.commit()
        flash(f"{organisation.name} added", "success")
        return redirect(url_for(".admin_home"))
    return render_template("admin/organisation_new.html", form=form)


@bp.route("/collaboratives/new", methods=["GET", "POST"])
def collaborative_new():
    """Start a collaborative and invite its first convenor."""
    form = NewCollaborativeForm()
    organisations = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    form.convening_organisation.choices = [SelectChoice(str(o.id), o.name) for o in organisations]
    if not organisations:
        flash("Add the convening organisation first", "info")
        return redirect(url_for(".organisation_new"))
    if form.validate_on_submit():
        convening = get_or_404(Organisation, int(form.convening_organisation.data))
        collaborative = create_collaborative(
            form.name.data,
            convening,
            peer_visibility=PeerVisibility(form.peer_visibility.data),
            min_group_size=form.min_group_size.data,
            actor_id=current_user.id,
        )
        accounts.invite_person(
            form.convenor_email.data,
            form.convenor_name.data,
            Role.CONVENOR,
            invited_by=current_user,
            collaborative=collaborative,
        )
        db.session.commit()
        deliver_outbox()
        flash(f"{collaborative.name} created and its convenor invited", "success")
        return redirect(url_for(".admin_home"))
    return render_template("admin/collaborative_new.html", form=form)


@bp.get("/users")
def user_list():
    """Every account, with its roles."""
    users = db.session.scalars(
        sa.select(User).options(selectinload(User.grants)).order_by(User.email)
    ).all()
    return render_template("admin/users.html", users=users)


@bp.post("/users/<int:user_id>/active")
def user_toggle_active(user_id: int):
    """Deactivate an account (ending its sessions) or reactivate it."""
    user = get_or_404(User, user_id)
    if user.id == current_user.id:
        flash("You cannot deactivate your own account", "error")
        return redirect(url_for(".user_list"))
    user.is_active = not user.is_active
    if not user.is_active:
        accounts.end_all_sessions(user)
    action = "account.reactivated" if user.is_active else "account.deactivated"
    record_event(action, "user", user.id, actor_id=current_user.id)
    db.session.commit()
    flash(f"{user.email} {'reactivated' if user.is_active else 'deactivated'}", "success")
    return redirect(url_for(".user_list"))


@bp.get("/outbox")
def outbox_list():
    """Emails written by the service; without SMTP they are only delivered here."""
    emails = db.session.scalars(
        sa.select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(PAGE_SIZE)
    ).all()
    return render_template("admin/outbox.html", emails=emails)


@bp.get("/audit")
def audit_list():
    """The newest audit events."""
    events = db.session.scalars(
        sa.select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
        .limit(PAGE_SIZE)
    ).all()
    return render_template("admin/audit.html", events=events)


@bp.get("/jobs")
def job_list():
    """The background queue (waiting, running, scheduled, deferred, failed) and recent tasks."""
    return render_template(
        "admin/jobs.html",
        report=monitor.read_queue(get_redis()),
        tasks=monitor.recent_tasks(),
        retry_form=JobRetryForm(),
    )


@bp.post("/jobs/retry")
def job_retry():
    """Put one failed job back on the queue."""
    form = JobRetryForm()
    if not form.validate_on_submit():
        flash("Choose a failed job to retry", "error")
        return redirect(url_for(".job_list"))
    try:
        monitor.retry_failed_job(get_redis(), form.job_id.data)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".job_list"))
    record_event("job.retried", "job", form.job_id.data[:64], actor_id=current_user.id)
    db.session.commit()
    flash(f"Job {form.job_id.data} is back on the queue", "success")
    return redirect(url_for(".job_list"))


@bp.post("/jobs/retry-all")
def job_retry_all():
    """Put every failed job back on the queue."""
    try:
        count = monitor.retry_all_failed(get_redis())
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".job_list"))
    record_event("job.retried_all", "job", "failed", actor_id=current_user.id, count=count)
    db.session.commit()
    flash(f"{count} failed job{'' if count == 1 else 's'} back on the queue", "success")
    return redirect(url_for(".job_list"))
