"""Bad files through what the screens call after a file is chosen (offscreen): a label pack in
Settings and an audio prompt in the translation screen give one clear message in the
interface language, never "Something went wrong" with the OS's English words, and leave the
packs as they were. The command line's table of the same inputs: tests/test_cli_bad_input.py."""

from __future__ import annotations


import pytest

from bad_files import bad_file
from fieldapp.i18n.packs import imported_packs_dir
from fieldapp.ui.screens.translate_audio import PromptPanel
from test_settings_packs import Dialogs

KINDS = ("missing", "folder", "empty", "garbage", "pdf", "empty zip", "long name")


def clear(text: str) -> None:
    assert text and "\n" not in text.strip(), text
    for leak in ("Something went wrong", "Errno", "No such file", "Is a directory",
                 "File name too long", "Traceback"):
        assert leak not in text, text


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_label_pack_file_is_one_message(kind, window, monkeypatch, tmp_path):
    dialogs = Dialogs(monkeypatch)
    settings = window.show_screen("settings")
    before = sorted(p.name for p in imported_packs_dir().rglob("*")) \
        if imported_packs_dir().exists() else []
    dialogs.path = str(bad_file(kind, tmp_path, ".po"))
    settings.import_pack_file()
    assert len(dialogs.shown) == 1, dialogs.shown
    assert dialogs.shown[0][0] in ("warning", "critical")
    clear(dialogs.shown[0][2])
    after = sorted(p.name for p in imported_packs_dir().rglob("*")) \
        if imported_packs_dir().exists() else []
    assert after == before


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_audio_file_is_one_clear_line(kind, qtbot, tmp_path):
    from fieldapp.audio import devices

    panel = PromptPanel(status=devices.AudioStatus(False, False, "test"))
    qtbot.addWidget(panel)
    panel.load_file(str(bad_file(kind, tmp_path, ".wav")))
    assert panel.take is None
    clear(panel.state.text())
