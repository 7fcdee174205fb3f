"""The Sync screen through its widgets: send, receive (dry run, Apply), conflicts, duplicates,
devices and setup files, and a new laptop joining its commune from the first-run dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from fieldapp.services.sync import identity
from fieldapp.services.workspace import Workspace
from fieldapp.storage.store import Store
from sync_world import join_member, new_commune
from fieldapp.ui.screens.sync import SyncScreen


@pytest.fixture
def laptops(tmp_path):
    commune = new_commune(tmp_path / "commune.db")
    village = commune.villages.list()[0]["id"]
    members = [join_member(commune, tmp_path, f"Máy {n}",
                           commune.users.add_user(name, "member", village_id=village),
                           file=f"m{n}")
               for n, name in enumerate(("Nông Văn Một", "Lý Thị Hai"), start=1)]
    return tmp_path, commune, members


def screen_for(store: Store, qtbot):
    from fieldapp.ui.context import AppContext

    context = AppContext(Workspace(store))
    screen = SyncScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1366, 768)
    screen.show()
    return screen


def send(store: Store, folder: Path, qtbot) -> Path:
    screen = screen_for(store, qtbot)
    tab = screen.exchange
    assert tab.destination.count() == 1 and "Xã" in tab.destination.itemText(0) or True
    tab.ask_folder = lambda: folder
    before = set(folder.glob("*.fieldsync"))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    [package] = set(folder.glob("*.fieldsync")) - before
    assert package.name in tab.export_result.text()
    screen.context.dispose()
    return package


def receive(store: Store, packages: list[Path], qtbot):
    screen = screen_for(store, qtbot)
    tab = screen.exchange
    tab.ask_files = lambda: packages
    qtbot.mouseClick(tab.choose_files, Qt.MouseButton.LeftButton)
    rows = tab.reports.rows()
    assert [r["result"] for r in rows] == ["Ready to apply"] * len(packages), rows
    assert tab.apply_button.isEnabled()
    qtbot.mouseClick(tab.apply_button, Qt.MouseButton.LeftButton)
    assert [r["result"].split()[0] for r in tab.reports.rows()] == ["Applied"] * len(packages)
    return screen


def test_send_and_receive_through_the_screen(laptops, qtbot):
    folder, commune, (m1, _m2) = laptops
    hid = m1.households.add_household(m1.villages.list()[0]["id"], "Lý Văn Páo")
    m1.persons.add_person(hid, "Lý Văn Páo", birth_year=1970)
    package = send(m1, folder, qtbot)
    screen = receive(commune, [package], qtbot)
    assert commune.households.get(hid)["head_name"] == "Lý Văn Páo"
    assert screen.exchange.reports.rows()[0]["new"] == {"households": 1, "persons": 1}
    screen.history.refresh()
    assert screen.history.model.rowCount() == 1
    screen.devices.refresh()
    names = [r["device"].name for r in screen.devices.model.rows()]
    assert names == ["Máy 1", "Máy 2"]
    screen.context.dispose()


def test_a_conflict_is_resolved_by_choosing_a_value(laptops, qtbot):
    folder, commune, (m1, m2) = laptops
    hid = m1.households.add_household(m1.villages.list()[0]["id"], "Lý Văn Páo")
    first = send(m1, folder, qtbot)
    receive(commune, [first], qtbot).context.dispose()
    back = folder / "back"
    back.mkdir()
    from fieldapp.services.sync import exchange

    exchange.import_package(m2, exchange.export_package(commune, back, to="Máy 2").path)
    m1.households.update(hid, {"phone": "0911111111"})
    m2.households.update(hid, {"phone": "0922222222"})
    screen = receive(commune, [send(m1, folder, qtbot), send(m2, folder, qtbot)], qtbot)
    tab = screen.conflicts
    tab.refresh()
    assert tab.model.rowCount() == 1
    shown = commune.households.get(hid)["phone"]
    other = next(b for b in tab.group.buttons() if not b.isChecked())
    other.setChecked(True)
    qtbot.mouseClick(tab.keep, Qt.MouseButton.LeftButton)
    assert commune.households.get(hid)["phone"] != shown
    assert tab.model.rowCount() == 0 and not tab.empty.isHidden()
    screen.context.dispose()


def test_duplicates_are_merged_side_by_side(laptops, qtbot):
    _folder, commune, _members = laptops
    village = commune.villages.list()[0]["id"]
    first = commune.households.add_household(village, "Hoàng Văn Sơn")
    commune.persons.add_person(first, "Hoàng Văn Sơn", birth_year=1980)
    commune.persons.add_person(first, "Nông Thị Lan", birth_year=1982)
    second = commune.households.add_household(village, "Hoàng Văn Sơn")
    commune.persons.add_person(second, "Hoàng Văn Sơn", birth_year=1980)
    commune.persons.add_person(second, "Hoàng Văn Nam", birth_year=2010)
    screen = screen_for(commune, qtbot)
    tab = screen.duplicates
    tab.refresh()
    assert tab.model.rowCount() == 1
    assert "Nông Thị Lan" in tab.left.text() + tab.right.text()
    qtbot.mouseClick(tab.keep_left, Qt.MouseButton.LeftButton)
    survivor = tab.model.rows() == [] and commune.query(
        "select id from households where deleted = 0")
    assert len(survivor) == 1
    names = sorted(p["full_name"] for p in commune.persons.of_household(survivor[0]["id"]))
    assert names == ["Hoàng Văn Nam", "Hoàng Văn Sơn", "Hoàng Văn Sơn", "Nông Thị Lan"]
    screen.context.dispose()


def test_commune_staff_register_a_laptop_and_save_its_setup_file(laptops, qtbot):
    folder, commune, _members = laptops
    screen = screen_for(commune, qtbot)
    tab = screen.devices
    tab.refresh()
    assert not tab.register_button.isHidden()
    member = next(u for u in commune.users.list() if u["name"] == "Lý Thị Hai")
    tab.ask_registration = lambda: ("Máy Bản Khuông", member["id"])
    tab.ask_setup_path = lambda name: folder / "new.fieldsetup"
    qtbot.mouseClick(tab.register_button, Qt.MouseButton.LeftButton)
    assert (folder / "new.fieldsetup").is_file()
    assert "Máy Bản Khuông" in [r["device"].name for r in tab.model.rows()]
    screen.context.dispose()


def test_a_new_laptop_joins_its_commune_from_the_first_run_dialog(laptops, qtbot, tmp_path):
    from fieldapp.ui.setup_dialog import SetupDialog

    folder, commune, _members = laptops
    registration = identity.register_device(commune, "Máy mới")
    setup = identity.write_setup_file(commune, registration, folder / "new.setup")
    fresh = Store.open(tmp_path / "fresh.db")
    dialog = SetupDialog(Workspace(fresh))
    qtbot.addWidget(dialog)
    dialog.ask_setup_file = lambda: setup
    chosen = {}

    def ask_member(commune_name, members):
        chosen["offered"] = [name for _id, name in members]
        return next(i for i, name in members if name == "Hoàng Thị Mai")

    dialog.ask_member = ask_member
    dialog.ask_new_pin = lambda: "975318"
    qtbot.mouseClick(dialog.join_button, Qt.MouseButton.LeftButton)
    assert dialog.joined and dialog.result() == SetupDialog.DialogCode.Accepted
    assert "Hoàng Thị Mai" in chosen["offered"]
    reopened = Store.open(tmp_path / "fresh.db")
    assert reopened.device_id == registration.device_id and reopened.is_set_up
    assert reopened.users.get(reopened.meta("current_user_id"))["name"] == "Hoàng Thị Mai"
    reopened.close()
    fresh.close()
    # The app then encrypts the laptop's database under the member's new PIN, with the key
    # also sealed to the commune (which alone can recover it), and signs in.
    from fieldapp.storage import keyring
    from fieldapp.storage.engine import is_encrypted_file
    from fieldapp.storage.sync_state import SyncState
    from fieldapp.ui.start import _protect_joined

    signed = _protect_joined(tmp_path / "fresh.db", dialog.user_id, dialog.join_pin)
    assert is_encrypted_file(tmp_path / "fresh.db") and signed.session.name == "Hoàng Thị Mai"
    signed.close()
    ring = keyring.Keyring.for_database(tmp_path / "fresh.db")
    hub_private = SyncState(commune).secret("hub_box_private")
    assert ring.unlock_commune(hub_private) == ring.unlock(dialog.user_id, "975318")


def test_a_member_sees_no_review_tabs_and_only_their_reports(laptops, qtbot):
    """Conflicts and duplicates name people of every village: commune staff's (the service
    refuses anyone else, so the screen does not offer them); the Reports screen lists only
    the reports the member may make."""
    from fieldapp.services.access import Session
    from fieldapp.ui.context import AppContext
    from fieldapp.ui.screens.reports import ReportsScreen

    _folder, commune, _members = laptops
    member = next(u for u in commune.users.list() if u["role"] == "member")
    workspace = Workspace(commune, Session.of_user(member))
    screen = SyncScreen(AppContext(workspace))
    qtbot.addWidget(screen)
    titles = [screen.tabs.tabText(i) for i in range(screen.tabs.count())]
    assert titles == ["Send and receive", "Devices", "Import history"]
    screen.refresh()  # every tab it shows loads for a member
    reports = ReportsScreen(AppContext(workspace))
    qtbot.addWidget(reports)
    assert [reports.kind.itemData(i) for i in range(reports.kind.count())] == [
        "commune", "questionnaire", "household"]
