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


LONG_NAME = "Hoàng Thị Ngọc Diễm Quỳnh Hương Nguyệt Ánh Tuyết Nhung Thủy Tiên"  # 64 characters
LONG_VILLAGE = "Thôn Khuổi Nhùng Phja Bjoóc Trên"
SCREEN = QSize(1366, 768)


def _large_text(qapp):
    catalog.set_language("vi")
    fonts.apply_app_font(qapp, 2.0)


def _normal_text(qapp):
    fonts.apply_app_font(qapp, 1.0)
    catalog.set_language("en")


def test_the_sign_in_fits_a_sixty_character_name_at_twice_the_text_size(qapp, qtbot,
                                                                         tmp_path):
    from fieldapp.services.auth import SignInInfo
    from fieldapp.ui.signin_dialog import SignInDialog

    assert len(LONG_NAME) >= 60
    users = [{"user_id": "u1", "name": "Lý Văn Tú", "role": "member"},
             {"user_id": "u2", "name": LONG_NAME, "role": "commune_staff"}]
    _large_text(qapp)
    try:
        dialog = SignInDialog(tmp_path / "x.db", SignInInfo(False, users, False, "u2"))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.width() <= SCREEN.width()
        assert cut_texts(dialog, SCREEN) == []  # "Bạn là ai?" was cut to "Bạn là a"
        assert dialog.user.toolTip().startswith(LONG_NAME)  # the whole name, elided in the box
    finally:
        _normal_text(qapp)


def test_a_like_household_is_offered_whole_at_twice_the_text_size(qapp, qtbot):
    from fieldapp.ui.screens.registry_dialogs import StartSurveyDialog

    alike = [{"id": "h1", "head_name": LONG_NAME, "village_name": LONG_VILLAGE,
              "member_count": 5}]
    _large_text(qapp)
    try:
        dialog = StartSurveyDialog([{"id": "v1", "name": LONG_VILLAGE}],
                                   lambda _v, _h: alike, "2026-01-01")
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.head.setText("Hoàng Thị Ngọc")
        dialog.check()
        qtbot.waitUntil(lambda: dialog.alike.isVisible())
        qtbot.wait(50)
        # the rows were drawn over each other: the window kept its height
        assert cut_texts(dialog, SCREEN) == []
        assert dialog.height() >= dialog.layout().totalHeightForWidth(dialog.width())
        assert not dialog.alike.horizontalScrollBar().isVisible()
    finally:
        _normal_text(qapp)


def test_the_recovery_code_message_is_read_whole_at_twice_the_text_size(qapp, qtbot):
    """Shown once, never again: its every line must be on screen."""
    from fieldapp.ui.signin_dialog import RecoveryCodeDialog

    _large_text(qapp)
    try:
        dialog = RecoveryCodeDialog("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ")
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        qtbot.wait(20)
        assert cut_texts(dialog, SCREEN) == []
    finally:
        _normal_text(qapp)


def test_the_window_cannot_be_dragged_smaller_than_a_usable_size(window, qtbot):
    from PySide6.QtWidgets import QWidget

    from fieldapp.ui.main_window import FRAME, MIN_WINDOW_SIZE

    available = QWidget.screen(window).availableGeometry().size() - FRAME
    wanted = MIN_WINDOW_SIZE.boundedTo(available)
    window.resize(289, 139)  # what the window allowed: a corner of one title
    qtbot.wait(10)
    assert window.width() >= wanted.width() and window.height() >= wanted.height()


def test_who_was_helped_scrolls_when_the_list_is_long(window, qtbot):
    from PySide6.QtWidgets import QScrollArea

    from fieldapp.ui.main_window import MIN_WINDOW_SIZE

    window.resize(MIN_WINDOW_SIZE)
    screen = window.show_screen("sessions")
    helped = "\n".join(f"• {LONG_NAME}: Nộp hồ sơ dịch vụ công trực tuyến" for _ in range(12))
    screen.detail.setText(helped)
    qtbot.wait(20)
    area = screen.detail.parentWidget().parentWidget()
    assert isinstance(area, QScrollArea)  # the last people were cut off below the window
    assert not [c for c in cut_texts(window, SCREEN) if "session_detail" in c.where]
    assert area.verticalScrollBar().maximum() > 0


def test_a_new_commune_is_not_told_its_search_found_nothing(setup_store, qtbot):
    """No household yet and nothing searched: the count says 0 households, not "No matches"
    (a grandparent in a training class reads that as a failed search)."""
    from fieldapp.services.workspace import Workspace
    from fieldapp.ui.context import AppContext
    from fieldapp.ui.screens.households import HouseholdsScreen

    context = AppContext(Workspace(setup_store))
    try:
        screen = HouseholdsScreen(context)
        qtbot.addWidget(screen)
        screen.show()
        qtbot.waitUntil(lambda: screen.results.currentWidget() is screen.empty)
        assert screen.count.text() == "0 households"
        assert "No households" in screen.empty.text() or "yet" in screen.empty.text()
        screen.search.insert("x")
        qtbot.waitUntil(lambda: not screen._timer.isActive())
        qtbot.waitUntil(lambda: screen.count.text() == "No matches")
    finally:
        context.dispose()


def test_a_class_dialog_keeps_save_on_a_short_screen_at_twice_the_text_size(context, qapp,
                                                                            qtbot):
    from PySide6.QtWidgets import QDialogButtonBox, QScrollArea, QWidget

    from fieldapp.ui.screens.training import TrainingScreen

    screen = TrainingScreen(context)
    qtbot.addWidget(screen)
    dialog = screen.new_class(show=False)
    dialog.show()
    qtbot.wait(20)
    area = dialog.findChild(QScrollArea)
    available = QWidget.screen(dialog).availableGeometry()
    # normal text: every row in sight at once, or the dialog as tall as the screen allows
    assert area.verticalScrollBar().maximum() == 0 or dialog.height() >= available.height() - 48
    dialog.done(0)
    _large_text(qapp)
    try:
        dialog = screen.new_class(show=False)
        dialog.show()
        qtbot.wait(20)
        assert dialog.frameGeometry().height() <= available.height()  # it was 954 px tall
        save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
        assert save.mapTo(dialog, save.rect().bottomLeft()).y() <= dialog.height()
        dialog.done(0)
    finally:
        _normal_text(qapp)


def test_record_dialogs_never_scroll_sideways_at_twice_the_text_size(context, qapp, qtbot):
    from PySide6.QtWidgets import QScrollArea

    from fieldapp.ui.screens.teams import TeamsScreen

    _large_text(qapp)
    try:
        screen = TeamsScreen(context)
        qtbot.addWidget(screen)
        for dialog in (screen.new_team(show=False), screen.add_member(show=False)):
            if dialog is None:
                continue
            dialog.show()
            qtbot.wait(20)
            area = dialog.findChild(QScrollArea)
            assert not area.horizontalScrollBar().isVisible(), type(dialog).__name__
            assert [c for c in cut_texts(dialog, SCREEN) if "sideways" in c.where] == []
            dialog.done(0)
    finally:
        _normal_text(qapp)


def test_a_member_without_a_village_is_told_on_home_not_by_a_failed_read(setup_store, qtbot):
    """A member laptop before commune staff assign the member a village: Home says what to
    do instead of a warning window for each of its reads."""
    from fieldapp.services.access import Session
    from fieldapp.services.workspace import Workspace
    from fieldapp.ui.context import AppContext
    from fieldapp.ui.screens.home import HomeScreen

    user_id = setup_store.users.add_user("Bàn Thị Mùi", "member", village_id=None)
    workspace = Workspace(setup_store)
    workspace.begin_session(Session.of_user(setup_store.users.get(user_id)))
    context = AppContext(workspace)
    try:
        home = HomeScreen(context)  # the read was refused: AccessDenied out of the screen
        qtbot.addWidget(home)
        home.show()
        assert home.body.currentWidget() is home.empty
        assert home.empty.text() == ("No village is assigned to you yet: ask commune staff to "
                                     "assign one.")
    finally:
        context.dispose()
