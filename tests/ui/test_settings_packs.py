"""Settings → label packs: the per-form table, importing and removing a commune's pack (refused
files leave the current pack as it was), and the user's default pack and display mode."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from fieldapp import paths
from fieldapp.i18n.packs import imported_packs_dir
from fieldapp.services import preferences
from fieldapp.ui.screens.settings import SettingsScreen
from fieldapp.services.workspace import Workspace

SHIPPED_PO = paths.i18n_dir() / "packs" / "tyz" / "support_session.po"
FORM_TITLE_KEY = "support_session:settings:form_title"
NEW_TITLE = "Sổ buổi chèn cần bản (đã sửa)"


class Dialogs:
    """Records the message boxes shown and answers the file dialog with ``path``."""

    def __init__(self, monkeypatch):
        self.path = ""
        self.shown: list[tuple[str, str, str]] = []
        self.answer = QMessageBox.StandardButton.Yes
        monkeypatch.setattr(QFileDialog, "getOpenFileName",
                            staticmethod(lambda *args, **kwargs: (self.path, "")))
        for kind in ("information", "warning", "critical"):
            monkeypatch.setattr(QMessageBox, kind, staticmethod(self._recorder(kind)))
        monkeypatch.setattr(QMessageBox, "question", staticmethod(self._question))
        from fieldapp.ui import widgets

        def shown(parent, kind, title, text, *args, **kwargs):
            return (self._question if kind == "question" else self._recorder(kind))(
                parent, title, text)

        monkeypatch.setattr(widgets, "show_message", shown)

    def _recorder(self, kind):
        def show(_parent, title, text, *args, **kwargs):
            self.shown.append((kind, title, text))
            return QMessageBox.StandardButton.Ok
        return show

    def _question(self, _parent, title, text, *args, **kwargs):
        self.shown.append(("question", title, text))
        return self.answer


@pytest.fixture
def dialogs(monkeypatch):
    return Dialogs(monkeypatch)


@pytest.fixture
def settings(window) -> SettingsScreen:
    return window.show_screen("settings")


def reviewed_pack(tmp_path: Path, name: str = "support_session.po") -> Path:
    """The shipped Tày pack with the form title corrected and marked reviewed (not fuzzy)."""
    text = SHIPPED_PO.read_text(encoding="utf-8")
    entry = re.compile(r'#, fuzzy\n(msgctxt "' + re.escape(FORM_TITLE_KEY)
                       + r'"\nmsgid "[^"]*"\n)msgstr "[^"]*"')
    text, count = entry.subn(lambda m: m.group(1) + f'msgstr "{NEW_TITLE}"', text)
    assert count == 1
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def row_of(settings, language, form_id):
    return next(r for r in settings.pack_rows() if (r.language, r.form_id) == (language, form_id))


def folder_state(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def cell(settings, row: int, column: int) -> str:
    model = settings.packs_model
    return model.data(model.index(row, column))


def test_table_lists_every_shipped_pack_per_form_as_unreviewed_drafts(settings):
    rows = settings.pack_rows()
    assert {(r.language, r.form_id) for r in rows} == {
        (lang, form) for lang in ("tyz", "nut", "ium")
        for form in ("household_survey", "support_session", "training_progress")}
    assert not any(r.imported for r in rows)
    i = settings.pack_rows().index(row_of(settings, "tyz", "support_session"))
    row = rows[i]
    assert cell(settings, i, 0) == "Tày"
    assert cell(settings, i, 1) == "Nhật ký buổi hỗ trợ người dân"
    assert cell(settings, i, 2) == "Shipped with the app"
    assert cell(settings, i, 3) == (f"reviewed 0, draft {row.draft}, "
                                    f"missing {row.missing + row.outdated}")
    # The shipped packs are machine-assisted drafts: the table must not call them reviewed,
    # nor "translated".
    assert row.reviewed == 0
    assert cell(settings, i, 4) == "Draft only, not reviewed"
    assert not settings.remove_button.isEnabled()
    # Nùng shows the Tày pack where it has nothing of its own, and says so.
    j = settings.pack_rows().index(row_of(settings, "nut", "support_session"))
    nut = rows[j]
    assert nut.inherited > 0 and nut.draft == 0
    assert cell(settings, j, 3) == (f"reviewed 0, draft 0, missing {nut.missing + nut.outdated}, "
                                    f"{nut.inherited} from the Tày pack")
    assert cell(settings, j, 4) == "Nothing of its own yet"


def test_an_entry_reviewed_in_the_app_shows_in_the_table_as_the_cli_counts_it(window, settings):
    """The table shows the database's entries with the figures of ``fieldapp i18n coverage
    --db`` (one computation: translate_po.overview), and reads them again when an entry is
    written, here through the app's writer as the Translate screen writes."""
    from fieldapp.services.translate_po import overview

    key = "support_session:settings:form_title"
    before = row_of(settings, "tyz", "support_session")
    window.context.writer.write(
        lambda ws: ws.translations.save("tyz", key, "Sổ buổi chèn cần bản", reviewed=True))
    after = row_of(settings, "tyz", "support_session")
    assert (after.reviewed, after.in_app, after.in_app_reviewed) == (before.reviewed + 1, 1, 1)
    assert settings.pack_rows() == overview(window.context.workspace)
    i = settings.pack_rows().index(after)
    assert cell(settings, i, 2) == "Shipped with the app"
    assert cell(settings, i, 3) == (f"reviewed {after.reviewed}, draft {after.draft}, "
                                    f"missing {after.missing + after.outdated}")
    assert cell(settings, i, 4) == f"1 of {after.total} reviewed, 1 in the app"
    assert not settings.remove_button.isEnabled() or settings.selected_pack() != (
        "tyz", "support_session")  # no imported file to remove
    # A pack only written in the app (no file of its own) is listed and says so.
    window.context.writer.write(
        lambda ws: ws.translations.save("ium@dao-vn", key, "Sổ buổi"))
    dao = row_of(settings, "ium@dao-vn", "support_session")
    j = settings.pack_rows().index(dao)
    assert (dao.draft, dao.in_app, dao.imported) == (1, 1, False)
    assert cell(settings, j, 2) == "Written in the app"


def test_importing_a_valid_pack_updates_the_table(settings, dialogs, tmp_path):
    before = row_of(settings, "tyz", "support_session")
    dialogs.path = str(reviewed_pack(tmp_path))

    settings.import_button.click()

    assert [kind for kind, _t, _m in dialogs.shown] == ["information"]
    message = dialogs.shown[0][2]
    assert "Tày" in message and "Nhật ký buổi hỗ trợ người dân" in message
    assert f"of {before.total} texts, 1 reviewed" in message
    installed = imported_packs_dir() / "tyz" / "support_session.po"
    assert NEW_TITLE in installed.read_text(encoding="utf-8")
    after = row_of(settings, "tyz", "support_session")
    assert after.imported and after.reviewed == 1 and after.shown == before.shown
    i = settings.pack_rows().index(after)
    assert cell(settings, i, 2) == "Imported by the commune"
    assert cell(settings, i, 4) == f"1 of {after.total} reviewed by a native speaker"
    assert settings.selected_pack() == ("tyz", "support_session")
    assert settings.remove_button.isEnabled()
    assert settings.packs_status.text() == message
    # The other forms keep their shipped pack.
    assert not row_of(settings, "tyz", "household_survey").imported


def _garbage(text: str) -> bytes:
    return b"\x00\xff\xfe garbage \x89PNG\r\n" * 40


def _vietnamese(text: str) -> bytes:
    return text.replace('"Language: tyz\\n"', '"Language: vi\\n"').encode("utf-8")


def _not_a_language(text: str) -> bytes:
    return text.replace('"Language: tyz\\n"', '"Language: Tay Nung 1961\\n"').encode("utf-8")


@pytest.mark.parametrize("make", [_garbage, _vietnamese, _not_a_language],
                         ids=["garbage bytes", "Vietnamese header", "invalid Language header"])
def test_broken_pack_is_refused_with_one_message_and_the_current_pack_stays(
        settings, dialogs, tmp_path, make):
    dialogs.path = str(reviewed_pack(tmp_path))
    settings.import_button.click()  # a pack the commune imported earlier
    folder = imported_packs_dir()
    state = folder_state(folder)
    assert state
    rows = settings.pack_rows()
    dialogs.shown.clear()

    bad = tmp_path / "broken" / "support_session.po"
    bad.parent.mkdir()
    bad.write_bytes(make(SHIPPED_PO.read_text(encoding="utf-8")))
    dialogs.path = str(bad)
    settings.import_button.click()

    assert len(dialogs.shown) == 1
    kind, title, message = dialogs.shown[0]
    assert kind == "warning" and title == "Label pack not imported"
    assert "support_session.po was not imported; the current pack is unchanged" in message
    assert folder_state(folder) == state
    assert settings.pack_rows() == rows
    assert settings.import_button.isEnabled()


def test_cancelled_file_dialog_does_nothing(settings, dialogs):
    dialogs.path = ""
    settings.import_button.click()
    assert dialogs.shown == [] and folder_state(imported_packs_dir()) == {}


def test_removing_an_imported_pack_asks_first_then_uses_the_shipped_pack(
        settings, dialogs, tmp_path):
    dialogs.path = str(reviewed_pack(tmp_path))
    settings.import_button.click()
    installed = imported_packs_dir() / "tyz" / "support_session.po"
    dialogs.shown.clear()

    dialogs.answer = QMessageBox.StandardButton.No
    settings.remove_button.click()
    assert [kind for kind, _t, _m in dialogs.shown] == ["question"]
    assert installed.is_file()

    dialogs.answer = QMessageBox.StandardButton.Yes
    settings.remove_button.click()
    assert not installed.exists()
    row = row_of(settings, "tyz", "support_session")
    assert not row.imported and row.reviewed == 0
    assert settings.packs_status.text() == ""


def test_default_pack_and_mode_are_saved_and_read_back(window, settings):
    store = window.context.workspace.store
    assert preferences.pack_preference(store) == preferences.PackPreference(None, "bilingual")
    assert settings.pack_choice.currentData() is None
    assert not settings.mode_choice.isEnabled()
    assert [settings.pack_choice.itemText(i) for i in range(settings.pack_choice.count())] == [
        "None: Vietnamese labels", "Dao (Iu Mien)", "Nùng", "Tày"]

    settings.pack_choice.setCurrentIndex(settings.pack_choice.findData("nut"))
    settings.pack_choice.activated.emit(settings.pack_choice.currentIndex())
    assert settings.mode_choice.isEnabled()
    settings.mode_choice.setCurrentIndex(settings.mode_choice.findData("pack_only"))
    settings.mode_choice.activated.emit(settings.mode_choice.currentIndex())

    assert preferences.pack_preference(store) == preferences.PackPreference("nut", "pack_only")
    again = SettingsScreen(window.context)
    try:
        assert again.pack_choice.currentData() == "nut"
        assert again.mode_choice.currentData() == "pack_only"
        assert again.mode_choice.currentText() == "Label pack only"
    finally:
        again.deleteLater()

    # What a form opens with on the Surveys screen.
    from fieldapp.i18n.resolution import DisplayMode
    from fieldapp.ui.forms.surveys import SurveysScreen

    surveys = SurveysScreen(window.context)
    try:
        assert surveys.label_preference() == ("nut", DisplayMode.PACK_ONLY)
    finally:
        surveys.deleteLater()


def test_every_pack_text_is_translated_at_display_time(settings, marking):
    marking()
    settings.retranslate()
    texts = [settings.packs_box.title(), settings.packs_hint.text(), settings.import_button.text(),
             settings.remove_button.text(), settings.pack_choice_label.text(),
             settings.mode_choice_label.text(), settings.preference_hint.text(),
             settings.pack_choice.itemText(0), settings.mode_choice.itemText(0)]
    texts += [settings.packs_model.headerData(c, _horizontal())
              for c in range(settings.packs_model.columnCount())]
    texts += [cell(settings, 0, c) for c in (2, 3, 4)]
    assert all(t.startswith("<<") for t in texts), texts


def _horizontal():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal
