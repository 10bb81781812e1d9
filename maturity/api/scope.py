"""Entering a tenant scope from an API request, exactly as the web pages do."""

import re

from flask import abort

from maturity.accounts.models import Role
from maturity.collaboratives.models import Collaborative
from maturity.organisations.models import Organisation
from maturity.tenancy import enter_collaborative, enter_organisation

# Slugs are lower-case words and hyphens: anything else addresses nothing (and a NUL
# character would otherwise reach the database).
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


def convened_collaborative(slug: str) -> Collaborative:
    """The collaborative the token's person convenes (or any, for admins); 404 otherwise."""
    if not SLUG.fullmatch(slug):
        abort(404)
    return enter_collaborative(slug)


def coordinated_organisation(slug: str) -> Organisation:
    """The organisation the token's person coordinates (or any, for admins); 404 otherwise."""
    if not SLUG.fullmatch(slug):
        abort(404)
    return enter_organisation(slug, Role.COORDINATOR)
