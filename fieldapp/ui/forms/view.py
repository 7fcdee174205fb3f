"""FormView: fill in one form, page by page, as ODK Collect does on a phone.

The view drives a :class:`~fieldapp.core.forms.FormInstance` and knows nothing of storage:
saving is the ``on_save(finalize)`` callback (the surveys screen passes one that calls the
survey service). Layout, from top to bottom: form title and status, a section jump list, the
progress bar, the page (row title and "add"/"remove" actions inside a roster, one editor per
question), a message line, and Back / Next / Save draft / Finalize.

Rules taken from field-survey apps: Next does not leave a page whose answers are missing or
invalid (the messages appear beside the questions); Back and the section list move freely;
Finalize is possible only when the whole form is valid, and "Go to the first problem" leads to
what stops it. Every answer is NFC-normalised before it reaches the engine, on every keystroke,
so relevance and row titles follow the typing without rebuilding the editor being typed in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from fieldapp.core.forms import Form, FormInstance, Page, PathError, Repeat
from fieldapp.core.forms.labels import LabelSource, PackLabelSource
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.packs import available_languages, pack_language_name
from fieldapp.i18n.resolution import DisplayMode, LabelResolver
from fieldapp.i18n.text import nfc
from fieldapp.ui.fonts import scaled
from fieldapp.ui.forms.editors import (
    ERROR_COLOUR,
    FALLBACK_MARK,
    UNREVIEWED_MARK,
    EnterFilter,
    FieldEditor,
    NoteEditor,
    make_editor,
    text_html,
)

log = logging.getLogger(__name__)

_ROW_RE = re.compile(r"^(.*)\[(\d+)\]$")

SaveCallback = Callable[[bool], None]


def split_row_path(row_path: str) -> tuple[str, int]:
    """"members[1]" -> ("members", 1); "a[0]/b[2]" -> ("a[0]/b", 2)."""
    match = _ROW_RE.match(row_path)
    if not match:
        raise ValueError(f"not a repeat row path: {row_path!r}")
    return match.group(1), int(match.group(2))


def _repeat_name(container_path: str) -> str:
    """The repeat's name from its path: "a[0]/b" -> "b"."""
    return container_path.rsplit("/", 1)[-1]


ResolverFactory = Callable[[Form, str], LabelResolver]
"""Builds the label resolver for (form, pack language); tests pass packs of their own."""


class FormView(QWidget):
    """Fill in ``instance`` of ``form``; ``on_save(finalize)`` stores it (may raise UserError)."""

    saved = Signal(bool)
    """Emitted after a successful save; True when finalized."""
    close_requested = Signal()
    page_changed = Signal(int)
    labels_changed = Signal(object, object)
    """(pack language code or None, DisplayMode) after the user switched the labels."""

    def __init__(self, form: Form, instance: FormInstance, *,
                 on_save: SaveCallback | None = None, language: str | None = None,
                 status: str = "draft", pack: str | None = None,
                 mode: DisplayMode = DisplayMode.BILINGUAL,
                 pack_languages: list[str] | None = None,
                 resolver_factory: ResolverFactory | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("form_view")
        self.form = form
        self.instance = instance
        self.on_save = on_save
        self.status = status
        self._base_language = language
        self._resolver_factory = resolver_factory or (
            lambda f, lang: LabelResolver.for_form(f, lang))
        self.pack_languages = (available_languages() if pack_languages is None
                               else list(pack_languages))
        self.labels: LabelSource = LabelSource(form, instance, language)
        self.language = self.labels.language
        if hasattr(instance, "language"):
            instance.language = self.language  # choice filters and built-in messages
        self.modified = False
        self.pages: list[Page] = []
        self.index = 0
        self.editors: dict[str, FieldEditor] = {}
        self._shown_key: str | None = None
        self._page_widgets: list[QWidget] = []
        self._enter = EnterFilter(self._on_enter, self)
        self._build()
        if pack:
            self._apply_labels(pack, mode)
            self._retranslate_chrome()
        self._pages_changed()
        self._show_page(0, focus=True)

    # ------------------------------------------------------------------------------------------
    # Layout
    # ------------------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        outer.setSpacing(6)

        top = QHBoxLayout()
        self.title_label = QLabel(self)
        self.title_label.setObjectName("form_title")
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.RichText)
        self.title_label.setFont(scaled(QApplication.font(), 1.35, bold=True))
        self.status_label = QLabel(self)
        self.status_label.setObjectName("form_status")
        self.status_label.setWordWrap(True)
        self.close_button = QPushButton(self)
        self.close_button.setObjectName("close_form")
        self.close_button.clicked.connect(self.close_requested)
        self.legend = QLabel(self)
        self.legend.setObjectName("pack_legend")
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: #555;")
        self.legend.setFont(scaled(QApplication.font(), 0.9))
        top.addWidget(self.title_label, 1)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)
        # Label pack: which language beside Vietnamese, and how the two are shown.
        status_row = QHBoxLayout()
        self.pack_label = QLabel(self)
        self.pack_combo = QComboBox(self)
        self.pack_combo.setObjectName("pack_combo")
        self.pack_label.setBuddy(self.pack_combo)
        self.mode_combo = QComboBox(self)
        self.mode_combo.setObjectName("mode_combo")
        self.pack_combo.activated.connect(self._on_pack_chosen)
        self.mode_combo.activated.connect(self._on_pack_chosen)
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.pack_label)
        status_row.addWidget(self.pack_combo)
        status_row.addWidget(self.mode_combo)
        outer.addLayout(status_row)
        outer.addWidget(self.legend)

        nav = QHBoxLayout()
        self.section_label = QLabel(self)
        self.section_combo = QComboBox(self)
        self.section_combo.setObjectName("section_combo")
        self.section_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.section_combo.setMinimumContentsLength(18)
        self.section_combo.activated.connect(self._on_section)
        self.section_label.setBuddy(self.section_combo)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("form_progress")
        self.progress.setRange(0, 100)
        self.page_label = QLabel(self)
        self.page_label.setObjectName("page_label")
        nav.addWidget(self.section_label)
        nav.addWidget(self.section_combo, 2)
        nav.addWidget(self.progress, 1)
        nav.addWidget(self.page_label)
        outer.addLayout(nav)

        # The page: row bar (inside a roster), page title, editors; scrolls vertically only so
        # text reflows with large fonts.
        self.scroll = QScrollArea(self)
        self.scroll.setObjectName("page_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its editors take the focus
        self.page = QWidget()
        self.page.setObjectName("page")
        self.page_layout = QVBoxLayout(self.page)
        self.page_layout.setContentsMargins(4, 4, 12, 4)
        self.page_layout.setSpacing(8)

        self.row_bar = QFrame(self.page)
        self.row_bar.setObjectName("row_bar")
        self.row_bar.setFrameShape(QFrame.Shape.StyledPanel)
        row_layout = QVBoxLayout(self.row_bar)
        row_top = QHBoxLayout()
        self.row_title = QLabel(self.row_bar)
        self.row_title.setObjectName("row_title")
        self.row_title.setWordWrap(True)
        self.row_title.setTextFormat(Qt.TextFormat.RichText)
        self.row_title.setFont(scaled(QApplication.font(), 1.25, bold=True))
        self.add_row_button = QPushButton(self.row_bar)
        self.add_row_button.setObjectName("add_row")
        self.add_row_button.clicked.connect(self._on_add_row)
        self.remove_row_button = QPushButton(self.row_bar)
        self.remove_row_button.setObjectName("remove_row")
        self.remove_row_button.clicked.connect(self._on_remove_row)
        row_top.addWidget(self.row_title, 1)
        row_top.addWidget(self.add_row_button, 0, Qt.AlignmentFlag.AlignTop)
        row_top.addWidget(self.remove_row_button, 0, Qt.AlignmentFlag.AlignTop)
        row_layout.addLayout(row_top)
        # Inline confirmation (no modal dialog: keyboard-friendly and never hidden behind).
        self.confirm_bar = QFrame(self.row_bar)
        self.confirm_bar.setObjectName("confirm_remove_bar")
        confirm_layout = QHBoxLayout(self.confirm_bar)
        confirm_layout.setContentsMargins(0, 0, 0, 0)
        self.confirm_label = QLabel(self.confirm_bar)
        self.confirm_label.setWordWrap(True)
        self.confirm_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.confirm_remove_button = QPushButton(self.confirm_bar)
        self.confirm_remove_button.setObjectName("confirm_remove")
        self.confirm_remove_button.clicked.connect(self._on_confirm_remove)
        self.cancel_remove_button = QPushButton(self.confirm_bar)
        self.cancel_remove_button.setObjectName("cancel_remove")
        self.cancel_remove_button.clicked.connect(self._hide_confirm)
        confirm_layout.addWidget(self.confirm_label, 1)
        confirm_layout.addWidget(self.confirm_remove_button)
        confirm_layout.addWidget(self.cancel_remove_button)
        row_layout.addWidget(self.confirm_bar)
        self.confirm_bar.setVisible(False)
        self.page_layout.addWidget(self.row_bar)

        self.page_title = QLabel(self.page)
        self.page_title.setObjectName("page_title")
        self.page_title.setWordWrap(True)
        self.page_title.setTextFormat(Qt.TextFormat.RichText)
        self.page_title.setFont(scaled(QApplication.font(), 1.2, bold=True))
        self.page_layout.addWidget(self.page_title)

        self.fields_box = QVBoxLayout()
        self.fields_box.setSpacing(10)
        self.page_layout.addLayout(self.fields_box)
        self.page_layout.addStretch(1)
        self.scroll.setWidget(self.page)
        outer.addWidget(self.scroll, 1)

        self.banner = QLabel(self)
        self.banner.setObjectName("form_banner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        outer.addWidget(self.banner)

        footer = QHBoxLayout()
        self.back_button = QPushButton(self)
        self.back_button.setObjectName("back")
        self.back_button.clicked.connect(self.previous_page)
        self.next_button = QPushButton(self)
        self.next_button.setObjectName("next")
        self.next_button.clicked.connect(self.next_page)
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("save_draft")
        self.save_button.clicked.connect(self.save_draft)
        self.problems_button = QPushButton(self)
        self.problems_button.setObjectName("first_problem")
        self.problems_button.clicked.connect(self.go_to_first_problem)
        self.finalize_button = QPushButton(self)
        self.finalize_button.setObjectName("finalize")
        self.finalize_button.clicked.connect(self.finalize)
        for button in (self.back_button, self.next_button, self.save_button,
                       self.problems_button, self.finalize_button, self.add_row_button,
                       self.remove_row_button, self.confirm_remove_button,
                       self.cancel_remove_button, self.close_button):
            button.setAutoDefault(True)  # Enter on a focused button presses it
        footer.addWidget(self.back_button)
        footer.addWidget(self.next_button)
        footer.addStretch(1)
        footer.addWidget(self.save_button)
        footer.addWidget(self.problems_button)
        footer.addWidget(self.finalize_button)
        outer.addLayout(footer)

        # Fixed shortcuts (the same whatever the interface language, unlike mnemonics):
        # Alt+N / Alt+Right / Ctrl+PgDown next, Alt+B / Alt+Left / Ctrl+PgUp back, Ctrl+S save.
        A, C = Qt.Modifier.ALT, Qt.Modifier.CTRL
        bindings = [
            (QKeySequence(QKeySequence.StandardKey.Save), self.save_draft),
            (QKeySequence(A | Qt.Key.Key_N), self.next_page),
            (QKeySequence(A | Qt.Key.Key_Right), self.next_page),
            (QKeySequence(C | Qt.Key.Key_PageDown), self.next_page),
            (QKeySequence(A | Qt.Key.Key_B), self.previous_page),
            (QKeySequence(A | Qt.Key.Key_Left), self.previous_page),
            (QKeySequence(C | Qt.Key.Key_PageUp), self.previous_page),
        ]
        self.shortcuts: list[QShortcut] = []
        for sequence, slot in bindings:
            shortcut = QShortcut(sequence, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
            self.shortcuts.append(shortcut)
        self._retranslate_chrome()

    def retranslate(self, *_args) -> None:
        """Set every interface string again (the interface language changed), the editors of
        the page shown included, keeping the answers and the focus."""
        self._retranslate_chrome()
        if self.pages:
            self._rebuild_page_keeping_focus()

    def _retranslate_chrome(self) -> None:
        self.close_button.setText(_("&Close"))
        self.section_label.setText(_("&Section:"))
        # Qt's %p% stays out of the msgid (babel would take "% a" for a Python format).
        self.progress.setFormat(_("{percent} answered").format(percent="%p%"))
        self.back_button.setText(_("Back"))
        self.back_button.setToolTip(_("Previous page (Alt+B)"))
        self.next_button.setText(_("Next"))
        self.next_button.setToolTip(_("Next page (Alt+N or Enter)"))
        self.save_button.setText(_("Save draft"))
        self.save_button.setToolTip(_("Save what has been entered so far (Ctrl+S)"))
        self.problems_button.setText(_("&Go to the first problem"))
        self.finalize_button.setText(_("&Finalize"))
        self.finalize_button.setToolTip(_("Possible when every required answer is given and valid"))
        self.cancel_remove_button.setText(_("&Keep"))
        self.confirm_remove_button.setText(_("&Remove"))
        self.title_label.setText(text_html(self.labels.form_title()))
        self.pack_label.setText(_("&Labels:"))
        self._fill_pack_combos()
        self._update_status()
        if self.pages:
            self._update_header()
            self._update_row_bar()

    # ------------------------------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------------------------------
    @property
    def current_page(self) -> Page:
        return self.pages[self.index]

    def _pages_changed(self) -> None:
        """Re-read the page list; keep the current page (by key) when it still exists."""
        key = self.pages[self.index].key if self.pages else None
        self.pages = self.instance.pages(self.language)
        keys = [p.key for p in self.pages]
        if key in keys:
            self.index = keys.index(key)
        else:
            self.index = max(0, min(self.index, len(self.pages) - 1))

    def _show_page(self, index: int, *, focus: bool = True) -> None:
        """Show page ``index`` (rebuilding its editors) and focus its first question."""
        self._hide_confirm()
        self.index = max(0, min(index, len(self.pages) - 1))
        self._clear_page()
        self._shown_key = None
        self._sync_page()
        self.scroll.verticalScrollBar().setValue(0)
        if focus:
            self._focus_first()
        self.page_changed.emit(self.index)

    def _discard(self, widget: QWidget) -> None:
        # Not setParent(None): that would make the widget a window of its own for a moment,
        # which can take the focus and the window activation (and with it the shortcuts).
        self.fields_box.removeWidget(widget)
        widget.hide()
        widget.deleteLater()

    def _clear_page(self) -> None:
        for widget in [*self.editors.values(), *self._page_widgets]:
            self._discard(widget)
        self.editors = {}
        self._page_widgets = []

    def _sync_page(self, source: str | None = None) -> None:
        """Bring the shown page in line with the instance: editors added or removed as relevance
        changed, texts, choices, values (except the editor ``source`` being typed in)."""
        if not self.pages:
            self._update_header()
            return
        page = self.current_page
        if page.add_row:
            if self._shown_key != page.key or source is None:
                self._clear_page()
                self._build_add_row_page(page)
        else:
            self._reconcile_editors(page)
            for path, editor in self.editors.items():
                self._refresh_editor(path, editor, load_value=(path != source))
            if source is not None:
                self._refresh_live_errors()
        self._shown_key = page.key
        title = self.labels.page_title(page) if not page.add_row else None
        self.page_title.setText(text_html(title) if title and title.primary else "")
        self.page_title.setToolTip(title.note if title else "")
        self.page_title.setVisible(bool(title and title.primary))
        self._update_row_bar()
        self._update_header()
        self._update_tab_order()

    def _reconcile_editors(self, page: Page) -> None:
        wanted = list(page.paths)
        for path in [p for p in self.editors if p not in wanted]:
            self._discard(self.editors.pop(path))
        for path in wanted:
            if path not in self.editors:
                editor = self._make_editor(path)
                if editor is not None:
                    self.editors[path] = editor
        ordered = {p: self.editors[p] for p in wanted if p in self.editors}
        if list(ordered) != [self.fields_box.itemAt(i).widget().path
                             for i in range(self.fields_box.count())
                             if isinstance(self.fields_box.itemAt(i).widget(), FieldEditor)]:
            for editor in ordered.values():
                self.fields_box.removeWidget(editor)
            for editor in ordered.values():
                self.fields_box.addWidget(editor)
                editor.show()
        self.editors = ordered

    def _make_editor(self, path: str) -> FieldEditor | None:
        field = self.instance.field_at(path)
        editor = make_editor(path, field.type, field.appearance, field.from_file is not None,
                             self.page)
        if editor is None:
            return None
        editor.edited.connect(self._on_edited)
        editor.install_key_filter(self._enter)
        return editor

    def _refresh_editor(self, path: str, editor: FieldEditor, *, load_value: bool) -> None:
        inst = self.instance
        required = False if isinstance(editor, NoteEditor) else inst.is_required(path)
        editor.set_texts(self.labels.label(path), self.labels.hint(path), required)
        field = inst.field_at(path)
        if field.is_select:
            editor.set_choices([(c.name, self.labels.choice(path, c))
                                for c in inst.choices_for(path)])
        if load_value:
            editor.load(inst.get_value(path))
        if not isinstance(editor, NoteEditor):
            editor.set_read_only(inst.is_read_only(path))

    def _refresh_live_errors(self) -> None:
        """Re-check the messages already shown, so a corrected answer clears its message at
        once; new messages wait for Next (no scolding while the user is still typing)."""
        shown = [p for p, e in self.editors.items() if e.has_error()]
        if not shown:
            return
        errors = dict(self.instance.errors(self.current_page, self.language))
        for path in shown:
            message = errors.get(path, "")
            self.editors[path].set_error(self.labels.error(path, message) if message else "")

    def _build_add_row_page(self, page: Page) -> None:
        """The page after a roster's rows: the rows entered so far, and "add another"."""
        container = page.add_row or ""
        name = self.labels.repeat_name(container)
        try:
            count = self.instance.repeat_rows(container)
        except PathError:
            count = 0
        box = QFrame(self.page)
        box.setObjectName("add_row_page")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(box)
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.TextFormat.RichText)
        heading.setFont(scaled(QApplication.font(), 1.25, bold=True))
        heading.setText(text_html(self.labels.page_title(page) if page.title else name))
        layout.addWidget(heading)
        summary = QLabel(box)
        summary.setObjectName("rows_summary")
        summary.setWordWrap(True)
        summary.setText(_("Entered so far: {count}").format(count=count) if count
                        else _("Nothing entered yet."))
        layout.addWidget(summary)
        self._row_buttons: list[QPushButton] = []
        for i in range(count):
            row_path = f"{container}[{i}]"
            title = self.labels.row_title_for(row_path, self._row_title_of(row_path) or f"{i + 1}.")
            button = QPushButton(title.plain, box)
            button.setObjectName(f"open_row:{row_path}")
            button.setToolTip(_("Open this entry"))
            button.setStyleSheet("text-align: left; padding: 4px 8px;")
            button.setAutoDefault(True)
            button.clicked.connect(lambda _c=False, rp=row_path: self.go_to_row(rp))
            layout.addWidget(button)
            self._row_buttons.append(button)
        add = QPushButton(box)
        add.setObjectName("add_row_here")
        add.setText(_("&Add: {name}").format(name=name.primary))
        add.setAutoDefault(True)
        add.setFont(scaled(QApplication.font(), 1.1, bold=True))
        add.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        add.clicked.connect(lambda: self.add_row(container))
        layout.addWidget(add)
        done = QLabel(box)
        done.setWordWrap(True)
        done.setStyleSheet("color: #555;")
        done.setText(_("When everyone is entered, press Next."))
        layout.addWidget(done)
        self.add_row_here_button = add
        self.fields_box.addWidget(box)
        box.show()
        self._page_widgets.append(box)

    def _row_title_of(self, row_path: str) -> str:
        for page in self.pages:
            if page.repeat_path == row_path and page.row_title:
                return page.row_title
        return ""

    def _row_info(self) -> tuple[str, int, bool] | None:
        """(repeat path, row index, user may add/remove rows) of the current page's row."""
        page = self.current_page if self.pages else None
        if page is None or not page.repeat_path:
            return None
        container, index = split_row_path(page.repeat_path)
        node = self.form.nodes.get(_repeat_name(container))
        user_rows = isinstance(node, Repeat) and node.repeat_count is None
        return container, index, user_rows

    def _update_row_bar(self) -> None:
        info = self._row_info()
        self.row_bar.setVisible(info is not None)
        if info is None:
            return
        container, _index, user_rows = info
        page = self.current_page
        title = self.labels.row_title(page)
        self.row_title.setText(text_html(title))
        self.row_title.setToolTip(title.note)
        name = self.labels.repeat_name(container)
        self.add_row_button.setText(_("Add: {name}").format(name=name.primary))
        self.remove_row_button.setText(_("Remove this entry…"))
        self.add_row_button.setVisible(user_rows)
        self.remove_row_button.setVisible(user_rows)

    def _update_header(self) -> None:
        inst = self.instance
        self.progress.setValue(round(inst.progress() * 100))
        self.page_label.setText(_("Page {current} of {total}").format(
            current=self.index + 1, total=len(self.pages)))
        sections = inst.sections(self.language)
        titles = [self.labels.section_title(s.name, s.title) for s in sections]
        if [self.section_combo.itemText(i) for i in range(self.section_combo.count())] != titles:
            self.section_combo.blockSignals(True)
            self.section_combo.clear()
            for section, title in zip(sections, titles):
                self.section_combo.addItem(title, section.name)
            self.section_combo.blockSignals(False)
        if self.pages:
            at = self.section_combo.findData(self.current_page.section)
            if at >= 0 and at != self.section_combo.currentIndex():
                self.section_combo.blockSignals(True)
                self.section_combo.setCurrentIndex(at)
                self.section_combo.blockSignals(False)
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < len(self.pages) - 1)
        valid = inst.can_finalize()
        self.finalize_button.setEnabled(valid)
        self.problems_button.setVisible(not valid)

    def _update_status(self) -> None:
        if self.status == "final":
            text = _("Finalized. Changes are saved as a new version; earlier versions are kept.")
        else:
            text = _("Draft")
        self.status_label.setText(text)

    def _focusable(self) -> list[QWidget]:
        chain: list[QWidget] = []
        if self.row_bar.isVisible():
            chain += [w for w in (self.add_row_button, self.remove_row_button) if w.isVisible()]
        for editor in self.editors.values():
            chain += [w for w in editor.focus_chain() if w.isEnabled()]
        if self.current_page.add_row if self.pages else False:
            chain += getattr(self, "_row_buttons", []) + [self.add_row_here_button]
        return chain

    def _update_tab_order(self) -> None:
        chain = [w for w in (self.pack_combo, self.mode_combo) if not w.isHidden()] + [
            self.close_button, self.section_combo] + self._focusable() + [
            self.back_button, self.next_button, self.save_button, self.problems_button,
            self.finalize_button]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    def _on_enter(self, widget: QObject) -> None:
        """Enter moves on to the next visible question of a field-list page, and leaves the
        page only from its last question (as a paper form is read, top to bottom)."""
        editors = [e for e in self.editors.values()
                   if e.isVisible() and [w for w in e.focus_chain() if w.isEnabled()]]
        current = next((i for i, e in enumerate(editors)
                        if widget is e or (isinstance(widget, QWidget) and e.isAncestorOf(widget))),
                       None)
        if current is None or current >= len(editors) - 1:
            self.next_page()
            return
        following = editors[current + 1]
        following.focus_first()
        self.scroll.ensureWidgetVisible(following)

    def _focus_first(self) -> None:
        for editor in self.editors.values():
            if [w for w in editor.focus_chain() if w.isEnabled()]:
                editor.focus_first()
                self.scroll.ensureWidgetVisible(editor)
                return
        if self.pages and self.current_page.add_row:
            self.add_row_here_button.setFocus(Qt.FocusReason.TabFocusReason)
        elif self.next_button.isEnabled():
            self.next_button.setFocus(Qt.FocusReason.TabFocusReason)
        else:
            self.save_button.setFocus(Qt.FocusReason.TabFocusReason)

    # ------------------------------------------------------------------------------------------
    # Editing
    # ------------------------------------------------------------------------------------------
    def _on_edited(self, path: str, value: object) -> None:
        try:
            self.instance.set_value(path, nfc(value) if value is not None else None)
        except (PathError, ValueError) as exc:
            log.warning("answer to %s refused: %s", path, exc)
            return
        self.modified = True
        self._hide_banner()
        self._pages_changed()
        self._sync_page(source=path)

    # ------------------------------------------------------------------------------------------
    # Navigation
    # ------------------------------------------------------------------------------------------
    def page_errors(self) -> list[tuple[str, str]]:
        """Problems on the current page: the engine's, plus text that is not a value yet."""
        if not self.pages or self.current_page.add_row:
            return []
        errors = dict(self.instance.errors(self.current_page, self.language))
        for path, editor in self.editors.items():
            if editor.local_error():
                errors[path] = editor.local_error()
        return [(p, errors[p]) for p in self.editors if p in errors]

    def show_page_errors(self) -> bool:
        """Show the current page's messages beside its questions; True when there were any."""
        errors = dict(self.page_errors())
        for path, editor in self.editors.items():
            message = errors.get(path, "")
            editor.set_error(self.labels.error(path, message) if message else "")
        if errors:
            first = next(p for p in self.editors if p in errors)
            self.editors[first].focus_first()
            self.scroll.ensureWidgetVisible(self.editors[first])
            self._show_banner(_("Correct the answers marked in red to continue."), "error")
        return bool(errors)

    def next_page(self) -> bool:
        """Go to the next page unless this one has missing or invalid answers."""
        if self.show_page_errors():
            return False
        self._pages_changed()
        if self.index >= len(self.pages) - 1:
            self._show_banner(_("This is the end of the form. Save a draft or finalize."), "info")
            (self.finalize_button if self.finalize_button.isEnabled()
             else self.save_button).setFocus()
            return False
        self._hide_banner()
        self._show_page(self.index + 1)
        return True

    def previous_page(self) -> bool:
        if self.index == 0:
            return False
        self._hide_banner()
        self._pages_changed()
        self._show_page(self.index - 1)
        return True

    def go_to_page(self, index: int) -> None:
        self._pages_changed()
        self._hide_banner()
        self._show_page(index)

    def go_to_key(self, key: str) -> bool:
        self._pages_changed()
        for i, page in enumerate(self.pages):
            if page.key == key:
                self._show_page(i)
                return True
        return False

    def go_to_row(self, row_path: str) -> None:
        self._pages_changed()
        for i, page in enumerate(self.pages):
            if page.repeat_path == row_path or (page.repeat_path or "").startswith(row_path + "/"):
                self._hide_banner()
                self._show_page(i)
                return

    def _on_section(self, combo_index: int) -> None:
        name = self.section_combo.itemData(combo_index)
        for section in self.instance.sections(self.language):
            if section.name == name:
                self.go_to_page(section.first_page)
                return

    def go_to_first_problem(self) -> bool:
        """Open the page of the first missing or invalid answer in the form and show why."""
        self._pages_changed()
        errors = self.instance.errors(None, self.language)
        if not errors:
            self._update_header()
            return False
        path = errors[0][0]
        for i, page in enumerate(self.pages):
            if path in page.paths:
                self._show_page(i)
                self.show_page_errors()
                return True
        return False

    # ------------------------------------------------------------------------------------------
    # Roster rows
    # ------------------------------------------------------------------------------------------
    def add_row(self, container: str) -> None:
        """Append a row to the repeat at ``container`` and open its first page."""
        try:
            index = self.instance.add_repeat_row(container)
        except (PathError, ValueError) as exc:
            self._show_banner(str(exc), "error")
            return
        self.modified = True
        self.go_to_row(f"{container}[{index}]")

    def _on_add_row(self) -> None:
        info = self._row_info()
        if info is not None:
            self.add_row(info[0])

    def _on_remove_row(self) -> None:
        info = self._row_info()
        if info is None:
            return
        title = self.labels.row_title(self.current_page).primary or f"{info[1] + 1}."
        self.confirm_label.setText(
            _("Remove “{title}” and all of its answers?").format(title=title))
        self.confirm_bar.setVisible(True)
        self.cancel_remove_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _hide_confirm(self) -> None:
        self.confirm_bar.setVisible(False)

    def _on_confirm_remove(self) -> None:
        info = self._row_info()
        self._hide_confirm()
        if info is None:
            return
        container, index, _user_rows = info
        try:
            self.instance.remove_repeat_row(container, index)
        except (PathError, ValueError) as exc:
            self._show_banner(str(exc), "error")
            return
        self.modified = True
        self.pages = self.instance.pages(self.language)
        # Land on the roster's "add" page, where the remaining rows are listed.
        for i, page in enumerate(self.pages):
            if page.add_row == container:
                self._show_page(i)
                break
        else:
            self._show_page(min(self.index, len(self.pages) - 1))
        self._show_banner(_("Entry removed."), "info")

    # ------------------------------------------------------------------------------------------
    # Saving
    # ------------------------------------------------------------------------------------------
    def save_draft(self) -> bool:
        return self._save(False)

    def finalize(self) -> bool:
        if not self.instance.can_finalize():
            self.go_to_first_problem()
            return False
        return self._save(True)

    def _save(self, finalize: bool) -> bool:
        if self.on_save is None:
            return False
        try:
            self.on_save(finalize)
        except UserError as exc:
            self._show_banner(str(exc), "error")
            if finalize:
                self.go_to_first_problem()
            return False
        except Exception as exc:  # noqa: BLE001 - logged with traceback and shown to the user
            log.exception("saving the form failed")
            self._show_banner(_("Could not save: {error}").format(error=exc), "error")
            return False
        self.modified = False
        if finalize:
            self.status = "final"
            self._update_status()
            self._show_banner(_("Finalized and saved."), "ok")
        else:
            self._show_banner(_("Draft saved."), "ok")
        self.saved.emit(finalize)
        return True

    # ------------------------------------------------------------------------------------------
    # Label packs
    # ------------------------------------------------------------------------------------------
    def _fill_pack_combos(self) -> None:
        self.pack_combo.blockSignals(True)
        self.pack_combo.clear()
        self.pack_combo.addItem(_("Vietnamese"), None)
        for code in self.pack_languages:
            self.pack_combo.addItem(_("{language} and Vietnamese").format(
                language=pack_language_name(code)), code)
        self.pack_combo.setCurrentIndex(max(0, self.pack_combo.findData(self.labels.pack_lang)))
        self.pack_combo.blockSignals(False)
        self.mode_combo.blockSignals(True)
        self.mode_combo.clear()
        for mode, text in ((DisplayMode.BILINGUAL, _("Both, Vietnamese beneath")),
                           (DisplayMode.PACK_ONLY, _("Label pack only")),
                           (DisplayMode.VIETNAMESE_ONLY, _("Vietnamese only"))):
            self.mode_combo.addItem(text, mode)
        self.mode_combo.setCurrentIndex(max(0, self.mode_combo.findData(self.labels.mode)))
        self.mode_combo.blockSignals(False)
        self.mode_combo.setVisible(self.labels.pack_lang is not None)
        if self.labels.pack_lang and self.labels.mode is not DisplayMode.VIETNAMESE_ONLY:
            self.legend.setText(_("{unreviewed} not yet reviewed by a native speaker   "
                                  "{fallback} no translation yet: Vietnamese shown").format(
                unreviewed=UNREVIEWED_MARK, fallback=FALLBACK_MARK))
            self.legend.setVisible(True)
        else:
            self.legend.setVisible(False)
        has_packs = bool(self.pack_languages)
        self.pack_label.setVisible(has_packs)
        self.pack_combo.setVisible(has_packs)

    def _on_pack_chosen(self, _index: int = 0) -> None:
        pack = self.pack_combo.currentData()
        mode = self.mode_combo.currentData() if pack else DisplayMode.BILINGUAL
        if pack != self.labels.pack_lang:
            mode = DisplayMode.BILINGUAL  # a newly chosen pack starts bilingual
        self.set_labels(pack, mode)
        self.labels_changed.emit(pack, mode)

    def _apply_labels(self, pack: str | None, mode: DisplayMode) -> None:
        if pack:
            self.labels = PackLabelSource(self.form, self.instance,
                                          self._resolver_factory(self.form, pack), mode)
        else:
            self.labels = LabelSource(self.form, self.instance, self._base_language)

    def set_labels(self, pack: str | None, mode: DisplayMode = DisplayMode.BILINGUAL) -> None:
        """Show the form with label pack ``pack`` (None: Vietnamese) as ``mode`` says, on the
        same page, keeping the answers and the keyboard focus."""
        self._apply_labels(pack, mode)
        self.retranslate()

    def _rebuild_page_keeping_focus(self) -> None:
        focus = QApplication.focusWidget()
        focus_at = None
        for path, editor in self.editors.items():
            chain = editor.focus_chain()
            if focus in chain:
                focus_at = (path, chain.index(focus))
        had_errors = any(e.has_error() for e in self.editors.values())
        outside = focus is not None and focus_at is None and self.isAncestorOf(focus)
        self._show_page(self.index, focus=False)
        if had_errors:
            self.show_page_errors()
        if focus_at and focus_at[0] in self.editors:
            chain = self.editors[focus_at[0]].focus_chain()
            if focus_at[1] < len(chain):
                chain[focus_at[1]].setFocus(Qt.FocusReason.OtherFocusReason)
        elif outside and focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)  # e.g. the pack list itself

    # ------------------------------------------------------------------------------------------
    # Messages
    # ------------------------------------------------------------------------------------------
    def _show_banner(self, text: str, kind: str) -> None:
        colours = {"error": (ERROR_COLOUR, "#fdecea"), "ok": ("#1b5e20", "#e8f5e9"),
                   "info": ("#0d47a1", "#e3f2fd")}
        fg, bg = colours.get(kind, colours["info"])
        self.banner.setStyleSheet(f"color: {fg}; background: {bg}; padding: 6px;"
                                  " border-radius: 4px;")
        self.banner.setText(text)
        self.banner.setProperty("kind", kind)
        self.banner.setVisible(True)

    def _hide_banner(self) -> None:
        self.banner.setVisible(False)
        self.banner.setText("")
