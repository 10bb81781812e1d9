"""The coordinator's area for one organisation: overview and people."""

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from maturity.accounts import services as accounts
from maturity.accounts.forms import InvitePersonForm
from maturity.accounts.models import ORGANISATION_ROLES, Role, RoleGrant
from maturity.collaboratives.models import Membership
from maturity.db import db
from maturity.errors import DomainError
from maturity.mail.services import deliver_outbox
from maturity.tenancy import get_or_404, organisation_blueprint

bp = organisation_blueprint("organisations", __name__, Role.COORDINATOR)

ROLE_CHOICES = [
    SelectChoice(Role.RESPONDENT.value, "Respondent – answers surveys"),
    SelectChoice(Role.COORDINATOR.value, "Coordinator – gets responses in and reads results"),
]


def _people() -> list[RoleGrant]:
    return list(
        db.session.scalars(
            sa.select(RoleGrant)
            .where(
                RoleGrant.organisation_id == g.organisation.id,
                RoleGrant.role.in_(ORGANISATION_ROLES),
            )
            .options(selectinload(RoleGrant.user))
            .order_by(RoleGrant.role, RoleGrant.granted_at)
        )
    )


@bp.get("/")
def organisation_home():
    """The organisation's overview: its collaboratives and people."""
    memberships = db.session.scalars(
        sa.select(Membership)
        .where(Membership.organisation_id == g.organisation.id)
        .options(selectinload(Membership.collaborative))
    ).all()
    return render_template("organisations/home.html", memberships=memberships, people=_people())


@bp.get("/people")
def people_list():
    """Everyone with a role in this organisation, and whether they have accepted."""
    return render_template("organisations/people.html", people=_people())


@bp.route("/people/invite", methods=["GET", "POST"])
def person_invite():
    """Invite a colleague as a respondent or coordinator."""
    form = InvitePersonForm(ROLE_CHOICES)
    if form.validate_on_submit():
        accounts.invite_person(
            form.email.data,
            form.name.data,
            Role(form.role.data),
            invited_by=current_user,
            organisation=g.organisation,
        )
        db.session.commit()
        deliver_outbox()
        flash(f"Invitation sent to {form.email.data}", "success")
        return redirect(url_for(".people_list"))
    return render_template("organisations/invite.html", form=form)


@bp.post("/people/<int:grant_id>/remove")
def person_remove(grant_id: int):
    """Take a role in this organisation away from someone."""
    grant = get_or_404(RoleGrant, grant_id, organisation_id=g.organisation.id)
    # Read before the grant is deleted: once committed it is detached and cannot load.
    done = f"{grant.user.name} no longer has the {grant.role.label.lower()} role"
    try:
        accounts.revoke_grant(grant, revoked_by=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".people_list"))
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".people_list"))
