"""The editors of the page the form view shows, kept in line with the form instance.

:class:`PageEditors` makes one editor per question of the page (:func:`make_editor`), drops,
adds and reorders them as relevance changes, and refreshes their texts, choices, values and
read-only state from the instance and the label source. It shows messages beside the
questions and knows the order the keyboard moves through them; where the page goes and what is
saved is the view's business.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from fieldapp.core.forms import FormInstance
from fieldapp.core.forms.labels import LabelSource
from fieldapp.ui.forms.editors import (
    FieldEditor, FileEditor, NoteEditor, SearchListEditor, make_editor)
from fieldapp.ui.forms.editors.search import RegistrySource

FocusPosition = tuple[str, int]
"""(question path, index in its editor's focus chain)."""


def discard(box: QVBoxLayout, widget: QWidget) -> None:
    """Take ``widget`` out of ``box`` and delete it."""
    # Not setParent(None): that would make the widget a window of its own for a moment,
    # which can take the focus and the window activation (and with it the shortcuts).
    box.removeWidget(widget)
    widget.hide()
    widget.deleteLater()


class PageEditors:
    """The editors of one page, in ``box`` of ``parent``; every editor reports changes to
    ``on_edited(path, value)`` and its keys to ``key_filter`` (Enter moves on)."""

    def __init__(self, parent: QWidget, box: QVBoxLayout,
                 on_edited: Callable[[str, object], None], key_filter: QObject,
                 on_file: Callable[[str, str], None] | None = None,
                 on_prompt: Callable[[str], object] | None = None):
        self.parent = parent
        self._on_prompt = on_prompt
        self.box = box
        self._on_edited = on_edited
        self._on_file = on_file
        self._key_filter = key_filter
        self.editors: dict[str, FieldEditor] = {}

    def clear(self) -> None:
        for editor in self.editors.values():
            discard(self.box, editor)
        self.editors = {}

    def reconcile(self, instance: FormInstance, paths: tuple[str, ...]) -> None:
        """Editors for exactly ``paths``, in that order; existing ones are kept."""
        wanted = list(paths)
        for path in [p for p in self.editors if p not in wanted]:
            discard(self.box, self.editors.pop(path))
        for path in wanted:
            if path not in self.editors:
                editor = self._make(instance, path)
                if editor is not None:
                    self.editors[path] = editor
        ordered = {p: self.editors[p] for p in wanted if p in self.editors}
        if list(ordered) != [self.box.itemAt(i).widget().path
                             for i in range(self.box.count())
                             if isinstance(self.box.itemAt(i).widget(), FieldEditor)]:
            for editor in ordered.values():
                self.box.removeWidget(editor)
            for editor in ordered.values():
                self.box.addWidget(editor)
                editor.show()
        self.editors = ordered

    def _make(self, instance: FormInstance, path: str) -> FieldEditor | None:
        field = instance.field_at(path)
        count = len(instance.choices_for(path)) if field.instance is not None else 0
        editor = make_editor(path, field.type, field.appearance, field.from_file is not None,
                             self.parent, parameters=field.parameters, choice_count=count)
        if editor is None:
            return None
        editor.edited.connect(self._on_edited)
        if self._on_prompt is not None:
            editor.prompt_requested.connect(self._on_prompt)
        if isinstance(editor, FileEditor) and self._on_file is not None:
            editor.file_chosen.connect(self._on_file)
        editor.install_key_filter(self._key_filter)
        return editor

    def refresh(self, instance: FormInstance, labels: LabelSource, *,
                source: str | None = None) -> None:
        """Texts, choices, values and read-only state from the instance; the value of the
        editor ``source`` (being typed in) is left as it is."""
        for path, editor in self.editors.items():
            required = False if isinstance(editor, NoteEditor) else instance.is_required(path)
            editor.set_texts(labels.label(path), labels.hint(path), required)
            if instance.field_at(path).is_select:
                registry = (instance.registry_choices(path)
                            if isinstance(editor, SearchListEditor) else None)
                if registry is not None:
                    # A registry list: a page at a time from the database, read again only
                    # when its filter changed (not on every answer).
                    editor.set_source(RegistrySource(
                        registry, lambda c, p=path: labels.choice(p, c).plain))
                else:
                    editor.set_choices([(c.name, labels.choice(path, c))
                                        for c in instance.choices_for(path)])
            if path != source:
                editor.load(instance.get_value(path))
            if not isinstance(editor, NoteEditor):
                editor.set_read_only(instance.is_read_only(path))

    # -- messages -------------------------------------------------------------------------------
    def with_errors(self) -> list[str]:
        """Paths of the questions that show a message now."""
        return [p for p, e in self.editors.items() if e.has_error()]

    def local_errors(self) -> dict[str, str]:
        """Problems the engine cannot see (text that is not a date yet), by path."""
        return {p: e.local_error() for p, e in self.editors.items() if e.local_error()}

    def set_errors(self, errors: dict[str, str], labels: LabelSource,
                   paths: list[str] | None = None) -> None:
        """Show ``errors`` (by path) beside the questions of ``paths`` (default: all), clearing
        the message of those without one."""
        for path in self.editors if paths is None else paths:
            message = errors.get(path, "")
            self.editors[path].set_error(labels.error(path, message) if message else "")

    # -- keyboard -------------------------------------------------------------------------------
    def focusable(self) -> list[QWidget]:
        return [w for editor in self.editors.values() for w in editor.focus_chain()
                if w.isEnabled()]

    def focus_first(self) -> FieldEditor | None:
        """Focus the first question that takes the focus; return its editor."""
        for editor in self.editors.values():
            if [w for w in editor.focus_chain() if w.isEnabled()]:
                editor.focus_first()
                return editor
        return None

    def following(self, widget: QObject) -> FieldEditor | None:
        """The visible question after the one ``widget`` belongs to; None from the last one."""
        editors = [e for e in self.editors.values()
                   if e.isVisible() and [w for w in e.focus_chain() if w.isEnabled()]]
        current = next((i for i, e in enumerate(editors)
                        if widget is e or (isinstance(widget, QWidget) and e.isAncestorOf(widget))),
                       None)
        if current is None or current >= len(editors) - 1:
            return None
        return editors[current + 1]

    def focus_position(self, focus: QWidget | None) -> FocusPosition | None:
        """Where ``focus`` is among the editors (to find it again after a rebuild)."""
        position = None
        for path, editor in self.editors.items():
            chain = editor.focus_chain()
            if focus in chain:
                position = (path, chain.index(focus))
        return position

    def restore_focus(self, position: FocusPosition) -> None:
        path, index = position
        if path in self.editors:
            chain = self.editors[path].focus_chain()
            if index < len(chain):
                chain[index].setFocus(Qt.FocusReason.OtherFocusReason)
