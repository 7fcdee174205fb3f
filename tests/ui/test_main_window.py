"""The main window over a set-up commune: navigation, status bar, screens, language switch."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from fieldapp.i18n.catalog import _
from fieldapp.ui.screens.home import HomeScreen
from fieldapp.services.workspace import Workspace


def test_opens_with_home_households_settings(window):
    assert window.screen_keys() == ["home", "households", "sessions", "training", "teams",
                                    "reports", "sync", "team", "audit", "translate", "settings"]
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        "Home", "Households", "Sessions", "Training", "Teams", "Reports", "Sync",
        "Team members", "Audit log", "Translate", "Settings"]
    assert window.current_key() == "home"
    assert isinstance(window.stack.currentWidget(), HomeScreen)
    assert window.windowTitle() == "Xã Tân Thành – fieldapp"


def test_status_bar_names_commune_user_device_and_database(window):
    store = window.context.workspace.store
    assert window.status_commune.text() == "Commune: Xã Tân Thành"
    assert window.status_user.text() == "User: Hoàng Thị Mai (Team member)"
    assert store.device_name in window.status_device.text()
    assert str(store.path) in window.status_db.full_text()  # elided, whole in its tooltip
    assert window.status_db.toolTip() == window.status_db.full_text()


def test_home_counts_by_village_with_totals(window):
    home = window.screen("home")
    table = [[home.model.index(r, c).data() for c in range(3)]
             for r in range(home.model.rowCount())]
    # Villages in Vietnamese order, then the totals row; persons include the heads.
    assert table == [["Bản Khuông", "2", "5"], ["Bản Pò Mục", "2", "3"],
                     ["Thôn Nà Lầu", "2", "3"], ["Total", "6", "11"]]
    assert home.title.text() == "Xã Tân Thành, Lạng Sơn"


def test_home_refreshes_when_data_changes(window):
    home = window.screen("home")
    store = window.context.workspace.store
    village = store.villages.list()[0]
    with store.transaction():
        store.households.add_household(village["id"], "Lò Văn Mới")
    window.context.data_changed.emit(store.writer.changed.take())
    assert home.model.totals() == {"households": 7, "persons": 11}


def test_a_write_says_what_it_changed_and_only_the_screens_showing_it_refresh(window):
    """The writer's data_changed carries the kinds and ids written (as Anki's OpChanges);
    a screen that shows other kinds is not re-read."""
    from fieldapp.ui import tasks

    seen = []
    window.context.data_changed.connect(seen.append)
    window.show_screen("households")
    households = window.screen("households")
    refreshed = []
    original = households.refresh
    households.refresh = lambda *a: (refreshed.append(1), original())
    village = window.context.workspace.store.villages.list()[0]["id"]
    assert tasks.is_synchronous()
    window.context.writer.write(lambda ws: ws.store.households.add_household(village, "Lò A"))
    assert seen and seen[-1].kinds == {"households"} and len(seen[-1].ids("households")) == 1
    assert refreshed
    refreshed.clear()
    window.context.writer.write(lambda ws: ws.store.audit.record("test", user_id=None))
    assert seen[-1].kinds == {"audit_events"} and not refreshed


def test_add_screen_registration_api(window, qtbot):
    built = []

    class Surveys(QWidget):
        def __init__(self, context):
            super().__init__()
            built.append(context)
            self.label = QLabel(_("Surveys"), self)

        def retranslate(self):
            self.label.setText(_("Surveys"))

    window.add_screen("surveys", lambda: _("Surveys"), Surveys, position=2)
    assert window.screen_keys() == [
        "home", "households", "surveys", "sessions", "training", "teams", "reports", "sync",
        "team", "audit", "translate", "settings"]
    assert built == []  # built on first show, not at registration
    widget = window.show_screen("surveys")
    assert built == [window.context]
    assert window.stack.currentWidget() is widget
    assert window.current_key() == "surveys"


def test_language_switch_retranslates_every_screen(window, marking):
    households = window.show_screen("households")
    households.search.setText("Đặng")
    settings = window.show_screen("settings")
    home = window.screen("home")
    marking()
    assert window.nav.item(0).text() == "<<Home>>"
    assert window.status_commune.text() == "<<Commune: Xã Tân Thành>>"
    assert settings.language_label.text() == "<<Interface language:>>"
    assert home.table_heading.text() == "<<Households and persons by village>>"
    assert households.heading.text() == "<<Households>>"
    assert households.model.headerData(0, Qt.Orientation.Horizontal) == "<<Head of household>>"
    assert households.search.text() == "Đặng"  # what the user typed survives


def test_closing_the_window_stops_listening_to_the_catalog(window, marking):
    from fieldapp.i18n import catalog

    window.close()
    marking()  # must not touch the closed window's widgets
    catalog.set_language("en")


def test_a_screen_can_keep_the_window_open(window):
    class Busy(QWidget):
        allow = False

        def __init__(self, context):
            super().__init__()

        def confirm_close(self):
            return self.allow

    window.add_screen("busy", lambda: "Busy", Busy)
    busy = window.screen("busy")
    window.show_screen("home")
    assert not window.close()
    assert window.isVisible() and window.current_key() == "busy"
    busy.allow = True
    assert window.close()


def test_the_app_window_adds_the_surveys_screen(commune, qtbot):
    from fieldapp.ui.app import build_app_window

    win = build_app_window(Workspace(commune))
    qtbot.addWidget(win)
    assert win.screen_keys() == [
        "home", "households", "surveys", "sessions", "training", "teams", "reports", "sync",
        "team", "audit", "translate", "settings"]
    win.close()
