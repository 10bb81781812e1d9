"""The convenor's framework pages: list, show, import, export, copy, publish and edit drafts."""

import re
from collections.abc import Callable
from functools import partial, wraps

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload

from maturity.db import db
from maturity.errors import DomainError
from maturity.frameworks import editing
from maturity.frameworks.forms import (
    ImportFrameworkForm,
    MoveForm,
    NewLevelForm,
    VersionSettingsForm,
    dimension_form,
    item_form,
    levels_form,
)
from maturity.frameworks.models import (
    Dimension,
    Framework,
    FrameworkVersion,
    Item,
    ScoringMethod,
)
from maturity.frameworks.services import (
    VersionNotValid,
    ensure_editable,
    import_framework,
    new_draft_from,
    publish_version,
    spec_from_version,
)
from maturity.frameworks.spec import DimensionSpec, ItemSpec, LevelSpec, OptionSpec, Problem
from maturity.frameworks.yaml_io import (
    FrameworkYamlError,
    read_framework_yaml,
    write_framework_yaml,
)
from maturity.tenancy import enter_collaborative, get_or_404
from maturity.web import show_domain_error

bp = Blueprint("frameworks", __name__, url_prefix="/c/<collab_slug>/frameworks")

LEVEL_FIELDS = ("name", "summary", "band_floor")
MOVED = {-1: "up", 1: "down"}


@bp.url_value_preprocessor
def _pull_slug(_endpoint, values):
    g.collab_slug = values.pop("collab_slug")


@bp.url_defaults
def _add_slug(_endpoint, values):
    if "collaborative" in g:
        values.setdefault("collab_slug", g.collaborative.slug)


@bp.before_request
@login_required
def _enter_scope():
    enter_collaborative(g.collab_slug)


def _version(version_id: int) -> FrameworkVersion:
    version = get_or_404(FrameworkVersion, version_id)
    if version.framework.collaborative_id != g.collaborative.id:
        abort(404)
    return version


def _show_url(version: FrameworkVersion, anchor: str | None = None) -> str:
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
            return redirect(_show_url(version))
        return view(version, **kwargs)

    return wrapped


def _apply(form: FlaskForm, change: Callable[[], object], success: str, target: str):
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


def _run(change: Callable[[], object], success: str, target: str):
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


def _step() -> int:
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
            return redirect(_show_url(version))
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


@bp.get("/versions/<int:version_id>")
def version_show(version_id: int):
    """A version's levels, dimensions, descriptors and questions."""
    return _render_version(_version(version_id))


@bp.get("/versions/<int:version_id>/export")
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


@bp.post("/versions/<int:version_id>/copy")
def version_copy(version_id: int):
    """Start a new draft version as a copy of this one."""
    version = _version(version_id)
    try:
        draft = new_draft_from(version, actor_id=current_user.id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(_show_url(version))
    db.session.commit()
    flash(f"Version {draft.number} is a new draft, copied from version {version.number}", "success")
    return redirect(_show_url(draft))


@bp.post("/versions/<int:version_id>/publish")
@draft_only
def version_publish(version: FrameworkVersion):
    """Publish a draft so rounds can use it; show what stops it if it is not valid."""
    try:
        publish_version(version, actor_id=current_user.id)
    except VersionNotValid as error:
        db.session.rollback()
        return _render_version(version, publish_problems=error.problems)
    except DomainError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(_show_url(version))
    db.session.commit()
    flash(f"Version {version.number} is published. Rounds can now use it.", "success")
    return redirect(_show_url(version))


# Settings and levels ----------------------------------------------------------------------


@bp.route("/versions/<int:version_id>/settings", methods=["GET", "POST"])
@draft_only
def version_settings(version: FrameworkVersion):
    """Change a draft's description and scoring method."""
    form = VersionSettingsForm(
        data={"description": version.description, "scoring_method": version.scoring_method.value}
    )
    if form.validate_on_submit():
        change = partial(
            editing.update_settings,
            version,
            description=form.description.data or "",
            scoring=ScoringMethod(form.scoring_method.data),
            actor_id=current_user.id,
        )
        if done := _apply(form, change, "Settings saved", _show_url(version, "settings")):
            return done
    return render_template("frameworks/settings.html", form=form, version=version)


def _level_spec(form: FlaskForm, number: int) -> LevelSpec:
    name, summary, band_floor = (form[f"level_{number}_{field}"].data for field in LEVEL_FIELDS)
    return LevelSpec(number, name, summary or "", band_floor)


@bp.route("/versions/<int:version_id>/levels", methods=["GET", "POST"])
@draft_only
def levels_edit(version: FrameworkVersion):
    """Change the name, summary and band floor of every level, on one page."""
    levels = list(version.levels)
    data = {
        f"level_{lv.number}_{name}": getattr(lv, name) for lv in levels for name in LEVEL_FIELDS
    }
    form = levels_form(levels, data=data)
    if form.validate_on_submit():
        changes = [_level_spec(form, lv.number) for lv in levels]
        change = partial(editing.update_levels, version, changes, actor_id=current_user.id)
        if done := _apply(form, change, "Levels saved", _show_url(version, "levels")):
            return done
    return render_template("frameworks/levels.html", form=form, version=version, levels=levels)


@bp.route("/versions/<int:version_id>/levels/new", methods=["GET", "POST"])
@draft_only
def level_new(version: FrameworkVersion):
    """Add a level above the highest one."""
    form = NewLevelForm(data={"band_floor": float(len(version.levels) + 1)})
    if form.validate_on_submit():
        spec = LevelSpec(0, form.name.data, form.summary.data or "", form.band_floor.data)
        change = partial(editing.add_level, version, spec, actor_id=current_user.id)
        message = f"Level {form.name.data} added. Write its descriptor in every dimension."
        if done := _apply(form, change, message, _show_url(version, "levels")):
            return done
    return render_template("frameworks/level_new.html", form=form, version=version)


@bp.post("/versions/<int:version_id>/levels/remove")
@draft_only
def level_remove(version: FrameworkVersion):
    """Remove the highest level and its descriptors."""
    return _run(
        partial(editing.remove_last_level, version, actor_id=current_user.id),
        "The highest level and its descriptors were removed",
        _show_url(version, "levels"),
    )


# Dimensions ---------------------------------------------------------------------------------


def _dimension(version: FrameworkVersion, dimension_id: int) -> Dimension:
    return get_or_404(Dimension, dimension_id, version_id=version.id)


def _dimension_spec(form: FlaskForm, version: FrameworkVersion) -> DimensionSpec:
    return DimensionSpec(
        key=form.key.data,
        name=form.name.data,
        summary=form.summary.data or "",
        weight=form.weight.data,
        descriptors={
            lv.number: form[f"descriptor_{lv.number}"].data or "" for lv in version.levels
        },
    )


@bp.route("/versions/<int:version_id>/dimensions/new", methods=["GET", "POST"])
@draft_only
def dimension_new(version: FrameworkVersion):
    """Add a dimension after the last one."""
    form = dimension_form(version.levels, data={"weight": 1.0})
    if form.validate_on_submit():
        spec = _dimension_spec(form, version)
        change = partial(editing.create_dimension, version, spec, actor_id=current_user.id)
        if done := _apply(form, change, f"Dimension {spec.name} added", _show_url(version)):
            return done
    return render_template(
        "frameworks/dimension_form.html", form=form, version=version, dimension=None
    )


@bp.route("/versions/<int:version_id>/dimensions/<int:dimension_id>", methods=["GET", "POST"])
@draft_only
def dimension_edit(version: FrameworkVersion, dimension_id: int):
    """Change a dimension's key, wording, weight and level descriptors."""
    dimension = _dimension(version, dimension_id)
    data = {name: getattr(dimension, name) for name in ("key", "name", "summary", "weight")}
    data |= {
        f"descriptor_{lv.number}": dimension.descriptor_for(lv.number) for lv in version.levels
    }
    form = dimension_form(version.levels, data=data)
    if form.validate_on_submit():
        spec = _dimension_spec(form, version)
        change = partial(editing.update_dimension, dimension, spec, actor_id=current_user.id)
        target = _show_url(version, f"dimension-{dimension.id}")
        if done := _apply(form, change, f"Dimension {spec.name} saved", target):
            return done
    return render_template(
        "frameworks/dimension_form.html", form=form, version=version, dimension=dimension
    )


@bp.post("/versions/<int:version_id>/dimensions/<int:dimension_id>/move")
@draft_only
def dimension_move(version: FrameworkVersion, dimension_id: int):
    """Move a dimension one place up or down."""
    dimension, step = _dimension(version, dimension_id), _step()
    return _run(
        partial(editing.move_dimension, dimension, step, actor_id=current_user.id),
        f"Dimension {dimension.name} moved {MOVED[step]}",
        _show_url(version, f"dimension-{dimension.id}"),
    )


@bp.post("/versions/<int:version_id>/dimensions/<int:dimension_id>/delete")
@draft_only
def dimension_delete(version: FrameworkVersion, dimension_id: int):
    """Delete a dimension with its descriptors and questions."""
    dimension = _dimension(version, dimension_id)
    return _run(
        partial(editing.delete_dimension, dimension, actor_id=current_user.id),
        f"Dimension {dimension.name} and its questions were deleted",
        _show_url(version, "dimensions"),
    )


# Items -------------------------------------------------------------------------------------


def _item(version: FrameworkVersion, item_id: int) -> Item:
    return get_or_404(Item, item_id, version_id=version.id)


def _item_spec(form: FlaskForm, scored: bool) -> ItemSpec:
    key = form.key.data
    return ItemSpec(
        key=key,
        lineage=form.lineage.data or key,
        type=form.item_type.data,
        text=form.text.data,
        help=form.help.data or "",
        reverse=scored and form.reverse.data,
        attribute=not scored and form.attribute.data,
        required=form.required.data,
        options=[] if scored else form.options.data,
    )


def _item_data(item: Item) -> dict:
    return {
        "key": item.key,
        "lineage": item.lineage,
        "item_type": item.item_type.value,
        "text": item.text,
        "help": item.help_text,
        "reverse": item.is_reversed,
        "attribute": item.is_attribute,
        "required": item.is_required,
        "options": [OptionSpec(o["value"], o["label"]) for o in item.options],
    }


def _item_anchor(item_or_dimension: Item | Dimension | None) -> str:
    if isinstance(item_or_dimension, Dimension):
        return f"dimension-{item_or_dimension.id}"
    return f"item-{item_or_dimension.id}" if item_or_dimension else "context"


@bp.route("/versions/<int:version_id>/items/new", methods=["GET", "POST"])
@bp.route(
    "/versions/<int:version_id>/dimensions/<int:dimension_id>/items/new", methods=["GET", "POST"]
)
@draft_only
def item_new(version: FrameworkVersion, dimension_id: int | None = None):
    """Add a question to a dimension, or a context question ("About you" and others)."""
    dimension = _dimension(version, dimension_id) if dimension_id is not None else None
    form = item_form(dimension is not None)
    if form.validate_on_submit():
        spec = _item_spec(form, dimension is not None)
        change = partial(editing.create_item, version, dimension, spec, actor_id=current_user.id)
        target = _show_url(version, _item_anchor(dimension))
        if done := _apply(form, change, "Question added", target):
            return done
    return render_template(
        "frameworks/item_form.html", form=form, version=version, dimension=dimension, item=None
    )


@bp.route("/versions/<int:version_id>/items/<int:item_id>", methods=["GET", "POST"])
@draft_only
def item_edit(version: FrameworkVersion, item_id: int):
    """Change a question."""
    item = _item(version, item_id)
    form = item_form(item.dimension is not None, data=_item_data(item))
    if form.validate_on_submit():
        spec = _item_spec(form, item.dimension is not None)
        change = partial(editing.update_item, item, spec, actor_id=current_user.id)
        if done := _apply(form, change, "Question saved", _show_url(version, _item_anchor(item))):
            return done
    return render_template(
        "frameworks/item_form.html",
        form=form,
        version=version,
        dimension=item.dimension,
        item=item,
    )


@bp.post("/versions/<int:version_id>/items/<int:item_id>/move")
@draft_only
def item_move(version: FrameworkVersion, item_id: int):
    """Move a question one place up or down within its dimension or the context questions."""
    item, step = _item(version, item_id), _step()
    return _run(
        partial(editing.move_item, item, step, actor_id=current_user.id),
        f"Question {item.key} moved {MOVED[step]}",
        _show_url(version, _item_anchor(item)),
    )


@bp.post("/versions/<int:version_id>/items/<int:item_id>/delete")
@draft_only
def item_delete(version: FrameworkVersion, item_id: int):
    """Delete a question."""
    item = _item(version, item_id)
    anchor = _item_anchor(item.dimension)
    return _run(
        partial(editing.delete_item, item, actor_id=current_user.id),
        f"Question {item.key} was deleted",
        _show_url(version, anchor),
    )
