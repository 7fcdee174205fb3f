"""Translate (translators and commune staff): a pack's texts of one form, reviewed where the
people who speak the language work.

A table of the form's texts (where each appears, the Vietnamese source, the pack's text, its
status, its recording), filtered by status; beside it the text chosen: the source, who
reviewed it when, the pack's glossary terms it holds, warnings (the other Dao spelling, a
source changed since, the parent pack's text shown), an editor, two reviewers' texts side by
side when they conflict, and the recording box (fieldapp.ui.screens.translate_audio).

Keyboard first: F8 next missing, F9 next draft, Enter or F2 edits, Ctrl+Enter accepts (saves the
text as reviewed by the signed-in member), Ctrl+S saves a draft, Esc goes back to the table.
Rows are read off the UI thread; every write goes through the writer and travels like any
synced record (fieldapp.services.translate).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QGridLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QSplitter, QVBoxLayout, QWidget)

from fieldapp.i18n.catalog import N_, _
from fieldapp.i18n.pack_languages import pack_language_name
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import fmt_decimal, fmt_int, form_title, stored_time
from fieldapp.ui.models import Column, RowRole, RowTableModel
from fieldapp.ui.screens.translate_audio import PromptPanel
from fieldapp.ui.widgets import Heading, MutedLabel, table_view

STATUSES = {"missing": N_("missing"), "draft": N_("draft"), "reviewed": N_("reviewed")}
FILTERS = (("", N_("All texts")), ("missing", N_("Missing")), ("draft", N_("Drafts")),
           ("reviewed", N_("Reviewed")), ("conflict", N_("Conflicts")))


def status_text(row) -> str:
    """"reviewed by Nông Thị A (Xã A), 07/12/2026", "draft", "missing (Tày shown)"."""
    if row.status == "reviewed" and row.reviewer:
        text = _("reviewed by {name}").format(name=row.reviewer)
        if row.reviewer_commune:
            text += f" ({row.reviewer_commune})"
        if row.reviewed_at:
            text += ", " + stored_time(row.reviewed_at, with_time=False)
        return text
    text = _(STATUSES.get(row.status, row.status))
    if row.origin == "parent":
        text = _("{status}; the {parent} text is shown").format(
            status=text, parent=pack_language_name(row.inherited_from))
    return text


def prompt_text(row, pack: str) -> str:
    """"3,2 s", or "3,2 s (Tày)" for the parent pack's recording."""
    if row.audio_ms is None:
        return ""
    seconds = _("{seconds} s").format(seconds=fmt_decimal(row.audio_ms / 1000))
    if row.audio_from == "parent":
        return f"{seconds} ({pack_language_name(_parent(pack))})"
    return seconds


class EntriesModel(RowTableModel):
    """Rows are ``{"row": EntryRow}``."""

    def __init__(self, parent=None):
        super().__init__((), parent)
        self.pack = ""
        self.columns = (
            Column(lambda: _("Where"), lambda r: _(_where_name(r["row"].where))),
            Column(lambda: _("Vietnamese"), lambda r: _one_line(r["row"].source)),
            Column(lambda: _("Text"), lambda r: _one_line(r["row"].text)),
            Column(lambda: _("Status"), lambda r: _(STATUSES[r["row"].status])
                   + (" ⚠" if r["row"].conflict or r["row"].spelling else "")),
            Column(lambda: _("Recording"), lambda r: prompt_text(r["row"], self.pack)),
        )

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():  # a cut cell, whole
            row = self._rows[index.row()]["row"]
            return {1: row.source, 2: row.text, 3: status_text(row)}.get(index.column()) \
                or super().data(index, Qt.ItemDataRole.DisplayRole) or None
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid() and index.column() == 3:
            from PySide6.QtGui import QColor

            status = self._rows[index.row()]["row"].status
            return QColor({"missing": "#a33", "draft": "#8a6d00"}.get(status, "#276227"))
        return super().data(index, role)


def _where_name(where: str) -> str:
    from fieldapp.services.translate import WHERE

    return WHERE.get(where, where)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class TranslateScreen(QWidget):
    shows = frozenset({"pack_entries", "users", "forms"})

    def __init__(self, context: AppContext, parent: QWidget | None = None, *,
                 input_device=None, output_device=None, audio_status=None):
        super().__init__(parent)
        from fieldapp.services.translate import all_packs

        self.context = context
        self.translations = context.workspace.translations
        self.all_rows: list = []
        self._pending_key: str | None = None
        self.heading = Heading(factor=1.4)
        self.hint = MutedLabel()
        self.pack_combo, self.form_combo, self.filter_combo = QComboBox(), QComboBox(), QComboBox()
        for combo, name in ((self.pack_combo, "translate_pack"), (self.form_combo,
                            "translate_form"), (self.filter_combo, "translate_filter")):
            combo.setObjectName(name)
            combo.activated.connect(self._on_choice)
            # Every name whole (a chosen item cut is not read): the bar is on two lines so
            # the screen fits 1366 pixels at 125% scaling beside the navigation.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for code in all_packs():
            self.pack_combo.addItem("", code)  # named in retranslate()
        for form in self.translations.forms():
            self.form_combo.addItem(form_title(form.title or {}, form.form_id), form.form_id)
        self.counts = QLabel()
        self.counts.setObjectName("translate_counts")
        self.pack_label, self.form_label, self.filter_label = QLabel(), QLabel(), QLabel()
        bar, second = QHBoxLayout(), QHBoxLayout()
        for label, combo, line in ((self.pack_label, self.pack_combo, bar),
                                   (self.filter_label, self.filter_combo, bar),
                                   (self.form_label, self.form_combo, second)):
            label.setBuddy(combo)
            line.addWidget(label)
            line.addWidget(combo)
        bar.addStretch(1)
        second.addWidget(self.counts, 1)

        self.model = EntriesModel(self)
        self.table = table_view()
        self.table.setObjectName("translate_table")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((105, 190, 160, 90)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._show_current())
        self.table.activated.connect(lambda _i: self.edit())

        self.detail = self._build_detail(input_device, output_device, audio_status)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 16)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addLayout(bar)
        layout.addLayout(second)
        layout.addWidget(splitter, 1)
        self._shortcuts = self._bind_keys()
        self.retranslate()
        self.refresh()

    def _build_detail(self, input_device, output_device, audio_status) -> QWidget:
        detail = QWidget()
        self.source = QLabel()
        self.source.setObjectName("translate_source")
        self.source.setWordWrap(True)
        self.source.setTextFormat(Qt.TextFormat.PlainText)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta = MutedLabel()
        self.meta.setObjectName("translate_meta")
        self.terms = QLabel()
        self.terms.setObjectName("translate_terms")
        self.terms.setWordWrap(True)
        self.terms.setTextFormat(Qt.TextFormat.PlainText)
        self.warning = QLabel()
        self.warning.setObjectName("translate_warning")
        self.warning.setWordWrap(True)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self.warning.setStyleSheet("color: #8a4b00;")
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("translate_editor")
        self.editor.setTabChangesFocus(True)
        self.editor.setMaximumHeight(72)
        self.comment = QLineEdit()
        self.comment.setObjectName("translate_comment")
        self.buttons: dict[str, QPushButton] = {}
        row, moves = QHBoxLayout(), QHBoxLayout()
        for name, slot, line in (("save", self.save_draft, row), ("accept", self.accept, row),
                                 ("next_missing", lambda: self.next_with("missing"), moves),
                                 ("next_draft", lambda: self.next_with("draft"), moves)):
            button = QPushButton()
            button.setObjectName(f"translate_{name}")
            button.clicked.connect(slot)
            self.buttons[name] = button
            line.addWidget(button)
        row.addStretch(1)
        moves.addStretch(1)
        self.conflict_box = QGroupBox()
        self.conflict_box.setObjectName("translate_conflict")
        self.conflict_grid = QGridLayout(self.conflict_box)
        self.conflict_box.hide()
        self.prompt_box = QGroupBox()
        self.prompt = PromptPanel(input_device=input_device, output_device=output_device,
                                  status=audio_status)
        self.prompt.keep.connect(self._keep_prompt)
        self.prompt.remove.connect(self._remove_prompt)
        QVBoxLayout(self.prompt_box).addWidget(self.prompt)
        self.source_label = QLabel()
        self.text_label, self.comment_label = QLabel(), QLabel()
        self.text_label.setBuddy(self.editor)
        self.comment_label.setBuddy(self.comment)
        layout = QVBoxLayout(detail)
        layout.setContentsMargins(12, 0, 0, 0)
        for widget in (self.meta, self.source_label, self.source, self.terms,
                       self.text_label, self.editor):
            layout.addWidget(widget)
        comment_row = QHBoxLayout()
        comment_row.addWidget(self.comment_label)
        comment_row.addWidget(self.comment, 1)
        layout.addLayout(comment_row)
        layout.addWidget(self.warning)
        layout.addLayout(row)
        layout.addLayout(moves)
        layout.addWidget(self.conflict_box)
        layout.addWidget(self.prompt_box)
        layout.addStretch(1)
        return detail

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_sized", False):  # the table wide enough for its columns
            self._sized = True
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([min(total * 3 // 5, 720), total - min(total * 3 // 5, 720)])

    def _bind_keys(self) -> list[QShortcut]:
        C = Qt.Modifier.CTRL
        bindings = [(QKeySequence(Qt.Key.Key_F8), lambda: self.next_with("missing")),
                    (QKeySequence(Qt.Key.Key_F9), lambda: self.next_with("draft")),
                    (QKeySequence(Qt.Key.Key_F2), self.edit),
                    (QKeySequence(C | Qt.Key.Key_Return), self.accept),
                    (QKeySequence(C | Qt.Key.Key_Enter), self.accept),
                    (QKeySequence(QKeySequence.StandardKey.Save), self.save_draft),
                    (QKeySequence(Qt.Key.Key_Escape), self.table.setFocus)]
        out = []
        for sequence, slot in bindings:
            shortcut = QShortcut(sequence, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            out.append(shortcut)
        return out

    def retranslate(self) -> None:
        self.heading.setText(_("Translate label packs"))
        self.hint.setText(_("Check and write each text of a form in the pack's language, and "
                            "record it read aloud for those who do not read. Edits reach every "
                            "laptop of the province with the next sync."))
        self.pack_label.setText(_("&Pack:"))
        for index in range(self.pack_combo.count()):
            self.pack_combo.setItemText(index, pack_language_name(self.pack_combo.itemData(index)))
        self.form_label.setText(_("&Form:"))
        self.filter_label.setText(_("&Show:"))
        current = self.filter_combo.currentData()
        self.filter_combo.clear()
        for code, name in FILTERS:
            self.filter_combo.addItem(_(name), code)
        self.filter_combo.setCurrentIndex(max(0, self.filter_combo.findData(current)))
        self.source_label.setText(_("Vietnamese:"))
        self.text_label.setText(_("&Text:"))
        self.comment_label.setText(_("Co&mment:"))
        self.comment.setPlaceholderText(_("Source of the wording, a doubt for the next reviewer"))
        self.buttons["save"].setText(_("Save draft"))
        self.buttons["save"].setToolTip(_("Save the text as a draft (Ctrl+S)"))
        self.buttons["accept"].setText(_("Accept"))
        self.buttons["accept"].setToolTip(_("Save the text as reviewed by you (Ctrl+Enter)"))
        self.buttons["next_missing"].setText(_("Next missing (F8)"))
        self.buttons["next_draft"].setText(_("Next draft (F9)"))
        self.conflict_box.setTitle(_("Two reviewers wrote different texts"))
        self.prompt_box.setTitle(_("Recording"))
        self.prompt.retranslate()
        self.model.retranslate()
        self._show_counts()
        if self.all_rows:
            self._show_current()  # its status and glossary lines in the new language

    # -- reading ------------------------------------------------------------------------------
    @property
    def pack(self) -> str:
        return self.pack_combo.currentData() or ""

    @property
    def form_id(self) -> str:
        return self.form_combo.currentData() or ""

    def refresh(self) -> None:
        pack, form_id = self.pack, self.form_id
        if not pack or not form_id:
            return
        self.context.reader.request(
            "translate", lambda ws: (pack, form_id, ws.translations.rows(pack, form_id)),
            self._rows_read)

    def _rows_read(self, result) -> None:
        pack, form_id, rows = result
        if (pack, form_id) != (self.pack, self.form_id):
            return  # the choice changed meanwhile; its own read follows
        keep = self._pending_key or (self.current().key if self.current() else None)
        self._pending_key = None
        self.all_rows = rows
        self._apply_filter(keep)

    def _apply_filter(self, keep: str | None = None) -> None:
        wanted = self.filter_combo.currentData() or ""
        shown = [r for r in self.all_rows if not wanted or r.status == wanted
                 or (wanted == "conflict" and r.conflict)]
        self.model.pack = self.pack
        self.model.set_rows([{"row": r} for r in shown])
        self._show_counts()
        at = next((i for i, r in enumerate(shown) if r.key == keep), 0 if shown else -1)
        if at >= 0:
            self.table.selectRow(at)
        self._show_current()

    def _show_counts(self) -> None:
        rows = self.all_rows
        count = {s: sum(r.status == s for r in rows) for s in STATUSES}
        self.counts.setText(_("{reviewed} reviewed, {draft} drafts, {missing} missing of "
                              "{total}").format(
            reviewed=fmt_int(count["reviewed"]), draft=fmt_int(count["draft"]),
            missing=fmt_int(count["missing"]), total=fmt_int(len(rows))))

    def _on_choice(self, *_args) -> None:
        if self.sender() is self.filter_combo:
            self._apply_filter(self.current().key if self.current() else None)
        else:
            self.refresh()

    def current(self):
        index = self.table.currentIndex()
        item = self.model.data(index, RowRole) if index.isValid() else None
        return item["row"] if item else None

    def _show_current(self) -> None:
        row = self.current()
        enabled = row is not None
        for widget in (self.editor, self.comment, self.buttons["save"], self.buttons["accept"]):
            widget.setEnabled(enabled)
        self.prompt.setEnabled(enabled)
        if row is None:
            for label in (self.source, self.meta, self.terms, self.warning):
                label.clear()
            self.editor.clear()
            self.comment.clear()
            self.conflict_box.hide()
            self.prompt.show_entry(None, None)
            return
        self.source.setText(row.source)
        self.meta.setText(f"{_(_where_name(row.where))} · {status_text(row)}"
                          + (" · " + _("key indicator") if row.key_indicator else ""))
        self.terms.setText(_("Glossary terms in it:") + " " + ("; ".join(
            f"{t.vietnamese} → {t.translation or '?'}" for t in row.terms) or _("(none)")))
        warnings = []
        if row.spelling:
            warnings.append(row.spelling)
        if row.stale:
            warnings.append(_("The Vietnamese text changed since this was written: check it."))
        if row.origin == "parent":
            warnings.append(_("No {pack} text yet: the {parent} text is shown in the form, "
                              "marked as such.").format(pack=pack_language_name(self.pack),
                                                        parent=pack_language_name(
                                                            row.inherited_from)))
        self.warning.setText("\n".join(warnings))
        self.warning.setVisible(bool(warnings))
        self.editor.setPlainText(row.text if row.origin != "parent" else "")
        self.comment.setText(row.comment)
        self._show_conflict(row)
        self._show_prompt(row)

    def _show_prompt(self, row) -> None:
        stored = self.translations.prompt(self.pack, row.key) if row.audio_ms is not None \
            else None
        if row.audio_from == "parent":
            described = _("The {parent} recording plays: record one in {pack}.").format(
                parent=pack_language_name(_parent(self.pack)),
                pack=pack_language_name(self.pack))
        elif stored:
            described = _("Recorded ({seconds} s).").format(
                seconds=fmt_decimal(row.audio_ms / 1000))
        else:
            described = None
        self.prompt.show_entry(stored, described, own=row.audio_from == "entry")

    def _show_conflict(self, row) -> None:
        while self.conflict_grid.count():
            item = self.conflict_grid.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        if not row.conflict:
            self.conflict_box.hide()
            return
        views = [c for c in self.translations.conflicts(self.pack) if c.key == row.key]
        column = 0
        for view in views:
            for value in view.values:
                text = QLabel(str(value.value or ""))
                text.setWordWrap(True)
                text.setTextFormat(Qt.TextFormat.PlainText)
                who = MutedLabel(f"{value.device_name}, {stored_time(value.when)}"
                                 + (" · " + _("shown now") if value.winner else ""))
                keep = QPushButton(_("Keep this"))
                keep.setObjectName(f"keep_conflict_{column}")
                keep.clicked.connect(lambda _c=False, v=view, s=value.stamp: self._resolve(v, s))
                self.conflict_grid.addWidget(text, 0, column)
                self.conflict_grid.addWidget(who, 1, column)
                self.conflict_grid.addWidget(keep, 2, column)
                column += 1
        self.conflict_box.setVisible(column > 0)

    # -- keyboard -----------------------------------------------------------------------------
    def edit(self) -> None:
        if self.current() is not None:
            self.editor.setFocus()
            self.editor.selectAll()

    def next_with(self, status: str) -> None:
        """Select the next text (after the current one, wrapping) with ``status``; when the
        filter hides it, the filter shows all texts."""
        current = self.current()
        rows = self.all_rows
        start = next((i for i, r in enumerate(rows) if current and r.key == current.key), -1)
        order = rows[start + 1:] + rows[:start + 1]
        found = next((r for r in order if r.status == status), None)
        if found is None:
            self.counts.setText(_("No {status} text in this form.").format(
                status=_(STATUSES[status])))
            return
        shown = [item["row"].key for item in self.model.rows()]
        if found.key not in shown:
            self.filter_combo.setCurrentIndex(0)
        self._apply_filter(found.key)
        self.edit()

    # -- writing ------------------------------------------------------------------------------
    def _write(self, fn, key: str | None = None) -> None:
        self._pending_key = key

        def failed(exc: BaseException) -> None:
            from fieldapp.ui.tasks import error_message

            self.warning.setText(error_message(exc))
            self.warning.setVisible(True)

        self.context.writer.write(fn, lambda _r: self.refresh(), failed, parent=self)

    def save_draft(self) -> None:
        self._save(reviewed=False)

    def accept(self) -> None:
        self._save(reviewed=True)

    def _save(self, *, reviewed: bool) -> None:
        row = self.current()
        if row is None:
            return
        pack, text, comment = self.pack, self.editor.toPlainText(), self.comment.text()
        if reviewed and row.origin == "file" and text == row.text and comment == row.comment:
            self._write(lambda ws: ws.translations.accept(pack, row.key), row.key)
            return
        if not text.strip() and reviewed:
            self.warning.setText(_("There is no {language} text to accept yet: write one "
                                   "first.").format(language=pack_language_name(pack)))
            self.warning.setVisible(True)
            return
        self._write(lambda ws: ws.translations.save(pack, row.key, text, reviewed=reviewed,
                                                    comment=comment), row.key)

    def _keep_prompt(self, prompt) -> None:
        row = self.current()
        if row is not None:
            pack = self.pack
            self._write(lambda ws: ws.translations.set_prompt(pack, row.key, prompt), row.key)

    def _remove_prompt(self) -> None:
        row = self.current()
        if row is not None and row.audio_from == "entry":
            pack = self.pack
            self._write(lambda ws: ws.translations.remove_prompt(pack, row.key), row.key)

    def _resolve(self, view, stamp: str) -> None:
        key = view.key
        self._write(lambda ws: ws.translations.resolve(view.record, view.field, stamp), key)


def _parent(pack: str) -> str:
    from fieldapp.i18n.pack_languages import parent_pack

    return parent_pack(pack) or ""

