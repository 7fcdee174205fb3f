"""A form written in several languages (onadata's multi_lingual_form: English, Swahili, French;
none Vietnamese) is shown in any of them, as ODK Collect's language menu offers: the form view
lists the form's own languages and switches labels, hints and choices in place."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))

from broken_forms.builders import form, write_xlsx  # noqa: E402

from fieldapp.core.forms import FormInstance  # noqa: E402
from fieldapp.services.forms import load_form_file  # noqa: E402
from test_form_driver import show_form_view  # noqa: E402


def shown_text(view) -> str:
    from PySide6.QtWidgets import QAbstractButton, QLabel

    texts = [w.text() for w in view.findChildren(QLabel) if w.isVisible()]
    texts += [w.text() for w in view.findChildren(QAbstractButton) if w.isVisible()]
    return "\n".join(texts)


def test_the_form_view_switches_between_the_forms_own_languages(qtbot, tmp_path):
    f = load_form_file(write_xlsx(tmp_path / "ml.xlsx", form(
        [["type", "name", "label::English", "label::French", "hint::English", "hint::French"],
         ["select_one yn", "happy", "Are you happy?", "Êtes-vous heureux ?", "Be honest",
          "Soyez honnête"]],
        [["list_name", "name", "label::English", "label::French"],
         ["yn", "yes", "Yes", "Oui"], ["yn", "no", "No", "Non"]],
        [["form_id", "version"], ["ml", "1"]])))
    inst = FormInstance(f)
    view = show_form_view(qtbot, f, inst, pack_languages=[])
    combo = view.pack_bar.language_combo
    assert combo.isVisible()
    assert [combo.itemText(i) for i in range(combo.count())] == ["English", "French"]
    assert "Are you happy?" in shown_text(view) and "Yes" in shown_text(view)
    inst.set_value("happy", "yes")
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    QApplication.processEvents()
    text = shown_text(view)
    assert "Êtes-vous heureux ?" in text and "Oui" in text and "Soyez honnête" in text
    assert "Are you happy?" not in text
    assert inst.get_value("happy") == "yes"  # the answers stay


def test_a_form_in_one_language_shows_no_language_list(qtbot, tmp_path):
    f = load_form_file(write_xlsx(tmp_path / "one.xlsx", form(
        [["type", "name", "label"], ["text", "ten", "Họ và tên"]], None,
        [["form_id", "version"], ["one", "1"]])))
    view = show_form_view(qtbot, f, FormInstance(f), pack_languages=[])
    assert not view.pack_bar.language_combo.isVisible()


def test_languages_with_a_code_are_named_in_their_own_words(qtbot, tmp_path):
    from fieldapp.i18n import catalog

    catalog.set_language("vi")
    f = load_form_file(write_xlsx(tmp_path / "vien.xlsx", form(
        [["type", "name", "label::Vietnamese (vi)", "label::English (en)", "label::Tày (tyz)"],
         ["text", "ten", "Họ và tên", "Full name", "Chư mình"]], None,
        [["form_id", "version"], ["vien", "1"]])))
    view = show_form_view(qtbot, f, FormInstance(f), pack_languages=[])
    combo = view.pack_bar.language_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Tiếng Việt", "English", "Tày"]
    assert combo.currentText() == "Tiếng Việt"  # the form's Vietnamese first
    assert view.pack_bar.language_label.text() == "Ngôn n&gữ:"


def test_a_partner_form_without_pack_texts_opens_without_the_members_pack(context, qtbot):
    from fieldapp import paths
    from fieldapp.ui.forms.surveys import SurveysScreen

    forms = paths.commune_forms_dir()
    forms.mkdir(parents=True, exist_ok=True)
    write_xlsx(forms / "partner.xlsx", form(
        [["type", "name", "label::English (en)", "label::Français (fr)"],
         ["text", "name", "Full name", "Nom complet"]], None,
        [["form_id", "version"], ["partner", "1"]]))
    context.workspace.remember_pack("tyz", "bilingual")
    surveys = SurveysScreen(context)
    qtbot.addWidget(surveys)
    view = surveys.start("partner")
    assert view.pack_bar.languages == [] and view.labels.pack_lang is None
    assert surveys.close_form()
    shipped = surveys.start("support_session")  # a shipped form keeps the member's Tày pack
    assert "tyz" in shipped.pack_bar.languages and shipped.labels.pack_lang == "tyz"


def test_the_language_and_label_lists_wrap_at_twice_the_text_size(qtbot, tmp_path):
    """A form in several languages with a label pack beside Vietnamese, at twice the text size
    in the 1,045 px a 1366x768 window leaves it: the lists go onto a second line instead of
    pushing the form sideways (the display-mode list was cut at the window's edge)."""
    from PySide6.QtCore import QSize

    from fieldapp.i18n import catalog
    from fieldapp.i18n.resolution import DisplayMode
    from fieldapp.ui import fonts
    from fieldapp.ui.fit import cut_texts

    f = load_form_file(write_xlsx(tmp_path / "ml2.xlsx", form(
        [["type", "name", "label::English", "label::French"],
         ["text", "ten", "Name of respondent", "Nom du répondant"]], None,
        [["form_id", "version"], ["ml2", "1"]])))
    catalog.set_language("vi")
    fonts.apply_app_font(QApplication.instance(), 2.0)
    try:
        view = show_form_view(qtbot, f, FormInstance(f), pack_languages=["tyz", "nut", "ium"])
        view.pack_bar.chosen.emit("tyz", DisplayMode.BILINGUAL)
        view.resize(1045, 700)
        qtbot.wait(20)
        bar = view.pack_bar
        assert bar.language_combo.isVisible() and bar.mode_combo.isVisible()
        assert bar.mode_combo.geometry().bottom() > bar.language_combo.geometry().bottom() \
            or bar.mode_combo.mapTo(view, bar.mode_combo.rect().bottomRight()).x() <= 1045
        assert view.minimumSizeHint().width() <= 1045
        assert cut_texts(view, QSize(1366, 768)) == []
    finally:
        fonts.apply_app_font(QApplication.instance(), 1.0)
        catalog.set_language("en")
