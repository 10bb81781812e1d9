"""The convenor's framework pages: list, show, import, export, copy and publish versions.

The pages that edit a draft are in editor_views.py, on the same blueprint.
"""

import re
from collections.abc import Callable
from functools import wraps

import sqlalchemy as sa
from flask import Response, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload

from maturity.db import db
from maturity.errors import DomainError
from maturity.frameworks import editing
from maturity.frameworks.forms import ImportFrameworkForm, MoveForm
from maturity.frameworks.models import Dimension, Framework, FrameworkVersion
from maturity.frameworks.services import (
    VersionNotValid,
    ensure_editable,
    import_framework,
    new_draft_from,
    publish_version,
    spec_from_version,
)
from maturity.frameworks.spec import Problem
from maturity.frameworks.yaml_io import (
    FrameworkYamlError,
    read_framework_yaml,
    write_framework_yaml,
)
from maturity.tenancy import collaborative_blueprint, first_or_404, get_or_404
from maturity.web import show_domain_error

bp = collaborative_blueprint("frameworks", __name__, "/frameworks")

# Ids past the column's range are 404s, not database errors (SQLite cannot bind them).
ID = "int(max=2147483647)"


def _version(version_id: int) -> FrameworkVersion:
    version = get_or_404(FrameworkVersion, version_id)
    if version.framework.collaborative_id != g.collaborative.id:
        abort(404)
    return version


def _whole_version(version_id: int) -> FrameworkVersion:
    """A version with everything its page shows, loaded in a few queries."""
    dimensions = selectinload(FrameworkVersion.dimensions)
    version = first_or_404(
        sa.select(FrameworkVersion)
        .where(FrameworkVersion.id == version_id)
        .options(
            selectinload(FrameworkVersion.framework).selectinload(Framework.versions),
            selectinload(FrameworkVersion.levels),
            selectinload(FrameworkVersion.items),
            dimensions.selectinload(Dimension.descriptors),
            dimensions.selectinload(Dimension.items),
        )
    )
    if version.framework.collaborative_id != g.collaborative.id:
        abort(404)
    return version


def show_url(version: FrameworkVersion, anchor: str | None = None) -> str:
    """The address of a version's page, optionally at one of its sections."""
    return url_for(".version_show", version_id=version.id, _anchor=anchor)


def draft_only(view: Callable) -> Callable:
    """Load the URL's version for ``view``; a published one sends the person back to it."""

    @wraps(view)
    def wrapped(version_id: int, **kwargs):
        version = _version(version_id)
        try:
            ensure_editable(version)
        except DomainError as error:
            flash(error.message)
            return redirect(show_url(version))
        return view(version, **kwargs)

    return wrapped


def apply_change(form: FlaskForm, change: Callable[[], object], success: str, target: str):
    """Run a service: commit, flash and redirect, or put its errors on the form (None)."""
    try:
        change()
    except DomainError as error:
        db.session.rollback()
        for each in getattr(error, "errors", [error]):
            show_domain_error(form, each)
        return None
    db.session.commit()
    flash(success, "success")
    return redirect(target)


def run_change(change: Callable[[], object], success: str, target: str):
    """Run a button's service: commit on success; either way flash and redirect."""
    try:
        change()
    except DomainError as error:
        db.session.rollback()
        flash(error.message)
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(target)


def move_step() -> int:
    """The posted direction of a move as a step (-1 up, 1 down); 400 for anything else."""
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    return -1 if form.direction.data == "up" else 1


# Lists, versions, import and export ------------------------------------------------------


@bp.get("/")
def framework_list():
    """Every framework of the collaborative, with its versions."""
    frameworks = db.session.scalars(
        sa.select(Framework)
        .where(Framework.collaborative_id == g.collaborative.id)
        .options(selectinload(Framework.versions))
        .order_by(sa.func.lower(Framework.name))
    ).all()
    return render_template("frameworks/list.html", frameworks=frameworks)


@bp.route("/import", methods=["GET", "POST"])
def framework_import():
    """Import a framework from an uploaded or pasted YAML file, as a draft version."""
    form = ImportFrameworkForm()
    yaml_errors = []
    if form.validate_on_submit():
        try:
            spec = read_framework_yaml(form.source_text())
            version = import_framework(g.collaborative, spec, actor_id=current_user.id)
        except FrameworkYamlError as error:
            yaml_errors = error.errors
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"Imported {version.label} as a draft", "success")
            return redirect(show_url(version))
    return render_template("frameworks/import.html", form=form, yaml_errors=yaml_errors)


def _problem_href(version: FrameworkVersion, path: tuple) -> str:
    try:
        if path[:1] == ("dimensions",) and len(path) >= 4 and path[2] == "items":
            return f"#item-{version.dimensions[path[1]].items[path[3]].id}"
        if path[:1] == ("dimensions",) and len(path) >= 2:
            return f"#dimension-{version.dimensions[path[1]].id}"
        if path[:1] == ("context",) and len(path) >= 2:
            return f"#item-{version.context_items[path[1]].id}"
    except (IndexError, TypeError):
        pass
    return {"levels": "#levels", "dimensions": "#dimensions", "context": "#context"}.get(
        str(path[0]) if path else "", "#settings"
    )


def _render_version(version: FrameworkVersion, publish_problems: list[Problem] | None = None):
    problems = publish_problems
    if problems is None:
        problems = editing.version_problems(version) if version.is_draft else []
    return render_template(
        "frameworks/version.html",
        version=version,
        problems=[{"text": p.message, "href": _problem_href(version, p.path)} for p in problems],
        publish_failed=publish_problems is not None,
        draft=next((v for v in version.framework.versions if v.is_draft), None),
    )


@bp.get(f"/versions/<{ID}:version_id>")
def version_show(version_id: int):
    """A version's levels, dimensions, descriptors and questions."""
    return _render_version(_whole_version(version_id))


@bp.get(f"/versions/<{ID}:version_id>/export")
def version_export(version_id: int):
    """Download a version as a YAML file."""
    version = _version(version_id)
    key = re.sub(r"[^a-z0-9_-]+", "-", version.framework.key.lower()).strip("-") or "framework"
    return Response(
        write_framework_yaml(spec_from_version(version)),
        content_type="application/yaml; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{key}-version-{version.number}.yaml"'
        },
    )


@bp.post(f"/versions/<{ID}:version_id>/copy")
def version_copy(version_id: int):
    """Start a new draft version as a copy of this one."""
    version = _version(version_id)
    try:
        draft = new_draft_from(version, actor_id=current_user.id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(show_url(version))
    db.session.commit()
    flash(f"Version {draft.number} is a new draft, copied from version {version.number}", "success")
    return redirect(show_url(draft))


@bp.post(f"/versions/<{ID}:version_id>/publish")
@draft_only
def version_publish(version: FrameworkVersion):
    """Publish a draft so rounds can use it; show what stops it if it is not valid."""
    try:
        publish_version(version, actor_id=current_user.id)
    except VersionNotValid as error:
        db.session.rollback()
        return _render_version(_whole_version(version.id), publish_problems=error.problems)
    except DomainError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(show_url(version))
    db.session.commit()
    flash(f"Version {version.number} is published. Rounds can now use it.", "success")
    return redirect(show_url(version))


# The draft editor's pages live in their own module, on this blueprint.
from maturity.frameworks import editor_views  # noqa: E402, F401
