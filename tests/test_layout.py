"""The shape of the code: layers import one way, settings are read in one place, functions stay short, and the
README's layout names what is there."""

from __future__ import annotations

import ast
import re

import pytest

from .conftest import REPO

PACKAGE = REPO / "textlab"
CAPABILITIES = ("chat", "classify", "neighbours", "translate", "lab")


def modules() -> dict[str, ast.Module]:
    return {str(path.relative_to(REPO)): ast.parse(path.read_text()) for path in PACKAGE.rglob("*.py")}


def imported(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_ui_imports_gradio():
    offenders = [
        path
        for path, tree in modules().items()
        if not path.startswith("textlab/ui/") and any(n.split(".")[0] == "gradio" for n in imported(tree))
    ]
    assert offenders == []


@pytest.mark.parametrize("layer", ["networks", "text", "data"])
def test_lower_layers_never_import_a_capability_or_the_ui(layer):
    above = tuple(f"textlab.{name}" for name in (*CAPABILITIES, "ui", "capabilities", "loading", "cli"))
    offenders = {
        path: sorted(n for n in imported(tree) if n.startswith(above))
        for path, tree in modules().items()
        if path.startswith(f"textlab/{layer}/")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_networks_hold_modules_only():
    """`networks/` is nn.Module code (and the chat's stepper; one network may build on another): no training, no data,
    no checkpoints."""
    allowed = ("torch", "numpy", "dataclasses", "__future__", "textlab.text", "textlab.networks")
    for path, tree in modules().items():
        if path.startswith("textlab/networks/"):
            assert all(n.startswith(allowed) for n in imported(tree)), path


def test_the_environment_is_read_in_settings_only():
    """Every TEXTLAB_* setting is read in textlab/settings.py, when asked for; elsewhere the environment is only
    given defaults for libraries (Gradio's analytics, OpenBLAS threads)."""
    reads = re.compile(r"os\.environ\.get|os\.getenv|os\.environ\[|environ\.get\(")
    offenders = [
        str(path.relative_to(REPO))
        for path in PACKAGE.rglob("*.py")
        if path.name != "settings.py" and reads.search(path.read_text())
    ]
    assert offenders == []


def test_no_function_is_longer_than_60_lines():
    long = [
        f"{path}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path, tree in modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > 60
    ]
    assert long == []


def test_every_environment_variable_is_in_the_readme():
    settings = (PACKAGE / "settings.py").read_text()
    readme = (REPO / "README.md").read_text()
    names = set(re.findall(r'"((?:TEXTLAB_|OMP_)[A-Z_]+)"', settings))
    assert names and {name for name in names if name not in readme} == set()


def test_the_readme_layout_names_every_module():
    readme = (REPO / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("```")[1]
    named = set(re.findall(r"([a-z0-9_]+(?:\.py|/))", layout))
    on_disk = {p.name for p in PACKAGE.iterdir() if p.suffix == ".py" and p.name != "__init__.py"}
    on_disk |= {p.name + "/" for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert on_disk - named == set(), "README's layout misses these"
    assert {n for n in named if n.endswith(".py")} - on_disk - _nested_files() == set(), "README names these wrongly"


def _nested_files() -> set[str]:
    return {p.name for p in PACKAGE.rglob("*.py")}
