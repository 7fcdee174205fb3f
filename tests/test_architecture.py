"""Layer rules from ARCHITECTURE.md, checked on the source (imports point down only)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "fieldapp"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(exclude: str | None = None):
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if exclude and rel.parts[0] == exclude:
            continue
        yield rel, _imports(path)


def test_only_ui_imports_qt():
    offenders = [str(rel) for rel, names in _modules(exclude="ui")
                 if any(n == "PySide6" or n.startswith(("PySide6.", "shiboken6")) for n in names)]
    assert offenders == []


def test_core_imports_no_outer_layer():
    forbidden = ("fieldapp.storage", "fieldapp.sync", "fieldapp.reports", "fieldapp.ui",
                 "fieldapp.services", "sqlite3", "sqlite_utils")
    offenders = [f"{rel}: {n}" for rel, names in _modules() if rel.parts[0] == "core"
                 for n in names if n.startswith(forbidden)]
    assert offenders == []


def test_storage_does_not_import_ui_or_services():
    offenders = [f"{rel}: {n}" for rel, names in _modules() if rel.parts[0] == "storage"
                 for n in names if n.startswith(("fieldapp.ui", "fieldapp.services"))]
    assert offenders == []


def test_checker_sees_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtWidgets import QWidget\n")
    assert "PySide6.QtWidgets" in _imports(bad)
