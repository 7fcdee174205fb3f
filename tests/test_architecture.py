"""Layer rules from ARCHITECTURE.md, checked on the source (imports point down only)."""

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
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


ROOT = PACKAGE.parent


def _lint_imports(config: Path, package_parent: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the venv's lint-imports (import-linter) on ``config`` over the fieldapp package in
    ``package_parent``; no cache files are written."""
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(lint), str(config), "--no-cache", "--no-logo"],
                          cwd=package_parent, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(package_parent)})


def test_layer_contracts_hold():
    """The import-linter contracts in pyproject.toml ([tool.importlinter]) are all kept."""
    done = _lint_imports(ROOT / "pyproject.toml")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_a_broken_contract_fails_the_check(tmp_path):
    """The same contracts, run over a copy of the package with one bad import, fail."""
    copy = tmp_path / "fieldapp"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "core" / "clock.py").open("a", encoding="utf-8") as f:
        f.write("\nimport fieldapp.storage.store  # noqa: E402,F401 - a deliberate violation\n")
    done = _lint_imports(ROOT / "pyproject.toml", tmp_path)
    assert done.returncode != 0, done.stdout[-4000:]
    assert "core imports no storage, services, sync, reports or ui BROKEN" in done.stdout
    assert "fieldapp.core.clock -> fieldapp.storage.store" in done.stdout


def test_reports_importing_a_screen_or_the_database_breaks_the_contract(tmp_path):
    """fieldapp.reports writes documents from plain data: importing ui, storage or services
    from it fails the check."""
    copy = tmp_path / "fieldapp"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "reports" / "pdf.py").open("a", encoding="utf-8") as f:
        f.write("\nimport fieldapp.storage.store  # noqa: E402,F401 - a deliberate violation\n")
        f.write("import fieldapp.ui.screens.reports  # noqa: E402,F401 - and another\n")
    done = _lint_imports(ROOT / "pyproject.toml", tmp_path)
    assert done.returncode != 0, done.stdout[-4000:]
    assert "reports (documents and exports from plain data) imports no ui, storage or" in \
        done.stdout
    assert "fieldapp.reports.pdf -> fieldapp.storage.store" in done.stdout
    assert "fieldapp.reports.pdf -> fieldapp.ui.screens.reports" in done.stdout


def test_no_module_does_several_jobs_in_over_600_lines():
    """A module past 600 lines has grown a second job: split it (STYLE.md)."""
    package = Path(__file__).resolve().parents[1] / "fieldapp"
    long = {str(p.relative_to(package)): n for p in package.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


def test_an_import_cycle_inside_a_layer_breaks_the_contract(tmp_path):
    """The storage layer imports in one direction: engine is below db, so db importing
    engine is fine and engine importing db back is a cycle the check reports."""
    copy = tmp_path / "fieldapp"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "storage" / "engine.py").open("a", encoding="utf-8") as f:
        f.write("\nimport fieldapp.storage.db  # noqa: E402,F401 - a deliberate cycle\n")
    done = _lint_imports(ROOT / "pyproject.toml", tmp_path)
    assert done.returncode != 0, done.stdout[-4000:]
    assert "No cycles are allowed in fieldapp.storage." in done.stdout


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes inside ``if TYPE_CHECKING:`` blocks."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(n) for child in node.body for n in ast.walk(child))
    return inside


def test_the_imports_the_cycle_check_ignores_are_type_hints_only():
    """The acyclic contract ignores a few imports of an owner by what it owns (a repository's
    Store, a service's Workspace): each must stay under ``if TYPE_CHECKING:``, where it never
    runs; a real import there would be a cycle the contract no longer sees."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"]
                  if c["id"] == "no-cycles-in-a-layer"]
    assert contract["ignore_imports"]
    for edge in contract["ignore_imports"]:
        importer, imported = (part.strip() for part in edge.split("->"))
        path = ROOT / (importer.replace(".", "/") + ".py")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = _type_checking_nodes(tree)
        found = [node for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module == imported
                 or isinstance(node, ast.Import) and imported in {a.name for a in node.names}]
        assert found, f"{edge}: no such import (remove it from ignore_imports)"
        assert all(id(node) in guarded for node in found), f"{edge} runs: a cycle"


# A string that reads as an SQL statement (or a piece of one): it names a table the way only a
# repository should. Prose ("Select a village from the list.") does not match: after a
# statement's table (and its alias) comes a clause keyword, a bracket or the end of the text,
# and its column list holds no full stop or colon. (It finds 245 of the 246 statements in
# fieldapp/storage; the one it misses selects a function without "from".)
_CLAUSE = r"(?:where|join|left|inner|cross|natural|order|group|limit|on|union|set|values)"
_TABLE = rf"""(?:\s*$|\s+\(|\s+\[?\w+\]?(?:\s+(?!{_CLAUSE}\b)\w+){{0,2}}
                 \s*(?:$|[,;()]|\b{_CLAUSE}\b))"""
_COLUMNS = r"(?:(?!\.\s|\n\s*\n)[^:;]){1,400}?"  # no sentence or paragraph ends in it
SQL_STATEMENT = re.compile(rf"""(?isx)\b(
    select\s+{_COLUMNS}\bfrom{_TABLE}
  | insert\s+(?:or\s+\w+\s+)?into{_TABLE}
  | update\s+\[?[\w.]+\]?\s+set\b
  | delete\s+from{_TABLE}
  | (?:create|drop)\s+(?:unique\s+|virtual\s+)?(?:table|index|view|trigger)\s
  | alter\s+table\s
  | pragma\s+\w+\s*(?:=|\(|$)
)""")


def _string_literals(path: Path):
    """(line, text) of every string literal of a module; an f-string's text with each
    ``{...}`` as ``x``, so "select {columns} from {table}" still reads as a statement."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
             for v in node.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "x"
                                       for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in parts:
            yield node.lineno, node.value


STORES = ("storage", "warehouse")
"""The packages that hold data: fieldapp.storage (SQLite) and fieldapp.warehouse (the province's
PostgreSQL; only services call it, only it imports psycopg: pyproject.toml's contracts)."""


def sql_outside_storage(package: Path) -> list[str]:
    return [f"{path.relative_to(package)}:{line}: {match.group(0)[:50]!r}"
            for path in sorted(package.rglob("*.py"))
            if path.relative_to(package).parts[0] not in STORES
            for line, text in _string_literals(path)
            if (match := SQL_STATEMENT.search(text))]


def test_sql_lives_only_in_storage():
    """Services, screens, the command line and the domain ask repositories (fieldapp.storage)
    for data; none of them writes a query."""
    assert sql_outside_storage(PACKAGE) == []


def test_the_sql_check_sees_queries_and_not_prose(tmp_path):
    module = tmp_path / "pkg" / "services" / "m.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        '"""Choose what to select from the list; update the form, then delete from memory."""\n'
        'A = "select from a file"\n'
        'B = f"select [{column}] as v from [{table}] where id = ?"\n'
        'C = """select count(*) from households h\\n where h.deleted = 0"""\n'
        'D = "insert or ignore into form_versions(form_id) values (?)"\n'
        'E = f"update sync_peers set {sets} where device = ?"\n'
        'F = "site = (select site from sync_devices where device = ?)"\n'
        'G = "pragma quick_check"\n'
        'H = "delete from app_meta where key = ?"\n'
        'I = "Select a village from the list. Registry lists: from the database."\n')
    found = sql_outside_storage(tmp_path / "pkg")
    assert [line.split(":")[1] for line in found] == ["3", "4", "5", "6", "7", "8", "9"], found
