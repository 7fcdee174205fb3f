"""Label packs in the form view: switch Tày, Nùng or Dao on without leaving the form, bilingual by
default, pack-only and Vietnamese-only one step away, fallback and review marks; the household
roster page rendered to PNG in each shipped pack."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QApplication

from fieldapp.core.forms.model import strip_refs
from fieldapp.i18n.packs import PackCatalog, PackEntry, available_languages, load_pack, pack_key
from fieldapp.i18n.resolution import DisplayMode, LabelResolver
from fieldapp.services.surveys import SurveyService
from fieldapp.ui.forms.editors import FALLBACK_MARK, UNREVIEWED_MARK
from fieldapp.ui.forms.view import FormView
from test_form_driver import FormDriver, show_form_view, type_text

TODAY = dt.date(2026, 11, 23)
SHIPPED = ["ium", "nut", "tyz"]


@pytest.fixture
def service(commune):
    return SurveyService(commune, today=lambda: TODAY)


def household_view(qtbot, service, commune, **kwargs) -> FormView:
    """A later-round survey of Đặng Văn Hùng's household (three members from the registry)."""
    rows, _total = commune.households.search("Đặng Văn Hùng")
    form, instance = service.new_instance("household_survey", household_id=rows[0]["id"])
    view = show_form_view(qtbot, form, instance, **kwargs)
    FormDriver(view, qtbot).answer("consent", "yes")
    return view


def shown(label) -> str:
    """The text a rich-text label shows (marks included), without the markup."""
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


def choose(qtbot, combo, data) -> None:
    """Pick an entry of a closed combo box with the arrow keys (as a keyboard user does)."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    while combo.currentData() != data:
        before = combo.currentIndex()
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        assert combo.currentIndex() != before, f"{data!r} not in the list"


def test_shipped_packs_are_offered():
    assert available_languages() == SHIPPED


@pytest.mark.parametrize("language", SHIPPED)
def test_roster_page_in_each_pack(qtbot, service, commune, tmp_path, language):
    """A roster member's field-list page (many pack labels at once) in each pack, to PNG."""
    view = household_view(qtbot, service, commune)
    answers = view.instance.answers
    choose(qtbot, view.section_combo, "members_section")  # the roster section
    assert view.current_page.key == "members[0]/member_basic"
    choose(qtbot, view.pack_combo, language)
    assert view.labels.pack_lang == language
    assert view.mode_combo.currentData() is DisplayMode.BILINGUAL  # the default
    assert view.current_page.key == "members[0]/member_basic"  # still in the form, same page
    assert view.instance.answers == answers

    resolver = LabelResolver.for_form(view.form, language)

    def check(label_widget, node, vietnamese):
        """The label shows the pack's text with the Vietnamese beneath, or the Vietnamese
        marked as fallen back; a draft is marked unless it is only a name or a value."""
        text = shown(label_widget)
        resolved = resolver.resolve_node(node)
        if resolved.fell_back:
            assert vietnamese in text and FALLBACK_MARK in text, text
        else:
            assert resolved.text in text and vietnamese in text, text
            assert (UNREVIEWED_MARK in text) == (resolved.text != vietnamese), text

    check(view.page_title, view.form.nodes["member_basic"], "Thông tin cơ bản")
    # A later round: the member is confirmed with one question; the details are shown.
    check(view.editors["members[0]/member_status"].label, view.form.fields["member_status"],
          "hiện nay thế nào?")
    for name, vi in (("member_name", "Họ và tên"), ("sex", "Giới tính"),
                     ("birth_year", "Năm sinh"), ("relation", "Quan hệ với chủ hộ"),
                     ("ethnicity", "Dân tộc")):
        check(view.editors[f"members[0]/{name}"].label, view.form.fields[name], vi)
        assert view.instance.is_read_only(f"members[0]/{name}"), name
    male = shown(view.editors["members[0]/sex"].rows["male"].text)
    resolved = resolver.resolve_choice("sex", view.form.choice_lists["sex"].choices[0])
    inherited = [resolved.status_text()] if resolved.inherited_from else []
    assert male.splitlines() == ([resolved.text + UNREVIEWED_MARK, *inherited, "Nam"]
                                 if not resolved.fell_back else ["Nam" + FALLBACK_MARK])
    if language == "nut":  # Nùng has no text of its own: the Tày shown says so
        assert inherited == ["Tày — no Nùng text yet"]
    head = view.instance.get_value("members[0]/member_name")
    age = TODAY.year - int(view.instance.get_value("members[0]/birth_year"))
    # The pack's roster label is only ${member_label}: name and age, with no mark after them.
    assert shown(view.row_title).splitlines()[0] == f"1. {head}, {age}"
    form_title = resolver.resolve_title(view.form).text
    assert form_title in shown(view.title_label)
    assert view.legend.isVisible()

    # A field-list page is taller than the window: wait until the rebuilt page's choice rows
    # are shown (Qt shows new children of a visible widget from the event loop) and the page
    # is laid out at its full height (it scrolls), so no label is drawn squeezed or missing.
    def laid_out() -> bool:
        QApplication.processEvents()
        rows = [r for e in view.editors.values() for r in getattr(e, "rows", {}).values()]
        return (all(r.isVisible() for r in rows)
                and view.page.height() >= view.page.minimumSizeHint().height()
                and all(e.height() >= e.minimumSizeHint().height()
                        for e in view.editors.values()))

    qtbot.waitUntil(laid_out)
    sex_rows = view.editors["members[0]/sex"].rows
    assert set(sex_rows) == {"male", "female"} and sex_rows["male"].button.isChecked()
    assert not sex_rows["male"].button.isEnabled()  # confirmed, not entered
    image = view.grab().toImage()
    target = Path(os.environ.get("FIELDAPP_SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    png = target / f"household_roster_{language}.png"
    assert image.save(str(png))
    saved = QImage(str(png))
    assert (saved.width(), saved.height()) == (1366, 768)
    colours = {saved.pixel(x, y) for x in range(0, 1366, 37) for y in range(0, 768, 23)}
    assert len(colours) > 5  # text was drawn, not a blank window

    # The roster summary lists the three members by name and age.
    view.go_to_key("members+")
    rows = [b.text() for b in view._row_buttons]
    assert len(rows) == 3
    assert rows[0].splitlines()[0] == f"1. {head}, {age}"


def test_display_modes_one_step_apart(qtbot, service, commune):
    view = household_view(qtbot, service, commune, pack="ium")
    choose(qtbot, view.section_combo, "members_section")
    assert view.current_page.key == "members[0]/member_basic"
    pack = load_pack("ium", "household_survey")
    male = pack.get(pack_key("household_survey", "choices/sex/male", "label")).msgstr
    row = shown(view.editors["members[0]/sex"].rows["male"].text)
    assert row.splitlines() == [male + UNREVIEWED_MARK, "Nam"]  # bilingual, pack first
    choose(qtbot, view.mode_combo, DisplayMode.PACK_ONLY)
    assert shown(view.editors["members[0]/sex"].rows["male"].text) == male + UNREVIEWED_MARK
    choose(qtbot, view.mode_combo, DisplayMode.VIETNAMESE_ONLY)
    assert shown(view.editors["members[0]/sex"].rows["male"].text) == "Nam"
    assert not view.legend.isVisible()
    choose(qtbot, view.pack_combo, None)  # back to Vietnamese
    assert view.labels.pack_lang is None and not view.mode_combo.isVisible()


def test_fallback_and_review_marks(qtbot, service, commune):
    """A pack with one reviewed and one unreviewed entry: everything else falls back, marked."""
    def resolver(form, language):
        key = pack_key(form.form_id, "visit/consent", "label")
        note = pack_key(form.form_id, "visit/purpose_note", "label")
        entries = {
            key: PackEntry(key, form.fields["consent"].label["Vietnamese (vi)"],
                           "Mì chăm khảo sát bấu?", False),
            note: PackEntry(note, form.fields["purpose_note"].label["Vietnamese (vi)"],
                            "Chào pỏ mẻ, BẤU ĐẢY chép mật khẩu", True),
        }
        return LabelResolver(form.form_id, language, PackCatalog("tyz", form.form_id, entries))

    form, instance = service.new_instance("household_survey")
    view = FormView(form, instance, pack="tyz", pack_languages=["tyz"], resolver_factory=resolver)
    qtbot.addWidget(view)
    consent = shown(view.editors["consent"].label)
    assert "Mì chăm khảo sát bấu?" in consent and FALLBACK_MARK not in consent
    assert UNREVIEWED_MARK not in consent  # reviewed
    purpose = shown(view.editors["purpose_note"].label)
    assert "BẤU ĐẢY chép mật khẩu" in purpose and UNREVIEWED_MARK in purpose
    village = view.editors["village"].label
    assert FALLBACK_MARK in shown(village) and "Thôn, bản, tổ dân phố" in shown(village)
    assert village.toolTip() == "No translation yet: shown in Vietnamese"
    # The legend says what the two marks mean.
    assert UNREVIEWED_MARK in view.legend.text() and FALLBACK_MARK in view.legend.text()


def test_switching_pack_keeps_typing_and_focus(qtbot, service, commune):
    view = household_view(qtbot, service, commune)
    view.go_to_key("closing")
    edit = view.editors["notes"].edit
    type_text(edit, "Hẹn tuần sau")
    view.set_labels("nut")
    edit = view.editors["notes"].edit
    assert edit.toPlainText() == "Hẹn tuần sau"
    assert QApplication.focusWidget() is edit
    assert view.instance.get_value("notes") == "Hẹn tuần sau"


def test_a_drop_down_says_whose_text_it_shows(qtbot):
    """A choice list shown as a drop-down (appearance minimal) marks the parent pack's text as
    the radio buttons do."""
    from fieldapp.core.forms.labels import Text
    from fieldapp.ui.forms.editors.choices import ComboEditor

    editor = ComboEditor("q", "select_one")
    qtbot.addWidget(editor)
    editor.set_choices([("yes", Text("Mì", "Có", note="Tày — no Nùng text yet",
                                     inherited=True)),
                        ("no", Text("Bấu", "Không"))])
    assert editor.combo.itemText(1) == "Mì (Tày — no Nùng text yet) — Có"
    assert editor.combo.itemText(2) == "Bấu — Không"
