"""The household survey's first page in Tày (and Nùng, which takes Tày's texts): every label,
hint and choice has its pack text (a draft, marked as not reviewed), none falls back to
Vietnamese alone."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from fieldapp.core.forms.labels import FALLBACK_MARK, UNREVIEWED_MARK
from fieldapp.i18n.resolution import DisplayMode
from fieldapp.services.surveys import SurveyService
from fieldapp.ui.forms.view import FormView
from test_pseudo_locale import visible_texts


@pytest.mark.parametrize("pack", ["tyz", "nut"])
def test_the_first_page_speaks_the_pack(commune, qtbot, pack):
    form, instance = SurveyService(commune).new_instance("household_survey")
    view = FormView(form, instance, on_save=lambda finalize: None, pack=pack,
                    mode=DisplayMode.BILINGUAL)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    view.go_to_page(0)
    QApplication.processEvents()
    texts = [s.text for s in visible_texts(view, shown_only=True) if s.text]
    fallen = [t for t in texts if FALLBACK_MARK in t and "chưa có bản dịch" not in t
              and "no translation yet" not in t]
    assert fallen == [], "shown in Vietnamese only:\n" + "\n".join(fallen)
    assert sum(UNREVIEWED_MARK in t for t in texts) >= 5  # the pack's drafts, marked
