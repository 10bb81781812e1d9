"""The convenor's round pages: list, plan, watch participation, edit and move through states.

A convenor sees how many of each member's staff have responded, never who responded.
"""

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from maturity.db import db
from maturity.errors import DomainError
from maturity.frameworks.models import Framework, FrameworkVersion, VersionStatus
from maturity.jobs.models import BackgroundTask
from maturity.organisations.models import Organisation
from maturity.tenancy import collaborative_blueprint, get_or_404
from maturity.web import show_domain_error
from surveys.jobs import start_round_recompute
from surveys.responses.counts import ResponseCounts, counts_by_participation, counts_by_round
from surveys.results.status import participations_behind
from surveys.rounds import services
from surveys.rounds.forms import NewRoundForm, RoundDatesForm, RoundStateForm, uk_date, uk_day
from surveys.rounds.models import ROUND_TRANSITIONS, Participation, Round, RoundState

bp = collaborative_blueprint("rounds", __name__, "/rounds")
bp.add_app_template_filter(uk_date, "uk_date")

# What the button for each allowed move says, and what the flash says once it is done.
TRANSITION_LABELS: dict[tuple[RoundState, RoundState], tuple[str, str]] = {
    (RoundState.DRAFT, RoundState.OPEN): ("Open round", "is open: members' staff can respond"),
    (RoundState.OPEN, RoundState.CLOSED): ("Close round", "is closed: no more answers"),
    (RoundState.CLOSED, RoundState.OPEN): ("Reopen round", "is open again"),
    (RoundState.CLOSED, RoundState.PUBLISHED): (
        "Publish results",
        "is published: its results are final",
    ),
}
# Form field names for the service's error fields.
ERROR_FIELDS = {"opens_at": "opens_on", "closes_at": "closes_on"}


def _round(round_id: int) -> Round:
    return get_or_404(Round, round_id, collaborative_id=g.collaborative.id)


def _show_error(form, error: DomainError) -> None:
    if error.field in ERROR_FIELDS:
        error = DomainError(error.message, field=ERROR_FIELDS[error.field])
    show_domain_error(form, error)


def _published_versions() -> list[FrameworkVersion]:
    return list(
        db.session.scalars(
            sa.select(FrameworkVersion)
            .join(Framework, Framework.id == FrameworkVersion.framework_id)
            .where(
                Framework.collaborative_id == g.collaborative.id,
                FrameworkVersion.status == VersionStatus.PUBLISHED,
            )
            .order_by(Framework.name, FrameworkVersion.number.desc())
        )
    )


def _version_choice(version: FrameworkVersion) -> SelectChoice:
    return SelectChoice(str(version.id), version.label)


@bp.get("/")
def round_list():
    """Every round of the collaborative with its state, dates and response totals."""
    rounds = db.session.scalars(
        sa.select(Round)
        .where(Round.collaborative_id == g.collaborative.id)
        .order_by(Round.opens_at.desc(), Round.id.desc())
    ).all()
    counts = counts_by_round(r.id for r in rounds)
    return render_template("rounds/round_list.html", rounds=rounds, counts=counts)


@bp.route("/new", methods=["GET", "POST"])
def round_new():
    """Plan a round for every member, on a published framework version."""
    versions = {str(v.id): v for v in _published_versions()}
    form = NewRoundForm([_version_choice(v) for v in versions.values()])
    if form.validate_on_submit():
        try:
            round_ = services.create_round(
                g.collaborative,
                versions[form.version.data],
                form.name.data,
                opens_at=form.opens_at,
                closes_at=form.closes_at,
                actor_id=current_user.id,
            )
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(
                f"{round_.name} is planned. Open it when members can start responding.", "success"
            )
            return redirect(url_for(".round_show", round_id=round_.id))
    return render_template("rounds/round_new.html", form=form, versions=versions)


def _member_rows(round_: Round) -> list[dict]:
    participations = db.session.scalars(
        sa.select(Participation)
        .join(Organisation, Organisation.id == Participation.organisation_id)
        .where(Participation.round_id == round_.id)
        .order_by(sa.func.lower(Organisation.name))
    ).all()
    counts = counts_by_participation(p.id for p in participations)
    behind = participations_behind(participations)
    rows = []
    for p in participations:
        row_counts = counts.get(p.id, ResponseCounts())
        is_updating = row_counts.submitted > 0 and p.id in behind
        rows.append({"participation": p, "counts": row_counts, "is_updating": is_updating})
    return rows


def _transitions(round_: Round) -> list[tuple[RoundState, str]]:
    return [
        (state, TRANSITION_LABELS[(round_.state, state)][0])
        for state in ROUND_TRANSITIONS[round_.state]
    ]


@bp.get("/<int:round_id>")
def round_show(round_id: int):
    """A round's state and dates, each member's response counts, and what can happen next."""
    round_ = _round(round_id)
    rows = _member_rows(round_)
    return render_template(
        "rounds/round_show.html",
        round=round_,
        rows=rows,
        is_updating=any(row["is_updating"] for row in rows),
        transitions=_transitions(round_),
        state_form=RoundStateForm(),
    )


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
def round_edit(round_id: int):
    """Rename a round or move its dates, until its results are published."""
    round_ = _round(round_id)
    if round_.state == RoundState.PUBLISHED:
        flash("A round cannot change once its results are published", "error")
        return redirect(url_for(".round_show", round_id=round_.id))
    form = RoundDatesForm(
        data={
            "name": round_.name,
            "opens_on": uk_day(round_.opens_at),
            "closes_on": uk_day(round_.closes_at),
        }
    )
    if form.validate_on_submit():
        try:
            services.update_round(
                round_,
                form.name.data,
                opens_at=form.opens_at,
                closes_at=form.closes_at,
                actor_id=current_user.id,
            )
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash("Round saved", "success")
            return redirect(url_for(".round_show", round_id=round_.id))
    return render_template("rounds/round_edit.html", form=form, round=round_)


def _locked_round(round_id: int) -> Round:
    """The round, locked until commit, so two simultaneous moves cannot both pass the check."""
    round_ = db.session.scalars(
        sa.select(Round)
        .where(Round.id == round_id, Round.collaborative_id == g.collaborative.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if round_ is None:
        abort(404)
    return round_


@bp.post("/<int:round_id>/state")
def round_state_change(round_id: int):
    """Open, close, reopen or publish a round, as its current state allows."""
    round_ = _locked_round(round_id)
    form = RoundStateForm()
    show_url = url_for(".round_show", round_id=round_.id)
    try:
        new_state = RoundState(form.state.data) if form.validate_on_submit() else None
    except ValueError:
        new_state = None
    if new_state is None:
        flash("Choose what to do with the round", "error")
        return redirect(show_url)
    previous = round_.state
    try:
        services.change_state(round_, new_state, actor_id=current_user.id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(show_url)
    db.session.commit()
    flash(f"{round_.name} {TRANSITION_LABELS[(previous, new_state)][1]}", "success")
    return redirect(show_url)


@bp.post("/<int:round_id>/recompute")
def round_recompute(round_id: int):
    """Recompute every member's results and the benchmarks, then watch the progress."""
    round_ = _round(round_id)
    task = start_round_recompute(round_, current_user.id)
    db.session.commit()
    return redirect(url_for(".task_show", round_id=round_.id, task_id=task.id))


@bp.get("/<int:round_id>/tasks/<int:task_id>")
def task_show(round_id: int, task_id: int):
    """The progress of long work on a round; the page refreshes itself until it is done."""
    round_ = _round(round_id)
    task = get_or_404(BackgroundTask, task_id, collaborative_id=g.collaborative.id)
    # A round recompute counts each member, then one last step for the benchmarks.
    members_total = max(task.total - 1, 0)
    return render_template(
        "rounds/task_show.html",
        round=round_,
        task=task,
        members_done=min(task.done, members_total),
        members_total=members_total,
    )
