"""The convenor's area for one collaborative: settings, members, coordinators, convenors."""

import sqlalchemy as sa
from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import contains_eager, selectinload
from wtforms.fields.choices import SelectChoice

from maturity.accounts import services as accounts
from maturity.accounts.forms import InvitePersonForm
from maturity.accounts.models import Role, RoleGrant
from maturity.collaboratives import services
from maturity.collaboratives.forms import (
    CollaborativeSettingsForm,
    ExistingMemberForm,
    MemberTagsForm,
    NewMemberForm,
)
from maturity.collaboratives.models import Membership, PeerVisibility
from maturity.db import db
from maturity.errors import DomainError
from maturity.mail.services import deliver_outbox
from maturity.organisations.models import Organisation, OrganisationKind
from maturity.organisations.services import create_organisation, organisation_by_slug
from maturity.tenancy import collaborative_blueprint, get_or_404
from maturity.web import show_domain_error

bp = collaborative_blueprint("collaboratives", __name__)

COORDINATOR_CHOICE = [SelectChoice(Role.COORDINATOR.value, "Coordinator")]
CONVENOR_CHOICE = [SelectChoice(Role.CONVENOR.value, "Convenor")]


def _memberships() -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.collaborative_id == g.collaborative.id)
            .join(Membership.organisation)
            .options(contains_eager(Membership.organisation))
            .order_by(sa.func.lower(Organisation.name))
        )
    )


def _convenors() -> list[RoleGrant]:
    return list(
        db.session.scalars(
            sa.select(RoleGrant)
            .where(
                RoleGrant.collaborative_id == g.collaborative.id, RoleGrant.role == Role.CONVENOR
            )
            .options(selectinload(RoleGrant.user))
            .order_by(RoleGrant.granted_at)
        )
    )


@bp.get("/")
def collaborative_home():
    """The collaborative's members, settings and convenors."""
    return render_template(
        "collaboratives/home.html", memberships=_memberships(), convenors=_convenors()
    )


@bp.route("/settings", methods=["GET", "POST"])
def settings_edit():
    """Change peer visibility, the minimum group size and respondent-level exports."""
    form = CollaborativeSettingsForm(obj=g.collaborative)
    if form.validate_on_submit():
        services.update_settings(
            g.collaborative,
            peer_visibility=PeerVisibility(form.peer_visibility.data),
            min_group_size=form.min_group_size.data,
            respondent_rows_export=form.respondent_rows_export.data,
            actor_id=current_user.id,
        )
        db.session.commit()
        flash("Settings saved", "success")
        return redirect(url_for(".collaborative_home"))
    return render_template("collaboratives/settings.html", form=form)


def _tags_or_error(form) -> list[str] | None:
    try:
        return services.parse_tags(form.tags.data or "")
    except DomainError as error:
        show_domain_error(form, error)
        return None


@bp.route("/members/new", methods=["GET", "POST"])
def member_new():
    """Add a council that is not on Placewise yet."""
    form = NewMemberForm()
    if form.validate_on_submit() and (tags := _tags_or_error(form)) is not None:
        organisation = create_organisation(
            form.name.data,
            OrganisationKind(form.kind.data),
            region=form.region.data,
            population=form.population.data,
            actor_id=current_user.id,
        )
        services.add_member(g.collaborative, organisation, tags, actor_id=current_user.id)
        db.session.commit()
        flash(f"{organisation.name} is now a member", "success")
        return redirect(url_for(".collaborative_home"))
    return render_template("collaboratives/member_new.html", form=form)


@bp.route("/members/add", methods=["GET", "POST"])
def member_add_existing():
    """Add an organisation that is already on Placewise, by its identifier."""
    form = ExistingMemberForm()
    if form.validate_on_submit() and (tags := _tags_or_error(form)) is not None:
        organisation = organisation_by_slug(form.slug.data.strip().lower())
        try:
            if organisation is None:
                raise DomainError("No organisation has that identifier", field="slug")
            services.add_member(g.collaborative, organisation, tags, actor_id=current_user.id)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"{organisation.name} is now a member", "success")
            return redirect(url_for(".collaborative_home"))
    return render_template("collaboratives/member_add_existing.html", form=form)


def _membership(membership_id: int) -> Membership:
    return get_or_404(Membership, membership_id, collaborative_id=g.collaborative.id)


@bp.route("/members/<int:membership_id>", methods=["GET", "POST"])
def member_edit(membership_id: int):
    """A member's comparator tags and coordinators."""
    membership = _membership(membership_id)
    form = MemberTagsForm(data={"tags": ", ".join(membership.comparator_tags)})
    if form.validate_on_submit() and (tags := _tags_or_error(form)) is not None:
        services.set_member_tags(membership, tags, actor_id=current_user.id)
        db.session.commit()
        flash("Tags saved", "success")
        return redirect(url_for(".member_edit", membership_id=membership.id))
    coordinators = db.session.scalars(
        sa.select(RoleGrant)
        .where(
            RoleGrant.organisation_id == membership.organisation_id,
            RoleGrant.role == Role.COORDINATOR,
        )
        .options(selectinload(RoleGrant.user))
    ).all()
    return render_template(
        "collaboratives/member.html", membership=membership, form=form, coordinators=coordinators
    )


@bp.post("/members/<int:membership_id>/remove")
def member_remove(membership_id: int):
    """Take a member out of the collaborative."""
    membership = _membership(membership_id)
    name = membership.organisation.name
    services.remove_member(membership, actor_id=current_user.id)
    db.session.commit()
    flash(f"{name} is no longer a member", "success")
    return redirect(url_for(".collaborative_home"))


@bp.route("/members/<int:membership_id>/invite", methods=["GET", "POST"])
def coordinator_invite(membership_id: int):
    """Invite a coordinator for a member organisation."""
    membership = _membership(membership_id)
    form = InvitePersonForm(COORDINATOR_CHOICE)
    if form.validate_on_submit():
        accounts.invite_person(
            form.email.data,
            form.name.data,
            Role.COORDINATOR,
            invited_by=current_user,
            organisation=membership.organisation,
        )
        db.session.commit()
        deliver_outbox()
        flash(f"Invitation sent to {form.email.data}", "success")
        return redirect(url_for(".member_edit", membership_id=membership.id))
    return render_template(
        "collaboratives/coordinator_invite.html", form=form, membership=membership
    )


@bp.route("/convenors/invite", methods=["GET", "POST"])
def convenor_invite():
    """Invite another convenor for this collaborative."""
    form = InvitePersonForm(CONVENOR_CHOICE)
    if form.validate_on_submit():
        accounts.invite_person(
            form.email.data,
            form.name.data,
            Role.CONVENOR,
            invited_by=current_user,
            collaborative=g.collaborative,
        )
        db.session.commit()
        deliver_outbox()
        flash(f"Invitation sent to {form.email.data}", "success")
        return redirect(url_for(".collaborative_home"))
    return render_template("collaboratives/convenor_invite.html", form=form)
