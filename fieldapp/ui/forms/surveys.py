"""The Surveys screen: the submissions on this laptop, and the form being filled in.

A list of every draft and finalized submission (newest first, filterable by form, with the saved
versions of the selected one) and a "New" button per form. Opening a submission or starting a new
one shows the :class:`FormView` in place of the list; Close returns to the list (asking first
when there are unsaved answers). Saving goes through :class:`SurveyService`, then tells the other
screens that data changed.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _, ngettext
from fieldapp.i18n.languages import language_code
from fieldapp.i18n.packs import available_languages
from fieldapp.i18n.resolution import DisplayMode
from fieldapp.services.surveys import ProbableDuplicate, SurveyService
from fieldapp.services.workspace import HOUSEHOLD_SURVEY
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import form_title, stored_time
from fieldapp.ui.forms.view import FormView
from fieldapp.ui.models import Column, RowRole, RowTableModel
from fieldapp.ui.widgets import CurrentStack, EmptyState, Heading, MutedLabel, table_view
from fieldapp.ui.columns import tip_items
from fieldapp.ui.flow import FlowLayout

log = logging.getLogger(__name__)

def format_time(value: str | None) -> str:
    """A stored UTC time as local dd/mm/yyyy HH:MM (see fieldapp.ui.formatting.stored_time)."""
    return stored_time(value)


def status_text(status: str | None) -> str:
    return {"draft": _("Draft"), "final": _("Finalized")}.get(status or "", status or "")


class SubmissionsModel(RowTableModel):
    """Rows of ``SurveyService.submissions()``; ``titles`` maps form id -> form title."""

    def __init__(self, titles: dict[str, str], parent=None):
        super().__init__((), parent)
        self.titles = titles
        self.columns = (
            Column(lambda: _("Form"), lambda r: self.titles.get(r["form_id"], r["form_id"])),
            Column(lambda: _("Household or village"),
                   lambda r: r.get("head_name") or r.get("village_name") or "—"),
            Column(lambda: _("Status"), lambda r: status_text(r.get("status"))),
            Column(lambda: _("Last saved"), lambda r: format_time(r.get("updated_at"))),
            Column(lambda: _("By"), lambda r: r.get("user_name") or ""),
        )


class SurveysScreen(QWidget):
    """Submissions list and form filling, over ``context`` (a service may be passed in)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None, *,
                 service: SurveyService | None = None):
        super().__init__(parent)
        self.context = context
        self.service = service or context.workspace.surveys
        self.form_view: FormView | None = None
        self.submission_id: str | None = None
        self._forms = self.service.forms()
        self._check_shipped_forms()
        self._pack_languages = available_languages()
        self._titles = {info.form_id: form_title(info.title, info.form_id) for info in self._forms}

        self.stack = CurrentStack(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        # -- the list ---------------------------------------------------------------------------
        self.list_page = QWidget()
        page = QVBoxLayout(self.list_page)
        page.setContentsMargins(20, 18, 20, 12)
        page.setSpacing(10)
        self.heading = Heading(factor=1.4)
        page.addWidget(self.heading)
        new_row = FlowLayout(spacing=8)  # the forms' buttons wrap in a narrow window
        self.new_label = QLabel()
        new_row.addWidget(self.new_label)
        self.new_buttons: dict[str, QPushButton] = {}
        for info in self._forms:
            button = QPushButton(self._titles[info.form_id])
            button.setObjectName(f"new:{info.form_id}")
            button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon))
            button.clicked.connect(lambda _c=False, f=info.form_id: self.start_new(f))
            new_row.addWidget(button)
            self.new_buttons[info.form_id] = button
        page.addLayout(new_row)

        filter_row = QHBoxLayout()
        self.filter_label = QLabel()
        self.form_filter = QComboBox()
        self.form_filter.setObjectName("form_filter")
        self.filter_label.setBuddy(self.form_filter)
        self.form_filter.currentIndexChanged.connect(self.refresh)
        self.count = MutedLabel()
        filter_row.addWidget(self.filter_label)
        filter_row.addWidget(self.form_filter)
        filter_row.addWidget(self.count, 1)
        page.addLayout(filter_row)

        self.model = SubmissionsModel(self._titles, self)
        self.table = table_view()
        self.table.setObjectName("submissions_table")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        for column in range(len(self.model.columns) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.activated.connect(self._on_double_click)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.empty = EmptyState()
        self.results = QStackedWidget()
        self.results.addWidget(self.table)
        self.results.addWidget(self.empty)
        page.addWidget(self.results, 3)

        actions = QHBoxLayout()
        self.open_button = QPushButton()
        self.open_button.setObjectName("open_submission")
        self.open_button.clicked.connect(self.open_selected)
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        page.addLayout(actions)

        self.history_label = QLabel()
        self.history_label.setObjectName("history_label")
        self.history = QListWidget()
        self.history.setObjectName("history_list")
        tip_items(self.history)
        page.addWidget(self.history_label)
        page.addWidget(self.history, 1)
        self.message = QLabel()
        self.message.setObjectName("surveys_message")
        self.message.setWordWrap(True)
        page.addWidget(self.message)

        # -- the form being filled ----------------------------------------------------------------
        self.form_page = QWidget()
        self.form_layout = QVBoxLayout(self.form_page)
        self.form_layout.setContentsMargins(0, 0, 0, 0)
        self.stack.addWidget(self.list_page)
        self.stack.addWidget(self.form_page)

        context.language_changed.connect(self.retranslate)
        self._fill_filter()
        self.retranslate()
        self.refresh()

    # -- texts ---------------------------------------------------------------------------------
    def _check_shipped_forms(self) -> None:
        """The forms that come with the app must all load: missing or half-written ones mean
        its files are being replaced (installed again while open). Refuse to open (the main
        window offers Try again) rather than show a screen without its forms."""
        from fieldapp import paths

        catalog = self.service.catalog
        shipped = paths.forms_dir()
        if shipped not in catalog.dirs:
            return  # a catalog of other folders (tests, a province's own)
        broken = [p.name for p in catalog.problems if shipped in p.parents]
        loaded = [i for i in self._forms if shipped in Path(i.path).parents]
        if broken or not loaded:
            catalog.reload()  # read them again at the next try
            raise paths.MissingFiles(shipped, ", ".join(broken) or shipped.name + "/")

    def retranslate(self, *_args) -> None:
        self.heading.setText(_("Surveys and records"))
        self.new_label.setText(_("Start a new:"))
        self.filter_label.setText(_("&Show:"))
        self.open_button.setText(_("&Open"))
        self.open_button.setToolTip(_("Open the selected record to continue or correct it"))
        self.history_label.setText(_("Saved versions of the selected record:"))
        self._fill_filter()
        self.model.retranslate()
        if self.form_view is not None:
            self.form_view.retranslate()
        self._update_count()

    def _fill_filter(self) -> None:
        current = self.form_filter.currentData()
        self.form_filter.blockSignals(True)
        self.form_filter.clear()
        self.form_filter.addItem(_("All forms"), None)
        for info in self._forms:
            self.form_filter.addItem(self._titles[info.form_id], info.form_id)
        index = self.form_filter.findData(current) if current else 0
        self.form_filter.setCurrentIndex(max(0, index))
        self.form_filter.blockSignals(False)

    # -- the list ------------------------------------------------------------------------------
    def refresh(self, *_args) -> None:
        """Reload the submissions (called when shown and when data changes)."""
        selected = self.selected_id()
        rows = self.service.submissions(self.form_filter.currentData())
        self.model.set_rows(rows)
        self.results.setCurrentWidget(self.table if rows else self.empty)
        self.empty.setText(_("Nothing recorded yet. Start a new survey or record above."))
        self._update_count()
        for i, row in enumerate(rows):
            if row["id"] == selected:
                self.table.selectRow(i)
                break
        else:
            if rows:
                self.table.selectRow(0)
            else:
                self._show_history(None)
        self.open_button.setEnabled(bool(rows))

    def _update_count(self) -> None:
        rows = self.model.rows()
        drafts = sum(1 for r in rows if r.get("status") == "draft")
        if not rows:
            self.count.setText("")
            return
        total = ngettext("{count} record", "{count} records", len(rows)).format(count=len(rows))
        self.count.setText(ngettext("{records}, {count} draft", "{records}, {count} drafts",
                                    drafts).format(records=total, count=drafts))

    def selected_id(self) -> str | None:
        index = self.table.currentIndex()
        row = index.data(RowRole) if index.isValid() else None
        return row["id"] if row else None

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(RowRole) if current.isValid() else None
        self._show_history(row["id"] if row else None)

    def _show_history(self, submission_id: str | None) -> None:
        self.history.clear()
        if not submission_id:
            return
        for entry in reversed(self.service.history(submission_id)):
            self.history.addItem(_("{time} – {status}").format(
                time=format_time(entry.get("saved_at")), status=status_text(entry.get("status"))))

    def _on_double_click(self, index: QModelIndex) -> None:
        row = index.data(RowRole) if index.isValid() else None
        if row:
            self.open_submission(row["id"])

    def open_selected(self) -> FormView | None:
        submission_id = self.selected_id()
        return self.open_submission(submission_id) if submission_id else None

    # -- filling in ----------------------------------------------------------------------------
    def start(self, form_id: str, *, household_id: str | None = None,
              village_id: str | None = None, head_name: str | None = None) -> FormView | None:
        """Begin a new submission of ``form_id`` (a later round of ``household_id`` if given;
        a new household of ``village_id`` headed by ``head_name`` otherwise)."""
        if not self.close_form():
            return None
        try:
            form, instance = self.service.new_instance(form_id, household_id=household_id,
                                                       village_id=village_id,
                                                       head_name=head_name)
        except Exception as exc:  # noqa: BLE001 - a refusal, or the form's file gone: say it
            if isinstance(exc, KeyError):  # it was listed a moment ago: its file went away
                from fieldapp import paths

                exc = paths.MissingFiles(paths.forms_dir(), form_id)
            self._cannot_open(exc)
            return None
        return self._show_form(None, form, instance, "draft")

    def start_new(self, form_id: str, *, show: bool = True) -> Any:
        """The "New" button: a household survey first asks the village and the head's name
        and offers a registered household that looks the same (the dialog is returned);
        other forms start at once (the form view is returned)."""
        if form_id != HOUSEHOLD_SURVEY or not self.service.catalog.current(form_id)[1].entities:
            return self.start(form_id)
        from fieldapp.ui.screens.registry_dialogs import StartSurveyDialog

        registry = self.context.workspace.registry
        dialog = StartSurveyDialog(self.context.villages(),
                                   lambda v, h: registry.similar_households(v, h),
                                   registry.round_start(), parent=self)

        def begin() -> None:
            if dialog.chosen_household:
                self.start(form_id, household_id=dialog.chosen_household)
            else:
                self.start(form_id, village_id=dialog.village_id(),
                           head_name=dialog.head_name())

        dialog.accepted.connect(begin)
        if show:
            dialog.open()
        return dialog

    def open_submission(self, submission_id: str) -> FormView | None:
        """Reopen a draft or finalized submission with the form version it was made with."""
        if not self.close_form():
            return None
        try:
            form, instance, status = self.service.open(submission_id)
        except Exception as exc:  # noqa: BLE001 - see start()
            self._cannot_open(exc)
            return None
        return self._show_form(submission_id, form, instance, status)

    def _cannot_open(self, exc: BaseException) -> None:
        from fieldapp.ui.guard import own_files_problem, problem_text

        if not isinstance(exc, UserError):
            log.warning("a form could not be opened", exc_info=exc)
        if own_files_problem(exc) is not None:
            self.service.catalog.reload()  # the files were replaced: read them again
        self.message.setText(problem_text(exc))

    def _show_form(self, submission_id, form, instance, status) -> FormView:
        self.submission_id = submission_id
        self.message.setText("")

        def on_save(finalize: bool) -> None:
            # Prepared here (the form belongs to this thread), written by the app's writer.
            request = self.service.prepare_save(self.submission_id, form, instance,
                                                finalize=finalize)
            try:
                self.submission_id = self.context.writer.call(
                    lambda ws: ws.surveys.store_save(request))
            except ProbableDuplicate as alike:
                choice = self.ask_duplicate(alike)
                if choice is None:
                    raise UserError(_("Not finalized: say whether the household is "
                                      "registered already.")) from None
                request = dataclasses.replace(request, household_choice=choice)
                self.submission_id = self.context.writer.call(
                    lambda ws: ws.surveys.store_save(request))

        packs = self._packs_of(form)
        pack, mode = self.label_preference()
        pack = pack if pack in packs else None
        view = FormView(form, instance, on_save=on_save, status=status, pack=pack, mode=mode,
                        pack_languages=packs,
                        read_attachment=self.service.read_attachment,
                        resolver_factory=self._resolver, prompts=self._prompts(),
                        parent=self.form_page)
        view.close_requested.connect(self._on_close_requested)
        view.labels_changed.connect(self._remember_labels)
        self.form_layout.addWidget(view)
        self.form_view = view
        self.stack.setCurrentWidget(self.form_page)
        view._focus_first()
        return view

    def ask_duplicate(self, alike: ProbableDuplicate) -> str | None:
        """Which household a survey is of, when a registered one looks the same: its id,
        NEW_HOUSEHOLD, or None (cancelled). A method so tests can answer it."""
        from fieldapp.ui.screens.registry_dialogs import DuplicateDialog

        dialog = DuplicateDialog(alike.candidates, alike.head_name,
                                 self.context.workspace.registry.round_start(), self)
        if dialog.exec() != DuplicateDialog.DialogCode.Accepted:
            return None
        return dialog.choice

    def _resolver(self, form, pack: str):
        """Pack texts as this laptop has them: its translators' entries first (synced), then
        the .po files."""
        return self.context.workspace.translations.resolver(form, pack)

    def _prompts(self):
        """The recorded prompts of the packs (made on the Translate screen, or arrived)."""
        from fieldapp.ui.forms.prompts import SurveyPrompts

        translations = self.context.workspace.translations
        return SurveyPrompts(translations.prompt_keys, translations.prompt,
                             status=self.prompt_status, parent=self)

    prompt_status = None
    """What the laptop can do with sound (None: ask the sound system when a form opens)."""

    def _packs_of(self, form) -> list[str]:
        """The label packs that hold texts of ``form`` (files, this laptop's translators, or
        the form's own columns): a partner's form without any opened under the member's Tày
        preference was marked "no translation yet: Vietnamese shown" on every English text."""
        own = {language_code(language) for language in form.languages}
        return [pack for pack in self._pack_languages
                if pack in own or self._resolver(form, pack).pack is not None]

    def label_preference(self) -> tuple[str | None, DisplayMode]:
        """The label pack and display mode the current user chose last (pack if still there)."""
        chosen = self.context.workspace.pack_preference()
        pack = chosen.pack if chosen.pack in self._pack_languages else None
        return pack, DisplayMode(chosen.mode)

    def _remember_labels(self, pack: object, mode: object) -> None:
        mode_value = mode.value if isinstance(mode, DisplayMode) else "bilingual"
        pack = pack if isinstance(pack, str) else None
        self.context.writer.write(lambda ws: ws.remember_pack(pack, mode_value))

    def _on_close_requested(self) -> None:
        self.close_form()

    def ask_unsaved(self) -> QMessageBox.StandardButton:
        """Ask what to do with unsaved answers (a method so tests can answer it)."""
        return QMessageBox.question(
            self, _("Unsaved answers"),
            _("Some answers have not been saved. Save them as a draft before closing?"),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)

    def close_form(self) -> bool:
        """Leave the open form (asking about unsaved answers); False if the user cancelled."""
        view = self.form_view
        if view is None:
            return True
        if view.modified:
            choice = self.ask_unsaved()
            if choice == QMessageBox.StandardButton.Cancel:
                return False
            if choice == QMessageBox.StandardButton.Save and not view.save_draft():
                return False
        self.form_layout.removeWidget(view)
        view.hide()
        view.deleteLater()
        self.form_view = None
        self.stack.setCurrentWidget(self.list_page)
        self.refresh()
        if self.submission_id:
            for i, row in enumerate(self.model.rows()):
                if row["id"] == self.submission_id:
                    self.table.selectRow(i)
        self.table.setFocus()
        return True


    def confirm_close(self) -> bool:
        """Before the window closes or the member signs out: unsaved answers are kept as a
        draft (found again under Drafts to finish); only when that fails is the member
        asked what to do."""
        view = self.form_view
        if view is not None and view.modified:
            try:
                saved = view.save_draft()
            except Exception:  # noqa: BLE001 - asked below rather than lost
                log.warning("the draft could not be saved before closing", exc_info=True)
                saved = False
            if not saved:
                return self.close_form()
        return True


def register_surveys_screen(window: Any, position: int | None = 2) -> None:
    """Add "Surveys" to a MainWindow's navigation (after Home and Households by default)."""
    window.add_screen("surveys", lambda: _("Surveys"), SurveysScreen,
                      "SP_FileDialogContentsView", position=position)
