"""Drive a FormView through its real widgets, as a person would (shared by the test_form_* tests).

Text is typed as key events carrying the characters (QTest.keyClicks cannot send letters
outside ASCII), choices are clicked with the mouse, pages are left with the Next button or
the Enter key. Nothing here calls FormInstance.set_value.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from fieldapp.ui.forms.editors import (
    AcknowledgeEditor,
    ComboEditor,
    DateEditor,
    FieldEditor,
    NumberEditor,
    SearchListEditor,
    TextEditor,
)
from fieldapp.ui.forms.editors.choices import _ChoicesEditor
from fieldapp.ui.forms.view import FormView


def show_form_view(qtbot, form, instance, *, service=None, saved=None,
                   **kwargs) -> FormView:
    """A FormView at 1366x768, shown and active (Ctrl+S, Alt+N act in the active window).

    With ``service`` and ``saved`` (a dict), saving writes through the service and keeps the
    submission's id in ``saved["id"]``; otherwise saving does nothing. ``kwargs`` go to FormView.
    """
    if service is None:
        def on_save(finalize: bool) -> None:
            return None
    else:
        def on_save(finalize: bool) -> None:
            saved["id"] = service.save(saved["id"], form, instance, finalize=finalize)

    view = FormView(form, instance, on_save=on_save, **kwargs)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    view.activateWindow()
    QApplication.processEvents()
    return view


def type_text(widget: QWidget, text: str) -> None:
    """Send one key press/release per character, with the character as the event's text."""
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    for ch in text:
        key = Qt.Key(ord(ch.upper())) if ch.isascii() and ch.isalnum() else Qt.Key.Key_unknown
        if ch == " ":
            key = Qt.Key.Key_Space
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))


def clear_text(qtbot, widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)


class FormDriver:
    """Answers the questions of the page shown, by field name, through the widgets."""

    def __init__(self, view: FormView, qtbot):
        self.view = view
        self.qtbot = qtbot

    # -- one question --------------------------------------------------------------------------
    def editor(self, name: str) -> FieldEditor:
        for path, editor in self.view.editors.items():
            if path == name or path.rsplit("/", 1)[-1] == name:
                return editor
        raise AssertionError(f"{name!r} is not on the page; shown: {list(self.view.editors)}")

    def answer(self, name: str, value) -> None:
        editor = self.editor(name)
        qtbot = self.qtbot
        QApplication.processEvents()  # lay out a page just built, so clicks land on buttons
        if isinstance(editor, (TextEditor, NumberEditor, DateEditor)):
            clear_text(qtbot, editor.edit)
            type_text(editor.edit, str(value))
        elif isinstance(editor, _ChoicesEditor):
            for code in str(value).split():
                button = editor.rows[code].button
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton,
                                 pos=button.rect().center())
        elif isinstance(editor, SearchListEditor):
            for label in ([value] if isinstance(value, str) else value):
                self.pick(editor, label)
        elif isinstance(editor, AcknowledgeEditor):
            qtbot.mouseClick(editor.check, Qt.MouseButton.LeftButton,
                             pos=editor.check.rect().center())
        elif isinstance(editor, ComboEditor):
            editor.combo.setFocus()
            index = editor.combo.findData(value)
            assert index >= 0, value
            while editor.combo.currentIndex() < index:
                qtbot.keyClick(editor.combo, Qt.Key.Key_Down)
        else:  # pragma: no cover - a new editor type needs a driver rule
            raise AssertionError(f"no driver rule for {type(editor).__name__}")

    def pick(self, editor: SearchListEditor, label: str) -> None:
        """Search the list without accents (as people type) and click the matching row."""
        clear_text(self.qtbot, editor.search)
        query = "".join(c for c in unicodedata.normalize("NFD", label.split()[-1])
                        if not unicodedata.combining(c)).replace("đ", "d").replace("Đ", "D")
        type_text(editor.search, query.lower())
        items = [editor.list.item(i) for i in range(editor.list.count())
                 if not editor.list.item(i).isHidden() and label in editor.list.item(i).text()]
        assert items, f"{label!r} not found in {editor.path} after searching {query!r}"
        rect = editor.list.visualItemRect(items[0])
        editor.list.scrollToItem(items[0])
        rect = editor.list.visualItemRect(items[0])
        if editor.multiple:
            # The check box sits at the row's left edge.
            pos = rect.topLeft() + type(rect.topLeft())(10, rect.height() // 2)
            self.qtbot.mouseClick(editor.list.viewport(), Qt.MouseButton.LeftButton, pos=pos)
            if items[0].checkState() != Qt.CheckState.Checked:  # style-dependent indicator
                editor.list.setCurrentItem(items[0])
                self.qtbot.keyClick(editor.list, Qt.Key.Key_Space)
        else:
            self.qtbot.mouseClick(editor.list.viewport(), Qt.MouseButton.LeftButton,
                                  pos=rect.center())

    # -- pages ---------------------------------------------------------------------------------
    def next(self) -> None:
        self.qtbot.mouseClick(self.view.next_button, Qt.MouseButton.LeftButton)

    def fill_page(self, answers: dict) -> list[str]:
        """Answer the questions of the page shown from ``answers`` (by field name), top to
        bottom, including questions that appear on a field-list page because of an earlier
        answer on it. Each question is answered once (a second click would untick a box).
        Returns the paths answered."""
        answered: list[str] = []
        while True:
            todo = [p for p in self.view.editors
                    if p not in answered and p.rsplit("/", 1)[-1] in answers]
            if not todo:
                return answered
            path = todo[0]
            answered.append(path)
            self.answer(path, answers[path.rsplit("/", 1)[-1]])

    def fill_pages(self, answers: dict, *, until=None, limit: int = 200) -> None:
        """Answer every question of each page from ``answers`` (by field name) and press Next,
        until ``until(view)`` holds (or the last page). A page that does not move on fails."""
        for _ in range(limit):
            view = self.view
            if until is not None and until(view):
                return
            self.fill_page(answers)
            if view.index >= len(view.pages) - 1:
                return
            before = view.index
            self.next()
            if view.index == before:
                errors = {p: e.error_text() for p, e in view.editors.items() if e.has_error()}
                raise AssertionError(f"stuck on {view.current_page.key}: {errors}")
        raise AssertionError("too many pages")

    def errors_shown(self) -> dict[str, str]:
        return {p: e.error_text() for p, e in self.view.editors.items()
                if e.error.isVisibleTo(self.view) and e.error_text()}
