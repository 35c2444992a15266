"""The layering of docs/architecture.md, checked on the source: no cycles, no upward imports.

Every `import` counts, wherever it stands in a module: at the top, inside a function or
under `if TYPE_CHECKING:`. A lazy import that dodges a cycle at run time is still a cycle.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "clerkship"
DOC = ROOT / "docs" / "architecture.md"

# File (or sub-package) names of a feature, by layer: the lower ones never import the higher.
LOWER_KINDS = frozenset({"models", "queries", "services", "permissions"})
HIGHER_KINDS = frozenset({"forms", "views", "cli"})


def layer_order() -> list[list[str]]:
    """The layers of docs/architecture.md, bottom first; each a list of top-level modules.

    The doc holds them as a numbered list between two markers, one layer a line:
    `1. config, extensions, core`.
    """
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- layers:start -->", 1)[1].split("<!-- layers:end -->", 1)[0]
    layers = []
    for line in block.splitlines():
        match = re.match(r"\s*\d+\.\s+(.*)", line)
        if match:
            names = re.findall(r"`?([a-z_]+)`?", match.group(1).split("—")[0])
            layers.append(names)
    return layers


@dataclass(frozen=True)
class Import:
    source: str  # dotted module name of the importing module
    target: str  # dotted module name imported
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """Every clerkship module that the module imports, anywhere in its body."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from clerkship.x import views` imports the module clerkship.x.views.
            targets = [module] + [
                f"{module}.{alias.name}"
                for alias in node.names
                if f"{module}.{alias.name}" in modules
            ]
        else:
            continue
        found += [
            Import(name, target, node.lineno)
            for target in targets
            if target == "clerkship" or target.startswith("clerkship.")
        ]
    return found


def top_level(module: str) -> str:
    """The package (or top-level module) a module belongs to: clerkship.reviews.x -> reviews."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "clerkship"


def kind(module: str) -> str | None:
    """lower, higher or None (neither) for a module inside a feature package."""
    parts = set(module.split(".")[2:])
    if parts & HIGHER_KINDS:
        return "higher"
    if parts & LOWER_KINDS:
        return "lower"
    return None


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    modules = all_modules()
    return [found for name, path in modules.items() for found in imports_of(name, path, modules)]


@pytest.fixture(scope="module")
def graph(imports) -> dict[str, dict[str, list[Import]]]:
    """package -> imported package -> the imports that make the edge."""
    edges: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for found in imports:
        source, target = top_level(found.source), top_level(found.target)
        if source != target:
            edges[source][target].append(found)
    return edges


def test_layer_order_names_every_package_once():
    named = [name for layer in layer_order() for name in layer]
    assert len(named) == len(set(named))
    packages = {top_level(name) for name in all_modules() if name != "clerkship"}
    assert set(named) - {"clerkship"} == packages


def test_no_cycle_between_packages(graph):
    cycles = []
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(package: str) -> None:
        state[package] = "open"
        stack.append(package)
        for target in sorted(graph.get(package, {})):
            if state.get(target) == "open":
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[package] = "done"

    for package in sorted(graph):
        if package not in state:
            visit(package)
    described = [
        " -> ".join(cycle)
        + ": "
        + "; ".join(
            f"{first.source}:{first.line} imports {first.target}"
            for a, b in itertools.pairwise(cycle)
            for first in graph[a][b][:1]
        )
        for cycle in cycles
    ]
    assert described == []


def test_no_package_imports_a_higher_layer(graph):
    rank = {name: index for index, layer in enumerate(layer_order()) for name in layer}
    upward = [
        f"{found.source}:{found.line} imports {found.target} ({source} sits below {target})"
        for source, targets in graph.items()
        for target, found_imports in targets.items()
        if rank[target] > rank[source]
        for found in found_imports
    ]
    assert upward == []


def test_no_lower_module_imports_forms_views_or_cli(imports):
    upward = [
        f"{found.source}:{found.line} imports {found.target}"
        for found in imports
        if top_level(found.source) not in ("clerkship", "demo", "bench")
        and kind(found.source) == "lower"
        and kind(found.target) == "higher"
    ]
    assert upward == []
