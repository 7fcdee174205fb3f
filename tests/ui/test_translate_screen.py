"""The Translate screen: a pack's texts of one form with their status, keyboard-first review
(next missing, next draft, edit, accept), the filter, a recording made with a generated signal
through the same Recorder as the microphone and played on a null output, two reviewers' texts
side by side, and who may open it."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from fieldapp.audio.codec import prompt_from_take
from fieldapp.audio.devices import AudioStatus, NullOutput
from fieldapp.services.access import Session
from fieldapp.services.workspace import Workspace
from fieldapp.ui.context import AppContext

pytest.importorskip("fieldapp.audio.codec").library()  # libsndfile ships with the app

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).parents[1] / "audio"))
from signals import GeneratedInput, silence, speech  # noqa: E402

FORM = "household_survey"
CONSENT = "household_survey:visit/consent:label"


@pytest.fixture
def devices():
    class Devices:
        pcm = speech(3.0)
        output = NullOutput()

        def input(self):
            return GeneratedInput(self.pcm)

    return Devices()


@pytest.fixture
def screen(context, qtbot, devices):
    from fieldapp.ui.screens.translate import TranslateScreen

    widget = TranslateScreen(context, input_device=devices.input,
                             output_device=lambda: devices.output,
                             audio_status=AudioStatus(True, True))
    qtbot.addWidget(widget)
    widget.resize(1366 - 180, 700)
    widget.show()
    qtbot.waitExposed(widget)
    choose(widget, "tyz", FORM)
    return widget


def choose(screen, pack, form_id, status=""):
    screen.pack_combo.setCurrentIndex(screen.pack_combo.findData(pack))
    screen.form_combo.setCurrentIndex(screen.form_combo.findData(form_id))
    screen.filter_combo.setCurrentIndex(screen.filter_combo.findData(status))
    screen.refresh()


def select(screen, key):
    rows = [item["row"].key for item in screen.model.rows()]
    screen.table.selectRow(rows.index(key))
    return screen.current()


def test_each_text_shows_source_where_status_and_glossary(screen):
    rows = screen.all_rows
    assert rows and {r.status for r in rows} <= {"missing", "draft", "reviewed"}
    row = select(screen, CONSENT)
    assert screen.source.text() == row.source and "Hộ" in row.source
    assert screen.meta.text().startswith("Consent") or screen.meta.text().startswith("Đồng ý")
    counts = screen.counts.text()
    assert str(sum(r.status == "missing" for r in rows)) in counts


def test_keyboard_next_missing_edit_accept_and_the_filter(screen, qtbot, context):
    qtbot.keyClick(screen.table, Qt.Key.Key_F8)
    row = screen.current()
    assert row.status == "missing" and screen.editor.hasFocus()
    screen.editor.setPlainText("Rườn mì ưng tỏ bấu?")
    qtbot.keyClick(screen.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    saved = context.workspace.translations.row("tyz", row.key)
    assert (saved.text, saved.status, saved.origin) == ("Rườn mì ưng tỏ bấu?", "reviewed",
                                                         "entry")
    assert saved.reviewer == "Hoàng Thị Mai"
    assert screen.current().key == row.key and "Hoàng Thị Mai" in screen.meta.text()
    # Ctrl+S keeps a draft; F9 finds it from anywhere.
    qtbot.keyClick(screen.table, Qt.Key.Key_F8)
    other = screen.current()
    screen.editor.setPlainText("Mì")
    qtbot.keyClick(screen.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert context.workspace.translations.row("tyz", other.key).status == "draft"
    screen.filter_combo.setCurrentIndex(screen.filter_combo.findData("reviewed"))
    screen._apply_filter()
    assert {item["row"].status for item in screen.model.rows()} == {"reviewed"}
    qtbot.keyClick(screen.table, Qt.Key.Key_F9)  # hidden by the filter: shown again
    assert screen.current().status == "draft"


def test_markup_is_refused_in_one_sentence_and_nothing_changes(screen, context):
    row = select(screen, CONSENT)
    screen.editor.setPlainText("<b>Rườn</b>")
    screen.accept()
    assert not screen.warning.isHidden() and "<" in screen.warning.text()
    assert context.workspace.translations.row("tyz", CONSENT).text == row.text


def test_record_play_keep_and_redo_through_the_recorder(screen, devices, context):
    select(screen, CONSENT)
    panel = screen.prompt
    assert not panel.buttons["play"].isEnabled()
    devices.pcm = silence(2.0)
    panel.record()
    panel.stop()
    assert panel.take is None and "silent" in panel.state.text()
    devices.pcm = speech(3.0)
    panel.record()  # the generated device gives all its blocks at once
    panel.stop()
    assert panel.take is not None and len(panel.take.data) < 20 * 1024
    panel.play()
    panel.player.stop()
    assert devices.output.frames > 0
    first = panel.take
    panel.redo()
    panel.stop()
    assert panel.take is not None and panel.take is not first
    panel.buttons["keep"].click()
    stored = context.workspace.translations.prompt("tyz", CONSENT)
    assert stored == panel.stored and screen.current().audio_from == "entry"
    # Nùng plays the Tày recording, marked as Tày's.
    choose(screen, "nut", FORM)
    select(screen, CONSENT)
    assert screen.current().audio_from == "parent" and "Tày" in screen.prompt.state.text()
    assert not screen.prompt.buttons["remove"].isEnabled()


def test_without_audio_hardware_the_buttons_say_why(context, qtbot):
    from fieldapp.ui.screens.translate import TranslateScreen

    widget = TranslateScreen(context, audio_status=AudioStatus(False, False, "No microphone."))
    qtbot.addWidget(widget)
    assert widget.prompt.reason.text() == "No microphone."
    assert not widget.prompt.buttons["record"].isEnabled()
    assert not widget.prompt.buttons["play"].isEnabled()


def test_two_reviewers_texts_side_by_side(tmp_path, qtbot):
    from fieldapp.services.sync import exchange
    from fieldapp.ui.screens.translate import TranslateScreen
    from sync_world import join_member, new_commune

    commune = new_commune(tmp_path / "commune.db")
    laptop = join_member(commune, tmp_path, "L-1")
    staff = Session.of_user(commune.users.list()[0])
    Workspace(commune, staff).translations.save("tyz", CONSENT, "Ưng tỏ", reviewed=True)
    Workspace(laptop, staff).translations.save("tyz", CONSENT, "Ưng", reviewed=True)
    package = exchange.export_package(laptop, tmp_path / "up.fieldsync")
    assert exchange.import_package(commune, package.path).status == "applied"
    context = AppContext(Workspace(commune, staff))
    widget = TranslateScreen(context, audio_status=AudioStatus(False, False, "-"))
    qtbot.addWidget(widget)
    choose(widget, "tyz", FORM, "conflict")
    assert [item["row"].key for item in widget.model.rows()] == [CONSENT]
    select(widget, CONSENT)
    texts = sorted(label.text() for label in widget.conflict_box.findChildren(QLabel)
                   if label.text() in ("Ưng", "Ưng tỏ"))
    assert texts == ["Ưng", "Ưng tỏ"] and not widget.conflict_box.isHidden()
    keep = next(i for i in range(2) if widget.conflict_grid.itemAtPosition(0, i).widget()
                .text() == "Ưng")
    widget.conflict_grid.itemAtPosition(2, keep).widget().click()
    row = context.workspace.translations.row("tyz", CONSENT)
    assert row.text == "Ưng" and not row.conflict
    context.dispose()


def test_opened_only_for_translators_and_commune_staff(commune, qtbot):
    from fieldapp.ui.main_window import MainWindow
    from fieldapp.ui.screens import register_default_screens

    member = next(u for u in commune.users.list() if u["role"] == "member")
    for translator, shown in ((False, False), (True, True)):
        commune.users.update(member["id"], {"translator": int(translator)})
        context = AppContext(Workspace(commune, Session.of_user(commune.users.get(
            member["id"]))))
        window = MainWindow(context, progressive=True)  # no screen is built
        qtbot.addWidget(window)
        register_default_screens(window)
        assert ("translate" in window._keys) is shown
        context.dispose()


def test_render(screen, qtbot, tmp_path):
    select(screen, CONSENT)
    screen.translations.save("tyz", CONSENT, "Rườn mì ưng tỏ bấu?", reviewed=True)
    screen.translations.set_prompt("tyz", CONSENT, prompt_from_take(speech(3.0), 48_000))
    screen._pending_key = CONSENT
    screen.refresh()
    screen.show()
    qtbot.waitExposed(screen)
    out = Path(os.environ.get("FIELDAPP_SHOTS", tmp_path)) / "translate.png"
    assert screen.grab().save(str(out))


def test_commune_staff_mark_a_translator_on_the_team_screen(context, qtbot, commune):
    from fieldapp.ui.screens.team import TeamScreen

    screen = TeamScreen(context)
    qtbot.addWidget(screen)
    names = [r["name"] for r in screen.model.rows()]
    screen.table.selectRow(names.index("Hoàng Thị Mai"))
    screen.toggle_translator()
    member = next(u for u in commune.users.list() if u["name"] == "Hoàng Thị Mai")
    assert member["translator"] == 1
    row = screen.model.rows()[names.index("Hoàng Thị Mai")]
    assert screen.model.columns[-1].display(row) == "yes"
    screen.table.selectRow(names.index("Hoàng Thị Mai"))
    screen.toggle_translator()
    assert not next(u for u in commune.users.list() if u["name"] == "Hoàng Thị Mai")[
        "translator"]
