"""How the source calls the catalog: literal msgids, translated when shown (never at import)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "fieldapp"
TRANSLATING = {"_": (0,), "pgettext": (0, 1), "ngettext": (0, 1)}
MARKING = {"N_": (0,), "pgettext_noop": (0, 1)}


def _calls(tree: ast.AST):
    """(call, name, inside_function) for every call of a catalog function."""
    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) \
                    and child.func.id in {**TRANSLATING, **MARKING}:
                yield child, child.func.id, in_function
            yield from visit(child, inner)
    yield from visit(tree, False)


def _source_problems(path: Path, text: str) -> list[str]:
    problems = []
    tree = ast.parse(text)
    for call, name, in_function in _calls(tree):
        where = f"{path}:{call.lineno}"
        positions = {**TRANSLATING, **MARKING}[name]
        for position in positions:
            if position >= len(call.args):
                continue
            arg = call.args[position]
            literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            if isinstance(arg, ast.JoinedStr):
                problems.append(f"{where}: {name}() of an f-string (extraction cannot see it)")
            elif isinstance(arg, ast.BinOp):
                problems.append(f"{where}: {name}() of a computed string; format after "
                                "translating")
            elif isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) \
                    and arg.func.attr == "format":
                problems.append(f"{where}: {name}(...format()) translates the formatted text; "
                                "use _(...).format()")
            elif name in MARKING and not literal:
                problems.append(f"{where}: {name}() must mark a literal string")
        if name in TRANSLATING and not in_function:
            problems.append(f"{where}: {name}() runs at import, so the text never follows a "
                            "language switch; mark it with N_() and translate when shown")
    return problems


def test_catalog_calls_in_the_source_are_extractable_and_lazy():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        problems += _source_problems(path.relative_to(PACKAGE.parent),
                                     path.read_text(encoding="utf-8"))
    assert problems == []


def test_the_checker_finds_each_kind_of_mistake():
    bad = '''
from fieldapp.i18n.catalog import _, N_
TITLE = _("Households")
def show(name, n):
    a = _(f"Hello {name}")
    b = _("Hello " + name)
    c = _("Hello {name}".format(name=name))
    d = N_(name)
    e = _("Hello {name}").format(name=name)
    f = _(name)
'''
    problems = _source_problems(Path("bad.py"), bad)
    assert [p.split(": ", 1)[0] for p in problems] == [
        "bad.py:3", "bad.py:5", "bad.py:6", "bad.py:7", "bad.py:8"]
