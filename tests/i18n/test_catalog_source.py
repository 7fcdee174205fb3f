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


# Qt calls whose string argument the user reads.
TEXT_SETTERS = {"setText", "setWindowTitle", "setToolTip", "setStatusTip", "setWhatsThis",
                "setPlaceholderText", "setTitle", "setSubTitle", "setTabText", "setTabToolTip",
                "addTab", "insertTab", "addItem", "addItems", "insertItem", "setItemText",
                "addAction", "addMenu", "setLabelText", "setCancelButtonText", "showMessage",
                "setFormat", "setPrefix", "setSuffix", "setSpecialValueText",
                "setHorizontalHeaderLabels", "setVerticalHeaderLabels", "setHeaderLabels",
                "setInformativeText", "setDetailedText", "information", "warning", "critical",
                "question", "setButtonText", "addRow"}
MESSAGE_BOX_STATICS = {"information", "warning", "critical", "question"}
TEXT_WIDGETS = {"QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QToolButton", "QGroupBox",
                "QAction", "QMenu", "QListWidgetItem", "QTableWidgetItem", "QTreeWidgetItem",
                "QStandardItem", "QMessageBox", "Heading", "MutedLabel"}


def _words(node) -> list[str]:
    """String literals with letters in ``node`` (a list/tuple of them counts too)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if any(c.isalpha() for c in node.value) else []
    if isinstance(node, ast.JoinedStr):
        return [ast.unparse(node)] if any(
            isinstance(v, ast.Constant) and any(c.isalpha() for c in v.value)
            for v in node.values) else []
    if isinstance(node, (ast.List, ast.Tuple)):
        return [w for element in node.elts for w in _words(element)]
    return []


def _hard_coded_texts(path: Path, text: str) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        receiver = func.value if isinstance(func, ast.Attribute) else None
        if name in MESSAGE_BOX_STATICS and not (
                isinstance(receiver, ast.Name) and receiver.id == "QMessageBox"):
            continue  # log.warning(...) and the like: for developers, not users
        if name in TEXT_SETTERS or name in TEXT_WIDGETS:
            for arg in node.args:
                for word in _words(arg):
                    problems.append(f"{path}:{node.lineno}: {name}({word!r})")
    return problems


def test_no_hard_coded_interface_text_in_the_ui():
    problems = []
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        problems += _hard_coded_texts(path.relative_to(PACKAGE.parent),
                                      path.read_text(encoding="utf-8"))
    assert problems == [], "wrap these in _():\n" + "\n".join(problems)


def test_the_hard_coded_text_check_can_fail():
    source = '''
label = QLabel("Households")
label.setText(_("Households"))
box.addItems(["Tiếng Việt", _("All")])
button.setToolTip(f"Open {name}")
log.warning("not for users %s", name)
QMessageBox.warning(None, "Title", _("Text"))
label.setText("")
label.setText(" · ")
'''
    problems = _hard_coded_texts(Path("x.py"), source)
    assert [p.split(": ", 1)[1] for p in problems] == [
        "QLabel('Households')", "addItems('Tiếng Việt')", "setToolTip(\"f'Open {name}'\")",
        "warning('Title')"]
