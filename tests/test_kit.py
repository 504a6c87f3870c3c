"""The tests share helpers only through ``tests.kit``: no test module imports another, nor a
conftest (which holds fixtures, found by pytest, never imported)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, absolute, including imports inside functions."""
    package = ".".join(path.relative_to(TESTS.parent).parent.parts)
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.append(base)
            # ``from tests import test_x`` and ``from tests import conftest`` name modules too.
            names.extend(f"{base}.{alias.name}" for alias in node.names)
    return names


def forbidden(module: str) -> bool:
    parts = module.split(".")
    if parts[0] != "tests":
        return False
    return any(p.startswith("test_") or p == "conftest" for p in parts[1:])


def test_no_test_module_or_conftest_imports_a_test_module_or_a_conftest() -> None:
    files = sorted({*TESTS.rglob("test_*.py"), *TESTS.rglob("conftest.py")})
    assert len(files) > 20, files
    bad = {
        str(path.relative_to(TESTS)): [m for m in imported_modules(path) if forbidden(m)]
        for path in files
    }
    assert {path: modules for path, modules in bad.items() if modules} == {}


def test_the_check_sees_each_way_of_importing() -> None:
    for module in (
        "tests.test_crash",
        "tests.browser.test_mayday",
        "tests.conftest",
        "tests.browser.conftest",
    ):
        assert forbidden(module), module
    for module in ("tests.kit.hub", "tests.kit", "hub.client", "pytest"):
        assert not forbidden(module), module
