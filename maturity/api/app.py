"""Assembling the API blueprint for the app factory."""

import importlib

from flask import Blueprint, Flask
from flask_wtf import CSRFProtect

# The core modules whose hooks and routes make up the API. The app factory, the composition
# root, imports ``surveys.api`` for the collection routes before it calls api_blueprint().
API_MODULES = ("maturity.api.auth", "maturity.api.views")


def api_blueprint(csrf: CSRFProtect) -> Blueprint:
    """The ``/api/v1`` blueprint with every API route, exempt from CSRF: it authenticates
    with bearer tokens only and ignores cookies, so a forged cross-site request carries no
    credentials."""
    for module in API_MODULES:
        importlib.import_module(module)
    from maturity.api.registry import bp

    csrf.exempt(bp)
    return bp


def register_api(app: Flask, csrf: CSRFProtect) -> None:
    """Register the API and the account pages that manage its tokens."""
    from maturity.api.token_views import bp as token_pages

    app.register_blueprint(token_pages)
    app.register_blueprint(api_blueprint(csrf))
