"""Screens under real-world extremes: twice the text size, long village and person names,
empty lists. Each test checks what a user would read (fieldapp.ui.fit), not pixels."""

from __future__ import annotations

from PySide6.QtCore import QSize

from fieldapp.i18n import catalog
from fieldapp.ui import fonts
from fieldapp.ui.fit import cut_texts


def test_every_screen_name_is_read_whole_at_twice_the_text_size(window, qapp, qtbot):
    catalog.set_language("vi")  # "Nhật ký hoạt động" is the longest name
    window.retranslate()
    try:
        fonts.apply_app_font(qapp, 2.0)
        qtbot.wait(10)
        nav = window.nav
        assert nav.font().pointSizeF() == fonts.BASE_POINT_SIZE * 2
        for row in range(nav.count()):
            item = nav.item(row)
            rect = nav.visualItemRect(item)
            needed = nav.fontMetrics().horizontalAdvance(item.text()) + nav.iconSize().width()
            assert rect.width() >= needed, item.text()
        assert not nav.horizontalScrollBar().isVisible()
        assert not [c for c in cut_texts(window, QSize(1366, 768)) if "#navigation" in c.where]
    finally:
        fonts.apply_app_font(qapp, 1.0)
        catalog.set_language("en")
    qtbot.wait(10)
    from fieldapp.ui.main_window import NAV_WIDTH

    assert window.nav.width() == NAV_WIDTH  # back to normal text, back to its usual width


def test_a_widget_with_its_own_style_sheet_follows_the_text_size(qapp, qtbot):
    from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

    top = QWidget()
    qtbot.addWidget(top)
    styled = QLabel("Tổ công nghệ số", top)
    styled.setStyleSheet("QLabel { padding: 8px; }")
    QVBoxLayout(top).addWidget(styled)
    top.show()
    try:
        fonts.apply_app_font(qapp, 2.0)
        qtbot.wait(10)
        assert styled.font().pointSizeF() == fonts.BASE_POINT_SIZE * 2
    finally:
        fonts.apply_app_font(qapp, 1.0)
    assert styled.font().pointSizeF() == fonts.BASE_POINT_SIZE
