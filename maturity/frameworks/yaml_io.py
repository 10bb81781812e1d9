"""Framework YAML: read with line-numbered errors, and write.

The schema (``schema: placewise-framework/1``) is documented in docs/framework-yaml.md and
shown by maturity/frameworks/default_framework.yaml. A file is read whole or refused whole:
:func:`read_framework_yaml` returns a spec only if it has no problem at all.
"""

from dataclasses import dataclass
from math import isfinite
from typing import Any

import yaml

from maturity.frameworks.spec import (
    DimensionSpec,
    FrameworkSpec,
    ItemSpec,
    LevelSpec,
    OptionSpec,
    Path,
    problems_in,
)

SCHEMA_ID = "placewise-framework/1"
MAX_YAML_BYTES = 1_000_000
YAML_TAG_PREFIX = "tag:yaml.org,2002:"
# The plain YAML types; anything else (``!!python/name:``, ``!custom``) is refused.
ALLOWED_TAGS = {
    YAML_TAG_PREFIX + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}

TOP_FIELDS = {"schema", "key", "name", "description", "scoring", "levels", "dimensions", "context"}
LEVEL_FIELDS = {"number", "name", "summary", "band_floor"}
DIMENSION_FIELDS = {"key", "name", "summary", "weight", "descriptors", "items"}
ITEM_FIELDS = {
    "key",
    "lineage",
    "type",
    "text",
    "help",
    "reverse",
    "attribute",
    "required",
    "options",
}
OPTION_FIELDS = {"value", "label"}


@dataclass(frozen=True)
class YamlError:
    """A fault in a framework file, at a line (1-based; 0 when the file is empty)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


class FrameworkYamlError(Exception):
    """The file was refused; ``errors`` lists every fault found."""

    def __init__(self, errors: list[YamlError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class _RefusedYaml(Exception):
    """The composer met a construct that framework files may not use."""

    def __init__(self, error: YamlError):
        super().__init__(str(error))
        self.error = error


def _shown_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(YAML_TAG_PREFIX) if tag.startswith(YAML_TAG_PREFIX) else tag


class _FrameworkLoader(yaml.SafeLoader):
    """A safe loader that also refuses anchors, aliases and unknown tags.

    Aliases let a few hundred bytes expand into billions of nodes (an "alias bomb"), and
    no framework needs them; refusing them while composing means the tree is never built.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _RefusedYaml(
                YamlError(line, "Anchors and aliases (& and *) are not allowed: write it out")
            )
        node = super().compose_node(parent, index)
        if node.tag not in ALLOWED_TAGS:
            raise _RefusedYaml(
                YamlError(line, f"The tag '{_shown_tag(node.tag)}' is not allowed: remove it")
            )
        return node


class _Reader:
    """Turns a YAML node tree into plain data, remembering the line of every path."""

    def __init__(self) -> None:
        self.lines: dict[Path, int] = {}
        self.errors: list[YamlError] = []
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        value = self._constructor.construct_object(node, deep=True)
        if isinstance(value, str) and "\x00" in value:
            # PostgreSQL text cannot hold NUL, and no framework needs it.
            self.errors.append(YamlError(self.lines[path], "Text must not contain NUL characters"))
        return value

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            key = self._constructor.construct_object(key_node, deep=True)
            if key in result:
                self.errors.append(
                    YamlError(key_node.start_mark.line + 1, f"Duplicate field '{key}'")
                )
                continue
            result[key] = self.build(value_node, (*path, key))
            # A field's faults belong on its own line ("levels:"), not where its list starts.
            self.lines[(*path, key)] = key_node.start_mark.line + 1
        return result

    def line_of(self, path: Path) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def fail(self, path: Path, message: str) -> None:
        self.errors.append(YamlError(self.line_of(path), message))


class _SpecBuilder:
    """Checks the shape of the plain data and builds a FrameworkSpec from it."""

    def __init__(self, reader: _Reader):
        self.reader = reader

    def mapping(self, value: Any, path: Path, allowed: set[str], what: str) -> dict:
        if not isinstance(value, dict):
            self.reader.fail(path, f"{what} must be a mapping of fields")
            return {}
        for name in value:
            if name not in allowed:
                self.reader.fail((*path, name), f"Unknown field '{name}' in {what.lower()}")
        return value

    def sequence(self, data: dict, name: str, path: Path, required: bool = True) -> list:
        value = data.get(name)
        if value is None:
            if required:
                self.reader.fail(path, f"Missing field '{name}'")
            return []
        if not isinstance(value, list):
            self.reader.fail((*path, name), f"'{name}' must be a list")
            return []
        return value

    def text(self, data: dict, name: str, path: Path, required: bool = True) -> str:
        value = data.get(name)
        if value is None:
            if required:
                self.reader.fail(path, f"Missing field '{name}'")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.reader.fail((*path, name), f"'{name}' must be text")
            return ""
        return str(value).strip()

    def number(self, data: dict, name: str, path: Path, default: float | None) -> float | None:
        value = data.get(name, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not isfinite(value):
            self.reader.fail((*path, name), f"'{name}' must be a number")
            return default
        return float(value)

    def flag(self, data: dict, name: str, path: Path) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            self.reader.fail((*path, name), f"'{name}' must be true or false")
            return False
        return value

    def level(self, value: Any, path: Path) -> LevelSpec:
        data = self.mapping(value, path, LEVEL_FIELDS, "A level")
        number = data.get("number")
        if isinstance(number, bool) or not isinstance(number, int):
            self.reader.fail(
                (*path, "number") if "number" in data else path, "A level needs a whole 'number'"
            )
            number = 0
        return LevelSpec(
            number=number,
            name=self.text(data, "name", path),
            summary=self.text(data, "summary", path, required=False),
            band_floor=self.number(data, "band_floor", path, None),
        )

    def option(self, value: Any, path: Path) -> OptionSpec:
        data = self.mapping(value, path, OPTION_FIELDS, "An option")
        return OptionSpec(
            value=self.text(data, "value", path), label=self.text(data, "label", path)
        )

    def item(self, value: Any, path: Path) -> ItemSpec:
        data = self.mapping(value, path, ITEM_FIELDS, "An item")
        key = self.text(data, "key", path)
        return ItemSpec(
            key=key,
            lineage=self.text(data, "lineage", path, required=False) or key,
            type=self.text(data, "type", path),
            text=self.text(data, "text", path),
            help=self.text(data, "help", path, required=False),
            reverse=self.flag(data, "reverse", path),
            attribute=self.flag(data, "attribute", path),
            required=self.flag(data, "required", path),
            options=[
                self.option(option, (*path, "options", i))
                for i, option in enumerate(self.sequence(data, "options", path, required=False))
            ],
        )

    def descriptors(self, data: dict, path: Path) -> dict[int, str]:
        raw = data.get("descriptors")
        if raw is None:
            self.reader.fail(path, "Missing field 'descriptors'")
            return {}
        if not isinstance(raw, dict):
            self.reader.fail((*path, "descriptors"), "'descriptors' must map level numbers to text")
            return {}
        result: dict[int, str] = {}
        for level, text in raw.items():
            if isinstance(level, bool) or not isinstance(level, int):
                self.reader.fail((*path, "descriptors", level), f"'{level}' is not a level number")
            elif not isinstance(text, str):
                self.reader.fail((*path, "descriptors", level), "A descriptor must be text")
            else:
                result[level] = text.strip()
        return result

    def dimension(self, value: Any, path: Path) -> DimensionSpec:
        data = self.mapping(value, path, DIMENSION_FIELDS, "A dimension")
        return DimensionSpec(
            key=self.text(data, "key", path),
            name=self.text(data, "name", path),
            summary=self.text(data, "summary", path, required=False),
            weight=self.number(data, "weight", path, 1.0) or 0.0,
            descriptors=self.descriptors(data, path),
            items=[
                self.item(item, (*path, "items", i))
                for i, item in enumerate(self.sequence(data, "items", path))
            ],
        )

    def framework(self, value: Any) -> FrameworkSpec:
        data = self.mapping(value, (), TOP_FIELDS, "The file")
        if data and data.get("schema") != SCHEMA_ID:
            self.reader.fail(("schema",), f"The first field must be 'schema: {SCHEMA_ID}'")
        return FrameworkSpec(
            key=self.text(data, "key", ()),
            name=self.text(data, "name", ()),
            description=self.text(data, "description", (), required=False),
            scoring=self.text(data, "scoring", (), required=False) or "mean",
            levels=[
                self.level(v, ("levels", i))
                for i, v in enumerate(self.sequence(data, "levels", ()))
            ],
            dimensions=[
                self.dimension(v, ("dimensions", i))
                for i, v in enumerate(self.sequence(data, "dimensions", ()))
            ],
            context=[
                self.item(v, ("context", i))
                for i, v in enumerate(self.sequence(data, "context", (), required=False))
            ],
        )


def read_framework_yaml(text: str) -> FrameworkSpec:
    """Parse and validate a framework file; raise FrameworkYamlError listing every fault."""
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise FrameworkYamlError([YamlError(0, "The file is larger than 1 MB")])
    try:
        node = yaml.compose(text, Loader=_FrameworkLoader)
    except _RefusedYaml as refused:
        raise FrameworkYamlError([refused.error]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(error, "problem", None) or "the file is not valid YAML"
        raise FrameworkYamlError([YamlError(line, f"Not valid YAML: {problem}")]) from None
    if node is None:
        raise FrameworkYamlError([YamlError(0, "The file is empty")])
    reader = _Reader()
    spec = _SpecBuilder(reader).framework(reader.build(node, ()))
    errors = list(reader.errors)
    if not errors:
        errors = [YamlError(reader.line_of(p.path), p.message) for p in problems_in(spec)]
    if errors:
        raise FrameworkYamlError(sorted(errors, key=lambda e: e.line))
    return spec


def _item_data(item: ItemSpec) -> dict:
    data: dict = {"key": item.key, "lineage": item.lineage, "type": item.type, "text": item.text}
    if item.help:
        data["help"] = item.help
    for name in ("reverse", "attribute", "required"):
        if getattr(item, name):
            data[name] = True
    if item.options:
        data["options"] = [{"value": o.value, "label": o.label} for o in item.options]
    return data


def write_framework_yaml(spec: FrameworkSpec) -> str:
    """The YAML text of ``spec``, in the documented schema."""
    data = {
        "schema": SCHEMA_ID,
        "key": spec.key,
        "name": spec.name,
        "description": spec.description,
        "scoring": spec.scoring,
        "levels": [
            {
                "number": lv.number,
                "name": lv.name,
                "summary": lv.summary,
                "band_floor": lv.band_floor,
            }
            for lv in spec.levels
        ],
        "dimensions": [
            {
                "key": d.key,
                "name": d.name,
                "summary": d.summary,
                "weight": d.weight,
                "descriptors": dict(sorted(d.descriptors.items())),
                "items": [_item_data(item) for item in d.items],
            }
            for d in spec.dimensions
        ],
        "context": [_item_data(item) for item in spec.context],
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
