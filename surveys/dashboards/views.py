"""The coordinator's results dashboard for their organisation, and its PDF report.

Figures come from the stored results (jobs write them); a page view never computes results
or draws a chart.
"""

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from maturity.accounts.models import Role
from maturity.collaboratives.models import Collaborative
from maturity.db import db
from maturity.errors import DomainError
from maturity.storage.web import stored_file_response
from maturity.tenancy import first_or_404, organisation_blueprint
from surveys.dashboards.cache import member_page
from surveys.reports import services as reports
from surveys.reports.jobs import start_member_report
from surveys.rounds.models import Participation, Round, RoundState

bp = organisation_blueprint("member_results", __name__, Role.COORDINATOR, path="/results")


def _reported_participations() -> list[Participation]:
    """The organisation's part in every round that has started, newest first, with each
    round and its collaborative loaded in the same query (the page names them all)."""
    return list(
        db.session.scalars(
            sa.select(Participation)
            .join(Participation.round)
            .join(Round.collaborative)
            .options(contains_eager(Participation.round).contains_eager(Round.collaborative))
            .where(
                Participation.organisation_id == g.organisation.id,
                Round.state != RoundState.DRAFT,
            )
            .order_by(Round.opens_at.desc(), Collaborative.name, Round.id.desc())
        )
    )


def _chosen(participations: list[Participation]) -> Participation | None:
    wanted = request.args.get("round", "")
    if not wanted:
        return participations[0] if participations else None
    chosen = next((p for p in participations if str(p.round_id) == wanted), None)
    if chosen is None:
        flash("That round has no results for your organisation. Choose one from the list.")
        return participations[0] if participations else None
    return chosen


def _participation(round_id: int) -> Participation:
    return first_or_404(
        sa.select(Participation)
        .join(Round, Round.id == Participation.round_id)
        .where(
            Participation.round_id == round_id,
            Participation.organisation_id == g.organisation.id,
            Round.state != RoundState.DRAFT,
        )
    )


@bp.get("/")
def dashboard_show():
    """Where the organisation stands in a round: levels, charts, next levels, trend."""
    participations = _reported_participations()
    participation = _chosen(participations)
    if participation is None:
        return render_template("dashboards/member_empty.html")
    dashboard, charts = member_page(participation)
    return render_template(
        "dashboards/member.html",
        dashboard=dashboard,
        charts=charts,
        participations=participations,
        report=reports.report_status(participation),
    )


@bp.post("/<int:round_id>/report")
def report_create(round_id: int):
    """Start making the member's PDF report for a round, then watch its progress."""
    participation = _participation(round_id)
    try:
        start_member_report(participation, requested_by_id=current_user.id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".dashboard_show", round=round_id))
    db.session.commit()
    return redirect(url_for(".report_show", round_id=round_id))


@bp.get("/<int:round_id>/report")
def report_show(round_id: int):
    """The report's progress (refreshing itself until done), then a link to download it."""
    participation = _participation(round_id)
    return render_template(
        "dashboards/report.html",
        participation=participation,
        round=participation.round,
        report=reports.report_status(participation),
    )


@bp.get("/<int:round_id>/report.pdf")
def report_download(round_id: int):
    """The member's PDF report for a round, once it has been made."""
    participation = _participation(round_id)
    stored = reports.find_report(participation)
    if stored is None:
        abort(404)
    return stored_file_response(stored, download=True, max_age=0)
