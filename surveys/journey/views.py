"""The survey as a respondent meets it, from a link or from their home page."""

import secrets

from flask import (
    Blueprint,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from maturity.accounts.models import Role
from maturity.db import db
from maturity.errors import DomainError
from maturity.extensions import csrf
from maturity.ratelimit import failed, limiter, note_failure, per_window
from maturity.security import mark_token_page
from maturity.tenancy import unscoped
from surveys.journey.forms import (
    StartForm,
    SubmitForm,
    field_name,
    form_value,
    section_form_class,
    stored_value,
)
from surveys.journey.progress import section_statuses, summary_rows
from surveys.responses import services
from surveys.responses.models import Response
from surveys.responses.sections import next_section, section_by_key, sections_for
from surveys.rounds.models import Participation, RoundState

bp = Blueprint("journey", __name__)
# Guessing survey links: an address that opened TOKEN_LIMIT unknown links this window waits;
# people opening real links are never counted.
limiter.limit(per_window("TOKEN_LIMIT"), deduct_when=failed)(bp)
# The section and submit views are exempt from the global CSRF check because they check
# the token in the form itself, so that an expired token re-renders the page with every
# answer typed (QUALITY.md R6) as a 400 instead of a bare error page. Every other view
# here keeps the global check (R5).

SESSION_RESUME_KEY = "resume_links"
STALE_PAGE_MESSAGE = (
    "This page was open for a long time, so your answers have not been saved yet. "
    "Check them below and select the button again."
)


def _participation_by_code(share_code: str) -> Participation:
    with unscoped():
        participation = db.session.scalars(
            db.select(Participation).where(Participation.share_code == share_code)
        ).first()
    if participation is None:
        note_failure()
        abort(404)
    return participation


def _load_response(token: str) -> Response:
    mark_token_page()
    with unscoped():
        response = services.response_for_token(token, create=False)
    if response is None:
        note_failure()
        abort(404)
    g.response, g.token = response, token
    g.round = response.participation.round
    g.sections = sections_for(g.round.framework_version)
    return response


def _remember_link(participation_id: int, token: str) -> None:
    links = dict(session.get(SESSION_RESUME_KEY, {}))
    links[str(participation_id)] = token
    session[SESSION_RESUME_KEY] = links


def _closed_page():
    return render_template("journey/closed.html", round=g.round), 410


@bp.route("/s/<share_code>", methods=["GET", "POST"])
def link_start(share_code: str):
    """The shareable link's start page; starting creates an anonymous response."""
    mark_token_page()
    participation = _participation_by_code(share_code)
    round_ = participation.round
    form = StartForm()
    saved_token = session.get(SESSION_RESUME_KEY, {}).get(str(participation.id))
    if round_.state == RoundState.OPEN and form.validate_on_submit():
        with unscoped():
            _response, token = services.start_anonymous_response(participation)
        db.session.commit()
        _remember_link(participation.id, token)
        return redirect(url_for(".task_list", token=token))
    return render_template(
        "journey/start.html",
        participation=participation,
        round=round_,
        form=form,
        saved_token=saved_token,
        start_url=url_for(".link_start", share_code=share_code),
    )


@bp.route("/r/<token>/", methods=["GET", "POST"])
def response_start(token: str):
    """A personal link's start page (an invitation, or a saved resume link)."""
    mark_token_page()
    with unscoped():
        response = services.response_for_token(token, create=False)
        invitation = services.invitation_for_token(token) if response is None else None
    if response is None and invitation is None:
        note_failure()
        abort(404)
    if response is not None and (response.answers or response.is_submitted):
        return redirect(url_for(".task_list", token=token))
    participation = response.participation if response else invitation.participation
    form = StartForm()
    if participation.round.state == RoundState.OPEN and form.validate_on_submit():
        if response is None:
            with unscoped():
                services.response_for_token(token, create=True)
            db.session.commit()
        return redirect(url_for(".task_list", token=token))
    return render_template(
        "journey/start.html",
        participation=participation,
        round=participation.round,
        form=form,
        saved_token=None,
        start_url=url_for(".response_start", token=token),
    )


@bp.post("/survey/<int:participation_id>/start")
@login_required
def account_start(participation_id: int):
    """A signed-in respondent starts or continues their council's survey."""
    with unscoped():
        participation = db.session.get(Participation, participation_id)
    if participation is None or not current_user.has_organisation_role(
        Role.RESPONDENT, participation.organisation_id
    ):
        abort(404)
    form = StartForm()
    if not form.validate_on_submit() or participation.round.state != RoundState.OPEN:
        abort(400)
    with unscoped():
        _response, token = services.start_account_response(participation, current_user.id)
    db.session.commit()
    return redirect(url_for(".task_list", token=token))


@bp.get("/r/<token>/tasks")
def task_list(token: str):
    """Progress through the survey, section by section."""
    response = _load_response(token)
    if response.is_submitted:
        return redirect(url_for(".submitted", token=token))
    statuses = section_statuses(g.sections, services.answers_by_item(response))
    return render_template("journey/tasks.html", statuses=statuses)


def _section_or_404(key: str):
    section = section_by_key(g.sections, key)
    if section is None:
        abort(404)
    return section


def _form_for(section, formdata=None):
    form_class = section_form_class(section, g.round.framework_version.levels)
    if formdata is not None:
        return form_class(formdata=formdata)
    answers = services.answers_by_item(g.response)
    data = {field_name(item): form_value(item, answers.get(item.id)) for item in section.items}
    return form_class(formdata=None, data=data)


def _render_section(section, form, status: int = 200):
    index = [s.key for s in g.sections].index(section.key)
    return (
        render_template(
            "journey/section.html",
            section=section,
            form=form,
            field_name=field_name,
            position=index + 1,
            total=len(g.sections),
        ),
        status,
    )


def _save_section(section, form) -> None:
    values = {item.id: stored_value(item, form[field_name(item)].data) for item in section.items}
    with unscoped():
        services.save_answers(g.response, values, section.key)
    db.session.commit()


def _wants_json() -> bool:
    return request.headers.get("X-Autosave") == "1"


@bp.route("/r/<token>/section/<key>", methods=["GET", "POST"])
@csrf.exempt
def section_page(token: str, key: str):
    """One section's questions; every save keeps what was answered so far."""
    response = _load_response(token)
    section = _section_or_404(key)
    if response.is_submitted:
        return redirect(url_for(".submitted", token=token))
    if g.round.state != RoundState.OPEN:
        return _closed_page()
    if request.method == "GET":
        return _render_section(section, _form_for(section))
    form = _form_for(section, request.form)
    if not form.validate():
        stale = bool(form.csrf_token.errors)
        if _wants_json():
            return jsonify(saved=False, stale=stale), 400
        if stale:
            form.csrf_token.errors = []
            form.form_errors.append(STALE_PAGE_MESSAGE)
        return _render_section(section, form, 400)
    _save_section(section, form)
    if _wants_json():
        return jsonify(saved=True)
    if form.action.data == "later":
        return redirect(url_for(".saved", token=token))
    following = next_section(g.sections, section.key)
    if following is None:
        return redirect(url_for(".check_answers", token=token))
    return redirect(url_for(".section_page", token=token, key=following.key))


@bp.get("/r/<token>/saved")
def saved(token: str):
    """Save and come back later: the link that resumes this response anywhere."""
    _load_response(token)
    resume_url = url_for(".task_list", token=token, _external=True)
    return render_template("journey/saved.html", resume_url=resume_url)


def _all_items():
    return [item for section in g.sections for item in section.items]


@bp.get("/r/<token>/check")
def check_answers(token: str):
    """Check your answers before submitting."""
    response = _load_response(token)
    if response.is_submitted:
        return redirect(url_for(".submitted", token=token))
    form = SubmitForm(data={"submission_key": secrets.token_hex(16)})
    return _render_check(form)


def _render_check(form, status: int = 200):
    answers = services.answers_by_item(g.response)
    missing = services.missing_required(g.response, _all_items())
    return (
        render_template(
            "journey/check.html",
            rows=summary_rows(g.sections, answers, g.round.framework_version.levels),
            missing=missing,
            form=form,
            is_open=g.round.state == RoundState.OPEN,
        ),
        status,
    )


@bp.post("/r/<token>/submit")
@csrf.exempt
def submit(token: str):
    """Submit the answers; posting again, or many times at once, submits once."""
    response = _load_response(token)
    if response.is_submitted:
        return redirect(url_for(".submitted", token=token))
    if g.round.state != RoundState.OPEN:
        return _closed_page()
    form = SubmitForm()
    if not form.validate():
        form.csrf_token.errors = []
        form.form_errors.append(STALE_PAGE_MESSAGE)
        form.submission_key.data = form.submission_key.data or secrets.token_hex(16)
        return _render_check(form, 400)
    key = (form.submission_key.data or "")[:64] or secrets.token_hex(16)
    try:
        with unscoped():
            services.submit_response(response, key, _all_items())
    except DomainError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        return _render_check(form, 400)
    db.session.commit()
    return redirect(url_for(".submitted", token=token))


@bp.get("/r/<token>/submitted")
def submitted(token: str):
    """Confirmation, with what was submitted."""
    response = _load_response(token)
    if not response.is_submitted:
        return redirect(url_for(".task_list", token=token))
    answers = services.answers_by_item(response)
    rows = summary_rows(g.sections, answers, g.round.framework_version.levels)
    return render_template("journey/submitted.html", rows=rows)
