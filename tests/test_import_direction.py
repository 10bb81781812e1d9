"""The packages lean one way (STYLE.md): surveys imports maturity, never the reverse, and
maturity/engine/ stays pure (no Flask, no SQLAlchemy, no database session)."""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("maturity", "surveys")
COMPOSITION_ROOT = "maturity/app.py"
ENGINE_DIR = "maturity/engine/"
ENGINE_FORBIDDEN = ("flask", "flask_sqlalchemy", "sqlalchemy", "maturity.db")


@dataclass(frozen=True)
class Import:
    """One module a file imports, with where it does so."""

    path: str  # relative to the repository root, with forward slashes
    line: int
    module: str


def _module_name(path: str) -> str:
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve_relative(path: str, level: int, module: str | None) -> str:
    """The absolute module named by ``from <level dots><module> import …`` in ``path``."""
    package = _module_name(path).split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    base = package[: len(package) - (level - 1)] if level > 1 else package
    return ".".join([*base, module] if module else base)


def _dynamic_import(node: ast.Call) -> str | None:
    """The module of ``importlib.import_module("x")`` or ``__import__("x")``, if literal."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in {"import_module", "__import__"} or not node.args:
        return None
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def imports_in_source(path: str, source: str) -> list[Import]:
    """Every import in a module, at any depth (function bodies, TYPE_CHECKING blocks…).

    ``from a import b`` counts as importing both ``a`` and ``a.b``, since ``b`` may be a
    submodule (``from maturity import db`` imports ``maturity.db``).
    """
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            found += [Import(path, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                module = _resolve_relative(path, node.level, node.module)
            found.append(Import(path, node.lineno, module))
            found += [
                Import(path, node.lineno, f"{module}.{alias.name}")
                for alias in node.names
                if alias.name != "*"
            ]
        elif isinstance(node, ast.Call) and (module := _dynamic_import(node)):
            found.append(Import(path, node.lineno, module))
    return found


def project_imports() -> list[Import]:
    """Every import in every .py file under maturity/ and surveys/."""
    found = []
    for package in PACKAGES:
        for file in sorted((ROOT / package).rglob("*.py")):
            path = file.relative_to(ROOT).as_posix()
            found += imports_in_source(path, file.read_text(encoding="utf-8"))
    return found


def _is_within(module: str, parent: str) -> bool:
    return module == parent or module.startswith(parent + ".")


def wrong_way_arrows(imports: list[Import]) -> list[str]:
    """A message for each import that breaks the packages' direction or the engine's purity."""
    problems = []
    for imp in imports:
        where = f"{imp.path}:{imp.line}"
        if (
            imp.path.startswith("maturity/")
            and imp.path != COMPOSITION_ROOT
            and _is_within(imp.module, "surveys")
        ):
            problems.append(f"{where} imports {imp.module}: maturity must not import surveys")
        if imp.path.startswith(ENGINE_DIR):
            for forbidden in ENGINE_FORBIDDEN:
                if _is_within(imp.module, forbidden):
                    problems.append(
                        f"{where} imports {imp.module}: maturity/engine/ must stay pure"
                    )
    return sorted(set(problems))


def test_maturity_never_imports_surveys_and_the_engine_stays_pure():
    problems = wrong_way_arrows(project_imports())

    assert not problems, "Wrong-way imports:\n" + "\n".join(problems)


def test_the_walker_sees_the_composition_root_import_surveys():
    imports = project_imports()

    assert any(imp.path == COMPOSITION_ROOT and imp.module == "surveys.cli" for imp in imports), (
        "the walker missed maturity/app.py importing surveys.cli"
    )
    assert any(
        imp.path.startswith("surveys/") and _is_within(imp.module, "maturity") for imp in imports
    )


def test_the_walker_finds_every_form_of_import():
    source = (
        "import surveys.jobs\n"
        "from surveys import rounds\n"
        "def late():\n"
        "    from surveys.responses.models import Response\n"
        "from .. import db\n"
        "from ..accounts.models import User\n"
        "import importlib\n"
        "importlib.import_module('surveys.views')\n"
    )

    modules = {
        (imp.line, imp.module) for imp in imports_in_source("maturity/engine/scoring.py", source)
    }

    assert {
        (1, "surveys.jobs"),
        (2, "surveys.rounds"),
        (4, "surveys.responses.models"),
        (5, "maturity.db"),
        (6, "maturity.accounts.models"),
        (8, "surveys.views"),
    } <= modules


def test_the_rules_flag_wrong_way_arrows_with_file_and_line():
    imports = [
        Import("maturity/results/services.py", 7, "surveys.rounds.models"),
        Import("maturity/engine/scoring.py", 3, "sqlalchemy.orm"),
        Import("maturity/engine/charts.py", 4, "flask"),
        Import("maturity/engine/benchmarks.py", 5, "maturity.db"),
        Import("maturity/engine/stats.py", 6, "flask_sqlalchemy"),
        # allowed:
        Import(COMPOSITION_ROOT, 105, "surveys.cli"),
        Import("surveys/rounds/services.py", 2, "maturity.db"),
        Import("maturity/engine/scoring.py", 2, "maturity.engine.types"),
        Import("maturity/engine/scoring.py", 8, "flaskish"),
        Import("maturity/results/models.py", 9, "sqlalchemy"),
    ]

    problems = wrong_way_arrows(imports)

    assert problems == [
        "maturity/engine/benchmarks.py:5 imports maturity.db: maturity/engine/ must stay pure",
        "maturity/engine/charts.py:4 imports flask: maturity/engine/ must stay pure",
        "maturity/engine/scoring.py:3 imports sqlalchemy.orm: maturity/engine/ must stay pure",
        "maturity/engine/stats.py:6 imports flask_sqlalchemy: maturity/engine/ must stay pure",
        "maturity/results/services.py:7 imports surveys.rounds.models: "
        "maturity must not import surveys",
    ]
