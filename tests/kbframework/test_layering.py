"""Imports run one way: kernel <- domain apps <- site layer, and no module
changes another app's classes. Read from the source (ast), so a violation
fails here whether or not the code path runs in a test."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
KERNEL = "kbframework"
SITE = "imidkb"
DOMAIN = ("diseases", "treatments", "epidemiology")
PACKAGES = (KERNEL, *DOMAIN, SITE)
# What each package may not import (diseases is the base the others extend).
FORBIDDEN = {
    KERNEL: {*DOMAIN, SITE},
    "diseases": {"treatments", "epidemiology", SITE},
    "treatments": {"epidemiology", SITE},
    "epidemiology": {"treatments", SITE},
    SITE: set(),
}
MUTATORS = {"append", "extend", "update", "insert", "setdefault", "add", "remove"}


def modules():
    for package in PACKAGES:
        for path in sorted((BASE_DIR / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield package, path


def imported_packages(tree: ast.AST) -> dict[str, str]:
    """Local name -> top-level package of every name a module imports."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[(alias.asname or alias.name).split(".")[0]] = alias.name.split(
                    "."
                )[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = node.module.split(".")[0]
    return names


def forbidden_imports(package: str, tree: ast.AST) -> list[str]:
    """Imports of packages this one may not depend on, and models of them
    named by string (apps.get_model("treatments", ...))."""
    found = [
        f"imports {module}"
        for module in set(imported_packages(tree).values())
        if module in FORBIDDEN[package]
    ]
    if package == KERNEL:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", "") == "get_model"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and str(node.args[0].value).split(".")[0] in DOMAIN
            ):
                found.append(f"names {node.args[0].value} by string")
    return found


def foreign_class_changes(package: str, tree: ast.AST) -> list[str]:
    """Assignments to (or in-place changes of) attributes of classes that
    another package defines: `DiseaseAdmin.inlines = ...`,
    `DiseaseQuerySet.detail_prefetches += ...`, `X.sections.update(...)`."""
    foreign = {
        name
        for name, module in imported_packages(tree).items()
        if module in PACKAGES and module != package
    }

    def root(node) -> str | None:
        while isinstance(node, ast.Attribute):
            node = node.value
        return node.id if isinstance(node, ast.Name) else None

    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in MUTATORS
            and isinstance(node.func.value, ast.Attribute)
        ):
            targets = [node.func.value]
        for target in targets:
            if isinstance(target, ast.Attribute | ast.Subscript):
                base = target.value if isinstance(target, ast.Subscript) else target
                if root(base) in foreign:
                    found.append(f"changes {ast.unparse(target)} (line {node.lineno})")
    return found


@pytest.mark.parametrize(
    ("package", "path"), list(modules()), ids=lambda v: getattr(v, "name", v)
)
def test_imports_run_one_way_and_no_module_patches_another_app(package, path):
    """The kernel imports no domain app or site module; diseases imports
    neither treatments nor epidemiology; no module changes a class of another
    package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = forbidden_imports(package, tree) + foreign_class_changes(package, tree)
    assert not problems, f"{path.relative_to(BASE_DIR)}: {problems}"


def test_the_checks_catch_planted_violations():
    """The two checks are not vacuous: each finds what it looks for."""
    patched = ast.parse(
        "from diseases.admin import DiseaseAdmin\n"
        "from diseases.querysets import DiseaseQuerySet\n"
        "DiseaseAdmin.inlines = [*DiseaseAdmin.inlines, 1]\n"
        "DiseaseQuerySet.detail_prefetches += [2]\n"
        "DiseaseAdmin.extra.update(x=1)\n"
    )
    assert len(foreign_class_changes("treatments", patched)) == 3
    assert foreign_class_changes("diseases", patched) == []
    kernel = ast.parse(
        "from treatments.models import Drug\n"
        "import epidemiology.models\n"
        "from django.apps import apps\n"
        "apps.get_model('diseases', 'Disease')\n"
    )
    assert len(forbidden_imports(KERNEL, kernel)) == 3
    assert forbidden_imports("diseases", ast.parse("from treatments import x")) == [
        "imports treatments"
    ]
