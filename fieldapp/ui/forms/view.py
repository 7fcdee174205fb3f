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

The view wires its parts together: where the person is among the pages is a Qt-free
:class:`~fieldapp.core.forms.navigator.PageNavigator`, the texts come from
:mod:`fieldapp.core.forms.labels`, and the widgets live in :mod:`~fieldapp.ui.forms.packbar`
(label pack), :mod:`~fieldapp.ui.forms.chrome` (sections, banner, footer),
:mod:`~fieldapp.ui.forms.roster` (repeat rows), :mod:`~fieldapp.ui.forms.page` (the editors
of the page shown) and :mod:`~fieldapp.ui.forms.review` (the review before finalizing). Their widgets are also attributes of the view (``view.next_button``,
``view.row_title``, ...), as tests and the surveys screen reach them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget)

from fieldapp.core.forms import Form, FormInstance, Page, PathError
from fieldapp.core.forms.attachments import Attachment
from fieldapp.core.forms.labels import LabelSource, PackLabelSource
from fieldapp.core.forms.navigator import PageNavigator
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.packs import available_languages
from fieldapp.i18n.resolution import DisplayMode, LabelResolver
from fieldapp.i18n.text import nfc
from fieldapp.ui.forms.chrome import Banner, FormFooter, SectionBar, page_shortcuts, title_label
from fieldapp.ui.forms.editors import EnterFilter, FieldEditor, text_html
from fieldapp.ui.forms.packbar import PackBar
from fieldapp.ui.forms.page import PageEditors, discard
from fieldapp.ui.forms.prompts import SpeakingMixin, SurveyPrompts
from fieldapp.ui.forms.review import ReviewMixin, ReviewPage
from fieldapp.ui.forms.roster import RosterBar
from fieldapp.ui.forms.rows import RowActions

log = logging.getLogger(__name__)

SaveCallback = Callable[[bool], None]

ResolverFactory = Callable[[Form, str], LabelResolver]
"""Builds the label resolver for (form, pack language); tests pass packs of their own."""

AttachmentReader = Callable[[str, str], Attachment]
"""Reads and checks a file chosen for a question: (file on disk, question type) -> Attachment;
raises UserError with the reason (SurveyService.read_attachment)."""


class FormView(ReviewMixin, RowActions, SpeakingMixin, QWidget):
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
                 read_attachment: AttachmentReader | None = None,
                 prompts: SurveyPrompts | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.read_attachment = read_attachment
        self.prompts = prompts  # recorded prompts of the pack shown (fieldapp.ui.forms.prompts)
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
        self.nav = PageNavigator(instance, self.language)
        self.reviewing = False  # the review before finalizing is shown in place of a page
        self.review_page: ReviewPage | None = None
        self._shown_key: str | None = None
        self._page_widgets: list[QWidget] = []
        self._row_buttons: list[QPushButton] = []
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
        self.title_label = title_label(self, 1.35, "form_title")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("form_status")
        self.status_label.setWordWrap(True)
        self.close_button = QPushButton(self)
        self.close_button.setObjectName("close_form")
        self.close_button.clicked.connect(self.close_requested)
        self.close_button.setAutoDefault(True)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)
        # Label pack: which language beside Vietnamese, and how the two are shown.
        status_row = QHBoxLayout()
        self.pack_bar = PackBar(self.pack_languages, self, self.form.languages)
        self.pack_bar.form_language = self.language
        self.pack_bar.chosen.connect(self._on_pack_chosen)
        self.pack_bar.language_chosen.connect(self.set_language)
        self.pack_combo, self.mode_combo = self.pack_bar.pack_combo, self.pack_bar.mode_combo
        self.legend = self.pack_bar.legend
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.pack_bar)
        outer.addLayout(status_row)
        outer.addWidget(self.legend)

        self.section_bar = SectionBar(self)
        self.section_bar.section_chosen.connect(self._on_section)
        self.section_combo = self.section_bar.combo
        self.progress, self.page_label = self.section_bar.progress, self.section_bar.page_label
        outer.addWidget(self.section_bar)

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

        self.row_bar = RosterBar(self.page)
        self.row_bar.add_clicked.connect(self._on_add_row)
        self.row_bar.remove_clicked.connect(self._on_remove_row)
        self.row_bar.remove_confirmed.connect(self._on_confirm_remove)
        bar = self.row_bar
        self.row_title, self.confirm_bar = bar.title, bar.confirm_bar
        self.add_row_button, self.remove_row_button = bar.add_button, bar.remove_button
        self.confirm_remove_button = bar.confirm_button
        self.cancel_remove_button = bar.cancel_button
        self.page_layout.addWidget(self.row_bar)

        self.page_title = title_label(self.page, 1.2, "page_title")
        self.page_layout.addWidget(self.page_title)

        self.fields_box = QVBoxLayout()
        self.fields_box.setSpacing(10)
        self.page_editors = PageEditors(self.page, self.fields_box, self._on_edited, self._enter,
                                        self._on_file, self.play_prompt)
        self.page_layout.addLayout(self.fields_box)
        self.page_layout.addStretch(1)
        self.scroll.setWidget(self.page)
        outer.addWidget(self.scroll, 1)

        self.banner = Banner(self)
        outer.addWidget(self.banner)

        self.footer = FormFooter(self)
        footer = self.footer
        self.back_button, self.next_button = footer.back_button, footer.next_button
        self.save_button, self.problems_button = footer.save_button, footer.problems_button
        self.finalize_button = footer.finalize_button
        self.back_button.clicked.connect(self.previous_page)
        self.next_button.clicked.connect(self.next_page)
        self.save_button.clicked.connect(self.save_draft)
        self.problems_button.clicked.connect(self.go_to_first_problem)
        self.finalize_button.clicked.connect(self.finalize)
        outer.addWidget(self.footer)
        self.shortcuts = page_shortcuts(self, save=self.save_draft, next_page=self.next_page,
                                        previous_page=self.previous_page)
        self._bind_prompt_key()
        self._retranslate_chrome()

    def retranslate(self, *_args) -> None:
        """Set every interface string again (the interface language changed), the editors of
        the page shown included, keeping the answers and the focus."""
        self._retranslate_chrome()
        if self.pages:
            self._rebuild_page_keeping_focus()

    def _retranslate_chrome(self) -> None:
        self.close_button.setText(_("&Close"))
        self.section_bar.retranslate()
        self.footer.retranslate()
        self.row_bar.retranslate()
        self.title_label.setText(text_html(self.labels.form_title()))
        self.pack_bar.show_choice(self.labels.pack_lang, self.labels.mode)
        self._update_status()
        if self.pages:
            self._update_header()
            self._update_row_bar()

    # ------------------------------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------------------------------
    @property
    def pages(self) -> list[Page]:
        return self.nav.pages

    @property
    def index(self) -> int:
        return self.nav.index

    @property
    def current_page(self) -> Page:
        return self.nav.pages[self.nav.index]

    def _pages_changed(self) -> None:
        self.nav.refresh()  # keeps the current page (by key) when it still exists

    def _show_page(self, index: int, *, focus: bool = True) -> None:
        """Show page ``index`` (rebuilding its editors) and focus its first question."""
        self.row_bar.hide_confirm()
        self.reviewing = False
        self.nav.go(index)
        self._clear_page()
        self._shown_key = None
        self._sync_page()
        self.scroll.verticalScrollBar().setValue(0)
        if focus:
            self._focus_first()
        self.page_changed.emit(self.index)

    @property
    def editors(self) -> dict[str, FieldEditor]:
        """The editors of the page shown, by question path."""
        return self.page_editors.editors

    def _clear_page(self) -> None:
        self.page_editors.clear()
        for widget in self._page_widgets:
            discard(self.fields_box, widget)
        self._page_widgets = []

    def _sync_page(self, source: str | None = None) -> None:
        """Bring the shown page in line with the instance: editors added or removed as relevance
        changed, texts, choices, values (except the editor ``source`` being typed in)."""
        if not self.pages or self.reviewing:
            self._update_header()
            return
        page = self.current_page
        if page.add_row:
            if self._shown_key != page.key or source is None:
                self._clear_page()
                self._build_add_row_page(page)
        else:
            self.page_editors.reconcile(self.instance, page.paths)
            self.page_editors.refresh(self.instance, self.labels, source=source)
            self._show_prompts()
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

    def _refresh_live_errors(self) -> None:
        """Re-check the messages already shown, so a corrected answer clears its message at
        once; new messages wait for Next (no scolding while the user is still typing)."""
        shown = self.page_editors.with_errors()
        if shown:
            errors = dict(self.instance.errors(self.current_page, self.language))
            self.page_editors.set_errors(errors, self.labels, shown)

    def _update_header(self) -> None:
        inst = self.instance
        sections = [(s.name, self.labels.section_title(s.name, s.title))
                    for s in inst.sections(self.language)]
        current = self.nav.current
        valid = inst.can_finalize()
        progress = 1.0 if self.status == "final" and valid else self.nav.progress()
        self.section_bar.show_position(sections, current.section if current else None,
                                       None if self.reviewing else self.nav.section_position(),
                                       progress)
        self.back_button.setEnabled(self.nav.has_previous or self.reviewing)
        self.next_button.setEnabled(bool(self.pages) and not self.reviewing)
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
        chain += self.page_editors.focusable()
        if self.reviewing and self.review_page is not None:
            return chain + self.review_page.focusable()
        if self.current_page.add_row if self.pages else False:
            chain += self._row_buttons + [self.add_row_here_button]
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
        following = self.page_editors.following(widget)
        if following is None:
            self.next_page()
            return
        following.focus_first()
        self.scroll.ensureWidgetVisible(following)

    def _focus_first(self) -> None:
        editor = self.page_editors.focus_first()
        if editor is not None:
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

    def _on_file(self, path: str, file: str) -> None:
        """A file chosen for a question: checked by the service (a refusal shows beside it)."""
        editor = self.editors.get(path)
        if self.read_attachment is None or editor is None:
            return
        try:
            attachment = self.read_attachment(file, self.instance.field_at(path).type)
            self.instance.attach(path, attachment)
        except (UserError, ValueError) as exc:
            editor.show_refusal(str(exc))
            return
        editor.set_preview(attachment.content)
        self.modified = True
        self._hide_banner()
        self._pages_changed()
        self._sync_page()

    # ------------------------------------------------------------------------------------------
    # Navigation
    # ------------------------------------------------------------------------------------------
    def page_errors(self) -> list[tuple[str, str]]:
        """Problems on the current page: the engine's, plus text that is not a value yet."""
        if not self.pages or self.current_page.add_row:
            return []
        errors = dict(self.instance.errors(self.current_page, self.language))
        errors.update(self.page_editors.local_errors())
        return [(p, errors[p]) for p in self.editors if p in errors]

    def show_page_errors(self) -> bool:
        """Show the current page's messages beside its questions; True when there were any."""
        errors = dict(self.page_errors())
        self.page_editors.set_errors(errors, self.labels)
        if errors:
            first = next(p for p in self.editors if p in errors)
            self.editors[first].focus_first()
            self.scroll.ensureWidgetVisible(self.editors[first])
            self._show_banner(_("Correct the answers marked in red to continue."), "error")
        return bool(errors)

    def next_page(self) -> bool:
        """Go to the next page unless this one has missing or invalid answers; after the last
        page comes the review before finalizing."""
        if self.reviewing or self.show_page_errors():
            return False
        self._pages_changed()
        if not self.nav.has_next:
            self.show_review()
            return True
        self._hide_banner()
        self._show_page(self.index + 1)
        return True

    def previous_page(self) -> bool:
        if self.reviewing:  # back to the form's last page
            self._hide_banner()
            self._pages_changed()
            self._show_page(len(self.pages) - 1)
            return True
        if not self.nav.has_previous:
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
        index = self.nav.index_of_key(key)
        if index is None:
            return False
        self._show_page(index)
        return True

    def go_to_row(self, row_path: str) -> None:
        self._pages_changed()
        index = self.nav.index_of_row(row_path)
        if index is not None:
            self._hide_banner()
            self._show_page(index)

    def _on_section(self, name: str) -> None:
        index = self.nav.first_page_of_section(name)
        if index is not None:
            self.go_to_page(index)

    def go_to_first_problem(self) -> bool:
        """Open the page of the first missing or invalid answer in the form and show why."""
        self._pages_changed()
        index = self.nav.first_problem()
        if index is None:
            self._update_header()
            return False
        self._show_page(index)
        self.show_page_errors()
        return True

    # -- saving ----------------------------------------------------------------------------------
    def save_draft(self) -> bool:
        return self._save(False)

    def finalize(self) -> bool:
        if not self.instance.can_finalize():
            self.show_review()  # what is missing, with a way to each
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

    # -- label packs ---------------------------------------------------------------------------
    def _on_pack_chosen(self, pack: str | None, mode: DisplayMode) -> None:
        self.set_labels(pack, mode)
        self.labels_changed.emit(pack, mode)

    def set_language(self, language: str) -> None:
        """Show the form in another of its own languages (labels, hints, choices, messages),
        on the same page, keeping the answers."""
        self._base_language = self.language = self.nav.language = language
        self.pack_bar.form_language = language
        if hasattr(self.instance, "language"):
            self.instance.language = language
        self._pages_changed()
        self.set_labels(self.labels.pack_lang, self.labels.mode)

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
        focus_at = self.page_editors.focus_position(focus)
        had_errors = bool(self.page_editors.with_errors())
        outside = focus is not None and focus_at is None and self.isAncestorOf(focus)
        self._show_page(self.index, focus=False)
        if had_errors:
            self.show_page_errors()
        if focus_at:
            self.page_editors.restore_focus(focus_at)
        elif outside and focus is not None:
            focus.setFocus(Qt.FocusReason.OtherFocusReason)  # e.g. the pack list itself

    # -- messages ------------------------------------------------------------------------------
    def _show_banner(self, text: str, kind: str) -> None:
        self.banner.show_message(text, kind)

    def _hide_banner(self) -> None:
        self.banner.clear_message()
