"""XLSForms with media::audio::<language> columns: the recordings made in the app written into
a copy of the form's workbook (files in its -media folder) and loaded back on another laptop,
byte for byte; a workbook naming a missing or bad file stores nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest

from fieldapp.audio.codec import prompt_from_take
from fieldapp.errors import UserError
from fieldapp.services.form_audio import load_audio, write_audio
from fieldapp.services.workspace import Workspace

sys.path.insert(0, str(Path(__file__).parents[1] / "audio"))
from signals import speech, wav_bytes  # noqa: E402

FORM = "household_survey"
CONSENT = "household_survey:visit/consent:label"
YES = "household_survey:choices/contact/yes:label"


@pytest.fixture
def made(setup_store):
    workspace = Workspace(setup_store)
    prompts = {CONSENT: prompt_from_take(speech(3.0), 48_000),
               YES: prompt_from_take(speech(1.5, seed=4), 48_000)}
    for key, prompt in prompts.items():
        workspace.translations.set_prompt("tyz", key, prompt)
    workspace.translations.set_prompt("ium@dao-vn", CONSENT, prompts[CONSENT])
    return workspace, prompts


def test_written_workbook_carries_the_recordings_and_loads_back(made, tmp_path):
    workspace, prompts = made
    out = write_audio(workspace, FORM, tmp_path / "household_survey.xlsx")
    book = openpyxl.load_workbook(out, read_only=True)
    header = next(book["survey"].iter_rows(max_row=1, values_only=True))
    assert [h for h in header if str(h).startswith("media::audio::")] == [
        "media::audio::Tày (tyz)", "media::audio::Dao (Iu Mien) (ium@dao-vn)"]
    book.close()
    media = tmp_path / "household_survey-media"
    assert sorted(p.name for p in media.iterdir()) == [
        "ium@dao-vn-consent.ogg", "tyz-consent.ogg", "tyz-contact-yes.ogg"]
    assert (media / "tyz-consent.ogg").read_bytes() == prompts[CONSENT].data

    other = Workspace(_fresh(tmp_path / "other.db"))
    assert load_audio(other, out) == 3
    for key, prompt in prompts.items():
        assert other.translations.prompt("tyz", key, inherit=False) == prompt.data
    assert other.translations.prompt("ium@dao-vn", CONSENT, inherit=False) == \
        prompts[CONSENT].data
    assert other.translations.row("tyz", CONSENT).audio_from == "entry"


def test_an_audio_file_of_another_format_is_encoded(made, tmp_path):
    workspace, _prompts = made
    out = write_audio(workspace, FORM, tmp_path / "f.xlsx")
    (tmp_path / "f-media" / "tyz-consent.ogg").unlink()
    (tmp_path / "f-media" / "tyz-consent.wav").write_bytes(wav_bytes(speech(2.0), 48_000, 2))
    _rename(out, "tyz-consent.ogg", "tyz-consent.wav")
    other = Workspace(_fresh(tmp_path / "other.db"))
    assert load_audio(other, out) == 3
    stored = other.translations.prompt("tyz", CONSENT, inherit=False)
    assert stored[:4] == b"OggS" and len(stored) < 20 * 1024


def test_a_missing_or_bad_file_stores_nothing(made, tmp_path):
    workspace, _prompts = made
    out = write_audio(workspace, FORM, tmp_path / "f.xlsx")
    (tmp_path / "f-media" / "tyz-contact-yes.ogg").write_bytes(b"not a sound at all")
    (tmp_path / "f-media" / "tyz-consent.ogg").unlink()
    other = Workspace(_fresh(tmp_path / "other.db"))
    with pytest.raises(UserError) as refused:
        load_audio(other, out)
    message = str(refused.value)
    assert "tyz-consent.ogg" in message and "tyz-contact-yes.ogg" in message
    assert other.store.pack_entries.packs() == []


def _fresh(path):
    from fieldapp.services.setup import SetupRequest, run_setup
    from fieldapp.storage.store import Store

    store = Store.open(path)
    run_setup(store, SetupRequest("Xã Yên Thịnh", "Lạng Sơn", ["Bản Nà"], "Hoàng Văn Dũng",
                                  "commune_staff", "135790"))
    return store


def _rename(workbook: Path, old: str, new: str) -> None:
    book = openpyxl.load_workbook(workbook)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == old:
                    cell.value = new
    book.save(workbook)


def test_command_line_round_trip(tmp_path, capsys):
    from fieldapp import cli

    store = _fresh(tmp_path / "a.db")
    Workspace(store).translations.set_prompt("tyz", CONSENT, prompt_from_take(speech(2.0),
                                                                              48_000))
    store.close()
    out = tmp_path / "hs.xlsx"
    assert cli.main(["i18n", "audio-export", "--db", str(tmp_path / "a.db"), "--form", FORM,
                     "--out", str(out)]) == 0
    _fresh(tmp_path / "b.db").close()
    assert cli.main(["i18n", "audio-import", "--db", str(tmp_path / "b.db"), str(out)]) == 0
    assert cli.main(["i18n", "audio-import", "--db", str(tmp_path / "b.db"),
                     str(tmp_path / "nothing.xlsx")]) == 2
    printed = capsys.readouterr()
    assert "hs.xlsx" in printed.out and "1" in printed.out.splitlines()[-1]
    assert len(printed.err.strip().splitlines()) == 1  # one line, no traceback
