"""Every screen under the pseudo-locale: no user-visible text bypasses the interface catalog.

The pseudo-locale (catalog.set_language("pseudo")) wraps each literal run of every catalogued
string in ⟦…⟧ and leaves placeholders outside, so after formatting "⟦Commune: ⟧Xã Tân Thành"
shows which part came from the catalog. The walker collects every user-visible text of a window
(titles, labels, buttons, group boxes, tabs, item models and their headers, placeholders,
tooltips, combo items, menus and actions, status bar), removes the marked runs, and what is
left must be data:

- values of the test database (names, villages, phone numbers, device, ids), except values
  that look like codes (lower-case identifiers such as "tay" or "data_cost"): a code on screen
  instead of its translated label is a bug;
- texts of the shipped forms (labels, hints, messages: translated by label packs, not here);
- file paths of the test, the language autonyms (catalog.LANGUAGE_NAMES);
- anything without a letter (numbers, dates, punctuation).

The Qt bridge is installed too, so Qt's own strings (dialog buttons) are checked the same way.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QLocale, QModelIndex, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QApplication,
                               QComboBox, QDialogButtonBox, QGroupBox, QLabel, QLineEdit,
                               QMainWindow, QMenu, QMessageBox, QPlainTextEdit, QProgressBar,
                               QTabBar, QTabWidget, QTextEdit, QWidget, QWizard, QWizardPage)

from fieldapp import paths
from fieldapp.i18n import catalog
from fieldapp.i18n.catalog import strip_pseudo_marked
from fieldapp.i18n.text import nfc
from fieldapp.services.workspace import Workspace
from fieldapp.ui.i18n_qt import (GettextTranslator, install_qt_translator,
                                 qt_translator_installed, uninstall_qt_translator)

CODE = re.compile(r"^[a-z0-9_]+( [a-z0-9_]+)*$")
REFERENCE = re.compile(r"\$\{[^}]*\}")
FORM_TEXT_COLUMNS = ("label", "hint", "guidance_hint", "constraint_message",
                     "required_message", "form_title")
MAX_ROWS = 200
NO_SUCH_NAME = "Zzz Không Có"  # typed into the search box: the user's own text is data


@pytest.fixture
def qt_bridge(qapp):
    """The gettext bridge on the test QApplication (left as found: start-up may install it)."""
    already = qt_translator_installed(qapp)
    install_qt_translator(qapp)
    yield qapp
    if not already:
        uninstall_qt_translator(qapp)


# -- the Qt bridge ---------------------------------------------------------------------------

def test_qt_bridge_translates_dialog_buttons_to_vietnamese(qt_bridge, qtbot):
    catalog.set_language("vi")
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                           | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
    assert (ok.text(), cancel.text()) == ("Đồng ý", "Hủy")


def test_qt_bridge_follows_language_switches_of_existing_widgets(qt_bridge, qtbot):
    catalog.set_language("vi")
    box = QMessageBox(QMessageBox.Icon.Question, "", "",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    qtbot.addWidget(box)
    texts = lambda: sorted(b.text() for b in box.buttons())  # noqa: E731
    assert texts() == ["&Có", "&Không"]
    catalog.set_language("en")
    QApplication.processEvents()  # LanguageChange is posted, not sent
    assert texts() == ["&No", "&Yes"]
    catalog.set_language("vi")
    QApplication.processEvents()
    assert texts() == ["&Có", "&Không"]


def test_qt_bridge_leaves_unknown_strings_to_qt(qt_bridge):
    catalog.set_language("vi")
    translator = GettextTranslator()
    assert translator.translate("QPlatformTheme", "Cancel") == "Hủy"
    assert translator.translate("QLineEdit", "&Undo") == "&Hoàn tác"
    assert translator.translate("QPlatformTheme", "No such Qt string") is None
    assert translator.translate("QFileSystemModel", "Type", "All other platforms") == "Loại"


def test_line_edit_context_menu_is_vietnamese(qt_bridge, qtbot):
    catalog.set_language("vi")
    edit = QLineEdit("Bản Khuông")
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    texts = [a.text().split("\t")[0] for a in menu.actions() if not a.isSeparator()]
    assert {"&Hoàn tác", "&Làm lại", "&Cắt", "&Sao chép", "&Dán", "Xóa",
            "Chọn tất cả"} <= set(texts)


# -- the walker --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Seen:
    where: str
    text: str


def _plain(text: str) -> str:
    if "<" in text and ">" in text:  # rich text: what the user reads is the plain text
        doc = QTextDocument()
        doc.setHtml(text)
        return doc.toPlainText()
    return text


def _name(widget: QWidget) -> str:
    name = widget.objectName()
    return f"{type(widget).__name__}" + (f"#{name}" if name else "")


def _path(widget: QWidget) -> str:
    parts = []
    while widget is not None:
        parts.append(_name(widget))
        widget = widget.parentWidget()
    return "/".join(reversed(parts[-4:] if len(parts) > 4 else parts))


def _columns(model: QAbstractItemModel, parent: QModelIndex) -> int:
    try:
        return model.columnCount(parent)
    except TypeError:  # list models keep columnCount() private: they have one column
        return 1


def _model_texts(model: QAbstractItemModel, where: str):
    for orientation in (Qt.Orientation.Horizontal, Qt.Orientation.Vertical):
        root = QModelIndex()
        count = (_columns(model, root) if orientation == Qt.Orientation.Horizontal
                 else model.rowCount(root))
        for section in range(min(count, MAX_ROWS)):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.headerData(section, orientation, role)
                if isinstance(value, str):
                    yield Seen(f"{where} header {orientation.name} {section}", value)

    def walk(parent: QModelIndex, depth: int):
        for row in range(min(model.rowCount(parent), MAX_ROWS)):
            for column in range(_columns(model, parent)):
                index = model.index(row, column, parent)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                             Qt.ItemDataRole.StatusTipRole, Qt.ItemDataRole.WhatsThisRole):
                    value = index.data(role)
                    if isinstance(value, str):
                        yield Seen(f"{where} [{row},{column}]", value)
                if column == 0 and depth < 4 and model.rowCount(index) > 0:
                    yield from walk(index, depth + 1)

    yield from walk(QModelIndex(), 0)


def _action_texts(widget: QWidget, where: str):
    for action in widget.actions():
        if action.isSeparator():
            continue
        for value in (action.text(), action.toolTip(), action.statusTip(), action.iconText()):
            yield Seen(f"{where} action", value.split("\t")[0])
        if action.menu() is not None:
            yield from _action_texts(action.menu(), f"{where} > {action.text()}")


def visible_texts(top: QWidget, *, shown_only: bool = False):
    """Every user-visible text of ``top`` and its children, with where it was found.

    ``shown_only`` skips hidden widgets (e.g. an empty-state page behind a filled table, which
    gets its text when it is shown).
    """
    widgets = [top, *top.findChildren(QWidget)]
    for widget in widgets:
        if shown_only and widget is not top and not widget.isVisibleTo(top):
            continue
        where = _path(widget)
        if widget.isWindow():
            yield Seen(f"{where} window title", widget.windowTitle())
        for value in (widget.toolTip(), widget.statusTip(), widget.whatsThis(),
                      widget.accessibleName()):
            yield Seen(f"{where} tip", value)
        if isinstance(widget, QLabel):  # an elided label's whole text (in its tooltip too)
            full = getattr(widget, "full_text", None)
            yield Seen(where, _plain(full() if callable(full) else widget.text()))
        if isinstance(widget, QAbstractButton):
            yield Seen(where, widget.text())
        if isinstance(widget, QGroupBox):
            yield Seen(where, widget.title())
        if isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                yield Seen(f"{where} tab {i}", widget.tabText(i))
                yield Seen(f"{where} tab {i} tip", widget.tabToolTip(i))
        if isinstance(widget, QTabBar):
            for i in range(widget.count()):
                yield Seen(f"{where} tab {i}", widget.tabText(i))
        if isinstance(widget, (QLineEdit, QTextEdit, QPlainTextEdit)):
            yield Seen(f"{where} placeholder", widget.placeholderText())
        if isinstance(widget, QComboBox):
            for i in range(widget.count()):
                yield Seen(f"{where} item {i}", widget.itemText(i))
            yield Seen(f"{where} placeholder", widget.placeholderText())
        if isinstance(widget, QAbstractSpinBox):
            for name in ("prefix", "suffix"):
                if hasattr(widget, name):
                    yield Seen(f"{where} {name}", getattr(widget, name)())
            yield Seen(f"{where} special", widget.specialValueText())
        if isinstance(widget, QProgressBar) and widget.isTextVisible():
            yield Seen(f"{where} text", widget.text())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            yield from _model_texts(widget.model(), where)
        if isinstance(widget, QWizardPage):
            yield Seen(f"{where} title", widget.title())
            yield Seen(f"{where} subtitle", widget.subTitle())
        if isinstance(widget, QMainWindow):
            yield Seen(f"{where} status", widget.statusBar().currentMessage())
            yield from _action_texts(widget.menuBar(), f"{where} menu")
        if not isinstance(widget, QMenu):
            yield from _action_texts(widget, where)
        else:
            yield from _action_texts(widget, f"{where} menu")


# -- what counts as data -------------------------------------------------------------------------

def _database_values(db_path: Path) -> set[str]:
    """Every text value in the test database (and inside its JSON columns), except codes."""
    values: set[str] = set()

    def add(value):
        if isinstance(value, str):
            if value.startswith(("{", "[")):
                try:
                    add(json.loads(value))
                except ValueError:
                    pass
            values.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                add(item)
        elif isinstance(value, list):
            for item in value:
                add(item)

    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        tables = [r[0] for r in db.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
            " and name not like '%_fts%'")]
        for table in tables:
            for row in db.execute(f'select * from "{table}"'):
                for value in row:
                    add(value)
    return {v for v in values if not CODE.match(v)}


def _pack_texts() -> set[str]:
    """The shipped label packs' texts and glossary terms (the Translate screen shows them)."""
    from babel.messages.pofile import read_po

    texts: set[str] = set()
    for po in sorted((paths.i18n_dir() / "packs").rglob("*.po")):
        with po.open("rb") as f:
            for message in read_po(f):
                for text in (message.id, message.string):
                    if isinstance(text, str) and text:
                        texts.add(nfc(text))
    return texts


def _form_texts() -> set[str]:
    """Labels, hints and messages of the shipped forms (label packs translate these)."""
    import openpyxl

    texts: set[str] = set()
    for workbook in sorted(paths.forms_dir().glob("*.xlsx")):
        book = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                rows = sheet.iter_rows(values_only=True)
                header = next(rows, None) or ()
                columns = [i for i, h in enumerate(header)
                           if isinstance(h, str) and h.split("::")[0].strip().lower()
                           in FORM_TEXT_COLUMNS]
                for row in rows:
                    for i in columns:
                        if i < len(row) and isinstance(row[i], str):
                            text = nfc(row[i])
                            texts.add(text)
                            # As shown for a repeat's name: ${references} dropped.
                            texts.add(" ".join(REFERENCE.sub("", text).split()).strip(" ,;:-–"))
        finally:
            book.close()
    return texts


def _indicator_texts() -> set[str]:
    """Names, populations, reasons and sources of the indicators (forms/indicators.toml: data,
    in Vietnamese, like the forms' labels)."""
    from fieldapp.services.indicators import load_indicators

    texts: set[str] = set()
    for indicator in load_indicators().indicators:
        texts.update((indicator.name, indicator.population_name, indicator.target_source,
                      indicator.reference, indicator.note,
                      *(r.reason for r in indicator.not_asked)))
    return {t for t in texts if t}


def _locale_names() -> set[str]:
    """Month and day names and AM/PM of the default QLocale (calendars, date editors): they
    come from Qt's locale data, which follows the interface language (fieldapp.ui.i18n_qt)."""
    locale = QLocale()
    names = {locale.amText(), locale.pmText()}
    formats = (QLocale.FormatType.LongFormat, QLocale.FormatType.ShortFormat,
               QLocale.FormatType.NarrowFormat)
    for fmt in formats:
        names |= {locale.monthName(m, fmt) for m in range(1, 13)}
        names |= {locale.standaloneMonthName(m, fmt) for m in range(1, 13)}
        names |= {locale.dayName(d, fmt) for d in range(1, 8)}
        names |= {locale.standaloneDayName(d, fmt) for d in range(1, 8)}
    return names


class DataFilter:
    """Tells data (allowed unmarked) from interface text that bypassed the catalog."""

    def __init__(self, store, extra: set[str] = frozenset()):
        values = set(extra)
        if store.path is not None:
            values |= _database_values(Path(store.path))
            values |= {str(store.path), str(Path(store.path).parent)}
        values |= {store.device_name, store.device_id, str(paths.data_dir())}
        values |= set(catalog.LANGUAGE_NAMES.values())
        values |= _locale_names()
        values |= _form_texts() | _indicator_texts() | _pack_texts()
        # Whole words only, longest first ("Bản Pò Mục" before "Bản"), so a short value such as
        # "An" cannot hide part of an unmarked English word.
        ordered = sorted({v.strip() for v in values if v and v.strip()}, key=len, reverse=True)
        self.pattern = re.compile(
            "|".join(rf"(?<!\w){re.escape(v)}(?!\w)" for v in ordered)) if ordered else None

    def leftover(self, text: str) -> str:
        rest = strip_pseudo_marked(text, " ")
        return self.pattern.sub("", rest) if self.pattern else rest

    def unmarked(self, seen) -> list[Seen]:
        problems = []
        for item in seen:
            text = (item.text or "").strip()
            if not text:
                continue
            rest = self.leftover(text)
            if any(ch.isalpha() for ch in rest):
                problems.append(item)
        return sorted(set(problems), key=lambda s: (s.where, s.text))


def _report(problems: list[Seen]) -> str:
    return "\n".join(f"{p.where}: {p.text!r}" for p in problems)


# -- walking the screens -----------------------------------------------------------------------

def _extracted_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every string marked in the source now (fieldapp.i18n.workflow).

    The walker marks what the source marks, so it checks wrapping; whether i18n/fieldapp.pot
    is up to date is tests/i18n/test_catalog_files.py's job.
    """
    from fieldapp.i18n import workflow as module

    known = set()
    for message in module.extract():
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            known.update((message.context, nfc(i)) for i in ids)
    return known


@pytest.fixture(scope="session")
def extracted_messages():
    return _extracted_messages()


def _install_pseudo(known) -> None:
    catalog.install_translations(catalog.PseudoTranslations(known), catalog.PSEUDO_LANGUAGE)


@pytest.fixture
def pseudo(qt_bridge, extracted_messages):
    _install_pseudo(extracted_messages)
    yield
    catalog.set_language("en")


def _add_surveys_screen(window) -> None:
    """The surveys screen, registered here if the app does not register it yet."""
    if "surveys" in window.screen_keys():
        return
    surveys = pytest.importorskip("fieldapp.ui.forms.surveys")
    surveys.register_surveys_screen(window)


def _walk_surveys(window, screen) -> list[Seen]:
    """Each form started from the surveys screen, every page, saved as a draft, then the list."""
    seen = []
    for form_id in list(getattr(screen, "new_buttons", {})):
        view = screen.start(form_id)
        assert view is not None, f"the surveys screen could not start {form_id}"
        QApplication.processEvents()
        seen += visible_texts(window)
        for index in range(len(view.pages)):
            view.go_to_page(index)
            QApplication.processEvents()
            seen += visible_texts(window)
        view.save_draft()
        seen += visible_texts(window)
        assert screen.close_form()
        QApplication.processEvents()
        seen += visible_texts(window)
    if screen.model.rowCount():
        screen.table.selectRow(0)  # the saved versions of a record
        QApplication.processEvents()
        seen += visible_texts(window)
    return seen


def _walk_main_window(window, qtbot) -> list[Seen]:
    _add_surveys_screen(window)
    seen = list(visible_texts(window))
    for key in window.screen_keys():
        screen = window.show_screen(key)
        QApplication.processEvents()
        seen += visible_texts(window)
        if key == "households":
            # The household view: select each household in turn so its detail pane is filled.
            for row in range(screen.model.rowCount()):
                screen.table.selectRow(row)
                QApplication.processEvents()
                seen += visible_texts(window)
            screen.search.setText(NO_SUCH_NAME)
            screen.run_search()
            seen += visible_texts(window)
            screen.search.setText("")
            screen.run_search()
        if key == "surveys":
            seen += _walk_surveys(window, screen)
    return seen


def test_walker_notices_unmarked_text(pseudo, commune, qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    QLabel(catalog._("Settings"), widget)
    QLabel("Hard-coded words", widget)
    QLabel("Bản Khuông", widget)  # a village of the fixture: data
    QLabel("12/3/26 1.234,5", widget)
    box = QComboBox(widget)
    box.addItems([catalog._("All villages"), "tay"])  # a raw code is not data
    problems = DataFilter(commune).unmarked(visible_texts(widget))
    assert sorted({p.text for p in problems}) == ["Hard-coded words", "tay"]


def test_every_main_screen_is_marked(pseudo, commune, qtbot):
    from fieldapp.ui.app import build_main_window

    window = build_main_window(Workspace(commune))
    qtbot.addWidget(window)
    window.show()
    seen = _walk_main_window(window, qtbot)
    assert any("⟦" in s.text for s in seen)
    problems = DataFilter(commune, {NO_SUCH_NAME}).unmarked(seen)
    window.close()
    assert problems == [], "unmarked text:\n" + _report(problems)


def test_switching_language_at_run_time_retranslates_every_screen(qt_bridge, commune, qtbot,
                                                                   extracted_messages):
    """Built in Vietnamese, then switched: text set once at construction would stay Vietnamese."""
    from fieldapp.ui.app import build_main_window

    catalog.set_language("vi")
    window = build_main_window(Workspace(commune))
    qtbot.addWidget(window)
    window.show()
    _add_surveys_screen(window)
    for key in window.screen_keys():
        window.show_screen(key)
    households = window.show_screen("households")
    if households.model.rowCount():
        households.table.selectRow(0)
    _install_pseudo(extracted_messages)
    QApplication.processEvents()
    seen = list(visible_texts(window, shown_only=True))
    for key in window.screen_keys():
        window.show_screen(key)
        seen += visible_texts(window, shown_only=True)
    problems = DataFilter(commune).unmarked(seen)
    window.close()
    catalog.set_language("en")
    assert problems == [], "not retranslated:\n" + _report(problems)


def test_first_run_setup_dialog_is_marked(pseudo, store, qtbot):
    from fieldapp.ui.setup_dialog import SetupDialog

    dialog = SetupDialog(Workspace(store))
    qtbot.addWidget(dialog)
    dialog.show()
    seen = list(visible_texts(dialog))
    # With every field empty the dialog lists its problems: those messages are checked too.
    dialog.submit()
    QApplication.processEvents()
    seen += visible_texts(dialog)
    problems = DataFilter(store).unmarked(seen)
    dialog.close()
    assert problems == [], "unmarked text:\n" + _report(problems)


def _form_view_pages(view) -> list[Seen]:
    seen = list(visible_texts(view))
    for index in range(len(view.pages)):
        view.go_to_page(index)
        QApplication.processEvents()
        seen += visible_texts(view)
    return seen


@pytest.mark.parametrize("form_id", ["household_survey", "support_session", "training_progress"])
def test_form_filling_screen_is_marked(pseudo, commune, qtbot, form_id):
    view_module = pytest.importorskip("fieldapp.ui.forms.view")
    surveys = pytest.importorskip("fieldapp.services.surveys")

    service = surveys.SurveyService(commune)
    try:
        form, instance = service.new_instance(form_id)
    except Exception as exc:  # the form is not servable yet: say which and why
        pytest.skip(f"{form_id} cannot be opened yet: {exc}")
    view = view_module.FormView(form, instance, on_save=lambda finalize: None)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    seen = _form_view_pages(view)
    # Finalizing an empty form shows the form's own messages and the view's: check them too.
    view.finalize()
    QApplication.processEvents()
    seen += visible_texts(view)
    problems = DataFilter(commune).unmarked(seen)
    view.close()
    assert problems == [], "unmarked text:\n" + _report(problems)


def test_qt_dialogs_under_pseudo_are_marked(pseudo, commune, qtbot):
    """Qt's own message box and button texts come from the catalog as well."""
    box = QMessageBox(QMessageBox.Icon.Warning, catalog._("fieldapp"),
                      catalog._("Something went wrong: {error}").format(error="disk full"),
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel
                      | QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                      | QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Help)
    box.setDetailedText("Traceback")
    qtbot.addWidget(box)
    box.show()
    QApplication.processEvents()
    seen = [s for s in visible_texts(box) if "Traceback" not in s.text]
    problems = DataFilter(commune, {"disk full"}).unmarked(seen)
    assert problems == [], "unmarked text:\n" + _report(problems)
