"""The application factory: the composition root that wires both packages together."""

import logging

from flask import Flask, abort, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from config import config_for
from maturity.api.errors import is_api_request, status_error_response
from maturity.db import db
from maturity.extensions import csrf, init_redis, login_manager, migrate
from maturity.ratelimit import init_limiter, init_proxy, retry_after_seconds
from maturity.security import init_security


def _configure_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("maturity"),
            PackageLoader("surveys"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)


def _register_error_pages(app: Flask) -> None:
    def render_error(status: int, title: str, message: str):
        if is_api_request():
            return status_error_response(status)  # the API answers in JSON, never a page
        return render_template("errors.html", title=title, message=message), status

    @app.errorhandler(404)
    def not_found(_error):
        return render_error(
            404, "Page not found", "If you typed the web address, check it is correct."
        )

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return render_error(405, "Page not found", "This page cannot be used that way.")

    @app.errorhandler(CSRFError)
    def csrf_failed(_error):
        return render_error(
            400,
            "Your form could not be sent",
            "The page had been open too long or was sent from elsewhere. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(400)
    def bad_request(_error):
        return render_error(
            400, "Your form could not be sent", "Go back, check what you entered and try again."
        )

    @app.errorhandler(413)
    def too_large(_error):
        return render_error(
            413,
            "What you sent is too large",
            "Files can be up to 20 MB and pasted text up to 1 MB. "
            "Go back and send something smaller.",
        )

    @app.errorhandler(429)
    def too_many(error):
        if getattr(error, "response", None) is not None:
            return error.response  # the limit chose its own answer (on_breach)
        response = make_response(
            render_error(429, "Too many attempts", "Wait a few minutes, then try again.")
        )
        response.headers["Retry-After"] = str(retry_after_seconds())
        return response

    @app.errorhandler(500)
    def server_error(_error):
        return render_error(500, "Sorry, there is a problem with the service", "Try again later.")


def _refuse_nul_bytes() -> None:
    """Refuse form input with NUL characters: no person types them, and PostgreSQL cannot
    store them, so they would otherwise surface as a server error."""
    if request.method in ("POST", "PUT", "PATCH") and any(
        "\x00" in value for value in request.form.values()
    ):
        abort(400)


def _register_blueprints(app: Flask) -> None:
    from maturity.accounts.views import bp as accounts_bp
    from maturity.admin.views import bp as admin_bp
    from maturity.api.app import register_api
    from maturity.collaboratives.views import bp as collaboratives_bp
    from maturity.frameworks.views import bp as frameworks_bp
    from maturity.health import bp as health_bp
    from maturity.home.views import bp as home_bp
    from maturity.organisations.views import bp as organisations_bp
    from surveys import api as _survey_api  # noqa: F401  (adds its routes to the API)
    from surveys.charts.views import collaborative_bp as collaborative_charts_bp
    from surveys.charts.views import member_bp as member_charts_bp
    from surveys.dashboards.convenor_views import bp as collaborative_results_bp
    from surveys.dashboards.views import bp as member_results_bp
    from surveys.exports.views import bp as exports_bp
    from surveys.journey.views import bp as journey_bp
    from surveys.rounds.participation_views import bp as participations_bp
    from surveys.rounds.views import bp as rounds_bp

    for blueprint in (
        accounts_bp,
        admin_bp,
        collaboratives_bp,
        frameworks_bp,
        health_bp,
        home_bp,
        organisations_bp,
        journey_bp,
        rounds_bp,
        member_charts_bp,
        collaborative_charts_bp,
        participations_bp,
        exports_bp,
        member_results_bp,
        collaborative_results_bp,
    ):
        app.register_blueprint(blueprint)
    register_api(app, csrf)


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build a configured application (PLACEWISE_ENV chooses the settings)."""
    config = config_for(config_name)
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config)
    app.config.update(overrides)
    config.check(app.config)  # the settings the app will really run with
    logging.basicConfig(level=logging.INFO)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    init_redis(app)
    init_limiter(app)
    init_security(app)
    _configure_templates(app)
    _register_error_pages(app)
    app.before_request(_refuse_nul_bytes)
    _register_blueprints(app)

    from maturity import models  # noqa: F401  (every model, so the metadata is complete)
    from maturity.accounts.session import init_login
    from maturity.cli import register_commands
    from maturity.home.panels import register_home_panel
    from maturity.web import init_web
    from surveys import models as survey_models  # noqa: F401
    from surveys.cli import register_commands as register_survey_commands
    from surveys.exports.cli import register_commands as register_export_commands
    from surveys.journey.home_panel import respondent_surveys_panel

    init_login(app)
    init_web(app)
    register_commands(app)
    register_survey_commands(app)
    register_export_commands(app)
    register_home_panel(app, respondent_surveys_panel)
    init_proxy(app)
    return app
