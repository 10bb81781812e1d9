"""The coordinator's pages for their organisation's part in each round: response counts,
the shareable link, invitations and reminders, eligible staff and naming consent.

A coordinator may see who has finished (to send reminders), never what anyone answered;
breakdowns hide groups smaller than the collaborative's minimum group size.
"""

import sqlalchemy as sa
from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from maturity.accounts.models import Role
from maturity.collaboratives.models import Collaborative
from maturity.db import db
from maturity.errors import DomainError
from maturity.mail.services import deliver_outbox
from maturity.ratelimit import fixed_per_window, limiter
from maturity.tenancy import first_or_404, organisation_blueprint
from maturity.web import show_domain_error
from surveys.invitations import services as invitations
from surveys.responses.counts import ResponseCounts, counts_by_participation, perspective_breakdown
from surveys.results.status import results_are_current
from surveys.rounds import services
from surveys.rounds.forms import (
    EligibleStaffForm,
    InvitationForm,
    InvitationUploadForm,
    NamingConsentForm,
    uk_date,
)
from surveys.rounds.models import NamingConsent, Participation, Round, RoundState

bp = organisation_blueprint("participations", __name__, Role.COORDINATOR, path="/rounds")
bp.add_app_template_filter(uk_date, "uk_date")

# Sending reminders is allowed this many times per rate-limit window for one participation.
REMINDER_ACTIONS_PER_WINDOW = 3


def _participation(round_id: int) -> Participation:
    return first_or_404(
        sa.select(Participation).where(
            Participation.round_id == round_id,
            Participation.organisation_id == g.organisation.id,
        )
    )


def _personal_link(token: str) -> str:
    return url_for("journey.response_start", token=token, _external=True)


def _show_url(participation: Participation) -> str:
    return url_for(".participation_show", round_id=participation.round_id)


def _list_url(participation: Participation) -> str:
    return url_for(".invitation_list", round_id=participation.round_id)


def _can_invite(participation: Participation) -> bool:
    return participation.round.state in invitations.INVITABLE_STATES


@bp.get("/")
def participation_list():
    """The organisation's part in every round of each of its collaboratives."""
    participations = db.session.scalars(
        sa.select(Participation)
        .join(Round, Round.id == Participation.round_id)
        .join(Collaborative, Collaborative.id == Round.collaborative_id)
        .where(Participation.organisation_id == g.organisation.id)
        .order_by(Round.opens_at.desc(), Collaborative.name)
    ).all()
    counts = counts_by_participation(p.id for p in participations)
    return render_template(
        "participations/participation_list.html", participations=participations, counts=counts
    )


def _render_show(participation: Participation, form=None):
    counts = counts_by_participation([participation.id]).get(participation.id, ResponseCounts())
    k = participation.round.collaborative.min_group_size
    rows = invitations.invitation_rows(participation)
    eligible_form = form if isinstance(form, EligibleStaffForm) else None
    consent_form = form if isinstance(form, NamingConsentForm) else None
    return render_template(
        "participations/participation_show.html",
        participation=participation,
        round=participation.round,
        counts=counts,
        is_updating=counts.submitted > 0 and not results_are_current(participation),
        breakdown=perspective_breakdown(participation, counts.submitted, k),
        share_url=url_for(
            "journey.link_start", share_code=participation.share_code, _external=True
        ),
        summary=invitations.invitation_summary(rows),
        can_invite=_can_invite(participation),
        form=form,
        eligible_form=eligible_form
        or EligibleStaffForm(formdata=None, data={"eligible_staff": participation.eligible_staff}),
        consent_form=consent_form
        or NamingConsentForm(
            formdata=None, data={"naming_consent": participation.naming_consent.value}
        ),
    )


@bp.get("/<int:round_id>")
def participation_show(round_id: int):
    """Live response counts, the shareable link, invitations and settings for one round."""
    return _render_show(_participation(round_id))


@bp.post("/<int:round_id>/eligible-staff")
def eligible_staff_update(round_id: int):
    """Record how many staff could respond, for the response rate."""
    participation = _participation(round_id)
    form = EligibleStaffForm()
    if not form.validate_on_submit():
        return _render_show(participation, form)
    services.set_eligible_staff(participation, form.eligible_staff.data, actor_id=current_user.id)
    db.session.commit()
    flash("Eligible staff saved", "success")
    return redirect(_show_url(participation))


@bp.post("/<int:round_id>/naming-consent")
def naming_consent_update(round_id: int):
    """Record how the organisation agrees to be named in this round's results."""
    participation = _participation(round_id)
    form = NamingConsentForm()
    if not form.validate_on_submit():
        return _render_show(participation, form)
    consent = NamingConsent(form.naming_consent.data)
    services.set_naming_consent(participation, consent, actor_id=current_user.id)
    db.session.commit()
    flash(f"Naming consent saved: {consent.label}", "success")
    return redirect(_show_url(participation))


@bp.get("/<int:round_id>/invitations")
def invitation_list(round_id: int):
    """Everyone invited, and whether they have started or finished (never their answers)."""
    participation = _participation(round_id)
    rows = invitations.invitation_rows(participation)
    return render_template(
        "participations/invitation_list.html",
        participation=participation,
        round=participation.round,
        rows=rows,
        summary=invitations.invitation_summary(rows),
        can_invite=_can_invite(participation),
        can_remind=participation.round.state == RoundState.OPEN,
    )


def _refuse_if_closed(participation: Participation):
    if _can_invite(participation):
        return None
    flash("People can be invited only while the round is in draft or open", "error")
    return redirect(_list_url(participation))


@bp.route("/<int:round_id>/invitations/new", methods=["GET", "POST"])
def invitation_new(round_id: int):
    """Invite one person by email."""
    participation = _participation(round_id)
    if refusal := _refuse_if_closed(participation):
        return refusal
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            invitation = invitations.invite(
                participation, form.email.data, link_for=_personal_link, actor_id=current_user.id
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            deliver_outbox()
            flash(f"Invitation sent to {invitation.email}", "success")
            return redirect(_list_url(participation))
    return render_template(
        "participations/invitation_new.html",
        form=form,
        participation=participation,
        round=participation.round,
    )


def _upload_message(result: invitations.InviteResult) -> str:
    sent = len(result.invited)
    parts = [f"Sent {sent} invitation{'' if sent == 1 else 's'}."]
    if result.already_invited:
        count = len(result.already_invited)
        parts.append(
            f"{count} address{'' if count == 1 else 'es'} had already been invited, "
            f"so {'it was' if count == 1 else 'they were'} not invited again: "
            f"{', '.join(result.already_invited)}."
        )
    if result.repeated_in_file:
        count = len(result.repeated_in_file)
        parts.append(
            f"{count} address{'' if count == 1 else 'es'} appeared more than once in the file "
            f"and {'was' if count == 1 else 'were'} invited once: "
            f"{', '.join(result.repeated_in_file)}."
        )
    return " ".join(parts)


@bp.route("/<int:round_id>/invitations/upload", methods=["GET", "POST"])
def invitation_upload(round_id: int):
    """Invite everyone in a CSV file of email addresses, or nobody if any row is wrong."""
    participation = _participation(round_id)
    if refusal := _refuse_if_closed(participation):
        return refusal
    form = InvitationUploadForm()
    csv_errors: list[str] = []
    if form.validate_on_submit():
        try:
            emails = invitations.parse_invitation_csv(form.content)
            result = invitations.invite_many(
                participation, emails, link_for=_personal_link, actor_id=current_user.id
            )
        except invitations.InvitationCsvError as error:
            db.session.rollback()
            csv_errors = error.problems
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            deliver_outbox()
            flash(_upload_message(result), "success")
            return redirect(_list_url(participation))
    return render_template(
        "participations/invitation_upload.html",
        form=form,
        csv_errors=csv_errors,
        participation=participation,
        round=participation.round,
    )


def _reminder_message(result: invitations.ReminderResult) -> str:
    sent = f"Sent {result.sent} reminder{'' if result.sent == 1 else 's'}."
    if not result.skipped:
        return sent
    people = "person was" if result.skipped == 1 else "people were"
    return f"{sent} {result.skipped} {people} reminded in the last 24 hours, so not again yet."


REMINDERS_SENT_FLAG = "_reminders_sent"


def _participation_key() -> str:
    """One participation (an organisation's part in a round), from the address."""
    return f"{g.scope_slug}:{request.view_args['round_id']}"


def _reminders_were_sent(_response) -> bool:
    return bool(g.get(REMINDERS_SENT_FLAG))


def _reminders_too_soon(_limit) -> Response:
    flash("Reminders were sent a moment ago. Wait a few minutes, then try again.", "error")
    return redirect(
        url_for(".invitation_list", org_slug=g.scope_slug, round_id=request.view_args["round_id"])
    )


@bp.post("/<int:round_id>/invitations/reminders")
@limiter.limit(
    fixed_per_window(REMINDER_ACTIONS_PER_WINDOW),
    key_func=_participation_key,
    deduct_when=_reminders_were_sent,
    on_breach=_reminders_too_soon,
)
def reminders_send(round_id: int):
    """Remind everyone invited who has not submitted (at most once a day each); only sends
    that happened count towards REMINDER_ACTIONS_PER_WINDOW for the participation."""
    participation = _participation(round_id)
    try:
        result = invitations.send_reminders(
            participation, link_for=_personal_link, actor_id=current_user.id
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(_list_url(participation))
    db.session.commit()
    g.setdefault(REMINDERS_SENT_FLAG, True)
    deliver_outbox()
    flash(_reminder_message(result), "success")
    return redirect(_list_url(participation))
