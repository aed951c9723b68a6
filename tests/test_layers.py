"""The import rule over the source tree: api → planning → dispatch → catalog → geo; dispatch →
optimizer; optimizer and geo import no project package; nothing but api imports api. The one
settings object (``settings``) sits at the top beside api: only entry points (api, the
benchmark scripts) import it, and it imports only the catalogue (whose sections it holds).

Imports are read with ``ast`` (every ``import`` and ``from ... import``, also inside functions
and ``if TYPE_CHECKING:`` blocks), so a lazy import inside a function breaks the rule as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROJECT = ("api", "settings", "planning", "dispatch", "catalog", "geo", "optimizer", "benchmarks")
"""Top-level packages of the repository (benchmarks: scripts that use the public API)."""

MAY_IMPORT: dict[str, frozenset[str]] = {
    "optimizer": frozenset(),
    "geo": frozenset(),
    "catalog": frozenset({"geo"}),
    "dispatch": frozenset({"catalog", "geo", "optimizer"}),
    "planning": frozenset({"dispatch", "catalog", "geo", "optimizer"}),
    "settings": frozenset({"catalog"}),
    "api": frozenset({"settings", "planning", "dispatch", "catalog", "geo", "optimizer"}),
    "benchmarks": frozenset({"settings", "planning", "dispatch", "catalog", "geo", "optimizer"}),
}
"""Which other project packages each package may import (its own is always allowed)."""


def project_imports(path: Path) -> list[tuple[int, str]]:
    """``(line, top-level project package)`` of every import in ``path``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue  # relative imports stay inside their package
        found += [(node.lineno, n.split(".")[0]) for n in names if n.split(".")[0] in PROJECT]
    return sorted(found)


def breaches(package: str, *, root: Path = ROOT) -> list[str]:
    """Every import in ``root/package`` that the rule forbids, as ``path:line imports name``."""
    allowed = MAY_IMPORT[package] | {package}
    return [
        f"{path.relative_to(root)}:{line} imports {name}"
        for path in sorted((root / package).rglob("*.py"))
        for line, name in project_imports(path)
        if name not in allowed
    ]


@pytest.mark.parametrize("package", sorted(p for p in MAY_IMPORT if (ROOT / p).is_dir()))
def test_package_imports_only_what_the_rule_allows(package: str) -> None:
    assert breaches(package) == []


def test_every_package_of_the_tree_is_under_the_rule() -> None:
    # A new top-level package must be placed in the rule before it can import anything.
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages <= set(MAY_IMPORT)


def test_the_rule_reads_lazy_and_type_checking_imports(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import geo.graph\n"
        "if TYPE_CHECKING:\n"
        "    from api.settings import Settings\n"
        "def f():\n"
        "    from optimizer import solve\n"
        "    from . import sibling\n",
        encoding="utf-8",
    )
    assert project_imports(source) == [(2, "geo"), (4, "api"), (6, "optimizer")]


@pytest.mark.parametrize(
    ("package", "source", "expected"),
    [
        # geo reaching up into the catalogue
        ("geo", "from catalog.models import Site\n", ["geo/m.py:1 imports catalog"]),
        # the catalogue reaching into the optimiser (only dispatch may)
        ("catalog", "import optimizer\n", ["catalog/m.py:1 imports optimizer"]),
        # dispatch reaching up into api, lazily
        ("dispatch", "def f():\n    import api.settings\n", ["dispatch/m.py:2 imports api"]),
        # a benchmark using api instead of dispatch's public names
        ("benchmarks", "from api.demo import run_demo\n", ["benchmarks/m.py:1 imports api"]),
        # the catalogue reading the settings object instead of being passed its section
        ("catalog", "from settings import Settings\n", ["catalog/m.py:1 imports settings"]),
        # allowed: dispatch on catalog, geo and optimizer; api on anything
        ("dispatch", "import catalog, geo, optimizer\n", []),
        ("api", "import dispatch, catalog, geo, optimizer\n", []),
    ],
)
def test_a_forbidden_import_is_named_with_its_line(
    tmp_path: Path, package: str, source: str, expected: list[str]
) -> None:
    (tmp_path / package).mkdir()
    (tmp_path / package / "m.py").write_text(source, encoding="utf-8")
    assert breaches(package, root=tmp_path) == expected
