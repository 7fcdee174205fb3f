"""Recorded prompts during a bilingual survey: a speaker beside the question and each choice
that has a recording, F5 plays the current question's (on a null output here), a laptop
without a speaker shows the buttons disabled with the reason, and a translator's entry made on
this laptop shows in the survey; the page rendered to PNG."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldapp.audio import codec
from fieldapp.audio.codec import prompt_from_take
from fieldapp.audio.devices import AudioStatus, NullOutput
from fieldapp.services.surveys import SurveyService
from fieldapp.services.workspace import Workspace
from fieldapp.ui.forms.prompts import SurveyPrompts
from test_form_driver import FormDriver, show_form_view

codec.library()  # libsndfile ships with the app (the soundfile wheel)
sys.path.insert(0, str(Path(__file__).parents[1] / "audio"))
from signals import speech  # noqa: E402

TODAY = dt.date(2026, 11, 23)
CONSENT = "household_survey:visit/consent:label"


@pytest.fixture
def translations(commune):
    translations = Workspace(commune).translations
    translations.save("tyz", CONSENT, "Rườn mì ưng tỏ bấu?", reviewed=True)
    translations.set_prompt("tyz", CONSENT, prompt_from_take(speech(3.0), 48_000))
    return translations


def open_view(qtbot, commune, translations, status, output):
    service = SurveyService(commune, today=lambda: TODAY)
    rows, _total = commune.households.search("Đặng Văn Hùng")
    form, instance = service.new_instance("household_survey", household_id=rows[0]["id"])
    prompts = SurveyPrompts(translations.prompt_keys, translations.prompt,
                            output=lambda: output, status=status)
    return show_form_view(qtbot, form, instance, pack="tyz", prompts=prompts,
                          resolver_factory=translations.resolver)


def consent_editor(view):
    return next(e for p, e in view.editors.items() if p.endswith("consent"))


def test_speaker_beside_the_question_and_f5_plays_it(qtbot, commune, translations):
    output = NullOutput()
    view = open_view(qtbot, commune, translations, AudioStatus(True, True), output)
    editor = consent_editor(view)
    # The translator's entry (a synced record of this laptop) is what the survey shows.
    assert "Rườn mì ưng tỏ bấu?" in editor.label.text()
    assert editor.speaker.isVisibleTo(view) and editor.speaker.isEnabled()
    choice_key = f"household_survey:choices/{view.instance.field_at(editor.path).list_name}/yes:label"
    # A choice without a recording has no speaker; once recorded (and read again) it has one.
    assert not editor.rows["yes"].speaker.isVisibleTo(view)
    translations.set_prompt("tyz", choice_key, prompt_from_take(speech(2.0, seed=3), 48_000))
    view.prompts.forget()
    view.set_labels("tyz")
    QApplication.processEvents()  # the new rows are shown by a queued call
    editor = consent_editor(view)
    assert editor.rows["yes"].speaker.isVisibleTo(view)
    editor.rows["yes"].button.setFocus()
    qtbot.keyClick(editor.rows["yes"].button, Qt.Key.Key_F5)
    view.prompts.player.stop()
    assert view.prompts.played == [CONSENT] and output.frames > 0
    editor.rows["yes"].speaker.click()
    view.prompts.player.stop()
    assert view.prompts.played == [CONSENT, choice_key]


def test_vietnamese_only_has_no_speaker(qtbot, commune, translations):
    from fieldapp.i18n.resolution import DisplayMode

    view = open_view(qtbot, commune, translations, AudioStatus(True, True), NullOutput())
    view.set_labels(None)
    assert not consent_editor(view).speaker.isVisibleTo(view)
    assert view.play_current_prompt() == ""
    view.set_labels("tyz", DisplayMode.VIETNAMESE_ONLY)
    assert not consent_editor(view).speaker.isVisibleTo(view)


def test_without_a_speaker_the_button_says_why(qtbot, commune, translations):
    status = AudioStatus(False, False, "No speaker or headphones were found.")
    view = open_view(qtbot, commune, translations, status, NullOutput())
    speaker = consent_editor(view).speaker
    assert speaker.isVisibleTo(view) and not speaker.isEnabled()
    assert speaker.toolTip() == status.reason
    assert view.play_current_prompt() == status.reason
    assert view.banner.isVisible()


def test_nung_plays_the_tay_recording(qtbot, commune, translations):
    view = open_view(qtbot, commune, translations, AudioStatus(True, True), NullOutput())
    view.set_labels("nut")
    editor = consent_editor(view)
    assert editor.speaker.isVisibleTo(view)
    assert "Tày" in editor.label.text()  # the text is Tày's and says so


def test_render_bilingual_page(qtbot, commune, translations, tmp_path):
    view = open_view(qtbot, commune, translations, AudioStatus(True, True), NullOutput())
    FormDriver(view, qtbot)
    out = Path(os.environ.get("FIELDAPP_SHOTS", tmp_path)) / "survey_prompts.png"
    assert view.grab().save(str(out))


def test_the_tay_recording_under_nung_says_whose_it_is(qtbot, commune, translations):
    view = open_view(qtbot, commune, translations, AudioStatus(True, True), NullOutput())
    assert "Tày" not in consent_editor(view).speaker.toolTip()
    view.set_labels("nut")
    tip = consent_editor(view).speaker.toolTip()
    assert "Tày" in tip and "F5" in tip
