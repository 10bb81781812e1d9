"""The draft editor's pages: settings, levels, dimensions and questions of a draft version."""

from functools import partial

from flask import render_template
from flask_login import current_user
from flask_wtf import FlaskForm

from maturity.frameworks import editing
from maturity.frameworks.forms import (
    NewLevelForm,
    VersionSettingsForm,
    dimension_form,
    item_form,
    levels_form,
)
from maturity.frameworks.models import Dimension, FrameworkVersion, Item, ScoringMethod
from maturity.frameworks.spec import DimensionSpec, ItemSpec, LevelSpec, OptionSpec
from maturity.frameworks.views import (
    ID,
    apply_change,
    bp,
    draft_only,
    move_step,
    run_change,
    show_url,
)
from maturity.tenancy import get_or_404

LEVEL_FIELDS = ("name", "summary", "band_floor")
MOVED = {-1: "up", 1: "down"}


# Settings and levels ----------------------------------------------------------------------


@bp.route(f"/versions/<{ID}:version_id>/settings", methods=["GET", "POST"])
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
        if done := apply_change(form, change, "Settings saved", show_url(version, "settings")):
            return done
    return render_template("frameworks/settings.html", form=form, version=version)


def _level_spec(form: FlaskForm, number: int) -> LevelSpec:
    name, summary, band_floor = (form[f"level_{number}_{field}"].data for field in LEVEL_FIELDS)
    return LevelSpec(number, name, summary or "", band_floor)


@bp.route(f"/versions/<{ID}:version_id>/levels", methods=["GET", "POST"])
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
        if done := apply_change(form, change, "Levels saved", show_url(version, "levels")):
            return done
    return render_template("frameworks/levels.html", form=form, version=version, levels=levels)


@bp.route(f"/versions/<{ID}:version_id>/levels/new", methods=["GET", "POST"])
@draft_only
def level_new(version: FrameworkVersion):
    """Add a level above the highest one."""
    form = NewLevelForm(data={"band_floor": float(len(version.levels) + 1)})
    if form.validate_on_submit():
        spec = LevelSpec(0, form.name.data, form.summary.data or "", form.band_floor.data)
        change = partial(editing.add_level, version, spec, actor_id=current_user.id)
        message = f"Level {form.name.data} added. Write its descriptor in every dimension."
        if done := apply_change(form, change, message, show_url(version, "levels")):
            return done
    return render_template("frameworks/level_new.html", form=form, version=version)


@bp.post(f"/versions/<{ID}:version_id>/levels/remove")
@draft_only
def level_remove(version: FrameworkVersion):
    """Remove the highest level and its descriptors."""
    return run_change(
        partial(editing.remove_last_level, version, actor_id=current_user.id),
        "The highest level and its descriptors were removed",
        show_url(version, "levels"),
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


@bp.route(f"/versions/<{ID}:version_id>/dimensions/new", methods=["GET", "POST"])
@draft_only
def dimension_new(version: FrameworkVersion):
    """Add a dimension after the last one."""
    form = dimension_form(version.levels, data={"weight": 1.0})
    if form.validate_on_submit():
        spec = _dimension_spec(form, version)
        change = partial(editing.create_dimension, version, spec, actor_id=current_user.id)
        if done := apply_change(form, change, f"Dimension {spec.name} added", show_url(version)):
            return done
    return render_template(
        "frameworks/dimension_form.html", form=form, version=version, dimension=None
    )


@bp.route(f"/versions/<{ID}:version_id>/dimensions/<{ID}:dimension_id>", methods=["GET", "POST"])
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
        target = show_url(version, f"dimension-{dimension.id}")
        if done := apply_change(form, change, f"Dimension {spec.name} saved", target):
            return done
    return render_template(
        "frameworks/dimension_form.html", form=form, version=version, dimension=dimension
    )


@bp.post(f"/versions/<{ID}:version_id>/dimensions/<{ID}:dimension_id>/move")
@draft_only
def dimension_move(version: FrameworkVersion, dimension_id: int):
    """Move a dimension one place up or down."""
    dimension, step = _dimension(version, dimension_id), move_step()
    return run_change(
        partial(editing.move_dimension, dimension, step, actor_id=current_user.id),
        f"Dimension {dimension.name} moved {MOVED[step]}",
        show_url(version, f"dimension-{dimension.id}"),
    )


@bp.post(f"/versions/<{ID}:version_id>/dimensions/<{ID}:dimension_id>/delete")
@draft_only
def dimension_delete(version: FrameworkVersion, dimension_id: int):
    """Delete a dimension with its descriptors and questions."""
    dimension = _dimension(version, dimension_id)
    return run_change(
        partial(editing.delete_dimension, dimension, actor_id=current_user.id),
        f"Dimension {dimension.name} and its questions were deleted",
        show_url(version, "dimensions"),
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


@bp.route(f"/versions/<{ID}:version_id>/items/new", methods=["GET", "POST"])
@bp.route(
    f"/versions/<{ID}:version_id>/dimensions/<{ID}:dimension_id>/items/new", methods=["GET", "POST"]
)
@draft_only
def item_new(version: FrameworkVersion, dimension_id: int | None = None):
    """Add a question to a dimension, or a context question ("About you" and others)."""
    dimension = _dimension(version, dimension_id) if dimension_id is not None else None
    form = item_form(dimension is not None)
    if form.validate_on_submit():
        spec = _item_spec(form, dimension is not None)
        change = partial(editing.create_item, version, dimension, spec, actor_id=current_user.id)
        target = show_url(version, _item_anchor(dimension))
        if done := apply_change(form, change, "Question added", target):
            return done
    return render_template(
        "frameworks/item_form.html", form=form, version=version, dimension=dimension, item=None
    )


@bp.route(f"/versions/<{ID}:version_id>/items/<{ID}:item_id>", methods=["GET", "POST"])
@draft_only
def item_edit(version: FrameworkVersion, item_id: int):
    """Change a question."""
    item = _item(version, item_id)
    form = item_form(item.dimension is not None, data=_item_data(item))
    if form.validate_on_submit():
        spec = _item_spec(form, item.dimension is not None)
        change = partial(editing.update_item, item, spec, actor_id=current_user.id)
        if done := apply_change(
            form, change, "Question saved", show_url(version, _item_anchor(item))
        ):
            return done
    return render_template(
        "frameworks/item_form.html",
        form=form,
        version=version,
        dimension=item.dimension,
        item=item,
    )


@bp.post(f"/versions/<{ID}:version_id>/items/<{ID}:item_id>/move")
@draft_only
def item_move(version: FrameworkVersion, item_id: int):
    """Move a question one place up or down within its dimension or the context questions."""
    item, step = _item(version, item_id), move_step()
    return run_change(
        partial(editing.move_item, item, step, actor_id=current_user.id),
        f"Question {item.key} moved {MOVED[step]}",
        show_url(version, _item_anchor(item)),
    )


@bp.post(f"/versions/<{ID}:version_id>/items/<{ID}:item_id>/delete")
@draft_only
def item_delete(version: FrameworkVersion, item_id: int):
    """Delete a question."""
    item = _item(version, item_id)
    anchor = _item_anchor(item.dimension)
    return run_change(
        partial(editing.delete_item, item, actor_id=current_user.id),
        f"Question {item.key} was deleted",
        show_url(version, anchor),
    )
